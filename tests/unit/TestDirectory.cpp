// Directory file parsing and validation: every rule that keeps a bad directory out.
#include "domain/Directory.h"

#include "DirectoryFixtures.h"

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
