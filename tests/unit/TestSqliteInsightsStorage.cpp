// SqliteInsightsStorage: the rows InsightsIndex writes come back as written, rollup rows add up (the window
// by maximum), and the statements follow the connection when the writer path moves to another one.
#include "engine/InsightsIndex.h"
#include "engine/Sqlite.h"
#include "engine/SqliteInsightsStorage.h"

#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

using namespace lapse;

namespace
{
// A database file with the rollup tables and the store's meta table, as a migrated store has them.
sqlite3* openWithSchema(const QString& path)
{
    sqlite3* db = nullptr;
    if (sqlite3_open(QFile::encodeName(path).constData(), &db) != SQLITE_OK)
        return db;
    sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)", nullptr,
        nullptr, nullptr);
    for (const char* const* s = InsightsIndex::schema(); *s; ++s)
        sqlite3_exec(db, *s, nullptr, nullptr, nullptr);
    return db;
}

GrantContribution contribution(qint64 base, qint64 window)
{
    GrantContribution c;
    c.grants = 1;
    c.ttlSeconds = base;
    c.usedMs = base * 1000;
    c.uses = base % 3;
    c.window = window;
    return c;
}

InsightsStorage::GrantWrite grant(const QString& id, qint64 startMs, std::optional<qint64> revokeEffectMs)
{
    InsightsStorage::GrantWrite w;
    w.id = id;
    w.startMs = startMs;
    w.principal = QStringLiteral("alice");
    w.target = QStringLiteral("db-prod");
    w.privileges = QStringLiteral("read write");
    w.revokeEffectMs = revokeEffectMs;
    w.lingeringOpen = 2;
    w.state = QByteArray("state of ") + id.toUtf8();
    w.contribution = contribution(startMs / 1000, 3);
    return w;
}
} // namespace

