// PrincipalIndex: the directory JSON read into id -> kind and owner, unknown ids answered empty.
#include "itemmodels/PrincipalIndex.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace lapse;

class TestPrincipalIndex : public QObject
{
    Q_OBJECT
private slots:
    void readsKindsAndOwners()
    {
        PrincipalIndex index;
        QVERIFY(index.isEmpty());
        index.load(directory(R"({"principals": [
            {"id": "alice", "kind": "human"},
            {"id": "agent-7", "kind": "agent", "owner": "alice"},
            {"id": "svc-ci", "kind": "service", "owner": "bob", "roles": ["requester"]}
        ], "targets": [{"id": "billing-db"}]})"));
        QVERIFY(!index.isEmpty());
        QCOMPARE(index.kind(QStringLiteral("alice")), QStringLiteral("human"));
        QCOMPARE(index.owner(QStringLiteral("alice")), QString());
        QCOMPARE(index.kind(QStringLiteral("agent-7")), QStringLiteral("agent"));
        QCOMPARE(index.owner(QStringLiteral("agent-7")), QStringLiteral("alice"));
        const PrincipalIndex::Entry svc = index.entry(QStringLiteral("svc-ci"));
        QCOMPARE(svc.kind, QStringLiteral("service"));
        QCOMPARE(svc.owner, QStringLiteral("bob"));
        // Targets are not principals.
        QCOMPARE(index.kind(QStringLiteral("billing-db")), QString());
    }

    void unknownIdsAreEmpty()
    {
        PrincipalIndex index;
        index.load(directory(R"({"principals": [{"id": "alice", "kind": "human"}]})"));
        QCOMPARE(index.kind(QStringLiteral("mallory")), QString());
        QCOMPARE(index.owner(QStringLiteral("mallory")), QString());
        QVERIFY(index.entry(QStringLiteral("")).kind.isEmpty());
    }

    void aNewDirectoryReplacesTheOld()
    {
        PrincipalIndex index;
        index.load(directory(R"({"principals": [{"id": "alice", "kind": "human"}]})"));
        index.load(directory(R"({"principals": [{"id": "bot", "kind": "workload", "owner": "carol"}]})"));
        QCOMPARE(index.kind(QStringLiteral("alice")), QString()); // gone from the directory, gone here
        QCOMPARE(index.owner(QStringLiteral("bot")), QStringLiteral("carol"));
        index.load(QJsonObject());
        QVERIFY(index.isEmpty());
    }

private:
    static QJsonObject directory(const char* json)
    {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(json), &error);
        if (error.error != QJsonParseError::NoError)
            qFatal("bad fixture: %s", qPrintable(error.errorString()));
        return doc.object();
    }
};

QTEST_GUILESS_MAIN(TestPrincipalIndex)
#include "TestPrincipalIndex.moc"
