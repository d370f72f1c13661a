// InsightsSource: computes from a local store (read-only, beside its writer) with the directory asked for
// once, or asks the backend when it has no store; always answers later, never inside query(); refuses bad
// query items and a missing store with a clear error. And the chart tables drawn from its answer.
#include "EngineFixture.h"
#include "backend/EmbeddedBackend.h"
#include "insights/InsightTables.h"
#include "insights/InsightsSource.h"
#include "metrics/Metrics.h"

#include <QBuffer>
#include <QJsonArray>
#include <QSignalSpy>
#include <QtTest>

using namespace lapse;
using namespace lapse::test;

namespace
{
// Runs a query and waits for its answer; *answeredInside: whether done ran before query() returned.
ApiResult ask(InsightsSource& source, const QUrlQuery& items, bool* answeredInside = nullptr)
{
    std::optional<ApiResult> answer;
    bool returned = false;
    source.query(items, [&](const ApiResult& r) {
        if (answeredInside)
            *answeredInside = !returned;
        answer = r;
    });
    returned = true;
    if (!QTest::qWaitFor([&] { return answer.has_value(); }, 10000))
        return makeError(ErrorCode::Unavailable, QStringLiteral("no answer"));
    return *answer;
}

// A small history: three grants of alice, one of agent-7, one revoked with a session that closed later.
void seed(EngineFixture& f)
{
    for (int i = 0; i < 3; ++i)
        QVERIFY(f.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db")).ok());
    auto g = f.grantFor(QStringLiteral("agent-7"), QStringLiteral("billing-db"));
    QVERIFY(g.ok());
    auto session = f.engine().openSession(f.who(QStringLiteral("api-gw")), f.token(g.value()), {});
    QVERIFY(session.ok());
    QVERIFY(f.engine().revoke(f.who(QStringLiteral("rita")), g->id, QStringLiteral("done")).ok());
    f.clock().advance(2'500);
    QVERIFY(f.engine().endSession(f.who(QStringLiteral("api-gw")), session->id, {}).ok());
}
} // namespace

class TestInsightsSource : public QObject
{
    Q_OBJECT

private slots:
    void localStoreMatchesTheMetrics()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        seed(f);
        EmbeddedBackend backend(f.engine(), QStringLiteral("aud"));
        InsightsSource source(&backend, f.dbPath());
        QVERIFY(source.isLocal());
        bool inside = true;
        const ApiResult local = ask(source, {}, &inside);
        LAPSE_VERIFY_OK(local);
        QVERIFY2(!inside, "the answer came inside query()");
        const auto expected = computeMetrics(f.engine().store(), f.engine().directory(), {}, f.now());
        LAPSE_VERIFY_OK(expected);
        QCOMPARE(local.value(), expected.value());
        QCOMPARE(local.value()["elevation_frequency"].toObject()["grants"].toInt(), 4);

        // The store moves on; the source reads the new state (the read-only store follows its writer).
        QVERIFY(f.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db")).ok());
        const ApiResult later = ask(source, {});
        LAPSE_VERIFY_OK(later);
        QCOMPARE(later.value()["elevation_frequency"].toObject()["grants"].toInt(), 5);
    }

    // A directory with an enforced target reads back from the API (its connection without the passfile), so
    // the console's local insights load with one: they did not, once.
    void localStoreWithAPostgresqlTarget()
    {
        Directory d = makeDirectory();
        Target pg;
        pg.id = QStringLiteral("pg-billing");
        pg.kind = QStringLiteral("postgresql");
        pg.owner = QStringLiteral("dave");
        pg.privileges = {QStringLiteral("read")};
        pg.connection.host = QStringLiteral("db.example.org");
        pg.connection.database = QStringLiteral("billing");
        pg.connection.user = QStringLiteral("lapse_broker");
        pg.connection.passfile = QStringLiteral("/etc/lapse/billing.pgpass");
        pg.catalogue = {{QStringLiteral("read"), QStringLiteral("billing_read")}};
        d.addTarget(pg);
        EngineFixture f(d);
        QVERIFY(f.ok());
        seed(f);
        EmbeddedBackend backend(f.engine(), QStringLiteral("aud"));
        InsightsSource source(&backend, f.dbPath());
        QVERIFY(source.isLocal());
        const ApiResult local = ask(source, {});
        LAPSE_VERIFY_OK(local);
        QCOMPARE(local.value()["elevation_frequency"].toObject()["grants"].toInt(), 4);
    }

    // Without a store the backend's /v1/insights answers: the same numbers.
    void backendWhenNoStore()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        seed(f);
        EmbeddedBackend backend(f.engine(), QStringLiteral("aud"));
        InsightsSource remote(&backend, QString());
        QVERIFY(!remote.isLocal());
        InsightsSource local(&backend, f.dbPath());
        QUrlQuery items;
        items.addQueryItem(QStringLiteral("target"), QStringLiteral("billing-db"));
        const ApiResult a = ask(remote, items), b = ask(local, items);
        LAPSE_VERIFY_OK(a);
        LAPSE_VERIFY_OK(b);
        QCOMPARE(a.value()["grant_width"], b.value()["grant_width"]);
        QCOMPARE(a.value()["revocation"], b.value()["revocation"]);
    }

    void errors()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        EmbeddedBackend backend(f.engine(), QStringLiteral("aud"));
        InsightsSource nothing(nullptr, QString());
        bool inside = true;
        LAPSE_VERIFY_ERROR(ask(nothing, {}, &inside), ErrorCode::Unavailable, "no store and no backend");
        QVERIFY(!inside);

        InsightsSource missing(&backend, f.dataDir() + QStringLiteral("/none.db"));
        LAPSE_VERIFY_ERROR(ask(missing, {}), ErrorCode::Unavailable, "none.db");

        InsightsSource local(&backend, f.dbPath());
        QUrlQuery bad;
        bad.addQueryItem(QStringLiteral("from"), QStringLiteral("last tuesday"));
        LAPSE_VERIFY_ERROR(ask(local, bad), ErrorCode::Malformed, "from");
        QUrlQuery repeat;
        repeat.addQueryItem(QStringLiteral("repeat"), QStringLiteral("1"));
        LAPSE_VERIFY_ERROR(ask(local, repeat), ErrorCode::Malformed, "repeat");

        // A store without a backend has no directory to tell identity kinds apart.
        InsightsSource orphan(nullptr, f.dbPath());
        LAPSE_VERIFY_ERROR(ask(orphan, {}), ErrorCode::Unavailable, "directory");
    }

