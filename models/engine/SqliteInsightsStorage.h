// The insight rollups' rows in SQLite's insight_grants, insight_rollup and meta tables, on one connection.
#pragma once

#include "InsightsStorage.h"

#include <memory>

struct sqlite3;

namespace lapse
{

class SqlStatement;

class SqliteInsightsStorage : public InsightsStorage
{
public:
    explicit SqliteInsightsStorage(sqlite3* db = nullptr);
    ~SqliteInsightsStorage() override;
    SqliteInsightsStorage(const SqliteInsightsStorage&) = delete;
    SqliteInsightsStorage& operator=(const SqliteInsightsStorage&) = delete;

    // Moves to another connection (the writer path followed another thread's): the statements prepared on
    // the old one are finalized now and prepared again on first use.
    void setDatabase(sqlite3* db);
    sqlite3* database() const { return m_db; }

    // The last event seq the rollups stored on db include (0: none).
    static qint64 indexedSeqOn(sqlite3* db);

    Result<std::optional<GrantRow>> readGrant(const QString& id) override;
    Status recentStarts(qint64 windowMs,
        const std::function<void(const QString& principal, const QString& target, const QString& privileges,
            qint64 startMs)>& row) override;
    qint64 indexedSeq() override;

    Status writeGrant(const GrantWrite& row) override;
    Status addToRollup(qint64 hour, const QString& principal, const QString& target,
        const QString& privileges, const GrantContribution& delta) override;
    Status writeIndexedSeq(qint64 seq) override;

private:
    // Prepares s with sql on the current connection unless it is already.
    Status ready(SqlStatement& s, const QByteArray& sql);
    Error failure(const char* what) const;

    sqlite3* m_db = nullptr;
    // Prepared once per connection: the ingest path writes a fact row and a rollup row per changed grant.
    std::unique_ptr<SqlStatement> m_readGrant, m_recentStarts, m_writeGrant, m_writeRollup, m_writeSeq;
};

} // namespace lapse
