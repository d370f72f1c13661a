// Directory file parsing and validation: every rule that keeps a bad directory out.
#include "domain/Directory.h"

#include "DirectoryFixtures.h"

#include <QFile>
#include <QJsonDocument>
#include <QTest>

using namespace lapse;

class TestDirectory : public QObject
{
    Q_OBJECT
private slots:
    void parsesTheDocumentedShape()
    {
        const QByteArray json = fixtures::directory0();
        auto d = Directory::fromJson(json);
        QVERIFY2(d.ok(), d.ok() ? "" : qPrintable(d.error().message));
        const Principal* agent = d->principal(QStringLiteral("agent-7"));
        QVERIFY(agent);
        QCOMPARE(agent->kind, PrincipalKind::Agent);
        QCOMPARE(agent->owner, QStringLiteral("bob"));
        QCOMPARE(agent->subject(), QStringLiteral("spiffe://example.org/ns/ci/agent-7"));
        QVERIFY(agent->hasRole(Role::Requester));
        QVERIFY(!agent->hasRole(Role::Approver));
        const Target* t = d->target(QStringLiteral("billing-db"));
        QVERIFY(t);
        QCOMPARE(t->privileges, QStringList({"read", "write", "ddl"}));
        QCOMPARE(t->pendingTimeoutSeconds, 24 * 3600);
        QVERIFY(!d->principal(QStringLiteral("nobody")));
    }

    void rejectsBadFiles_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("needle");
        QTest::newRow("not json") << QByteArray("{") << "not a JSON object";
        QTest::newRow("unknown role") << (fixtures::directory1()) << "unknown role";
        QTest::newRow("unknown kind") << (fixtures::directory2()) << "unknown kind";
        QTest::newRow("agent without owner") << (fixtures::directory3()) << "needs an owner";
        QTest::newRow("resource server without owner, with the line to add")
            << QByteArray(R"({"principals":[{"id":"gw","kind":"service","roles":["resource-server"]}]})")
            << "gw (service) needs an owner, the human who answers for it: add \"owner\": \"";
        QTest::newRow("owner not in the directory") << QByteArray(
            R"({"principals":[{"id":"gw","kind":"service","owner":"ghost","roles":["resource-server"]}]})")
                                                    << "names owner ghost, who is not in the directory";
        QTest::newRow("owner not human") << (fixtures::directory4()) << "must be a human";
        QTest::newRow("duplicate principal") << (fixtures::directory5()) << "unique";
        QTest::newRow("bad spiffe") << (fixtures::directory6()) << "spiffe://";
        QTest::newRow("no privileges") << (fixtures::directory7()) << "no privileges";
        QTest::newRow("duplicate privilege") << (fixtures::directory8()) << "twice";
        QTest::newRow("zero ttl") << (fixtures::directory9()) << "positive";
        QTest::newRow("break-glass cap over max") << (fixtures::directory10()) << "break_glass";
        QTest::newRow("bad id") << (fixtures::directory11()) << "not a valid id";
        QTest::newRow("privilege with a space")
            << QByteArray(R"({"targets":[{"id":"t","privileges":["read all"],"max_ttl_seconds":60}]})")
            << "privilege 'read all' is not a valid name";
        QTest::newRow("empty privilege")
            << QByteArray(R"({"targets":[{"id":"t","privileges":[""],"max_ttl_seconds":60}]})")
            << "is not a valid name";
        const auto pg = [](const char* connection, const char* catalogue,
                            const char* privileges = R"(["read"])") {
            return QByteArray(R"({"targets":[{"id":"pg","kind":"postgresql","privileges":)") + privileges
                + R"(,"connection":)" + connection + R"(,"catalogue":)" + catalogue + "}]}";
        };
        const char* conn = R"({"host":"db","database":"billing","user":"lapse_broker","passfile":"/etc/p"})";
        const char* readRole = R"({"read":{"role":"billing_read"}})";
        QTest::newRow("postgresql: a password inline")
            << pg(R"({"host":"db","database":"b","user":"u","password":"hunter2"})", readRole)
            << "a password never goes into the directory";
        QTest::newRow("postgresql: no connection")
            << QByteArray(R"({"targets":[{"id":"pg","kind":"postgresql","privileges":["read"]}]})")
            << "needs a \"connection\" object";
        QTest::newRow("postgresql: unknown connection setting")
            << pg(R"({"host":"db","database":"b","user":"u","sslcert":"/x"})", readRole)
            << "unknown connection setting 'sslcert'";
        QTest::newRow("postgresql: no database")
            << pg(R"({"host":"db","user":"u"})", readRole) << "needs host, database and user";
        QTest::newRow("postgresql: a privilege without a role")
            << pg(conn, readRole, R"(["read","write"])") << "privilege 'write' has no role in the catalogue";
        QTest::newRow("postgresql: a role that needs quoting")
            << pg(conn, R"({"read":{"role":"Billing Read"}})") << "lower-case role name";
        QTest::newRow("postgresql: a catalogue entry for no privilege")
            << pg(conn, R"({"read":{"role":"billing_read"},"admin":{"role":"billing_admin"}})")
            << "catalogue names 'admin', which is not one of its privileges";
        QTest::newRow("postgresql: a pg_ role")
            << pg(conn, R"({"read":{"role":"pg_read_all_data"}})") << "not starting with pg_";
        QTest::newRow("postgresql: bad sslmode")
            << pg(R"({"host":"db","database":"b","user":"u","sslmode":"maybe"})", readRole)
            << "unknown sslmode";
    }

    // The example in resources/postgresql/ is what the README tells people to copy: it must load.
    void theShippedPostgresqlExampleLoads()
    {
        QFile f(QStringLiteral(LAPSE_SOURCE_DIR "/resources/postgresql/example-target.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray json
            = QByteArray(R"({"principals":[{"id":"dana","kind":"human"}],"targets":[)") + f.readAll() + "]}";
        auto d = Directory::fromJson(json);
        QVERIFY2(d.ok(), d.ok() ? "" : qPrintable(d.error().message));
        const Target* t = d->target(QStringLiteral("billing-db"));
        QVERIFY(t && t->isPostgresql());
        QCOMPARE(t->catalogue.value(QStringLiteral("read")), QStringLiteral("billing_read"));
        QCOMPARE(t->catalogue.value(QStringLiteral("write")), QStringLiteral("billing_write"));
        QCOMPARE(t->connection.passfile, QStringLiteral("/etc/lapse/billing.pgpass"));
        // What the directory shows others names the database, never how the broker signs in to it.
        const QByteArray shown = QJsonDocument(t->toJson()).toJson();
        QVERIFY(shown.contains("billing_read"));
        QVERIFY(!shown.contains("pgpass"));
        // The console reads the directory back from the API: what is shown must load again, the same.
        auto again = Directory::fromJson(QJsonDocument(d->toJson()).toJson());
        QVERIFY2(again.ok(), again.ok() ? "" : qPrintable(again.error().message));
        QCOMPARE(again->toJson(), d->toJson());
    }
    void rejectsBadFiles()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, needle);
        auto d = Directory::fromJson(json);
        QVERIFY(!d.ok());
        QVERIFY2(d.error().message.contains(needle), qPrintable(d.error().message));
    }
};

QTEST_GUILESS_MAIN(TestDirectory)
#include "TestDirectory.moc"