    // Each chart's table carries the numbers of the answer it was drawn from, and exports as CSV.
    void chartTables()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        seed(f);
        const auto m = computeMetrics(f.engine().store(), f.engine().directory(), {}, f.now());
        LAPSE_VERIFY_OK(m);
        const QHash<QString, DataTable> tables = insightTables(m.value());
        QCOMPARE(tables.size(), 6);
        const DataTable& byIdentity = tables[QStringLiteral("by_identity")];
        QCOMPARE(byIdentity.rows.size(), 2);
        QCOMPARE(byIdentity.rows[0], (QVariantList {QStringLiteral("alice"), qint64(3)}));
        QCOMPARE(byIdentity.rows[1], (QVariantList {QStringLiteral("agent-7"), qint64(1)}));
        const DataTable& endings = tables[QStringLiteral("endings")];
        QCOMPARE(endings.rows[2], (QVariantList {QStringLiteral("revoked"), qint64(1)}));
        const DataTable& revocation = tables[QStringLiteral("revocation")];
        QCOMPARE(revocation.rows[2][1].toDouble(), 2.5);
        const DataTable& perDay = tables[QStringLiteral("grants_per_day")];
        qint64 grants = 0;
        for (const auto& row : perDay.rows)
            grants += row[1].toLongLong();
        QCOMPARE(grants, qint64(4));

        QBuffer csv;
        csv.open(QIODevice::WriteOnly);
        CsvWriter writer(&csv);
        writer.write(byIdentity);
        LAPSE_VERIFY_OK(writer.status());
        QCOMPARE(csv.data(), QByteArray("identity,grants\r\nalice,3\r\nagent-7,1\r\n"));
    }
};

QTEST_GUILESS_MAIN(TestInsightsSource)
#include "TestInsightsSource.moc"
