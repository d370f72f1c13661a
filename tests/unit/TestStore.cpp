// The SQLite store's own guarantees (WAL, schema versions, a second writer, read-only use, tampering found),
// and the engine over a store that fails: a failed write acknowledges nothing and changes nothing, in the
// store or in the engine's memory.
#include "EngineFixture.h"
#include "FailingStore.h"
#include "engine/SqliteStore.h"

#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace lapse;
using namespace lapse::test;

using Op = FailingStore::Op;
Q_DECLARE_METATYPE(Op)

namespace
{
constexpr qint64 kT0 = 1'790'000'000'000;

void appendOne(SqliteStore& s, const QString& subject, qint64 ts)
{
    QVERIFY(s.begin().ok());
    QVERIFY(s.append(QStringLiteral("test.event"), QStringLiteral("alice"), subject, {}, ts).ok());
    QVERIFY(s.commit().ok());
}

// Runs SQL on the file directly, as someone with write access to it would.
void tamper(const QString& file, const QString& sql)
{
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tamper"));
        db.setDatabaseName(file);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY2(q.exec(sql), qPrintable(sql));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("tamper"));
}
} // namespace

class TestStore : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_n = 0;
    QString freshFile() { return m_dir.filePath(QStringLiteral("s%1/lapse.db").arg(++m_n)); }

