// The broker over real HTTPS: the whole lifecycle, credentials as a resource server sees them, and every
// error status — after each rejected call, nothing in the store has changed.
#include "BrokerProcess.h"
#include "HttpClient.h"
#include "api/EventPages.h"

#include "core/Clock.h"
#include "engine/KeyRing.h"

#include <QCryptographicHash>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QtTest>

using lapse::testing::BrokerProcess;
using lapse::testing::HttpClient;
using lapse::testing::HttpReply;

namespace
{
QByteArray b64(const QByteArray& raw)
{
    return raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}
QJsonObject jwtPart(const QByteArray& token, int part)
{
    return QJsonDocument::fromJson(
        QByteArray::fromBase64(token.split('.').value(part), QByteArray::Base64UrlEncoding))
        .object();
}
} // namespace

class TestBrokerApi : public QObject
{
    Q_OBJECT

    std::unique_ptr<BrokerProcess> m_broker;
    std::unique_ptr<HttpClient> m_http;
    QHash<QString, QByteArray> m_keys;
    QHash<QString, QString> m_ids; // placeholders used by the data-driven error table

    QByteArray key(const QString& who) const { return m_keys.value(who); }

    // A digest of every row of every table: the store's whole state, events included.
    QByteArray storeDigest()
    {
        QCryptographicHash h(QCryptographicHash::Sha256);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("digest"));
            db.setDatabaseName(QDir(m_broker->dataDir()).filePath(QStringLiteral("lapse.db")));
            db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
            if (!db.open())
                return {};
            QSqlQuery tables(db);
            tables.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"));
            QStringList names;
            while (tables.next())
                names << tables.value(0).toString();
            for (const QString& t : names) {
                QSqlQuery rows(db);
                rows.exec(QStringLiteral("SELECT * FROM \"%1\" ORDER BY rowid").arg(t));
                h.addData(t.toUtf8());
                while (rows.next())
                    for (int i = 0; i < rows.record().count(); ++i)
                        h.addData(rows.value(i).toString().toUtf8() + '\x1f');
            }
        }
        QSqlDatabase::removeDatabase(QStringLiteral("digest"));
        return h.result().toHex();
    }

    QString newRequest(const QString& who, const QJsonObject& body)
    {
        const HttpReply r = m_http->post(QStringLiteral("/v1/requests"), key(who), body);
        if (r.status != 201)
            qWarning() << "request failed" << r.status << r.body;
        return r.json().value(QStringLiteral("id")).toString();
    }
    static QJsonObject billingRead(int ttl = 600)
    {
        return QJsonObject {{"target", "billing-db"}, {"privileges", QJsonArray {"read"}},
            {"min_privileges", QJsonArray {"read"}}, {"task", "reconcile invoice 4411"},
            {"reason", "customer dispute"}, {"ticket", "FIN-88"}, {"ttl_seconds", ttl}};
    }

