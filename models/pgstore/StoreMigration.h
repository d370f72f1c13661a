// Moving a broker from its SQLite store to PostgreSQL: `lapse-broker migrate --from DIR --to CONNINFO`.
#pragma once

#include "core/Error.h"

#include <QString>
#include <functional>

namespace lapse
{

struct MigrationReport {
    qint64 events = 0, requests = 0, grants = 0, sessions = 0, lockouts = 0, apiKeys = 0, checkpoints = 0;
    QByteArray headHash;
    QByteArray treeRoot; // hex
};

// Copies the SQLite store in dir (dir/lapse.db) into the empty PostgreSQL database at conninfo, in one
// transaction: the events verbatim in order, each run chained onto the head before it is written (a break
// names its seq and nothing is kept), the tree built as they go and compared with the source's root and with
// every kept checkpoint's signed root, then the state tables, API keys and checkpoints. A database that
// already holds events or state is refused. progress: events copied so far.
Result<MigrationReport> migrateSqliteToPostgres(
    const QString& dir, const QString& conninfo, const std::function<void(qint64)>& progress = {});

} // namespace lapse