private slots:
    void walAndDurable()
    {
        auto s = SqliteStore::open(freshFile());
        LAPSE_VERIFY_OK(s);
        QSqlQuery q(s.value()->connection());
        QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
        QCOMPARE(q.value(0).toString().toLower(), QStringLiteral("wal"));
        QVERIFY(q.exec(QStringLiteral("PRAGMA synchronous")) && q.next());
        QCOMPARE(q.value(0).toInt(), 2); // FULL
    }

    // A store written by a newer build is refused rather than misread or downgraded.
    void newerSchemaRefused()
    {
        const QString file = freshFile();
        {
            LAPSE_VERIFY_OK(SqliteStore::open(file));
        }
        tamper(file, QStringLiteral("UPDATE meta SET value = '99' WHERE key = 'schema_version'"));
        LAPSE_VERIFY_ERROR(SqliteStore::open(file), ErrorCode::Internal, "newer");
        LAPSE_VERIFY_ERROR(SqliteStore::openReadOnly(file), ErrorCode::Internal, "schema 99");
    }

    // Two writers on one file (the broker and `lapse-broker keys create`): the head is re-read under the
    // write lock, so the second continues the first's chain instead of forking it.
    void secondWriterContinuesTheChain()
    {
        const QString file = freshFile();
        auto a = SqliteStore::open(file);
        auto b = SqliteStore::open(file);
        LAPSE_VERIFY_OK(a);
        LAPSE_VERIFY_OK(b);
        appendOne(*a.value(), QStringLiteral("a1"), kT0);
        appendOne(*b.value(), QStringLiteral("b1"), kT0 + 1);
        appendOne(*a.value(), QStringLiteral("a2"), kT0 + 2);
        QCOMPARE(a.value()->lastSeq(), qint64(3));
        QString reason;
        qint64 breakSeq = 0;
        const auto v = b.value()->verifyChain(&reason, &breakSeq);
        LAPSE_VERIFY_OK(v);
        QCOMPARE(v.value(), qint64(3));
    }

    // Read-only: every write refused, the head followed as the writer moves it, a missing or foreign file
    // refused with its name.
    void readOnly()
    {
        const QString file = freshFile();
        auto writer = SqliteStore::open(file);
        LAPSE_VERIFY_OK(writer);
        appendOne(*writer.value(), QStringLiteral("x"), kT0);
        auto reader = SqliteStore::openReadOnly(file);
        LAPSE_VERIFY_OK(reader);
        LAPSE_VERIFY_ERROR(reader.value()->begin(), ErrorCode::Conflict, "read-only");
        QCOMPARE(reader.value()->lastSeq(), qint64(1));
        appendOne(*writer.value(), QStringLiteral("y"), kT0 + 1);
        QCOMPARE(reader.value()->lastSeq(), qint64(2));
        QCOMPARE(reader.value()->headHash(), writer.value()->headHash());
        QCOMPARE(reader.value()->events(0, 10).size(), 2);

        LAPSE_VERIFY_ERROR(SqliteStore::openReadOnly(m_dir.filePath(QStringLiteral("none.db"))),
            ErrorCode::NotFound, "none.db");
        const QString foreign = m_dir.filePath(QStringLiteral("foreign.db"));
        tamper(foreign, QStringLiteral("CREATE TABLE t(x)"));
        LAPSE_VERIFY_ERROR(SqliteStore::openReadOnly(foreign), ErrorCode::Internal, "not a Lapse store");
    }

    // An edited event is found by the store's own walk and named by seq.
    void verifyNamesABreak()
    {
        const QString file = freshFile();
        auto s = SqliteStore::open(file);
        LAPSE_VERIFY_OK(s);
        for (int i = 0; i < 4; ++i)
            appendOne(*s.value(), QStringLiteral("s%1").arg(i), kT0 + i);
        tamper(file, QStringLiteral("UPDATE events SET subject = 'forged' WHERE seq = 3"));
        QString reason;
        qint64 breakSeq = 0;
        const auto v = s.value()->verifyChain(&reason, &breakSeq);
        QVERIFY(!v.ok());
        QCOMPARE(breakSeq, qint64(3));
        QVERIFY(v.error().message.contains(QLatin1String("event 3")));
    }

    // Each step of an approval, a revoke, a request and a lockout fails in turn: the caller gets the store's
    // error, the store's tables and log are as before, the engine's memory (active grants, introspection)
    // is as before, nothing is published — and once the store works again the same call succeeds.
    void failedWritesChangeNothing_data()
    {
        QTest::addColumn<QString>("action");
        QTest::addColumn<Op>("op");
        for (const Op op : {Op::Begin, Op::Append, Op::PutRequest, Op::PutGrant, Op::Commit}) {
            QTest::addRow("approve, %d", int(op)) << QStringLiteral("approve") << op;
        }
        for (const Op op : {Op::Begin, Op::Append, Op::PutGrant, Op::Commit})
            QTest::addRow("revoke, %d", int(op)) << QStringLiteral("revoke") << op;
        for (const Op op : {Op::Begin, Op::Append, Op::PutRequest, Op::Commit})
            QTest::addRow("request, %d", int(op)) << QStringLiteral("request") << op;
        for (const Op op : {Op::Append, Op::PutLockout, Op::PutGrant, Op::Commit})
            QTest::addRow("lockout, %d", int(op)) << QStringLiteral("lockout") << op;
    }
    void failedWritesChangeNothing()
    {
        QFETCH(QString, action);
        QFETCH(Op, op);
        EngineFixture f(makeDirectory(), EngineFixture::StoreKind::Failing);
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        Engine& e = f.engine();
        // A grant to revoke or lock out, and a pending request to approve.
        auto held = f.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(held);
        const QByteArray token = f.token(held.value());
        QVERIFY(f.isActive(QStringLiteral("api-gw"), token));
        auto pending = f.submit(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(pending);
        const QString requestId = pending->request.id;

        const QByteArray digest = f.stateDigest();
        const qint64 seq = e.store().lastSeq();
        const int active = e.activeGrantCount();
        QSignalSpy published(&e, &Engine::eventsAppended);

        auto attempt = [&]() -> std::optional<Error> {
            if (action == QLatin1String("approve"))
                return errorOf(f.approve(QStringLiteral("bob"), requestId));
            if (action == QLatin1String("revoke"))
                return errorOf(e.revoke(f.who(QStringLiteral("rita")), held->id, QStringLiteral("incident")));
            if (action == QLatin1String("request"))
                return errorOf(f.submit(QStringLiteral("svc-ci"), QStringLiteral("billing-db")));
            return errorOf(
                e.lockout(f.who(QStringLiteral("rita")), QStringLiteral("alice"), QStringLiteral("leak")));
        };

        f.failingStore().failOn(op);
        const std::optional<Error> failed = attempt();
        QVERIFY2(failed, "the write succeeded although the store failed");
        QCOMPARE(failed->code, ErrorCode::Internal);
        QVERIFY2(failed->message.contains(QLatin1String("injected")), qPrintable(failed->message));
        QVERIFY(f.failingStore().failures() > 0);

        QCOMPARE(f.stateDigest(), digest);
        QCOMPARE(e.store().lastSeq(), seq);
        QCOMPARE(e.activeGrantCount(), active);
        QCOMPARE(published.count(), 0);
        QVERIFY2(
            f.isActive(QStringLiteral("api-gw"), token), "a failed write ended access it did not record");
        QCOMPARE(int(e.store().request(requestId)->status), int(RequestStatus::Pending));
        QVERIFY(!e.isLockedOut(QStringLiteral("alice")));
        QString reason;
        qint64 breakSeq = 0;
        LAPSE_VERIFY_OK(e.store().verifyChain(&reason, &breakSeq));

        // The store works again: the same call goes through and is recorded.
        f.failingStore().clear();
        QVERIFY(!attempt());
        QVERIFY(e.store().lastSeq() > seq);
        QVERIFY(f.stateDigest() != digest);
        QVERIFY(published.count() > 0);
        if (action == QLatin1String("revoke") || action == QLatin1String("lockout"))
            QVERIFY(!f.isActive(QStringLiteral("api-gw"), token));
    }

    // The expiry sweep over a store whose read fails ends nothing and stays quiet; the next sweep catches up.
    void sweepSurvivesAFailedRead()
    {
        EngineFixture f(makeDirectory(), EngineFixture::StoreKind::Failing);
        QVERIFY(f.ok());
        auto pending = f.submit(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(pending);
        f.clock().advance(2LL * 86'400'000);
        f.failingStore().failOn(Op::PendingRequestsDue);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("sweep: .*injected")));
        QCOMPARE(f.engine().sweep(), 0);
        QCOMPARE(int(f.engine().store().request(pending->request.id)->status), int(RequestStatus::Pending));
        f.failingStore().clear();
        QCOMPARE(f.engine().sweep(), 1);
        QCOMPARE(int(f.engine().store().request(pending->request.id)->status), int(RequestStatus::Expired));
    }
};

QTEST_GUILESS_MAIN(TestStore)
#include "TestStore.moc"
