// Moving a broker from its SQLite store to PostgreSQL.
#include "StoreMigration.h"

#include "PgSql.h"
#include "PgStore.h"
#include "engine/Checkpoint.h"
#include "engine/SignedNote.h"
#include "engine/SqliteStore.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlQuery>

namespace lapse
{

namespace
{
QByteArray hex(const merkle::Hash& h)
{
    return QByteArray(reinterpret_cast<const char*>(h.data()), int(h.size())).toHex();
}

Error refused(const QString& why)
{
    return makeError(ErrorCode::Conflict, QStringLiteral("migrate: %1").arg(why));
}
} // namespace

Result<MigrationReport> migrateSqliteToPostgres(
    const QString& dir, const QString& conninfo, const std::function<void(qint64)>& progress)
{
    const QString file = QDir(dir).filePath(QStringLiteral("lapse.db"));
    if (!QFileInfo::exists(file))
        return makeError(ErrorCode::NotFound, QStringLiteral("migrate: no store at %1").arg(file));
    auto opened = SqliteStore::openReadOnly(file);
    if (!opened)
        return opened.error();
    const SqliteStore& from = *opened.value();

    // The target must be empty: nothing of another log may be merged into this one.
    auto existing = PgStore::eventCount(conninfo);
    if (!existing)
        return existing.error();
    if (existing.value() > 0)
        return refused(QStringLiteral("%1 already holds %2 events; migrate only into an empty database")
                           .arg(pg::redacted(conninfo))
                           .arg(existing.value()));
    auto target = PgStore::open(conninfo);
    if (!target)
        return target.error();
    PgStore& to = *target.value();
    if (to.lastSeq() != 0)
        return refused(QStringLiteral("%1 already holds events").arg(to.location()));
    for (const char* table : {"requests", "grants", "sessions", "lockouts", "api_keys", "log_checkpoints"}) {
        auto c = to.reading();
        auto n = c ? c->exec((QByteArray("SELECT count(*) FROM ") + table).constData())
                   : Result<pg::Rows>(Error {});
        if (!n)
            return refused(QStringLiteral("cannot read %1 in %2").arg(QLatin1String(table), to.location()));
        if (n.value().int64(0, 0) > 0)
            return refused(
                QStringLiteral("%1 already holds %2 rows in %3; migrate only into an empty database")
                    .arg(to.location())
                    .arg(n.value().int64(0, 0))
                    .arg(QLatin1String(table)));
    }

    MigrationReport report;
    const qint64 head = from.lastSeq();
    if (const Status b = to.begin(); !b)
        return b.error();
    auto fail = [&](const Error& e) -> Result<MigrationReport> {
        to.rollback();
        return e;
    };
    // The log, verbatim, in runs: each run must chain onto the head before it (appendVerbatimMany checks
    // every hash over the one before it), so a source whose chain is broken stops here, naming the event.
    for (qint64 after = 0; after < head;) {
        const QList<Event> page = from.events(after, 5000);
        if (page.isEmpty())
            return fail(refused(
                QStringLiteral("the source ends at event %1 but its head is %2").arg(after).arg(head)));
        qint64 breakSeq = 0;
        if (const Status s = to.appendVerbatimMany(page, &breakSeq); !s)
            return fail(breakSeq ? refused(QStringLiteral("the source's chain breaks at event %1: %2")
                                               .arg(breakSeq)
                                               .arg(s.error().message))
                                 : s.error());
        after = page.last().seq;
        report.events = after;
        if (progress)
            progress(after);
    }
    // The tree built from the copy must have the source's root, and every checkpoint the source kept must
    // sign the root the copy has at its size.
    const merkle::Hash root = to.treeRoot();
    if (root != from.treeRoot())
        return fail(
            refused(QStringLiteral("the tree over the copied log (%1) differs from the source's (%2)")
                        .arg(QString::fromLatin1(hex(root)), QString::fromLatin1(hex(from.treeRoot())))));
    report.treeRoot = hex(root);
    report.headHash = to.headHash();
    const merkle::HashReader reader = to.treeReader();
    QSqlQuery q(from.connection());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT size, ts, note FROM log_checkpoints ORDER BY size")))
        return fail(makeError(
            ErrorCode::Internal, QStringLiteral("migrate: the source's checkpoints cannot be read")));
    while (q.next()) {
        const qint64 size = q.value(0).toLongLong();
        const QByteArray note = q.value(2).toByteArray();
        const auto parsed = SignedNote::parse(note);
        const auto body
            = parsed ? CheckpointBody::parse(parsed.value().text) : Result<CheckpointBody>(Error {});
        if (!body || body.value().size != size)
            return fail(
                refused(QStringLiteral("the source's checkpoint at size %1 cannot be read").arg(size)));
        const auto at = merkle::rootAt(size, reader);
        if (!at || QByteArray(reinterpret_cast<const char*>(at.value().data()), 32) != body.value().root)
            return fail(refused(
                QStringLiteral("the source's checkpoint at size %1 signs another root than its log has")
                    .arg(size)));
        if (const Status s = to.putCheckpoint(size, note, q.value(1).toLongLong()); !s)
            return fail(s.error());
        ++report.checkpoints;
    }

    // The state tables, as stored (their JSON is what the API serves).
    const auto each = [&](const char* sql, const std::function<Status(const QSqlQuery&)>& put) -> Status {
        if (!q.exec(QString::fromLatin1(sql)))
            return makeError(
                ErrorCode::Internal, QStringLiteral("migrate: reading the source failed: %1").arg(sql));
        while (q.next())
            if (const Status s = put(q); !s)
                return s;
        return Ok {};
    };
    const auto json = [](const QSqlQuery& row, int col) {
        return QJsonDocument::fromJson(row.value(col).toByteArray()).object();
    };
    Status s = each("SELECT json FROM requests ORDER BY id", [&](const QSqlQuery& row) {
        ++report.requests;
        return to.putRequest(AccessRequest::fromJson(json(row, 0)));
    });
    if (s)
        s = each("SELECT json FROM grants ORDER BY id", [&](const QSqlQuery& row) {
            ++report.grants;
            return to.putGrant(Grant::fromJson(json(row, 0)));
        });
    if (s)
        s = each("SELECT json FROM sessions ORDER BY id", [&](const QSqlQuery& row) {
            ++report.sessions;
            return to.putSession(Session::fromJson(json(row, 0)));
        });
    if (s)
        for (const LockoutRecord& l : from.lockouts()) {
            ++report.lockouts;
            if (!(s = to.putLockout(l)))
                break;
        }
    if (s)
        s = each("SELECT hash, principal, created, label FROM api_keys", [&](const QSqlQuery& row) {
            ++report.apiKeys;
            return to.putApiKey(row.value(0).toByteArray(), row.value(1).toString(),
                row.value(2).toLongLong(), row.value(3).toString());
        });
    q.finish();
    if (!s)
        return fail(s.error());
    if (const Status c = to.commit(); !c)
        return c.error();
    return report;
}

} // namespace lapse
