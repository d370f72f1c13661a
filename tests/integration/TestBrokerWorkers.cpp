// lapse-broker with HTTP worker threads: one kept-alive connection per worker, and a revoke or lockout made
// on another connection is inactive on every one of them at its very next call; uses after the end reach the
// log.
#include "BrokerProcess.h"
#include "HttpClient.h"

#include <QJsonArray>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QUrlQuery>
#include <QtTest>

using lapse::testing::BrokerProcess;
using lapse::testing::HttpClient;
using lapse::testing::HttpReply;

namespace
{
constexpr int kWorkers = 3;
constexpr int kWaitMs = 20000; // a failure guard only: every wait returns as soon as the bytes are in

// One kept-alive TLS connection, one request at a time: the test chooses which connection (and so which
// worker thread, the listener handing connections out in turn) each request goes to.
class KeptAliveConnection
{
public:
    bool open(const BrokerProcess& broker)
    {
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.setCaCertificates(QSslCertificate::fromPath(broker.caFile()));
        m_socket.setSslConfiguration(ssl);
        m_socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), broker.port());
        return m_socket.waitForEncrypted(kWaitMs);
    }
    HttpReply introspect(const QByteArray& key, const QByteArray& token)
    {
        QUrlQuery form;
        form.addQueryItem(QStringLiteral("token"), QString::fromLatin1(token));
        const QByteArray body = form.toString(QUrl::FullyEncoded).toLatin1();
        QByteArray request = "POST /v1/introspect HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        if (!key.isEmpty())
            request += "Authorization: Bearer " + key + "\r\n";
        request += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        m_socket.write(request);
        HttpReply reply;
        for (;;) {
            const int headerEnd = m_buffer.indexOf("\r\n\r\n");
            if (headerEnd >= 0) {
                const QByteArray head = m_buffer.left(headerEnd).toLower();
                const int cl = head.indexOf("content-length:");
                const int length
                    = cl < 0 ? 0 : head.mid(cl + 15, head.indexOf("\r\n", cl) - cl - 15).trimmed().toInt();
                if (m_buffer.size() >= headerEnd + 4 + length) {
                    reply.status = m_buffer.mid(9, 3).toInt();
                    reply.body = m_buffer.mid(headerEnd + 4, length);
                    m_buffer.remove(0, headerEnd + 4 + length);
                    return reply;
                }
            }
            if (m_socket.state() != QAbstractSocket::ConnectedState || !m_socket.waitForReadyRead(kWaitMs)) {
                reply.networkError = m_socket.errorString();
                return reply;
            }
            m_buffer += m_socket.readAll();
        }
    }

private:
    QSslSocket m_socket;
    QByteArray m_buffer;
};
} // namespace

class TestBrokerWorkers : public QObject
{
    Q_OBJECT

    std::unique_ptr<BrokerProcess> m_broker;
    std::unique_ptr<HttpClient> m_http;
    QHash<QString, QByteArray> m_keys;
    QByteArray key(const char* who) const { return m_keys.value(QString::fromLatin1(who)); }

    // A grant of alice on payments-api and its credential.
    std::pair<QString, QByteArray> grantToken()
    {
        const HttpReply r = m_http->post(QStringLiteral("/v1/requests"), key("alice"),
            QJsonObject {{"target", "payments-api"}, {"privileges", QJsonArray {"refunds:read"}},
                {"task", "refund 7781"}, {"reason", "customer ticket"}, {"ttl_seconds", 600}});
        const QString id = r.json()["id"].toString();
        const HttpReply a = m_http->post(QStringLiteral("/v1/requests/%1/approve").arg(id), key("carol"), {});
        const QString grant = a.json()["grant"].toObject()["id"].toString();
        const QByteArray token = m_http->get(QStringLiteral("/v1/requests/") + id, key("alice"))
                                     .json()["credential"]
                                     .toObject()["token"]
                                     .toString()
                                     .toLatin1();
        return {grant, token};
    }
    // One connection per worker, opened one after another so the listener gives each to the next thread.
    std::vector<std::unique_ptr<KeptAliveConnection>> connectionPerWorker()
    {
        std::vector<std::unique_ptr<KeptAliveConnection>> out;
        for (int i = 0; i < kWorkers; ++i) {
            out.push_back(std::make_unique<KeptAliveConnection>());
            if (!out.back()->open(*m_broker))
                return {};
        }
        return out;
    }
    QList<QJsonObject> usesAfterEnd(const QString& grantId)
    {
        QList<QJsonObject> out;
        const HttpReply r = m_http->get(QStringLiteral("/v1/events?after=0&limit=10000"), key("carol"));
        for (const auto& v : r.json()["items"].toArray()) {
            const QJsonObject e = v.toObject();
            if (e["type"] == QStringLiteral("credential.used_after_end") && e["subject"] == grantId)
                out << e;
        }
        return out;
    }
    qint64 introspectionsCounted()
    {
        const HttpReply m = m_http->send("GET", QStringLiteral("/metrics"), {});
        for (const QByteArray& line : m.body.split('\n'))
            if (line.startsWith("lapse_introspections_total{active=\"true\"} "))
                return line.mid(line.indexOf(' ') + 1).toLongLong();
        return -1;
    }

private slots:
    void initTestCase()
    {
        BrokerProcess::Options options;
        options.workers = kWorkers;
        m_broker = std::make_unique<BrokerProcess>(options);
        QString error;
        for (const char* who : {"alice", "carol", "erin", "api-gw", "k8s-admission"}) {
            m_keys.insert(QString::fromLatin1(who), m_broker->createKey(QString::fromLatin1(who), &error));
            QVERIFY2(!m_keys.value(QString::fromLatin1(who)).isEmpty(), qPrintable(error));
        }
        QVERIFY2(m_broker->start(&error), qPrintable(error));
        m_http = std::make_unique<HttpClient>(m_broker->url(), m_broker->caFile());
    }
    void cleanupTestCase() { m_broker->stop(); }