private slots:
    void initTestCase()
    {
        m_broker = std::make_unique<BrokerProcess>();
        QString error;
        for (const char* who :
            {"alice", "bob", "carol", "dave", "erin", "api-gw", "k8s-admission", "agent-7", "console"}) {
            m_keys.insert(QString::fromLatin1(who), m_broker->createKey(QString::fromLatin1(who), &error));
            QVERIFY2(!m_keys.value(QString::fromLatin1(who)).isEmpty(), qPrintable(error));
        }
        QVERIFY2(m_broker->start(&error), qPrintable(error));
        m_http = std::make_unique<HttpClient>(m_broker->url(), m_broker->caFile());

        // Fixtures for the error table: a pending request of alice, one of bob's agent, an approved one and a
        // revoked grant.
        m_ids["pending"] = newRequest(QStringLiteral("alice"), billingRead());
        m_ids["agentreq"] = newRequest(QStringLiteral("agent-7"),
            QJsonObject {{"target", "prod-k8s"}, {"privileges", QJsonArray {"view"}},
                {"task", "restart stuck pod"}, {"reason", "alert 5521"}, {"ttl_seconds", 300}});
        m_ids["approved"] = newRequest(QStringLiteral("alice"), billingRead());
        const HttpReply a = m_http->post(
            QStringLiteral("/v1/requests/%1/approve").arg(m_ids["approved"]), key("carol"), {});
        QCOMPARE(a.status, 200);
        m_ids["grant"] = a.json()["grant"].toObject()["id"].toString();
        const HttpReply rv = m_http->post(QStringLiteral("/v1/grants/%1/revoke").arg(m_ids["grant"]),
            key("carol"), QJsonObject {{"reason", "done early"}});
        QCOMPARE(rv.status, 200);
        for (const auto& id : std::as_const(m_ids))
            QVERIFY(!id.isEmpty());
    }

    void errorsChangeNothing_data()
    {
        QTest::addColumn<QString>("who");
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        const QByteArray json = "application/json";
        auto body = [](const QJsonObject& o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); };
        QJsonObject r = billingRead();

        QTest::newRow("400 malformed JSON") << "alice" << QByteArray("POST") << "/v1/requests"
                                            << QByteArray("{\"target\":") << json << 400 << "malformed";
        QTest::newRow("400 JSON not an object") << "alice" << QByteArray("POST") << "/v1/requests"
                                                << QByteArray("[1,2]") << json << 400 << "malformed";
        QTest::newRow("400 bad limit") << "carol" << QByteArray("GET") << "/v1/requests?limit=0"
                                       << QByteArray() << json << 400 << "malformed";
        QTest::newRow("400 unknown event format") << "erin" << QByteArray("GET") << "/v1/events?format=xml"
                                                  << QByteArray() << json << 400 << "malformed";
        QTest::newRow("400 introspect as JSON")
            << "api-gw" << QByteArray("POST") << "/v1/introspect" << QByteArray("{\"token\":\"x\"}") << json
            << 400 << "malformed";
        QTest::newRow("401 no key") << "" << QByteArray("GET") << "/v1/requests" << QByteArray() << json
                                    << 401 << "unauthenticated";
        QTest::newRow("401 unknown key")
            << "bogus" << QByteArray("GET") << "/v1/me" << QByteArray() << json << 401 << "unauthenticated";
        QTest::newRow("403 requester approves")
            << "dave" << QByteArray("POST") << "/v1/requests/{pending}/approve" << QByteArray("{}") << json
            << 403 << "forbidden";
        QTest::newRow("403 self-approval")
            << "alice" << QByteArray("POST") << "/v1/requests/{pending}/approve" << QByteArray("{}") << json
            << 403 << "forbidden";
        QTest::newRow("403 owner approves own agent")
            << "bob" << QByteArray("POST") << "/v1/requests/{agentreq}/approve" << QByteArray("{}") << json
            << 403 << "forbidden";
        QTest::newRow("403 resource server requests")
            << "api-gw" << QByteArray("POST") << "/v1/requests" << body(r) << json << 403 << "forbidden";
        QTest::newRow("403 auditor revokes") << "erin" << QByteArray("POST") << "/v1/grants/{grant}/revoke"
                                             << body({{"reason", "x"}}) << json << 403 << "forbidden";
        QTest::newRow("403 requester introspects")
            << "alice" << QByteArray("POST") << "/v1/introspect" << QByteArray("token=abc")
            << QByteArray("application/x-www-form-urlencoded") << 403 << "forbidden";
        QTest::newRow("403 requester locks out")
            << "dave" << QByteArray("POST") << "/v1/principals/alice/lockout" << body({{"reason", "x"}})
            << json << 403 << "forbidden";
        QTest::newRow("404 unknown request")
            << "carol" << QByteArray("POST") << "/v1/requests/req_nope/approve" << QByteArray("{}") << json
            << 404 << "not_found";
        QTest::newRow("404 unknown grant") << "carol" << QByteArray("POST") << "/v1/grants/grt_nope/revoke"
                                           << body({{"reason", "x"}}) << json << 404 << "not_found";
        QTest::newRow("404 unknown principal")
            << "carol" << QByteArray("POST") << "/v1/principals/nobody/lockout" << body({{"reason", "x"}})
            << json << 404 << "not_found";
        QTest::newRow("404 unknown route")
            << "carol" << QByteArray("GET") << "/v1/nothing" << QByteArray() << json << 404 << "not_found";
        QTest::newRow("409 approve twice") << "bob" << QByteArray("POST") << "/v1/requests/{approved}/approve"
                                           << QByteArray("{}") << json << 409 << "conflict";
        QTest::newRow("409 revoke revoked") << "carol" << QByteArray("POST") << "/v1/grants/{grant}/revoke"
                                            << body({{"reason", "again"}}) << json << 409 << "conflict";
        QTest::newRow("413 oversize body") << "alice" << QByteArray("POST") << "/v1/requests"
                                           << QByteArray(70 * 1024, 'x') << json << 413 << "too_large";
        QTest::newRow("422 widening")
            << "carol" << QByteArray("POST") << "/v1/requests/{pending}/approve"
            << body({{"privileges", QJsonArray {"read", "write"}}}) << json << 422 << "invalid";
        QTest::newRow("422 lengthening") << "carol" << QByteArray("POST") << "/v1/requests/{pending}/approve"
                                         << body({{"ttl_seconds", 601}}) << json << 422 << "invalid";
        QJsonObject overCap = r;
        overCap["ttl_seconds"] = 3601;
        QTest::newRow("422 TTL over cap")
            << "alice" << QByteArray("POST") << "/v1/requests" << body(overCap) << json << 422 << "invalid";
        QJsonObject noReason = r;
        noReason.remove("reason");
        QTest::newRow("422 missing reason")
            << "alice" << QByteArray("POST") << "/v1/requests" << body(noReason) << json << 422 << "invalid";
        QJsonObject noTicket = r;
        noTicket.remove("ticket");
        QTest::newRow("422 missing ticket")
            << "alice" << QByteArray("POST") << "/v1/requests" << body(noTicket) << json << 422 << "invalid";
        QJsonObject wrongType = r;
        wrongType["ttl_seconds"] = "ten";
        QTest::newRow("422 wrong type")
            << "alice" << QByteArray("POST") << "/v1/requests" << body(wrongType) << json << 422 << "invalid";
        QJsonObject foreignPrivilege = r;
        foreignPrivilege["privileges"] = QJsonArray {"root"};
        QTest::newRow("422 unknown privilege") << "alice" << QByteArray("POST") << "/v1/requests"
                                               << body(foreignPrivilege) << json << 422 << "invalid";
        QJsonObject glass = r;
        glass["break_glass"] = true;
        QTest::newRow("422 break-glass not allowed")
            << "alice" << QByteArray("POST") << "/v1/requests" << body(glass) << json << 422 << "invalid";
        QTest::newRow("422 deny without reason")
            << "carol" << QByteArray("POST") << "/v1/requests/{pending}/deny" << QByteArray("{}") << json
            << 422 << "invalid";
        // Strict input: one-line fields refuse control characters (422); text that is not Unicode is 400.
        for (const auto& [name, field, text] :
            {std::tuple {"422 ESC in the task", "task", QStringLiteral("look \x1b[31mred\x1b[0m")},
                std::tuple {"422 NUL in the reason", "reason",
                    QStringLiteral("INC-1") + QChar(0) + QStringLiteral("x")},
                std::tuple {"422 line break in the reason", "reason", QStringLiteral("INC-1\nfake log line")},
                std::tuple {"422 tab in the ticket", "ticket", QStringLiteral("CHG\t42")},
                std::tuple {"422 DEL in the task", "task", QStringLiteral("x\x7f")},
                std::tuple {"422 C1 NEL in the task", "task", QStringLiteral("x") + QChar(0x85)},
                std::tuple {"422 C1 CSI in the reason", "reason",
                    QStringLiteral("x") + QChar(0x9b) + QStringLiteral("2J")}}) {
            QJsonObject withControl = r;
            withControl[QLatin1String(field)] = text;
            QTest::newRow(name) << "alice" << QByteArray("POST") << "/v1/requests" << body(withControl)
                                << json << 422 << "invalid";
        }
        QByteArray loneSurrogate = body(r);
        loneSurrogate.replace("\"task\":\"", "\"task\":\"\\ud800");
        QTest::newRow("400 lone surrogate in the task")
            << "alice" << QByteArray("POST") << "/v1/requests" << loneSurrogate << json << 400 << "malformed";
        QByteArray badUtf8 = body(r);
        badUtf8.replace("\"task\":\"", "\"task\":\"\xc3\x28\xff");
        QTest::newRow("400 invalid UTF-8 in the task")
            << "alice" << QByteArray("POST") << "/v1/requests" << badUtf8 << json << 400 << "malformed";
        QTest::newRow("422 ESC in a revoke reason")
            << "carol" << QByteArray("POST") << "/v1/grants/{grant}/revoke"
            << body({{"reason", QStringLiteral("\x1b]0;owned\x07")}}) << json << 422 << "invalid";
        QTest::newRow("422 line break in a deny reason")
            << "carol" << QByteArray("POST") << "/v1/requests/{pending}/deny"
            << body({{"reason", QStringLiteral("no\r\nApproved")}}) << json << 422 << "invalid";
        QTest::newRow("422 control character in an approval comment")
            << "carol" << QByteArray("POST") << "/v1/requests/{pending}/approve"
            << body({{"comment", QStringLiteral("ok\x1b[2J")}}) << json << 422 << "invalid";
    }

    void errorsChangeNothing()
    {
        QFETCH(QString, who);
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, contentType);
        QFETCH(int, status);
        QFETCH(QString, code);
        for (auto it = m_ids.cbegin(); it != m_ids.cend(); ++it)
            path.replace(QLatin1Char('{') + it.key() + QLatin1Char('}'), it.value());
        const QByteArray k = who == QLatin1String("bogus") ? QByteArray("lapse_not-a-key") : key(who);
        const QByteArray before = storeDigest();
        QVERIFY(!before.isEmpty());
        const HttpReply reply = m_http->send(method, path, k, body, contentType);
        QCOMPARE(reply.status, status);
        QCOMPARE(reply.errorCode(), code);
        QVERIFY2(!reply.json()["error"].toObject()["message"].toString().isEmpty(), reply.body.constData());
        QCOMPARE(storeDigest(), before);
        // The connection stays usable after a rejection.
        QCOMPARE(m_http->get(QStringLiteral("/healthz"), {}).status, 200);
    }

    void lifecycleOverHttps()
    {
        const QString id = newRequest(QStringLiteral("alice"),
            QJsonObject {{"target", "billing-db"}, {"privileges", QJsonArray {"read", "write"}},
                {"min_privileges", QJsonArray {"read"}}, {"task", "fix invoice 12"}, {"reason", "INC-12"},
                {"ticket", "INC-12"}, {"ttl_seconds", 900}});
        QVERIFY(!id.isEmpty());
        // No credential before approval; the approver narrows and shortens.
        QVERIFY(
            !m_http->get(QStringLiteral("/v1/requests/") + id, key("alice")).json().contains("credential"));
        const HttpReply approved
            = m_http->post(QStringLiteral("/v1/requests/%1/approve").arg(id), key("carol"),
                QJsonObject {{"privileges", QJsonArray {"read"}}, {"ttl_seconds", 300},
                    {"comment", "read is enough"}});
        QCOMPARE(approved.status, 200);
        const QJsonObject grant = approved.json()["grant"].toObject();
        QCOMPARE(grant["privileges"].toArray(), QJsonArray {"read"});

        const HttpReply mine = m_http->get(QStringLiteral("/v1/requests/") + id, key("alice"));
        const QByteArray token = mine.json()["credential"].toObject()["token"].toString().toLatin1();
        QVERIFY(!token.isEmpty());
        // Only the requester reads its credential.
        QVERIFY(
            !m_http->get(QStringLiteral("/v1/requests/") + id, key("carol")).json().contains("credential"));

        const QJsonObject header = jwtPart(token, 0), claims = jwtPart(token, 1);
        QCOMPARE(header["alg"].toString(), QStringLiteral("EdDSA"));
        QCOMPARE(claims["sub"].toString(), QStringLiteral("alice"));
        QCOMPARE(claims["aud"].toString(), QStringLiteral("billing-db"));
        QCOMPARE(claims["scope"].toString(), QStringLiteral("read"));
        QCOMPARE(claims["jti"].toString(), grant["id"].toString());
        QCOMPARE(claims["exp"].toInteger() - claims["nbf"].toInteger(), 300);
        const QJsonArray jwks
            = m_http->get(QStringLiteral("/.well-known/jwks.json"), {}).json()["keys"].toArray();
        bool kidPublished = false;
        for (const auto& k : jwks)
            kidPublished |= k.toObject()["kid"].toString() == header["kid"].toString();
        QVERIFY(kidPublished);

        // The resource server checks the credential and opens a session with it.
        const HttpReply active = m_http->introspect(key("api-gw"), token);
        QCOMPARE(active.status, 200);
        QCOMPARE(active.json()["active"].toBool(), true);
        QCOMPARE(active.json()["scope"].toString(), QStringLiteral("read"));
        // A resource server that does not serve billing-db learns nothing.
        QCOMPARE(m_http->introspect(key("k8s-admission"), token).json()["active"].toBool(true), false);
        const HttpReply session = m_http->post(QStringLiteral("/v1/sessions"), key("api-gw"),
            QJsonObject {{"token", QString::fromLatin1(token)}});
        QCOMPARE(session.status, 201);
        const QString sessionId = session.json()["id"].toString();

        // Revoke: the very next introspection refuses, and the session is ordered closed and lingers.
        QCOMPARE(m_http
                     ->post(QStringLiteral("/v1/grants/%1/revoke").arg(grant["id"].toString()), key("bob"),
                         QJsonObject {{"reason", "suspicious query volume"}})
                     .status,
            200);
        QCOMPARE(m_http->introspect(key("api-gw"), token).json()["active"].toBool(true), false);
        const QJsonArray lingering = m_http->get(QStringLiteral("/v1/sessions?state=lingering"), key("carol"))
                                         .json()["items"]
                                         .toArray();
        bool found = false;
        for (const auto& s : lingering)
            if (s.toObject()["id"].toString() == sessionId) {
                found = true;
                QVERIFY(!s.toObject()["terminate_requested_at"].isNull());
            }
        QVERIFY(found);
        const HttpReply ended = m_http->post(QStringLiteral("/v1/sessions/%1/end").arg(sessionId),
            key("api-gw"), QJsonObject {{"privileges_used", QJsonArray {"read"}}});
        QCOMPARE(ended.status, 200);
        QCOMPARE(ended.json()["state"].toString(), QStringLiteral("ended"));

        // The introspection after the end was recorded as a post-expiry use attempt.
        const QJsonArray events = m_http->get(QStringLiteral("/v1/events?after=0&limit=10000"), key("erin"))
                                      .json()["items"]
                                      .toArray();
        bool usedAfterEnd = false;
        for (const auto& e : events)
            usedAfterEnd |= e.toObject()["type"].toString() == QLatin1String("credential.used_after_end")
                && e.toObject()["subject"].toString() == grant["id"].toString();
        QVERIFY(usedAfterEnd);
    }

    void forgedCredentialsAreInactive()
    {
        const QString id = newRequest(QStringLiteral("alice"), billingRead(300));
        QCOMPARE(
            m_http->post(QStringLiteral("/v1/requests/%1/approve").arg(id), key("carol"), {}).status, 200);
        const QByteArray token = m_http->get(QStringLiteral("/v1/requests/") + id, key("alice"))
                                     .json()["credential"]
                                     .toObject()["token"]
                                     .toString()
                                     .toLatin1();
        QCOMPARE(m_http->introspect(key("api-gw"), token).json()["active"].toBool(), true);
        const QList<QByteArray> parts = token.split('.');

        QJsonObject wider = jwtPart(token, 1);
        wider["scope"] = QStringLiteral("read write ddl");
        const QByteArray tampered
            = parts[0] + '.' + b64(QJsonDocument(wider).toJson(QJsonDocument::Compact)) + '.' + parts[2];
        const QByteArray algNone = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + '.' + parts[1] + '.';
        const QByteArray hs256 = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + '.' + parts[1] + '.' + parts[2];
        QTemporaryDir otherDir;
        auto other = lapse::KeyRing::open(otherDir.path(), lapse::Clock::now());
        QVERIFY(other.ok());
        const QByteArray foreign = other.value()->sign(jwtPart(token, 1));
        const QByteArray garbage = token + "x";
        for (const QByteArray& forged :
            {tampered, algNone, hs256, foreign, garbage, QByteArray("not.a.jwt"), QByteArray(4000, 'a')}) {
            const HttpReply r = m_http->introspect(key("api-gw"), forged);
            QCOMPARE(r.status, 200);
            QCOMPARE(r.json()["active"].toBool(true), false);
            QCOMPARE(
                m_http->post(QStringLiteral("/v1/sessions"), key("api-gw"),
                          QJsonObject {{"token", QString::fromLatin1(forged)}})
                        .status
                    / 100,
                4);
        }
        // The genuine token is still active: the forgeries did not disturb it.
        QCOMPARE(m_http->introspect(key("api-gw"), token).json()["active"].toBool(), true);
    }

    void expiredCredentialIsInactive()
    {
        const QString id = newRequest(QStringLiteral("alice"), billingRead(1));
        QCOMPARE(
            m_http->post(QStringLiteral("/v1/requests/%1/approve").arg(id), key("carol"), {}).status, 200);
        const QByteArray token = m_http->get(QStringLiteral("/v1/requests/") + id, key("alice"))
                                     .json()["credential"]
                                     .toObject()["token"]
                                     .toString()
                                     .toLatin1();
        const qint64 exp = jwtPart(token, 1)["exp"].toInteger() * 1000;
        // Wait for the clock, not for a guess: poll until the expiry instant has passed, then ask once.
        QTRY_VERIFY_WITH_TIMEOUT(lapse::Clock::now() >= exp + 5, 5000);
        QCOMPARE(m_http->introspect(key("api-gw"), token).json()["active"].toBool(true), false);
    }

    void lockoutRevokesEverything()
    {
        const QString id = newRequest(QStringLiteral("dave"),
            QJsonObject {{"target", "s3-exports"}, {"privileges", QJsonArray {"get"}},
                {"task", "pull report"}, {"reason", "monthly close"}, {"ttl_seconds", 600}});
        QCOMPARE(
            m_http->post(QStringLiteral("/v1/requests/%1/approve").arg(id), key("carol"), {}).status, 200);
        const QByteArray token = m_http->get(QStringLiteral("/v1/requests/") + id, key("dave"))
                                     .json()["credential"]
                                     .toObject()["token"]
                                     .toString()
                                     .toLatin1();
        QCOMPARE(m_http
                     ->post(QStringLiteral("/v1/sessions"), key("api-gw"),
                         QJsonObject {{"token", QString::fromLatin1(token)}})
                     .status,
            201);
        const HttpReply out = m_http->post(QStringLiteral("/v1/principals/dave/lockout"), key("bob"),
            QJsonObject {{"reason", "credential leak"}});
        QCOMPARE(out.status, 200);
        QCOMPARE(out.json()["revoked_grants"].toArray().size(), 1);
        QCOMPARE(out.json()["terminated_sessions"].toArray().size(), 1);
        QCOMPARE(m_http->introspect(key("api-gw"), token).json()["active"].toBool(true), false);
        const HttpReply refused = m_http->post(QStringLiteral("/v1/requests"), key("dave"),
            QJsonObject {{"target", "s3-exports"}, {"privileges", QJsonArray {"get"}}, {"task", "again"},
                {"reason", "again"}, {"ttl_seconds", 60}});
        QCOMPARE(refused.status, 403);
        QCOMPARE(m_http->post(QStringLiteral("/v1/principals/dave/unlock"), key("bob"), {}).status, 200);
        // Unlocking does not bring back what was issued before the lockout.
        QCOMPARE(m_http->introspect(key("api-gw"), token).json()["active"].toBool(true), false);
    }

    void eventsAreContiguousAndResumable()
    {
        const QJsonObject first
            = m_http->get(QStringLiteral("/v1/events?after=0&limit=5"), key("erin")).json();
        const QJsonArray a = first["items"].toArray();
        QCOMPARE(a.size(), 5);
        const qint64 next = first["next_after"].toInteger();
        QCOMPARE(next, 5);
        const QJsonArray b = m_http->get(QStringLiteral("/v1/events?after=%1&limit=5").arg(next), key("erin"))
                                 .json()["items"]
                                 .toArray();
        QCOMPARE(b.first().toObject()["seq"].toInteger(), 6);
        for (const auto& e : b)
            QCOMPARE(e.toObject()["hash"].toString().size(), 64);
        // Long-poll: a wait with nothing new returns empty after the wait, not an error.
        const qint64 last = first["last_seq"].toInteger();
        const HttpReply empty
            = m_http->get(QStringLiteral("/v1/events?after=%1&wait=1").arg(last + 1000), key("erin"));
        QCOMPARE(empty.status, 200);
        QVERIFY(empty.json()["items"].toArray().isEmpty());

        // The CBOR form: the same events, bodies byte for byte, and the same long-poll.
        const HttpReply cbor
            = m_http->get(QStringLiteral("/v1/events?after=0&limit=5&format=cbor"), key("erin"));
        QCOMPARE(cbor.status, 200);
        const auto page = lapse::eventPageFromCbor(cbor.body);
        QVERIFY2(page.ok(), page.ok() ? "" : qPrintable(page.error().message));
        QCOMPARE(page->items.size(), 5);
        QVERIFY(page->lastSeq >= last);
        for (int i = 0; i < 5; ++i) {
            const lapse::Event fromJson = lapse::Event::fromJson(a[i].toObject());
            QCOMPARE(page->items[i].seq, fromJson.seq);
            QCOMPARE(page->items[i].body, fromJson.body);
            QCOMPARE(page->items[i].hash, fromJson.hash);
            QCOMPARE(page->items[i].type, fromJson.type);
        }
        const HttpReply emptyCbor = m_http->get(
            QStringLiteral("/v1/events?after=%1&wait=1&format=cbor").arg(last + 1000), key("erin"));
        QCOMPARE(emptyCbor.status, 200);
        QVERIFY(lapse::eventPageFromCbor(emptyCbor.body)->items.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestBrokerApi)
#include "TestBrokerApi.moc"