class TestSqliteInsightsStorage : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_a = openWithSchema(m_dir.filePath(QStringLiteral("a.db")));
        m_b = openWithSchema(m_dir.filePath(QStringLiteral("b.db")));
        QVERIFY(m_a && m_b);
    }

    void cleanup()
    {
        sqlite3_close(m_a);
        sqlite3_close(m_b);
        QFile::remove(m_dir.filePath(QStringLiteral("a.db")));
        QFile::remove(m_dir.filePath(QStringLiteral("b.db")));
    }

    void grantRowsComeBackAsWritten()
    {
        {
            SqliteInsightsStorage writer(m_a);
            QVERIFY(writer.writeGrant(grant(QStringLiteral("g1"), 1'000'000, 250)));
            QVERIFY(writer.writeGrant(grant(QStringLiteral("g2"), 5'000'000, std::nullopt)));
            // A second write of a grant replaces its row.
            InsightsStorage::GrantWrite again = grant(QStringLiteral("g1"), 1'000'000, 300);
            again.state = "newer";
            QVERIFY(writer.writeGrant(again));
        }
        SqliteInsightsStorage reader(m_a);
        const auto g1 = reader.readGrant(QStringLiteral("g1"));
        QVERIFY(g1);
        QVERIFY(g1.value().has_value());
        QCOMPARE(g1.value()->principal, QStringLiteral("alice"));
        QCOMPARE(g1.value()->target, QStringLiteral("db-prod"));
        QCOMPARE(g1.value()->privileges, QStringLiteral("read write"));
        QCOMPARE(g1.value()->state, QByteArray("newer"));
        const auto none = reader.readGrant(QStringLiteral("g3"));
        QVERIFY(none);
        QVERIFY(!none.value().has_value());

        SqlStatement q(m_a,
            "SELECT revoke_effect_ms, lingering_open, start_ms, COUNT(*) OVER () FROM insight_grants"
            " ORDER BY id");
        QCOMPARE(q.step(), SQLITE_ROW);
        QCOMPARE(q.int64(0), qint64(300));
        QCOMPARE(q.int64(1), qint64(2));
        QCOMPARE(q.int64(3), qint64(2));
        QCOMPARE(q.step(), SQLITE_ROW);
        QVERIFY(q.isNull(0)); // no confirmed revocation effect: NULL, not 0
        QCOMPARE(q.int64(2), qint64(5'000'000));
        q.finalize();

        SqlStatement c(m_a,
            QStringLiteral("SELECT %1 FROM insight_grants WHERE id = 'g2'")
                .arg(InsightsIndex::contributionColumns())
                .toUtf8()
                .constData());
        QCOMPARE(c.step(), SQLITE_ROW);
        const GrantContribution read = InsightsIndex::readContribution(c, 0);
        const GrantContribution written = contribution(5'000, 3);
        for (int i = 0; i < InsightsIndex::kContributionColumnCount; ++i)
            QCOMPARE(InsightsIndex::contributionValue(read, i), InsightsIndex::contributionValue(written, i));
    }

    void recentStartsAreTheLastWindowInOrder()
    {
        SqliteInsightsStorage writer(m_a);
        for (const qint64 start : {9'000, 1'000, 7'000, 4'000})
            QVERIFY(writer.writeGrant(grant(QStringLiteral("g%1").arg(start), start, std::nullopt)));
        SqliteInsightsStorage reader(m_a);
        QList<qint64> starts;
        QVERIFY(reader.recentStarts(
            5'000, [&](const QString& p, const QString& t, const QString& priv, qint64 s) {
                QCOMPARE(p, QStringLiteral("alice"));
                QCOMPARE(t, QStringLiteral("db-prod"));
                QCOMPARE(priv, QStringLiteral("read write"));
                starts << s;
            }));
        // After 9000 - 5000, exclusive.
        QCOMPARE(starts, (QList<qint64> {7'000, 9'000}));
        // The statement is reused: a second load sees the same rows.
        starts.clear();
        QVERIFY(reader.recentStarts(
            100'000, [&](const QString&, const QString&, const QString&, qint64 s) { starts << s; }));
        QCOMPARE(starts, (QList<qint64> {1'000, 4'000, 7'000, 9'000}));
    }

    void rollupRowsSumAndKeepTheLargestWindow()
    {
        SqliteInsightsStorage writer(m_a);
        const QString p = QStringLiteral("bob"), t = QStringLiteral("k8s"), priv = QStringLiteral("exec");
        QVERIFY(writer.addToRollup(7, p, t, priv, contribution(10, 4)));
        QVERIFY(writer.addToRollup(7, p, t, priv, contribution(5, 2)));
        QVERIFY(writer.addToRollup(8, p, t, priv, contribution(1, 1)));
        SqlStatement q(m_a,
            QStringLiteral("SELECT hour, %1 FROM insight_rollup ORDER BY hour")
                .arg(InsightsIndex::contributionColumns())
                .toUtf8()
                .constData());
        QCOMPARE(q.step(), SQLITE_ROW);
        QCOMPARE(q.int64(0), qint64(7));
        GrantContribution c = InsightsIndex::readContribution(q, 1);
        QCOMPARE(c.grants, qint64(2));
        QCOMPARE(c.ttlSeconds, qint64(15));
        QCOMPARE(c.usedMs, qint64(15'000));
        QCOMPARE(c.uses, qint64(1 + 2));
        QCOMPARE(c.window, qint64(4));
        QCOMPARE(q.step(), SQLITE_ROW);
        QCOMPARE(q.int64(0), qint64(8));
        QCOMPARE(InsightsIndex::readContribution(q, 1).window, qint64(1));
        QCOMPARE(q.step(), SQLITE_DONE);
    }

    void statementsFollowTheConnection()
    {
        SqliteInsightsStorage writer(m_a);
        QCOMPARE(writer.indexedSeq(), qint64(0));
        QVERIFY(writer.writeIndexedSeq(41));
        QVERIFY(writer.writeGrant(grant(QStringLiteral("on-a"), 1'000, std::nullopt)));
        writer.setDatabase(m_b);
        QCOMPARE(writer.database(), m_b);
        QVERIFY(writer.writeIndexedSeq(7));
        QVERIFY(writer.writeGrant(grant(QStringLiteral("on-b"), 2'000, std::nullopt)));
        QCOMPARE(SqliteInsightsStorage::indexedSeqOn(m_a), qint64(41));
        QCOMPARE(SqliteInsightsStorage::indexedSeqOn(m_b), qint64(7));
        QCOMPARE(writer.indexedSeq(), qint64(7));

        {
            SqliteInsightsStorage readA(m_a), readB(m_b);
            QVERIFY(readA.readGrant(QStringLiteral("on-a")).value().has_value());
            QVERIFY(!readA.readGrant(QStringLiteral("on-b")).value().has_value());
            QVERIFY(readB.readGrant(QStringLiteral("on-b")).value().has_value());
            QVERIFY(!readB.readGrant(QStringLiteral("on-a")).value().has_value());
        }
        // Its statements were finalized on the old connection: it closes cleanly.
        QCOMPARE(sqlite3_close(m_a), SQLITE_OK);
        m_a = nullptr;
    }

    void failuresAreErrorsThatSayWhat()
    {
        sqlite3* bare = nullptr;
        QCOMPARE(sqlite3_open(":memory:", &bare), SQLITE_OK);
        SqliteInsightsStorage storage(bare);
        const auto read = storage.readGrant(QStringLiteral("g1"));
        QVERIFY(!read);
        QVERIFY2(read.error().message.startsWith(QStringLiteral("insights: prepare failed")),
            qPrintable(read.error().message));
        QVERIFY(!storage.recentStarts(1, [](const QString&, const QString&, const QString&, qint64) {}));
        QVERIFY(!storage.writeIndexedSeq(1));
        QCOMPARE(storage.indexedSeq(), qint64(0));
        storage.setDatabase(nullptr);
        sqlite3_close(bare);
    }

private:
    QTemporaryDir m_dir;
    sqlite3* m_a = nullptr;
    sqlite3* m_b = nullptr;
};

QTEST_GUILESS_MAIN(TestSqliteInsightsStorage)
#include "TestSqliteInsightsStorage.moc"