    void endIsInactiveOnEveryWorkerAtOnce_data()
    {
        QTest::addColumn<QString>("how");
        QTest::newRow("revoke") << QStringLiteral("revoke");
        QTest::newRow("lockout of the holder") << QStringLiteral("lockout");
    }
    void endIsInactiveOnEveryWorkerAtOnce()
    {
        QFETCH(QString, how);
        const auto [grant, token] = grantToken();
        QVERIFY(!token.isEmpty());
        auto conns = connectionPerWorker();
        QCOMPARE(int(conns.size()), kWorkers);
        // Twice each: the first answer may come from the engine, the second from the worker's snapshot.
        for (auto& c : conns)
            for (int i = 0; i < 2; ++i)
                QCOMPARE(c->introspect(key("api-gw"), token).json()["active"].toBool(), true);

        if (how == QLatin1String("revoke")) {
            QCOMPARE(m_http
                         ->post(QStringLiteral("/v1/grants/%1/revoke").arg(grant), key("carol"),
                             QJsonObject {{"reason", "contain"}})
                         .status,
                200);
        } else {
            QCOMPARE(m_http
                         ->post(QStringLiteral("/v1/principals/alice/lockout"), key("carol"),
                             QJsonObject {{"reason", "leaked laptop"}})
                         .status,
                200);
        }
        for (auto& c : conns) {
            const HttpReply r = c->introspect(key("api-gw"), token);
            QCOMPARE(r.status, 200);
            QCOMPARE(r.json(), QJsonObject({{"active", false}}));
        }
        // Each of those calls was a use after the end, recorded by the engine before it was answered.
        const QList<QJsonObject> uses = usesAfterEnd(grant);
        QCOMPARE(uses.size(), kWorkers);
        for (const auto& e : uses)
            QCOMPARE(
                e["actor"].toString(), QStringLiteral("api-gw")); // the resource server it was presented to
        if (how == QLatin1String("lockout"))
            QCOMPARE(
                m_http->post(QStringLiteral("/v1/principals/alice/unlock"), key("carol"), {}).status, 200);
    }

    void workersFailClosed()
    {
        const auto [grant, token] = grantToken();
        QVERIFY(!token.isEmpty());
        auto conns = connectionPerWorker();
        QCOMPARE(int(conns.size()), kWorkers);
        QByteArray altered = token;
        altered[altered.size() - 2] = altered.at(altered.size() - 2) == 'A' ? 'B' : 'A';
        const QByteArray algNone
            = QByteArray(R"({"alg":"none","typ":"JWT"})")
                  .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)
            + '.' + token.split('.').value(1) + '.';
        for (auto& c : conns) {
            QCOMPARE(c->introspect(key("api-gw"), token).json()["active"].toBool(), true);
            QCOMPARE(c->introspect(key("api-gw"), altered).json(), QJsonObject({{"active", false}}));
            QCOMPARE(c->introspect(key("api-gw"), algNone).json(), QJsonObject({{"active", false}}));
            // Served the token on api-gw's behalf, never on anyone else's.
            QCOMPARE(c->introspect(key("k8s-admission"), token).json(), QJsonObject({{"active", false}}));
            QCOMPARE(c->introspect(key("erin"), token).status, 403);
            QCOMPARE(c->introspect("lapse_unknown", token).status, 401);
            QCOMPARE(c->introspect({}, token).status, 401);
        }
    }

    void workerAnswersAreCounted()
    {
        const auto [grant, token] = grantToken();
        QVERIFY(!token.isEmpty());
        auto conns = connectionPerWorker();
        QCOMPARE(int(conns.size()), kWorkers);
        const qint64 before = introspectionsCounted();
        QVERIFY(before >= 0);
        for (auto& c : conns)
            for (int i = 0; i < 10; ++i)
                QCOMPARE(c->introspect(key("api-gw"), token).json()["active"].toBool(), true);
        QCOMPARE(introspectionsCounted(), before + 10 * kWorkers);
    }
};

QTEST_GUILESS_MAIN(TestBrokerWorkers)
#include "TestBrokerWorkers.moc"
