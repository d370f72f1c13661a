// Event pages in both of the API's forms: the same events come back from JSON and from CBOR, byte for byte,
// and a malformed CBOR page is refused with a clear error rather than half read.
#include "api/EventPages.h"
#include "engine/EventChain.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QtTest>

using namespace lapse;

namespace
{
QList<Event> chainOf(int n, quint32 seed)
{
    QRandomGenerator rng(seed);
    QList<Event> out;
    QByteArray prev = EventChain::genesisHash();
    for (int i = 0; i < n; ++i) {
        Event e;
        e.seq = i + 1;
        e.tsMs = 1'790'000'000'000 + i * 1000 + rng.bounded(1000);
        e.type = i % 3 ? QStringLiteral("grant.activated") : QStringLiteral("request.created");
        e.actor = i % 2 ? QStringLiteral("alice") : QStringLiteral("agent-7");
        e.subject = QStringLiteral("grt_%1").arg(i);
        // Bodies with what JSON must escape and what it must not touch.
        QJsonObject body {
            {"reason", QStringLiteral("\"quoted\" \\ back\\slash, tab\there, ümlaut, 漢字, emoji 🔑")},
            {"n", i}, {"empty", QString()}};
        if (i % 5 == 0)
            body = {};
        e.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
        e.hash = EventChain::hash(prev, e);
        prev = e.hash;
        out << e;
    }
    return out;
}

void compareEvents(const QList<Event>& a, const QList<Event>& b)
{
    QCOMPARE(a.size(), b.size());
    for (int i = 0; i < a.size(); ++i) {
        QCOMPARE(a[i].seq, b[i].seq);
        QCOMPARE(a[i].tsMs, b[i].tsMs);
        QCOMPARE(a[i].type, b[i].type);
        QCOMPARE(a[i].actor, b[i].actor);
        QCOMPARE(a[i].subject, b[i].subject);
        QCOMPARE(a[i].body, b[i].body);
        QCOMPARE(a[i].hash, b[i].hash);
    }
}
} // namespace

class TestEventPages : public QObject
{
    Q_OBJECT
private slots:
    void bothFormsCarryTheSameEvents()
    {
        const QList<Event> events = chainOf(200, 7);
        const auto fromCbor = eventPageFromCbor(eventPageCbor(events, 4242));
        QVERIFY2(fromCbor.ok(), fromCbor.ok() ? "" : qPrintable(fromCbor.error().message));
        compareEvents(fromCbor->items, events);
        QCOMPARE(fromCbor->lastSeq, qint64(4242));
        // Through the JSON text, as the wire has it.
        const QByteArray text = QJsonDocument(eventPageJson(events, 4242)).toJson(QJsonDocument::Compact);
        const auto fromJson = eventPageFromJson(QJsonDocument::fromJson(text).object());
        QVERIFY(fromJson.ok());
        compareEvents(fromJson->items, events);
        QCOMPARE(fromJson->lastSeq, qint64(4242));
        // And what came back still chains.
        ChainVerifier v;
        for (const Event& e : fromCbor->items)
            QVERIFY(v.add(e));
        QCOMPARE(v.verified(), qint64(200));
    }

    void anEmptyPageNamesNoNextEvent()
    {
        const auto empty = eventPageFromCbor(eventPageCbor({}, 9));
        QVERIFY(empty.ok());
        QVERIFY(empty->items.isEmpty());
        QCOMPARE(empty->lastSeq, qint64(9));
        const QCborMap map = QCborValue::fromCbor(eventPageCbor({}, 9)).toMap();
        QVERIFY(map.value(QLatin1String("next_after")).isNull());
        const QCborMap full = QCborValue::fromCbor(eventPageCbor(chainOf(3, 1), 3)).toMap();
        QCOMPARE(full.value(QLatin1String("next_after")).toInteger(), qint64(3));
        QVERIFY(full.value(QLatin1String("items")).toArray().at(0).toArray().at(5).isByteArray());
    }

    void malformedPagesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("cbor");
        const QByteArray good = eventPageCbor(chainOf(3, 2), 3);
        QCborArray shortItem {
            1, 2, QStringLiteral("t"), QStringLiteral("a"), QStringLiteral("s"), QByteArray("{}")};
        QCborArray textBody {1, 2, QStringLiteral("t"), QStringLiteral("a"), QStringLiteral("s"),
            QStringLiteral("{}"), QStringLiteral("h")};
        QCborArray longItem {1, 2, QStringLiteral("t"), QStringLiteral("a"), QStringLiteral("s"),
            QByteArray("{}"), QStringLiteral("h"), 8};
        const auto page = [](const QCborValue& items) {
            return QCborValue(QCborMap {{QStringLiteral("items"), items}, {QStringLiteral("last_seq"), 1}})
                .toCbor();
        };
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("not a map") << QCborValue(QCborArray {1, 2}).toCbor();
        QTest::newRow("no items") << QCborValue(QCborMap {{QStringLiteral("last_seq"), 1}}).toCbor();
        QTest::newRow("items not an array") << page(QCborValue(7));
        QTest::newRow("an item too short") << page(QCborArray {shortItem});
        QTest::newRow("an item too long") << page(QCborArray {longItem});
        QTest::newRow("a body as text") << page(QCborArray {textBody});
        QTest::newRow("an item not an array") << page(QCborArray {QStringLiteral("event")});
        QTest::newRow("last_seq as text") << QCborValue(
            QCborMap {{QStringLiteral("items"), QCborArray {}},
                {QStringLiteral("last_seq"),
                    QStringLiteral("1")}}).toCbor();
        QTest::newRow("truncated") << good.left(good.size() - 5);
        QTest::newRow("trailing bytes") << good + QByteArray("\x01", 1);
        QTest::newRow("JSON, not CBOR") << QByteArray(R"({"items":[]})");
    }
    void malformedPagesAreRefused()
    {
        QFETCH(QByteArray, cbor);
        const auto page = eventPageFromCbor(cbor);
        QVERIFY(!page.ok());
        QCOMPARE(page.error().code, ErrorCode::Malformed);
        QVERIFY2(page.error().message.contains(QStringLiteral("CBOR event page")),
            qPrintable(page.error().message));
    }

    void aJsonPageWithoutItemsIsRefused()
    {
        QCOMPARE(eventPageFromJson(QJsonObject {{"last_seq", 1}}).error().code, ErrorCode::Malformed);
    }
};

QTEST_GUILESS_MAIN(TestEventPages)
#include "TestEventPages.moc"
