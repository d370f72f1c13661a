// InsightsIndex's rows in SQLite: statements prepared once per connection, the same SQL the schema expects.
#include "SqliteInsightsStorage.h"

#include "InsightsIndex.h"
#include "engine/Sqlite.h"

#include <sqlite3.h>

namespace lapse
{

namespace
{
QString parameters(int count)
{
    QString p;
    for (int i = 0; i < count; ++i)
        p += QStringLiteral(",?");
    return p;
}

const QByteArray& writeGrantSql()
{
    static const QByteArray sql
        = QStringLiteral("INSERT OR REPLACE INTO insight_grants(id, start_ms, principal, target,"
                         " privileges, revoke_effect_ms, lingering_open, state, %1)"
                         " VALUES(?,?,?,?,?,?,?,?%2)")
              .arg(InsightsIndex::contributionColumns(), parameters(InsightsIndex::kContributionColumnCount))
              .toUtf8();
    return sql;
}

const QByteArray& writeRollupSql()
{
    static const QByteArray sql = [] {
        const QStringList columns = InsightsIndex::contributionColumnNames();
        QStringList sets;
        for (int i = 0; i < columns.size(); ++i) {
            const QString& c = columns[i];
            sets << (i == columns.size() - 1 ? QStringLiteral("%1 = MAX(%1, excluded.%1)").arg(c)
                                             : QStringLiteral("%1 = %1 + excluded.%1").arg(c));
        }
        return QStringLiteral("INSERT INTO insight_rollup(hour, principal, target, privileges, %1)"
                              " VALUES(?,?,?,?%2) ON CONFLICT(hour, principal, target, privileges)"
                              " DO UPDATE SET %3")
            .arg(columns.join(QLatin1Char(',')), parameters(columns.size()), sets.join(QLatin1Char(',')))
            .toUtf8();
    }();
    return sql;
}

const QByteArray kReadGrant("SELECT principal, target, privileges, state FROM insight_grants WHERE id = ?");
const QByteArray kRecentStarts(
    "SELECT principal, target, privileges, start_ms FROM insight_grants"
    " WHERE start_ms > (SELECT MAX(start_ms) FROM insight_grants) - ? ORDER BY start_ms");
const QByteArray kWriteSeq("INSERT OR REPLACE INTO meta(key, value) VALUES('insights_seq', ?)");
} // namespace

SqliteInsightsStorage::SqliteInsightsStorage(sqlite3* db)
    : m_db(db)
    , m_readGrant(std::make_unique<SqlStatement>())
    , m_recentStarts(std::make_unique<SqlStatement>())
    , m_writeGrant(std::make_unique<SqlStatement>())
    , m_writeRollup(std::make_unique<SqlStatement>())
    , m_writeSeq(std::make_unique<SqlStatement>())
{
}

SqliteInsightsStorage::~SqliteInsightsStorage() = default;

void SqliteInsightsStorage::setDatabase(sqlite3* db)
{
    if (db == m_db)
        return;
    for (SqlStatement* s :
        {m_readGrant.get(), m_recentStarts.get(), m_writeGrant.get(), m_writeRollup.get(), m_writeSeq.get()})
        s->finalize();
    m_db = db;
}

qint64 SqliteInsightsStorage::indexedSeqOn(sqlite3* db)
{
    SqlStatement q(db, "SELECT value FROM meta WHERE key = 'insights_seq'");
    return q.step() == SQLITE_ROW ? q.text(0).toLongLong() : 0;
}

Error SqliteInsightsStorage::failure(const char* what) const
{
    return makeError(ErrorCode::Internal,
        QStringLiteral("insights: %1 failed: %2").arg(QLatin1String(what), sqliteMessage(m_db)));
}

Status SqliteInsightsStorage::ready(SqlStatement& s, const QByteArray& sql)
{
    if (s.isValid() || s.prepare(m_db, sql.constData()))
        return Ok {};
    return failure("prepare");
}

Result<std::optional<InsightsStorage::GrantRow>> SqliteInsightsStorage::readGrant(const QString& id)
{
    if (const Status p = ready(*m_readGrant, kReadGrant); !p)
        return p.error();
    SqlStatement& q = *m_readGrant;
    q.bindText(1, id);
    const int rc = q.step();
    Result<std::optional<GrantRow>> row = std::optional<GrantRow>();
    if (rc == SQLITE_ROW)
        row = std::optional<GrantRow>(GrantRow {q.text(0), q.text(1), q.text(2), q.bytes(3)});
    else if (rc != SQLITE_DONE)
        row = failure("grant read"); // before the reset, while the message is the step's
    q.reset();
    return row;
}

Status SqliteInsightsStorage::recentStarts(
    qint64 windowMs, const std::function<void(const QString&, const QString&, const QString&, qint64)>& row)
{
    // The grant read is prepared with it: a connection that cannot read the rollups fails before any row.
    if (const Status p = ready(*m_readGrant, kReadGrant); !p)
        return p;
    if (const Status p = ready(*m_recentStarts, kRecentStarts); !p)
        return p;
    SqlStatement& q = *m_recentStarts;
    q.bind(1, windowMs);
    int rc;
    while ((rc = q.step()) == SQLITE_ROW)
        row(q.text(0), q.text(1), q.text(2), q.int64(3));
    const Status s = rc == SQLITE_DONE ? Status(Ok {}) : Status(failure("load"));
    q.reset();
    return s;
}

qint64 SqliteInsightsStorage::indexedSeq()
{
    return indexedSeqOn(m_db);
}

Status SqliteInsightsStorage::writeGrant(const GrantWrite& row)
{
    if (const Status p = ready(*m_writeGrant, writeGrantSql()); !p)
        return p;
    SqlStatement& w = *m_writeGrant;
    w.bindText(1, row.id)
        .bind(2, row.startMs)
        .bindText(3, row.principal)
        .bindText(4, row.target)
        .bindText(5, row.privileges);
    w.bindOptional(6, row.revokeEffectMs.value_or(0), row.revokeEffectMs.has_value());
    w.bind(7, row.lingeringOpen);
    w.bindBlob(8, row.state);
    for (int i = 0; i < InsightsIndex::kContributionColumnCount; ++i)
        w.bind(9 + i, InsightsIndex::contributionValue(row.contribution, i));
    if (!w.exec())
        return failure("grant write");
    return Ok {};
}

Status SqliteInsightsStorage::addToRollup(qint64 hour, const QString& principal, const QString& target,
    const QString& privileges, const GrantContribution& delta)
{
    if (const Status p = ready(*m_writeRollup, writeRollupSql()); !p)
        return p;
    SqlStatement& w = *m_writeRollup;
    w.bind(1, hour).bindText(2, principal).bindText(3, target).bindText(4, privileges);
    for (int i = 0; i < InsightsIndex::kContributionColumnCount; ++i)
        w.bind(5 + i, InsightsIndex::contributionValue(delta, i));
    if (!w.exec())
        return failure("rollup write");
    return Ok {};
}

Status SqliteInsightsStorage::writeIndexedSeq(qint64 seq)
{
    if (const Status p = ready(*m_writeSeq, kWriteSeq); !p)
        return p;
    m_writeSeq->bindText(1, QByteArray::number(seq));
    if (!m_writeSeq->exec())
        return failure("seq write");
    return Ok {};
}

} // namespace lapse
