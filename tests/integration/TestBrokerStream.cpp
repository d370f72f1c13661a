// /v1/stream over TLS: the backlog after a sequence number, then live events, contiguous and hash-chained;
// unknown keys and wrong paths are refused before any event is sent.
#include "BrokerProcess.h"
#include "HttpClient.h"

#include "domain/Event.h"
#include "engine/EventChain.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QSslConfiguration>
#include <QWebSocket>
#include <QtTest>

using lapse::testing::BrokerProcess;
using lapse::testing::HttpClient;

class StreamClient : public QObject
{
public:
    QList<lapse::Event> events;
    int pages = 0;
    QWebSocket socket;
    StreamClient(const BrokerProcess& broker, const QString& pathAndQuery, const QByteArray& key)
    {
        QUrl url = broker.url().resolved(QUrl(pathAndQuery));
        url.setScheme(QStringLiteral("wss"));
        QNetworkRequest req(url);
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.setCaCertificates(QSslCertificate::fromPath(broker.caFile()));
        socket.setSslConfiguration(ssl); // QWebSocket ignores the request's TLS configuration
        if (!key.isEmpty())
            req.setRawHeader("Authorization", "Bearer " + key);
        QObject::connect(&socket, &QWebSocket::textMessageReceived, this, [this](const QString& text) {
            ++pages;
            for (const auto& v : QJsonDocument::fromJson(text.toUtf8()).object()["items"].toArray())
                events << lapse::Event::fromJson(v.toObject());
        });
        socket.open(req);
    }
};

class TestBrokerStream : public QObject
{
    Q_OBJECT
    std::unique_ptr<BrokerProcess> m_broker;
    QByteArray m_erin, m_alice, m_dave;

    static void verifyContiguousChain(const QList<lapse::Event>& events, qint64 firstSeq, QByteArray prevHash)
    {
        qint64 seq = firstSeq;
        for (const auto& e : events) {
            QCOMPARE(e.seq, seq++);
            if (!prevHash.isEmpty())
                QCOMPARE(lapse::EventChain::hash(prevHash, e), e.hash);
            prevHash = e.hash;
        }
    }

private slots:
    void initTestCase()
    {
        m_broker = std::make_unique<BrokerProcess>();
        QString error;
        m_erin = m_broker->createKey(QStringLiteral("erin"), &error);
        m_alice = m_broker->createKey(QStringLiteral("alice"), &error);
        m_dave = m_broker->createKey(QStringLiteral("dave"), &error);
        QVERIFY2(m_broker->start(&error), qPrintable(error));
    }

    void backlogThenLiveInOrder()
    {
        StreamClient client(*m_broker, QStringLiteral("/v1/stream?after=0"), m_erin);
        // The backlog: the three key creations.
        QTRY_COMPARE_WITH_TIMEOUT(client.events.size(), 3, 10000);
        HttpClient http(m_broker->url(), m_broker->caFile());
        for (int i = 0; i < 25; ++i)
            QCOMPARE(http.post(QStringLiteral("/v1/requests"), m_alice,
                             QJsonObject {{"target", "prod-k8s"}, {"privileges", QJsonArray {"view"}},
                                 {"task", QStringLiteral("look %1").arg(i)}, {"reason", "stream test"},
                                 {"ttl_seconds", 60}})
                         .status,
                201);
        QTRY_COMPARE_WITH_TIMEOUT(client.events.size(), 28, 10000);
        verifyContiguousChain(client.events, 1, lapse::EventChain::genesisHash());
        QCOMPARE(client.events.last().type, QStringLiteral("request.created"));

        // Resuming from the middle delivers exactly the rest.
        StreamClient resumed(*m_broker, QStringLiteral("/v1/stream?after=20"), m_erin);
        QTRY_COMPARE_WITH_TIMEOUT(resumed.events.size(), 8, 10000);
        verifyContiguousChain(resumed.events, 21, client.events.at(19).hash);
    }

    void refusedBeforeAnyEvent_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("key");
        QTest::newRow("no key") << QStringLiteral("/v1/stream?after=0") << QByteArray();
        QTest::newRow("unknown key") << QStringLiteral("/v1/stream?after=0") << QByteArray("lapse_nope");
        QTest::newRow("requester without a reading role")
            << QStringLiteral("/v1/stream?after=0") << QByteArray("dave");
        QTest::newRow("wrong path") << QStringLiteral("/v1/other") << QByteArray("erin");
        QTest::newRow("bad after") << QStringLiteral("/v1/stream?after=x") << QByteArray("erin");
    }

    void refusedBeforeAnyEvent()
    {
        QFETCH(QString, path);
        QFETCH(QByteArray, key);
        if (key == "dave")
            key = m_dave;
        else if (key == "erin")
            key = m_erin;
        StreamClient client(*m_broker, path, key);
        QSignalSpy closed(&client.socket, &QWebSocket::disconnected);
        QVERIFY(closed.wait(10000));
        QCOMPARE(client.events.size(), 0);
        QCOMPARE(client.socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
        QVERIFY(!client.socket.closeReason().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestBrokerStream)
#include "TestBrokerStream.moc"
