// SQLite store: schema, the transactional writer path and the queries the engine and console need.
#include "SqliteStore.h"

#include "EventChain.h"
#include "InsightsIndex.h"
#include "Sqlite.h"
#include "SqliteInsightsStorage.h"
#include "core/Clock.h"
#include "domain/Directory.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QUuid>
#include <QtConcurrent/QtConcurrentRun>
#include <limits>
#include <sqlite3.h>

#include <cstring>
#include <vector>

namespace lapse
{

namespace
{
// The lowest tree level kept in log_tree (see SqliteStore::addLeaf).
constexpr int kMinStoredLevel = 4;
constexpr int kSchemaVersion = 3; // 2: insight rollups; 3: the Merkle tree and checkpoints

const char* const kSchema[] = {
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS events(seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, type TEXT NOT NULL,"
    " actor TEXT NOT NULL, subject TEXT NOT NULL, body BLOB NOT NULL, hash BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS events_subject ON events(subject)",
    "CREATE INDEX IF NOT EXISTS events_type ON events(type, seq)",
    // The console's audit log sorts by these in SQL (an index on one column carries seq as its rowid).
    "CREATE INDEX IF NOT EXISTS events_actor ON events(actor)",
    "CREATE INDEX IF NOT EXISTS events_ts ON events(ts)",
    "CREATE TABLE IF NOT EXISTS principals(id TEXT PRIMARY KEY, kind TEXT NOT NULL, owner TEXT, spiffe_id "
    "TEXT,"
    " display_name TEXT)",
    "CREATE TABLE IF NOT EXISTS requests(id TEXT PRIMARY KEY, requester TEXT NOT NULL, target TEXT NOT NULL,"
    " status TEXT NOT NULL, created INTEGER NOT NULL, expires INTEGER NOT NULL, decided INTEGER,"
    " ttl INTEGER NOT NULL, privileges TEXT NOT NULL, min_privileges TEXT, width INTEGER NOT NULL,"
    " excess INTEGER, task TEXT, reason TEXT, ticket TEXT, break_glass INTEGER NOT NULL,"
    " approvals INTEGER NOT NULL, approvals_required INTEGER NOT NULL, json BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS requests_status ON requests(status, created)",
    "CREATE INDEX IF NOT EXISTS requests_requester ON requests(requester, created)",
    // Listing pages by status in id order (the console loads the whole pending queue this way): without
    // it every page sorts every request of that status.
    "CREATE INDEX IF NOT EXISTS requests_status_id ON requests(status, id)",
    "CREATE TABLE IF NOT EXISTS grants(id TEXT PRIMARY KEY, request_id TEXT NOT NULL, principal TEXT NOT "
    "NULL,"
    " target TEXT NOT NULL, status TEXT NOT NULL, starts INTEGER NOT NULL, expires INTEGER NOT NULL,"
    " ended INTEGER, break_glass INTEGER NOT NULL, reviewed INTEGER NOT NULL, privileges TEXT NOT NULL,"
    " json BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS grants_status ON grants(status, expires)",
    "CREATE INDEX IF NOT EXISTS grants_principal ON grants(principal, target, starts)",
    "CREATE INDEX IF NOT EXISTS grants_status_id ON grants(status, id)",
    "CREATE TABLE IF NOT EXISTS sessions(id TEXT PRIMARY KEY, grant_id TEXT NOT NULL, principal TEXT NOT "
    "NULL,"
    " target TEXT NOT NULL, opened INTEGER NOT NULL, ended INTEGER, grant_ended INTEGER,"
    " terminate_requested INTEGER, json BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS sessions_grant ON sessions(grant_id)",
    "CREATE INDEX IF NOT EXISTS sessions_open ON sessions(ended, grant_ended)",
    "CREATE TABLE IF NOT EXISTS lockouts(principal TEXT PRIMARY KEY, active INTEGER NOT NULL,"
    " locked INTEGER NOT NULL, not_before INTEGER NOT NULL, reason TEXT, by TEXT)",
    "CREATE TABLE IF NOT EXISTS api_keys(hash BLOB PRIMARY KEY, principal TEXT NOT NULL, created INTEGER NOT "
    "NULL,"
    " label TEXT)",
    // The Merkle tree over the log: every complete aligned subtree at level >= 1 (level 0, the leaf hashes,
    // are computed from the events' hashes), and the signed checkpoints cut from it.
    "CREATE TABLE IF NOT EXISTS log_tree(level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,"
    " PRIMARY KEY(level, idx)) WITHOUT ROWID",
    // Grants on enforced targets and where their enforcement stands: the console lists the pending ones on
    // every load, the insights read the lag of the verified ones.
    "CREATE TABLE IF NOT EXISTS enforced_grants(grant_id TEXT PRIMARY KEY, principal TEXT NOT NULL, target "
    "TEXT"
    " NOT NULL, start_ms INTEGER NOT NULL, state TEXT NOT NULL, lag_ms INTEGER) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS enforced_grants_state ON enforced_grants(state)",
    "CREATE INDEX IF NOT EXISTS enforced_grants_start ON enforced_grants(start_ms, target)",
    "CREATE TABLE IF NOT EXISTS log_checkpoints(size INTEGER PRIMARY KEY, ts INTEGER NOT NULL, note BLOB NOT "
    "NULL)",
    // Access reviews' decisions, from their review.decided events (engine or mirror alike): few, read whole.
    "CREATE TABLE IF NOT EXISTS review_decisions(seq INTEGER PRIMARY KEY, target TEXT NOT NULL, body BLOB "
    "NOT "
    "NULL)",
};

QByteArray compact(const QJsonObject& o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}
QJsonObject parse(const QVariant& v)
{
    return QJsonDocument::fromJson(v.toByteArray()).object();
}

Error sqlError(const QString& what, const QSqlError& e)
{
    return makeError(ErrorCode::Internal, QStringLiteral("store: %1 failed: %2").arg(what, e.text()));
}

Status exec(QSqlQuery& q, const QString& what)
{
    if (!q.exec())
        return sqlError(what, q.lastError());
    return Ok {};
}

QVariant nullableMs(qint64 v)
{
    return v ? QVariant(v) : QVariant(QMetaType(QMetaType::LongLong));
}
} // namespace

SqliteStore::SqliteStore()
    : m_insertEvent(std::make_unique<SqlStatement>())
    , m_insertNode(std::make_unique<SqlStatement>())
    , m_insights(std::make_unique<InsightsIndex>())
    , m_insightsReads(std::make_unique<SqliteInsightsStorage>())
    , m_insightsWrites(std::make_unique<SqliteInsightsStorage>())
{
}

SqliteStore::~SqliteStore()
{
    // Prepared statements first: a connection with live statements cannot close.
    m_insertEvent.reset();
    m_insertNode.reset();
    m_insights.reset();
    m_insightsReads.reset();
    m_insightsWrites.reset();
    if (m_insightsReader)
        sqlite3_close(m_insightsReader);
    // Connections of this thread are removed; other threads' connections die with their threads' use.
    const QString name = m_connPrefix + QString::number(quintptr(QThread::currentThreadId()));
    if (QSqlDatabase::contains(name)) {
        QSqlDatabase::database(name, false).close();
        QSqlDatabase::removeDatabase(name);
    }
}

QSqlDatabase SqliteStore::connection() const
{
    const QString name = m_connPrefix + QString::number(quintptr(QThread::currentThreadId()));
    if (QSqlDatabase::contains(name))
        return QSqlDatabase::database(name, true);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(m_path);
    db.setConnectOptions(m_readOnly ? QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=10000")
                                    : QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
    if (db.open() && !m_readOnly) {
        QSqlQuery q(db);
        q.exec(QStringLiteral("PRAGMA synchronous=FULL"));
        q.exec(QStringLiteral("PRAGMA foreign_keys=ON"));
    }
    return db;
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const QString& path, Options options)
{
    std::unique_ptr<SqliteStore> s(new SqliteStore);
    s->m_keepTree = options.merkleTree;
    if (const Status o = s->openFile(path, false); !o)
        return o.error();
    if (const Status b = s->backfillInsights(); !b)
        return b.error();
    if (s->m_keepTree)
        if (const Status t = s->backfillTree(); !t)
            return t.error();
    return s;
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::openReadOnly(const QString& path)
{
    if (!QFileInfo::exists(path))
        return makeError(ErrorCode::NotFound, QStringLiteral("no store at %1").arg(path));
    std::unique_ptr<SqliteStore> s(new SqliteStore);
    if (const Status o = s->openFile(path, true); !o)
        return o.error();
    return s;
}

Status SqliteStore::openFile(const QString& path, bool readOnly)
{
    m_path = QFileInfo(path).absoluteFilePath();
    m_readOnly = readOnly;
    m_connPrefix = QStringLiteral("lapse-store-%1-").arg(QUuid::createUuid().toString(QUuid::Id128));
    if (!readOnly)
        QDir().mkpath(QFileInfo(m_path).absolutePath());
    QSqlDatabase db = connection();
    if (!db.isOpen())
        return makeError(ErrorCode::Internal,
            QStringLiteral("cannot open store %1: %2").arg(m_path, db.lastError().text()));
    QSqlQuery q(db);
    if (readOnly) {
        // A store another process keeps: its schema must be one this build reads, and is never changed here.
        if (!q.exec(QStringLiteral("SELECT value FROM meta WHERE key='schema_version'")) || !q.next())
            return makeError(ErrorCode::Internal, QStringLiteral("%1 is not a Lapse store").arg(m_path));
        // An older store is read as it is (its chain verifies; metrics say its rollups are behind).
        if (q.value(0).toInt() > kSchemaVersion)
            return makeError(ErrorCode::Internal,
                QStringLiteral("store %1 has schema %2, newer than this build reads (%3)")
                    .arg(m_path)
                    .arg(q.value(0).toInt())
                    .arg(kSchemaVersion));
        q.finish();
    } else {
        // SQLite's own reason goes along (a full disk, a read-only directory): the path alone tells no one
        // what to fix.
        if (!q.exec(QStringLiteral("PRAGMA journal_mode=WAL")) || !q.next())
            return makeError(ErrorCode::Internal,
                QStringLiteral("cannot switch %1 to WAL mode: %2").arg(m_path, q.lastError().text()));
        if (const QString mode = q.value(0).toString();
            mode.compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
            return makeError(ErrorCode::Internal,
                QStringLiteral("cannot switch %1 to WAL mode: it stays in %2 mode").arg(m_path, mode));
        q.finish(); // a statement left in progress makes the migration's COMMIT fail
        if (const Status m = migrate(); !m)
            return m;
    }
    if (const Status h = readHead(); !h)
        return h;
    m_committedSeq = m_headSeq;
    if (readOnly)
        return Ok {};
    const int rc = sqlite3_open_v2(QFile::encodeName(m_path).constData(), &m_insightsReader,
        SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK)
        return makeError(ErrorCode::Internal,
            QStringLiteral("cannot open %1 for the insight rollups: %2")
                .arg(m_path, sqliteMessage(m_insightsReader)));
    sqlite3_busy_timeout(m_insightsReader, 10000);
    m_insightsReads->setDatabase(m_insightsReader);
    return Ok {};
}

Status SqliteStore::readHead()
{
    QSqlQuery q(connection());
    if (!q.exec(QStringLiteral("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")))
        return sqlError(QStringLiteral("chain head"), q.lastError());
    if (q.next()) {
        m_headSeq = q.value(0).toLongLong();
        m_headHash = q.value(1).toByteArray();
    } else {
        m_headSeq = 0;
        m_headHash = EventChain::genesisHash();
    }
    return Ok {};
}

sqlite3* SqliteStore::reader() const
{
    return sqliteHandle(connection());
}

sqlite3* SqliteStore::writer()
{
    sqlite3* h = sqliteHandle(connection());
    if (h != m_writer) {
        // First use, or the writer path moved to another thread's connection: statements follow it.
        m_writer = h;
        // 32 MiB of page cache for the writer alone: the event indexes' hot pages stay in memory while
        // batches go in; readers keep SQLite's default.
        if (h)
            sqlite3_exec(h, "PRAGMA cache_size=-32768", nullptr, nullptr, nullptr);
        m_insertEvent->finalize();
        m_insertNode->finalize();
        m_insightsWrites->setDatabase(h);
        m_insights->invalidate();
    }
    return m_writer;
}

Status SqliteStore::backfillInsights()
{
    sqlite3* h = writer();
    if (!h)
        return makeError(
            ErrorCode::Internal, QStringLiteral("store %1 is not an SQLite database").arg(m_path));
    while (SqliteInsightsStorage::indexedSeqOn(h) < m_headSeq) {
        if (const Status b = begin(); !b)
            return b;
        const qint64 from = SqliteInsightsStorage::indexedSeqOn(h); // again, under the write lock
        SqlStatement rows(h, "SELECT seq, ts, type, body FROM events WHERE seq > ? ORDER BY seq LIMIT 50000");
        rows.bind(1, from);
        int rc;
        while ((rc = rows.step()) == SQLITE_ROW) {
            int n = 0;
            const char* body = rows.data(3, &n);
            const QString type = rows.text(2);
            const Status a = m_insights->add(*m_insightsReads, rows.int64(0), rows.int64(1), type,
                InsightsIndex::reads(type)
                    ? QJsonDocument::fromJson(QByteArray::fromRawData(body, n)).object()
                    : QJsonObject());
            if (!a) {
                rollback();
                return a;
            }
        }
        rows.finalize();
        if (rc != SQLITE_DONE) {
            rollback();
            return makeError(
                ErrorCode::Internal, QStringLiteral("insight backfill: %1").arg(sqliteMessage(h)));
        }
        if (const Status c = commit(); !c)
            return c;
    }
    return Ok {};
}

Status SqliteStore::migrate()
{
    QSqlDatabase db = connection();
    QSqlQuery q(db);
    if (!db.transaction())
        return sqlError(QStringLiteral("migration"), db.lastError());
    QList<const char*> statements(std::begin(kSchema), std::end(kSchema));
    for (const char* const* i = InsightsIndex::schema(); *i; ++i)
        statements << *i;
    for (const char* stmt : std::as_const(statements)) {
        if (!q.exec(QString::fromLatin1(stmt))) {
            const Error e = sqlError(QStringLiteral("schema"), q.lastError());
            db.rollback();
            return e;
        }
    }
    // The rule that approved a grant (a budget counts them): a column stores made before rules lack.
    bool hasRule = false;
    q.exec(QStringLiteral("PRAGMA table_info(grants)"));
    while (q.next())
        hasRule = hasRule || q.value(1).toString() == QLatin1String("rule");
    for (const QString& stmt :
        {hasRule ? QString() : QStringLiteral("ALTER TABLE grants ADD COLUMN rule TEXT"),
            QStringLiteral(
                "CREATE INDEX IF NOT EXISTS grants_rule ON grants(rule, principal, starts) WHERE rule "
                "IS NOT NULL")}) {
        if (!stmt.isEmpty() && !q.exec(stmt)) {
            const Error e = sqlError(QStringLiteral("schema"), q.lastError());
            db.rollback();
            return e;
        }
    }
    q.exec(QStringLiteral("SELECT value FROM meta WHERE key='schema_version'"));
    const int version = q.next() ? q.value(0).toInt() : 0;
    if (version > kSchemaVersion) {
        db.rollback();
        return makeError(ErrorCode::Internal,
            QStringLiteral("store %1 has schema %2, newer than this build understands (%3)")
                .arg(m_path)
                .arg(version)
                .arg(kSchemaVersion));
    }
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO meta(key, value) VALUES('schema_version', ?)"));
    q.addBindValue(kSchemaVersion);
    if (!q.exec()) {
        const Error e = sqlError(QStringLiteral("migration"), q.lastError());
        db.rollback();
        return e;
    }
    q.finish();
    // A failed COMMIT is the connection's error, not the statement's (which succeeded).
    if (!db.commit()) {
        const Error e = sqlError(QStringLiteral("migration"), db.lastError());
        db.rollback();
        return e;
    }
    return Ok {};
}

Status SqliteStore::begin()
{
    Q_ASSERT(!m_inTx);
    if (m_readOnly)
        return makeError(ErrorCode::Conflict, QStringLiteral("store %1 is open read-only").arg(m_path));
    QSqlQuery q(connection());
    // IMMEDIATE takes the write lock now, so a second writer process fails here, not half-way.
    if (!q.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return sqlError(QStringLiteral("begin"), q.lastError());
    m_inTx = true;
    // Another process (lapse-broker keys create, lapsectl --data) may have appended since our last write:
    // the chain head is re-read under the write lock, so the chain never forks.
    if (!q.exec(QStringLiteral("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"))) {
        const Error e = sqlError(QStringLiteral("chain head"), q.lastError());
        q.exec(QStringLiteral("ROLLBACK"));
        m_inTx = false;
        return e;
    }
    if (q.next()) {
        m_headSeq = q.value(0).toLongLong();
        m_headHash = q.value(1).toByteArray();
    }
    q.finish();
    if (m_headSeq != m_committedSeq) {
        m_insights->invalidate(); // another process wrote: our in-memory rollup state is stale
        if (const Status t = loadTree(); !t) {
            q.exec(QStringLiteral("ROLLBACK"));
            m_inTx = false;
            return t;
        }
    }
    m_txHeadSeq = m_headSeq;
    m_txHeadHash = m_headHash;
    m_txTree = m_tree;
    return Ok {};
}

Status SqliteStore::commit()
{
    Q_ASSERT(m_inTx);
    // The rollups go into the same transaction as the events they follow, and so does the tree's size.
    writer(); // the rollups' writes follow the writer connection
    if (const Status f = m_insights->flush(*m_insightsWrites); !f) {
        rollback();
        return f;
    }
    if (const Status f = flushEnforcement(); !f) {
        rollback();
        return f;
    }
    if (const Status f = flushReviews(); !f) {
        rollback();
        return f;
    }
    if (m_headSeq != m_txHeadSeq) {
        if (const Status t = saveTreeSize(); !t) {
            rollback();
            return t;
        }
    }
    QSqlQuery q(connection());
    if (!q.exec(QStringLiteral("COMMIT"))) {
        const Error e = sqlError(QStringLiteral("commit"), q.lastError());
        rollback();
        return e;
    }
    m_inTx = false;
    m_committedSeq = m_headSeq;
    return Ok {};
}

void SqliteStore::rollback()
{
    if (!m_inTx)
        return;
    QSqlQuery q(connection());
    q.exec(QStringLiteral("ROLLBACK"));
    m_headSeq = m_txHeadSeq;
    m_headHash = m_txHeadHash;
    m_tree = m_txTree;
    m_inTx = false;
    m_insights->invalidate();
    m_enforced.clear();
    m_reviews.clear();
}

void SqliteStore::noteReview(qint64 seq, const QString& type, const QByteArray& body)
{
    if (type == QLatin1String("review.decided"))
        m_reviews.append({seq, body});
}

Status SqliteStore::flushReviews()
{
    if (m_reviews.isEmpty())
        return Ok {};
    SqlStatement w(writer(), "INSERT OR REPLACE INTO review_decisions(seq, target, body) VALUES(?,?,?)");
    for (const auto& [seq, body] : std::as_const(m_reviews)) {
        const QString target
            = QJsonDocument::fromJson(body).object().value(QLatin1String("target")).toString();
        w.bind(1, seq).bindText(2, target).bindBlob(3, body);
        if (!w.exec())
            return makeError(ErrorCode::Internal, QStringLiteral("review write failed: %1").arg(w.message()));
    }
    m_reviews.clear();
    return Ok {};
}

int SqliteStore::ruleGrantCount(
    const QString& rule, const QString& principal, const QString& target, qint64 sinceMs) const
{
    // The partial index on (rule, principal, starts) holds only grants a rule approved.
    SqlStatement q(sqliteHandle(connection()),
        "SELECT count(*) FROM grants WHERE rule = ?4 AND principal = ?1 AND target = ?2 AND starts >= ?3");
    q.bindText(1, principal).bindText(2, target).bind(3, sinceMs).bindText(4, rule);
    // Unreadable counts as spent: a budget that cannot be checked does not approve.
    return q.step() == SQLITE_ROW ? int(q.int64(0)) : std::numeric_limits<int>::max();
}

QList<ReviewDecision> SqliteStore::reviewDecisions(const QString& target) const
{
    QSqlQuery q(connection());
    q.setForwardOnly(true);
    q.prepare(target.isEmpty()
            ? QStringLiteral("SELECT seq, body FROM review_decisions ORDER BY seq")
            : QStringLiteral("SELECT seq, body FROM review_decisions WHERE target = ? ORDER BY seq"));
    if (!target.isEmpty())
        q.addBindValue(target);
    QList<ReviewDecision> out;
    if (q.exec())
        while (q.next()) {
            ReviewDecision d = ReviewDecision::fromJson(parse(q.value(1)));
            d.seq = q.value(0).toLongLong();
            out << d;
        }
    return out;
}

void SqliteStore::noteEnforcement(const QString& type, const QJsonObject& body)
{
    // Every event about an enforced grant carries the grant with its enforcement (see Engine).
    static const QSet<QString> kTypes {QStringLiteral("grant.activated"), QStringLiteral("grant.revoked"),
        QStringLiteral("grant.completed"), QStringLiteral("grant.expired"),
        QStringLiteral("enforcement.pending"), QStringLiteral("revocation.verified")};
    if (!kTypes.contains(type))
        return;
    const QJsonObject e = body.value(QLatin1String("enforcement")).toObject();
    if (e.isEmpty())
        return;
    EnforcedRow r;
    r.principal = body.value(QLatin1String("principal")).toString();
    r.target = body.value(QLatin1String("target")).toString();
    r.startMs = Clock::fromIso(body.value(QLatin1String("starts_at")).toString());
    r.state = e.value(QLatin1String("state")).toString();
    if (r.state == QLatin1String("verified"))
        r.lagMs = e.value(QLatin1String("lag_ms")).toInteger();
    m_enforced.insert(body.value(QLatin1String("id")).toString(), r);
}

Status SqliteStore::flushEnforcement()
{
    if (m_enforced.isEmpty())
        return Ok {};
    SqlStatement w(writer(),
        "INSERT OR REPLACE INTO enforced_grants(grant_id, principal, target, start_ms, state, lag_ms)"
        " VALUES(?,?,?,?,?,?)");
    for (auto it = m_enforced.cbegin(); it != m_enforced.cend(); ++it) {
        w.bindText(1, it.key()).bindText(2, it->principal).bindText(3, it->target).bind(4, it->startMs);
        w.bindText(5, it->state).bindOptional(6, it->lagMs.value_or(0), it->lagMs.has_value());
        if (!w.exec())
            return makeError(
                ErrorCode::Internal, QStringLiteral("enforcement write failed: %1").arg(w.message()));
    }
    m_enforced.clear();
    return Ok {};
}

Result<Event> SqliteStore::append(
    const QString& type, const QString& actor, const QString& subject, const QJsonObject& body, qint64 tsMs)
{
    Q_ASSERT(m_inTx);
    Event e = chained(type, actor, subject, compact(body), tsMs);
    if (const Status s = insertEvent(e); !s)
        return s.error();
    if (const Status t = addLeaf(e.hash); !t)
        return t.error();
    if (const Status s = m_insights->add(*m_insightsReads, e.seq, e.tsMs, e.type, body); !s)
        return s.error();
    noteEnforcement(e.type, body);
    noteReview(e.seq, e.type, e.body);
    m_headSeq = e.seq;
    m_headHash = e.hash;
    return e;
}

Event SqliteStore::chained(const QString& type, const QString& actor, const QString& subject,
    const QByteArray& body, qint64 tsMs) const
{
    Event e;
    e.seq = m_headSeq + 1;
    e.tsMs = tsMs;
    e.type = type;
    e.actor = actor;
    e.subject = subject;
    e.body = body;
    e.hash = EventChain::hash(m_headHash, e);
    return e;
}

Result<QList<Event>> SqliteStore::appendMany(
    const QList<std::tuple<QString, QString, QString, QJsonObject>>& events,
    const QList<QByteArray>& compactBodies, qint64 tsMs)
{
    Q_ASSERT(m_inTx && compactBodies.size() == events.size());
    writer();
    const qint64 first = m_headSeq + 1;
    // The rollups read only what was committed (they write only at commit), through their own connection, so
    // they can take the batch beside the chain. Events are fed to them in order, as on the one-event path.
    QFuture<Status> indexing = QtConcurrent::run([this, &events, first, tsMs]() -> Status {
        for (qsizetype i = 0; i < events.size(); ++i) {
            const auto& [type, actor, subject, body] = events[i];
            if (const Status s = m_insights->add(*m_insightsReads, first + i, tsMs, type, body); !s)
                return s;
            noteEnforcement(type, body);
        }
        return Ok {};
    });
    QList<Event> out;
    out.reserve(events.size());
    Status written = Ok {};
    for (qsizetype i = 0; i < events.size() && written; ++i) {
        const auto& [type, actor, subject, body] = events[i];
        Event e = chained(type, actor, subject, compactBodies[i], tsMs);
        written = insertEvent(e);
        if (written)
            written = addLeaf(e.hash);
        if (written) {
            noteReview(e.seq, e.type, e.body);
            m_headSeq = e.seq;
            m_headHash = e.hash;
            out << std::move(e);
        }
    }
    const Status indexed = indexing.result();
    if (!written)
        return written.error(); // the caller rolls back, which resets the rollups' state too
    if (!indexed)
        return indexed.error();
    return out;
}

Status SqliteStore::appendVerbatimMany(const QList<Event>& events, qint64* breakSeq)
{
    Q_ASSERT(m_inTx);
    *breakSeq = 0;
    if (events.isEmpty())
        return Ok {};
    // In sequence from the head, or nothing is written.
    for (qsizetype i = 0; i < events.size(); ++i) {
        if (events[i].seq != m_headSeq + 1 + i) {
            *breakSeq = m_headSeq + 1 + i;
            return makeError(ErrorCode::Conflict,
                QStringLiteral("event %1 does not follow the head %2").arg(events[i].seq).arg(m_headSeq + i));
        }
    }
    // Each hash over the previous event's claimed hash: together they check the whole run, so they are
    // computed beside the writes, and any mismatch undoes the run.
    const QByteArray head = m_headHash;
    QFuture<qint64> hashing = QtConcurrent::run([&events, head]() -> qint64 {
        const QByteArray* prev = &head;
        char out[64];
        for (const Event& e : events) {
            const QByteArray type = e.type.toUtf8(), actor = e.actor.toUtf8(), subject = e.subject.toUtf8();
            EventChain::hashInto({prev->constData(), int(prev->size())}, e.seq, e.tsMs,
                {type.constData(), int(type.size())}, {actor.constData(), int(actor.size())},
                {subject.constData(), int(subject.size())}, {e.body.constData(), int(e.body.size())}, out);
            if (e.hash.size() != 64 || memcmp(out, e.hash.constData(), 64) != 0)
                return e.seq;
            prev = &e.hash;
        }
        return 0;
    });
    QFuture<Status> indexing = QtConcurrent::run([this, &events]() -> Status {
        for (const Event& e : events) {
            const bool enforcement = e.type == QLatin1String("revocation.verified")
                || e.type == QLatin1String("enforcement.pending")
                || e.type.startsWith(QLatin1String("grant."));
            const QJsonObject body
                = InsightsIndex::reads(e.type) || enforcement ? e.bodyJson() : QJsonObject();
            if (const Status s = m_insights->add(*m_insightsReads, e.seq, e.tsMs, e.type, body); !s)
                return s;
            noteEnforcement(e.type, body);
        }
        return Ok {};
    });
    Status written = Ok {};
    for (qsizetype i = 0; i < events.size() && written; ++i) {
        written = insertEvent(events[i]);
        if (written)
            written = addLeaf(events[i].hash);
        if (written)
            noteReview(events[i].seq, events[i].type, events[i].body);
    }
    const qint64 broken = hashing.result();
    const Status indexed = indexing.result();
    if (broken) {
        *breakSeq = broken;
        return makeError(
            ErrorCode::Conflict, QStringLiteral("event %1 does not chain onto the head").arg(broken));
    }
    if (!written)
        return written;
    if (!indexed)
        return indexed;
    m_headSeq = events.last().seq;
    m_headHash = events.last().hash;
    return Ok {};
}

Status SqliteStore::insertEvent(const Event& e)
{
    sqlite3* h = writer();
    if (!m_insertEvent->isValid()
        && !m_insertEvent->prepare(
            h, "INSERT INTO events(seq, ts, type, actor, subject, body, hash) VALUES(?,?,?,?,?,?,?)"))
        return makeError(
            ErrorCode::Internal, QStringLiteral("store: event append failed: %1").arg(sqliteMessage(h)));
    SqlStatement& q = *m_insertEvent;
    q.bind(1, e.seq).bind(2, e.tsMs).bindText(3, e.type).bindText(4, e.actor).bindText(5, e.subject);
    q.bindBlob(6, e.body).bindBlob(7, e.hash);
    if (!q.exec()) {
        const QString why = q.message();
        q.reset();
        return makeError(ErrorCode::Internal, QStringLiteral("store: event append failed: %1").arg(why));
    }
    return Ok {};
}

Status SqliteStore::putRequest(const AccessRequest& r)
{
    QSqlQuery q(connection());
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO requests(id, requester, target, status, created, "
                             "expires, decided, ttl, privileges,"
                             " min_privileges, width, excess, task, reason, ticket, break_glass, approvals, "
                             "approvals_required, json)"
                             " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    q.addBindValue(r.id);
    q.addBindValue(r.requester);
    q.addBindValue(r.target);
    q.addBindValue(requestStatusName(r.status));
    q.addBindValue(r.createdMs);
    q.addBindValue(r.expiresMs);
    q.addBindValue(nullableMs(r.decidedMs));
    q.addBindValue(r.ttlSeconds);
    q.addBindValue(r.privileges.join(QLatin1Char(' ')));
    q.addBindValue(r.minPrivileges ? QVariant(r.minPrivileges->join(QLatin1Char(' ')))
                                   : QVariant(QMetaType(QMetaType::QString)));
    q.addBindValue(r.privileges.size());
    if (r.minPrivileges) {
        int excess = 0;
        for (const auto& p : r.privileges)
            excess += r.minPrivileges->contains(p) ? 0 : 1;
        q.addBindValue(excess);
    } else {
        q.addBindValue(QVariant(QMetaType(QMetaType::Int)));
    }
    q.addBindValue(r.task);
    q.addBindValue(r.reason);
    q.addBindValue(r.ticket);
    q.addBindValue(r.breakGlass ? 1 : 0);
    q.addBindValue(r.approvals.size());
    q.addBindValue(r.approvalsRequired);
    q.addBindValue(compact(r.toJson()));
    return exec(q, QStringLiteral("request write"));
}

Status SqliteStore::putGrant(const Grant& g)
{
    QSqlQuery q(connection());
    q.prepare(QStringLiteral(
        "INSERT OR REPLACE INTO grants(id, request_id, principal, target, status, starts, expires,"
        " ended, break_glass, reviewed, privileges, json, rule) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    q.addBindValue(g.id);
    q.addBindValue(g.requestId);
    q.addBindValue(g.principal);
    q.addBindValue(g.target);
    q.addBindValue(grantStatusName(g.status));
    q.addBindValue(g.startsMs);
    q.addBindValue(g.expiresMs);
    q.addBindValue(nullableMs(g.endedMs));
    q.addBindValue(g.breakGlass ? 1 : 0);
    q.addBindValue(g.reviewed ? 1 : 0);
    q.addBindValue(g.privileges.join(QLatin1Char(' ')));
    q.addBindValue(compact(g.toJson()));
    q.addBindValue(g.rule.isEmpty() ? QVariant() : QVariant(g.rule));
    return exec(q, QStringLiteral("grant write"));
}

Status SqliteStore::putSession(const Session& s)
{
    QSqlQuery q(connection());
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO sessions(id, grant_id, principal, target, opened, ended,"
                             " grant_ended, terminate_requested, json) VALUES(?,?,?,?,?,?,?,?,?)"));
    q.addBindValue(s.id);
    q.addBindValue(s.grantId);
    q.addBindValue(s.principal);
    q.addBindValue(s.target);
    q.addBindValue(s.openedMs);
    q.addBindValue(nullableMs(s.endedMs));
    q.addBindValue(nullableMs(s.grantEndedMs));
    q.addBindValue(nullableMs(s.terminateRequestedMs));
    q.addBindValue(compact(s.toJson(s.endedMs ? s.endedMs : s.openedMs)));
    return exec(q, QStringLiteral("session write"));
}

Status SqliteStore::putLockout(const LockoutRecord& l)
{
    QSqlQuery q(connection());
    q.prepare(
        QStringLiteral("INSERT OR REPLACE INTO lockouts(principal, active, locked, not_before, reason, by)"
                       " VALUES(?,?,?,?,?,?)"));
    q.addBindValue(l.principal);
    q.addBindValue(l.active ? 1 : 0);
    q.addBindValue(l.lockedMs);
    q.addBindValue(l.notBeforeMs);
    q.addBindValue(l.reason);
    q.addBindValue(l.by);
    return exec(q, QStringLiteral("lockout write"));
}

Status SqliteStore::putApiKey(
    const QByteArray& keyHash, const QString& principal, qint64 createdMs, const QString& label)
{
    QSqlQuery q(connection());
    q.prepare(QStringLiteral("INSERT INTO api_keys(hash, principal, created, label) VALUES(?,?,?,?)"));
    q.addBindValue(keyHash);
    q.addBindValue(principal);
    q.addBindValue(createdMs);
    q.addBindValue(label);
    return exec(q, QStringLiteral("api key write"));
}

Status SqliteStore::syncPrincipals(const Directory& directory)
{
    QSqlDatabase db = connection();
    if (!db.transaction())
        return sqlError(QStringLiteral("principal sync"), db.lastError());
    QSqlQuery q(db);
    q.exec(QStringLiteral("DELETE FROM principals"));
    q.prepare(
        QStringLiteral("INSERT INTO principals(id, kind, owner, spiffe_id, display_name) VALUES(?,?,?,?,?)"));
    for (const auto& p : directory.principals()) {
        q.addBindValue(p.id);
        q.addBindValue(kindName(p.kind));
        q.addBindValue(p.owner);
        q.addBindValue(p.spiffeId);
        q.addBindValue(p.displayName);
        if (!q.exec()) {
            const Error e = sqlError(QStringLiteral("principal sync"), q.lastError());
            db.rollback();
            return e;
        }
    }
    if (!db.commit())
        return sqlError(QStringLiteral("principal sync"), db.lastError());
    return Ok {};
}

std::optional<AccessRequest> SqliteStore::request(const QString& id) const
{
    QSqlQuery q(connection());
    q.prepare(QStringLiteral("SELECT json FROM requests WHERE id = ?"));
    q.addBindValue(id);
    if (q.exec() && q.next())
        return AccessRequest::fromJson(parse(q.value(0)));
    return std::nullopt;
}

std::optional<Grant> SqliteStore::grant(const QString& id) const
{
    QSqlQuery q(connection());
    q.prepare(QStringLiteral("SELECT json FROM grants WHERE id = ?"));
    q.addBindValue(id);
    if (q.exec() && q.next())
        return Grant::fromJson(parse(q.value(0)));
    return std::nullopt;
}

std::optional<Session> SqliteStore::session(const QString& id) const
{
    QSqlQuery q(connection());
    q.prepare(QStringLiteral("SELECT json FROM sessions WHERE id = ?"));
    q.addBindValue(id);
    if (q.exec() && q.next())
        return Session::fromJson(parse(q.value(0)));
    return std::nullopt;
}

namespace
{
// The WHERE ... ORDER BY ... LIMIT of a request listing, and its values in order.
QString requestListTail(const RequestFilter& f, QVariantList* binds)
{
    QString sql = QStringLiteral(" FROM requests WHERE 1=1");
    if (f.status) {
        sql += QStringLiteral(" AND status = ?");
        *binds << requestStatusName(*f.status);
    }
    if (!f.requester.isEmpty()) {
        sql += QStringLiteral(" AND requester = ?");
        *binds << f.requester;
    }
    if (!f.afterId.isEmpty()) {
        sql += QStringLiteral(" AND id > ?");
        *binds << f.afterId;
    }
    sql += QStringLiteral(" ORDER BY id LIMIT ?");
    *binds << qBound(1, f.limit, 10000);
    return sql;
}

void bindAll(SqlStatement& q, const QVariantList& binds)
{
    for (int i = 0; i < binds.size(); ++i) {
        if (binds[i].typeId() == QMetaType::Int)
            q.bind(i + 1, binds[i].toInt());
        else
            q.bindText(i + 1, binds[i].toString());
    }
}

// Column values that repeat from row to row (requesters, targets, tasks, privilege sets), decoded once per
// listing: a lookup by the raw bytes costs less than a conversion, and the rows share one copy.
class RepeatedValues
{
public:
    const QString& text(const SqlStatement& q, int col)
    {
        int size = 0;
        const char* data = q.data(col, &size);
        const QByteArray raw = QByteArray::fromRawData(data ? data : "", size);
        auto it = m_texts.constFind(raw);
        if (it == m_texts.cend())
            it = m_texts.insert(QByteArray(raw.constData(), raw.size()), QString::fromUtf8(raw));
        return *it;
    }
    // Privilege names are directory ids, which hold no spaces (see Directory::validate).
    const QStringList& privileges(const SqlStatement& q, int col)
    {
        int size = 0;
        const char* data = q.data(col, &size);
        const QByteArray raw = QByteArray::fromRawData(data ? data : "", size);
        auto it = m_lists.constFind(raw);
        if (it == m_lists.cend()) {
            const QString joined = QString::fromUtf8(raw);
            it = m_lists.insert(QByteArray(raw.constData(), raw.size()),
                joined.isEmpty() ? QStringList() : joined.split(QLatin1Char(' ')));
        }
        return *it;
    }

private:
    QHash<QByteArray, QString> m_texts;
    QHash<QByteArray, QStringList> m_lists;
};
} // namespace

QList<AccessRequest> SqliteStore::requests(const RequestFilter& f) const
{
    // A pending request without approvals is all in its columns: only decided requests and those with partial
    // approvals (a few) are decoded from their JSON. The console's queue load reads 100k of these.
    QVariantList binds;
    const QString sql
        = QStringLiteral("SELECT id, requester, target, created, expires, ttl, privileges, "
                         "min_privileges, task, reason, ticket, break_glass, approvals_required, "
                         "CASE WHEN status <> 'pending' OR approvals > 0 THEN json END, excess")
        + requestListTail(f, &binds);
    QList<AccessRequest> out;
    SqlStatement q(sqliteHandle(connection()), sql.toUtf8().constData());
    if (!q.isValid())
        return out;
    bindAll(q, binds);
    out.reserve(qBound(1, f.limit, 10000));
    RepeatedValues repeated;
    while (q.step() == SQLITE_ROW) {
        if (!q.isNull(13)) {
            out << AccessRequest::fromJson(QJsonDocument::fromJson(q.bytes(13)).object());
            continue;
        }
        AccessRequest& r = out.emplace_back();
        r.id = q.text(0);
        r.requester = repeated.text(q, 1);
        r.target = repeated.text(q, 2);
        r.createdMs = q.int64(3);
        r.expiresMs = q.int64(4);
        r.ttlSeconds = int(q.int64(5));
        r.privileges = repeated.privileges(q, 6);
        // A declared minimum has an excess, even an empty one (whose joined column is NULL).
        if (!q.isNull(14))
            r.minPrivileges = repeated.privileges(q, 7);
        r.task = repeated.text(q, 8);
        r.reason = q.text(9);
        r.ticket = q.text(10);
        r.breakGlass = q.int64(11) != 0;
        r.approvalsRequired = int(q.int64(12));
    }
    return out;
}

QList<std::pair<QString, QByteArray>> SqliteStore::requestsJson(const RequestFilter& f) const
{
    QVariantList binds;
    const QString sql = QStringLiteral("SELECT id, json") + requestListTail(f, &binds);
    // Through the C API: list pages read a thousand of these rows at a time.
    QList<std::pair<QString, QByteArray>> out;
    SqlStatement q(sqliteHandle(connection()), sql.toUtf8().constData());
    if (!q.isValid())
        return out;
    bindAll(q, binds);
    out.reserve(qBound(1, f.limit, 10000));
    while (q.step() == SQLITE_ROW)
        out.append({q.text(0), q.bytes(1)});
    return out;
}
QList<Grant> SqliteStore::grants(const GrantFilter& f) const
{
    QString sql = QStringLiteral("SELECT json FROM grants WHERE 1=1");
    QVariantList binds;
    if (f.status) {
        sql += QStringLiteral(" AND status = ?");
        binds << grantStatusName(*f.status);
    }
    if (!f.principal.isEmpty()) {
        sql += QStringLiteral(" AND principal = ?");
        binds << f.principal;
    }
    if (!f.target.isEmpty()) {
        sql += QStringLiteral(" AND target = ?");
        binds << f.target;
    }
    if (f.breakGlassUnreviewed) {
        sql += *f.breakGlassUnreviewed ? QStringLiteral(" AND break_glass = 1 AND reviewed = 0")
                                       : QStringLiteral(" AND NOT (break_glass = 1 AND reviewed = 0)");
    }
    if (f.startsFromMs) {
        sql += QStringLiteral(" AND starts >= ?");
        binds << *f.startsFromMs;
    }
    if (!f.afterId.isEmpty()) {
        sql += QStringLiteral(" AND id > ?");
        binds << f.afterId;
    }
    if (f.enforcementPending)
        sql += QStringLiteral(" AND id IN (SELECT grant_id FROM enforced_grants WHERE state = 'pending')");
    sql += QStringLiteral(" ORDER BY id LIMIT ?");
    binds << qBound(1, f.limit, 10000);
    QSqlQuery q(connection());
    q.setForwardOnly(true);
    q.prepare(sql);
    for (const auto& b : binds)
        q.addBindValue(b);
    QList<Grant> out;
    if (q.exec())
        while (q.next())
            out << Grant::fromJson(parse(q.value(0)));
    return out;
}

QList<Session> SqliteStore::sessions(const SessionFilter& f) const
{
    QString sql = QStringLiteral("SELECT json FROM sessions WHERE 1=1");
    QVariantList binds;
    if (f.state) {
        switch (*f.state) {
        case SessionState::Live:
            sql += QStringLiteral(" AND ended IS NULL AND grant_ended IS NULL");
            break;
        case SessionState::Lingering:
            sql += QStringLiteral(" AND ended IS NULL AND grant_ended IS NOT NULL");
            break;
        case SessionState::Ended:
            sql += QStringLiteral(" AND ended IS NOT NULL");
            break;
        }
    }
    if (!f.grantId.isEmpty()) {
        sql += QStringLiteral(" AND grant_id = ?");
        binds << f.grantId;
    }
    if (!f.principal.isEmpty()) {
        sql += QStringLiteral(" AND principal = ?");
        binds << f.principal;
    }
    sql += QStringLiteral(" ORDER BY opened, id LIMIT ?");
    binds << qBound(1, f.limit, 100000);
    QSqlQuery q(connection());
    q.setForwardOnly(true);
    q.prepare(sql);
    for (const auto& b : binds)
        q.addBindValue(b);
    QList<Session> out;
    if (q.exec())
        while (q.next())
            out << Session::fromJson(parse(q.value(0)));
    return out;
}

QList<LockoutRecord> SqliteStore::lockouts() const
{
    QSqlQuery q(connection());
    QList<LockoutRecord> out;
    if (!q.exec(QStringLiteral("SELECT principal, active, locked, not_before, reason, by FROM lockouts")))
        return out;
    while (q.next()) {
        LockoutRecord l;
        l.principal = q.value(0).toString();
        l.active = q.value(1).toInt() != 0;
        l.lockedMs = q.value(2).toLongLong();
        l.notBeforeMs = q.value(3).toLongLong();
        l.reason = q.value(4).toString();
        l.by = q.value(5).toString();
        out << l;
    }
    return out;
}

QString SqliteStore::principalForApiKey(const QByteArray& keyHash) const
{
    QSqlQuery q(connection());
    q.prepare(QStringLiteral("SELECT principal FROM api_keys WHERE hash = ?"));
    q.addBindValue(keyHash);
    if (q.exec() && q.next())
        return q.value(0).toString();
    return {};
}

QList<Event> SqliteStore::events(qint64 afterSeq, int limit) const
{
    // Event pages feed mirrors and the stream at tens of thousands a second: read without QVariant.
    QList<Event> out;
    sqlite3* h = sqliteHandle(connection());
    SqlStatement q(
        h, "SELECT seq, ts, type, actor, subject, body, hash FROM events WHERE seq > ? ORDER BY seq LIMIT ?");
    if (!q.isValid())
        return out;
    q.bind(1, afterSeq).bind(2, qint64(qBound(1, limit, 100000)));
    while (q.step() == SQLITE_ROW) {
        Event e;
        e.seq = q.int64(0);
        e.tsMs = q.int64(1);
        e.type = q.text(2);
        e.actor = q.text(3);
        e.subject = q.text(4);
        e.body = q.bytes(5);
        e.hash = q.bytes(6);
        out << e;
    }
    return out;
}

int SqliteStore::grantCountSince(const QString& principal, const QString& target, qint64 sinceMs) const
{
    QSqlQuery q(connection());
    q.prepare(
        QStringLiteral("SELECT COUNT(*) FROM grants WHERE principal = ? AND target = ? AND starts >= ?"));
    q.addBindValue(principal);
    q.addBindValue(target);
    q.addBindValue(sinceMs);
    return q.exec() && q.next() ? q.value(0).toInt() : 0;
}

Result<qint64> SqliteStore::verifyChain(QSqlDatabase db, QString* breakReason, qint64* breakSeq,
    const std::function<void(qint64)>& progress, const EventHashVisitor& each)
{
    // Rows are read through the C API straight into one buffer per batch (no per-field allocation); while one
    // batch is hashed on the thread pool — each event over the stored hash of the one before it, so the work
    // splits freely — the next is read. The verdict is then taken in order, so the first break is named
    // exactly as a sequential walk would.
    sqlite3* h = sqliteHandle(db);
    if (!h)
        return makeError(
            ErrorCode::Internal, QStringLiteral("store: chain read failed: not an open SQLite database"));
    struct Row {
        qint64 seq, ts;
        int type, actor, subject, body, hash; // offsets into the batch buffer, each field's length after it
        int typeLen, actorLen, subjectLen, bodyLen, hashLen;
        bool match;
        merkle::Hash leaf; // filled only when a visitor asks for it
    };
    struct Batch {
        std::vector<Row> rows;
        std::vector<char> bytes;
        QByteArray lastHash;
    };
    constexpr size_t kBatch = 8192;
    SqlStatement q(h, "SELECT seq, ts, type, actor, subject, body, hash FROM events ORDER BY seq");
    if (!q.isValid())
        return makeError(
            ErrorCode::Internal, QStringLiteral("store: chain read failed: %1").arg(sqliteMessage(h)));
    int rc = SQLITE_ROW;
    auto readBatch = [&](Batch& b) {
        b.rows.clear();
        b.bytes.clear();
        while (b.rows.size() < kBatch && rc == SQLITE_ROW && (rc = q.step()) == SQLITE_ROW) {
            Row r {};
            r.seq = q.int64(0);
            r.ts = q.int64(1);
            int* offsets[] = {&r.type, &r.actor, &r.subject, &r.body, &r.hash};
            int* lengths[] = {&r.typeLen, &r.actorLen, &r.subjectLen, &r.bodyLen, &r.hashLen};
            for (int c = 0; c < 5; ++c) {
                int n = 0;
                const char* p = q.data(2 + c, &n);
                *offsets[c] = int(b.bytes.size());
                *lengths[c] = n;
                b.bytes.insert(b.bytes.end(), p, p + n);
            }
            b.rows.push_back(r);
        }
        if (!b.rows.empty()) {
            const Row& last = b.rows.back();
            b.lastHash = QByteArray(b.bytes.data() + last.hash, last.hashLen);
        }
    };
    const bool withLeaves = bool(each);
    auto hashBatch = [withLeaves](Batch* b, QByteArray prev) {
        const size_t half = b->rows.size() / 2;
        auto hashRange = [b, &prev, withLeaves](size_t from, size_t to) {
            const char* base = b->bytes.data();
            for (size_t i = from; i < to; ++i) {
                Row& r = b->rows[i];
                const EventChain::Field before = i == 0
                    ? EventChain::Field {prev.constData(), int(prev.size())}
                    : EventChain::Field {base + b->rows[i - 1].hash, b->rows[i - 1].hashLen};
                char computed[64];
                EventChain::hashInto(before, r.seq, r.ts, {base + r.type, r.typeLen},
                    {base + r.actor, r.actorLen}, {base + r.subject, r.subjectLen},
                    {base + r.body, r.bodyLen}, computed);
                r.match = r.hashLen == 64 && std::memcmp(computed, base + r.hash, 64) == 0;
                if (withLeaves && r.match) {
                    const auto bytes = merkle::fromHex(QByteArrayView(base + r.hash, r.hashLen));
                    r.leaf = merkle::leafHash(bytes->data(), bytes->size());
                }
            }
        };
        QFuture<void> second = QtConcurrent::run(hashRange, half, b->rows.size());
        hashRange(0, half);
        second.waitForFinished();
    };

    ChainVerifier v;
    Batch current, next;
    readBatch(current);
    QByteArray prev = EventChain::genesisHash();
    while (!current.rows.empty() && v.ok()) {
        QFuture<void> hashing = QtConcurrent::run(hashBatch, &current, prev);
        readBatch(next);
        hashing.waitForFinished();
        for (const Row& r : current.rows) {
            if (!v.addPrehashed(r.seq, QByteArray(current.bytes.data() + r.hash, r.hashLen),
                    r.match ? QByteArray::fromRawData(current.bytes.data() + r.hash, r.hashLen)
                            : QByteArray()))
                break;
            if (each)
                each(r.seq, r.leaf);
            if (progress && (r.seq % 100000) == 0)
                progress(r.seq);
        }
        prev = current.lastHash;
        std::swap(current, next);
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return makeError(
            ErrorCode::Internal, QStringLiteral("store: chain read failed: %1").arg(sqliteMessage(h)));
    if (breakReason)
        *breakReason = v.breakReason();
    if (breakSeq)
        *breakSeq = v.breakSeq();
    // A break is an error, never a count: a caller that only checks ok() must not read "intact".
    if (!v.ok())
        return makeError(ErrorCode::Conflict,
            QStringLiteral("chain broken at event %1 after %2 verified events: %3")
                .arg(v.breakSeq())
                .arg(v.verified())
                .arg(v.breakReason()));
    return v.verified();
}

qint64 SqliteStore::lastSeq() const
{
    if (!m_readOnly)
        return m_headSeq;
    QSqlQuery q(connection());
    return q.exec(QStringLiteral("SELECT COALESCE(MAX(seq), 0) FROM events")) && q.next()
        ? q.value(0).toLongLong()
        : m_headSeq;
}

QByteArray SqliteStore::headHash() const
{
    if (!m_readOnly)
        return m_headHash;
    QSqlQuery q(connection());
    return q.exec(QStringLiteral("SELECT hash FROM events ORDER BY seq DESC LIMIT 1")) && q.next()
        ? q.value(0).toByteArray()
        : EventChain::genesisHash();
}

Result<QList<AccessRequest>> SqliteStore::pendingRequestsDue(qint64 nowMs, int limit) const
{
    QSqlQuery q(connection());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral(
        "SELECT json FROM requests WHERE status = 'pending' AND expires <= ? ORDER BY expires, id LIMIT ?"));
    q.addBindValue(nowMs);
    q.addBindValue(qBound(1, limit, 10000));
    if (!q.exec())
        return sqlError(QStringLiteral("due requests"), q.lastError());
    QList<AccessRequest> out;
    while (q.next())
        out << AccessRequest::fromJson(parse(q.value(0)));
    return out;
}

Result<qint64> SqliteStore::verifyChain(QString* breakReason, qint64* breakSeq,
    const std::function<void(qint64)>& progress, const EventHashVisitor& each) const
{
    return verifyChain(connection(), breakReason, breakSeq, progress, each);
}

// ---------------------------------------------------------------- insight rollups

namespace
{
Error insightFailure(sqlite3* h)
{
    return makeError(
        ErrorCode::Internal, QStringLiteral("store: insight query failed: %1").arg(sqliteMessage(h)));
}

QString targetClause(const QString& target, int param)
{
    return target.isEmpty() ? QString() : QStringLiteral(" AND target = ?%1").arg(param);
}

Status cells(sqlite3* h, SqlStatement& q, const std::function<void(const InsightCell&)>& row)
{
    int rc;
    InsightCell c;
    while ((rc = q.step()) == SQLITE_ROW) {
        c.day = q.int64(0);
        c.principal = q.text(1);
        c.target = q.text(2);
        c.privileges = q.text(3);
        c.contribution = InsightsIndex::readContribution(q, 4);
        row(c);
    }
    return rc == SQLITE_DONE ? Status(Ok {}) : Status(insightFailure(h));
}

constexpr qint64 kDayMs = 86'400'000;

// A statement over a scope's grants: ?1 and ?2 bound to its window and, for one target, ?3 to it.
bool prepareScoped(SqlStatement& q, sqlite3* h, const QByteArray& sql, const InsightScope& scope)
{
    if (!q.prepare(h, sql.constData()))
        return false;
    q.bind(1, scope.fromMs).bind(2, scope.toMs);
    if (!scope.target.isEmpty())
        q.bindText(3, scope.target);
    return true;
}
} // namespace

qint64 SqliteStore::insightsIndexedSeq() const
{
    return SqliteInsightsStorage::indexedSeqOn(reader());
}

Status SqliteStore::insightHours(qint64 hourFrom, qint64 hourTo, const QString& target,
    const std::function<void(const InsightCell&)>& row) const
{
    sqlite3* h = reader();
    const QByteArray sql
        = QStringLiteral("SELECT hour / 24, principal, target, privileges, %1 FROM insight_rollup"
                         " WHERE hour >= ?1 AND hour < ?2%2 GROUP BY 1, 2, 3, 4")
              .arg(InsightsIndex::contributionColumns(QStringLiteral("SUM")), targetClause(target, 3))
              .toUtf8();
    SqlStatement q;
    if (!q.prepare(h, sql.constData()))
        return insightFailure(h);
    q.bind(1, hourFrom).bind(2, hourTo);
    if (!target.isEmpty())
        q.bindText(3, target);
    return cells(h, q, row);
}

Status SqliteStore::insightGrants(
    const InsightScope& scope, const std::function<void(const InsightCell&)>& row) const
{
    sqlite3* h = reader();
    const QByteArray sql
        = QStringLiteral("SELECT start_ms / %1, principal, target, privileges, %2 FROM insight_grants"
                         " WHERE start_ms >= ?1 AND start_ms < ?2%3")
              .arg(kDayMs)
              .arg(InsightsIndex::contributionColumns(), targetClause(scope.target, 3))
              .toUtf8();
    SqlStatement q;
    if (!prepareScoped(q, h, sql, scope))
        return insightFailure(h);
    return cells(h, q, row);
}

Status SqliteStore::lingeringGrants(
    const InsightScope& scope, const std::function<void(const LingeringGrant&)>& row) const
{
    sqlite3* h = reader();
    const QByteArray sql = QStringLiteral("SELECT id, principal, target, state FROM insight_grants"
                                          " WHERE lingering_open > 0 AND start_ms >= ?1 AND start_ms < ?2%1")
                               .arg(targetClause(scope.target, 3))
                               .toUtf8();
    SqlStatement q;
    if (!prepareScoped(q, h, sql, scope))
        return insightFailure(h);
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) {
        int n = 0;
        const char* p = q.data(3, &n);
        const InsightsIndex::OpenSessions state = InsightsIndex::openSessions(QByteArray::fromRawData(p, n));
        row(LingeringGrant {q.text(0), q.text(1), q.text(2), state.startMs, state.endedMs, state.sessions});
    }
    return rc == SQLITE_DONE ? Status(Ok {}) : Status(insightFailure(h));
}

Status SqliteStore::revokedGrants(
    const InsightScope& scope, const std::function<void(const RevokedGrant&)>& row) const
{
    sqlite3* h = reader();
    const QByteArray sql = QStringLiteral("SELECT principal, revoke_effect_ms FROM insight_grants"
                                          " WHERE revocations > 0 AND start_ms >= ?1 AND start_ms < ?2%1")
                               .arg(targetClause(scope.target, 3))
                               .toUtf8();
    SqlStatement q;
    if (!prepareScoped(q, h, sql, scope))
        return insightFailure(h);
    int rc;
    while ((rc = q.step()) == SQLITE_ROW)
        row(RevokedGrant {q.text(0), q.isNull(1) ? std::nullopt : std::optional<qint64>(q.int64(1))});
    return rc == SQLITE_DONE ? Status(Ok {}) : Status(insightFailure(h));
}

Status SqliteStore::enforcedGrants(
    const InsightScope& scope, const std::function<void(const EnforcedGrant&)>& row) const
{
    sqlite3* h = reader();
    const QByteArray sql = QStringLiteral("SELECT principal, state, lag_ms FROM enforced_grants"
                                          " WHERE start_ms >= ?1 AND start_ms < ?2%1")
                               .arg(targetClause(scope.target, 3))
                               .toUtf8();
    SqlStatement q;
    if (!prepareScoped(q, h, sql, scope))
        return insightFailure(h);
    int rc;
    while ((rc = q.step()) == SQLITE_ROW)
        row(EnforcedGrant {q.text(0), q.text(1) != QLatin1String("provisioned"),
            q.isNull(2) ? std::nullopt : std::optional<qint64>(q.int64(2))});
    return rc == SQLITE_DONE ? Status(Ok {}) : Status(insightFailure(h));
}

Status SqliteStore::grantStarts(
    const InsightScope& scope, const std::function<void(const GrantStart&)>& row) const
{
    sqlite3* h = reader();
    const QByteArray sql = QStringLiteral("SELECT principal, target, privileges, start_ms FROM insight_grants"
                                          " WHERE start_ms >= ?1 AND start_ms < ?2%1"
                                          " ORDER BY principal, target, privileges, start_ms")
                               .arg(targetClause(scope.target, 3))
                               .toUtf8();
    SqlStatement q;
    if (!prepareScoped(q, h, sql, scope))
        return insightFailure(h);
    int rc;
    while ((rc = q.step()) == SQLITE_ROW)
        row(GrantStart {q.text(0), q.text(1), q.text(2), q.int64(3)});
    return rc == SQLITE_DONE ? Status(Ok {}) : Status(insightFailure(h));
}

// ---------------------------------------------------------------- the Merkle tree and its checkpoints

namespace
{
qint64 metaInt(sqlite3* h, const char* key, qint64 fallback)
{
    SqlStatement q(h, "SELECT value FROM meta WHERE key = ?");
    q.bindText(1, QByteArray(key));
    return q.step() == SQLITE_ROW ? q.text(0).toLongLong() : fallback;
}
} // namespace

Status SqliteStore::addLeaf(const QByteArray& hexHash)
{
    if (!m_keepTree)
        return Ok {};
    const auto leaf = merkle::fromHex(hexHash);
    if (!leaf)
        return makeError(ErrorCode::Internal, QStringLiteral("store: an event hash is not 64 hex digits"));
    sqlite3* h = writer();
    if (!m_insertNode->isValid()
        && !m_insertNode->prepare(h, "INSERT OR REPLACE INTO log_tree(level, idx, hash) VALUES(?,?,?)"))
        return makeError(
            ErrorCode::Internal, QStringLiteral("store: tree write failed: %1").arg(sqliteMessage(h)));
    Status written = Ok {};
    m_tree.append(
        merkle::leafHash(leaf->data(), leaf->size()), [&](int level, qint64 index, const merkle::Hash& hash) {
            // Subtrees below kMinStoredLevel are recomputed from their (at most 8) events when read: one row
            // per 16 events instead of one per event keeps the tree's share of a durable append small.
            if (!written || level < kMinStoredLevel)
                return;
            m_insertNode->bind(1, qint64(level)).bind(2, index);
            m_insertNode->bindBlob(
                3, QByteArray(reinterpret_cast<const char*>(hash.data()), int(hash.size())));
            if (!m_insertNode->exec())
                written = makeError(ErrorCode::Internal,
                    QStringLiteral("store: tree write failed: %1").arg(m_insertNode->message()));
        });
    return written;
}

Status SqliteStore::saveTreeSize()
{
    if (!m_keepTree)
        return Ok {};
    SqlStatement q(writer(), "INSERT OR REPLACE INTO meta(key, value) VALUES('tree_size', ?)");
    q.bindText(1, QByteArray::number(m_tree.size()));
    if (!q.exec())
        return makeError(
            ErrorCode::Internal, QStringLiteral("store: tree write failed: %1").arg(q.message()));
    return Ok {};
}

Status SqliteStore::loadTree()
{
    if (!m_keepTree)
        return Ok {};
    auto tree = merkle::Frontier::load(m_headSeq, treeReader());
    if (!tree)
        return makeError(tree.error().code == ErrorCode::Conflict ? ErrorCode::Conflict : ErrorCode::Internal,
            QStringLiteral("store %1: the Merkle tree at %2 events cannot be read: %3")
                .arg(m_path)
                .arg(m_headSeq)
                .arg(tree.error().message));
    m_tree = std::move(tree).value();
    return Ok {};
}

Status SqliteStore::backfillTree()
{
    sqlite3* h = writer();
    const qint64 covered = metaInt(h, "tree_size", 0);
    if (covered > m_headSeq)
        // The tree once covered events the log no longer has: the log was cut. Nothing is written to it.
        return makeError(ErrorCode::Conflict,
            QStringLiteral("store %1: its tree covers %2 events but its log holds %3: events were removed")
                .arg(m_path)
                .arg(covered)
                .arg(m_headSeq));
    auto tree = merkle::Frontier::load(covered, treeReader());
    if (!tree)
        return makeError(tree.error().code == ErrorCode::Conflict ? ErrorCode::Conflict : ErrorCode::Internal,
            QStringLiteral("store %1: the Merkle tree at %2 events cannot be read: %3")
                .arg(m_path)
                .arg(covered)
                .arg(tree.error().message));
    m_tree = std::move(tree).value();
    // A store from before the tree (or a backfill cut short): the rest is built from the log, in chunks.
    while (m_tree.size() < m_headSeq) {
        if (sqlite3_exec(h, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
            return makeError(ErrorCode::Internal, QStringLiteral("tree backfill: %1").arg(sqliteMessage(h)));
        const merkle::Frontier before = m_tree;
        SqlStatement rows(h, "SELECT hash FROM events WHERE seq > ? ORDER BY seq LIMIT 50000");
        rows.bind(1, m_tree.size());
        Status s = Ok {};
        int rc;
        while (s && (rc = rows.step()) == SQLITE_ROW)
            s = addLeaf(rows.bytes(0));
        rows.finalize();
        if (s && rc != SQLITE_DONE)
            s = makeError(ErrorCode::Internal, QStringLiteral("tree backfill: %1").arg(sqliteMessage(h)));
        if (s)
            s = saveTreeSize();
        if (s && sqlite3_exec(h, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
            s = makeError(ErrorCode::Internal, QStringLiteral("tree backfill: %1").arg(sqliteMessage(h)));
        if (!s) {
            sqlite3_exec(h, "ROLLBACK", nullptr, nullptr, nullptr);
            m_tree = before;
            return s;
        }
    }
    return Ok {};
}

merkle::Hash SqliteStore::treeRoot() const
{
    if (!m_readOnly)
        return m_tree.root();
    // Read-only, the writer is elsewhere: the root of what is in the file now.
    const auto root = merkle::rootAt(lastSeq(), treeReader());
    return root ? root.value() : merkle::emptyRoot();
}

merkle::HashReader SqliteStore::treeReader() const
{
    // Statements prepared once per reader on the calling thread's connection: a proof reads ~log2(n) hashes.
    // Levels below kMinStoredLevel are folded from the events' own hashes, read as one range.
    sqlite3* h = reader();
    auto leaves = std::make_shared<SqlStatement>(
        h, "SELECT seq, hash FROM events WHERE seq >= ? AND seq < ? ORDER BY seq");
    auto nodes = std::make_shared<SqlStatement>(h, "SELECT hash FROM log_tree WHERE level = ? AND idx = ?");
    return [h, leaves, nodes](int level, qint64 index) -> Result<merkle::Hash> {
        auto missing = [&](ErrorCode code) {
            return makeError(code,
                QStringLiteral("store: no tree hash at level %1, index %2%3")
                    .arg(level)
                    .arg(index)
                    .arg(code == ErrorCode::Internal ? QStringLiteral(": ") + sqliteMessage(h) : QString()));
        };
        if (level < kMinStoredLevel) {
            SqlStatement& q = *leaves;
            if (!q.isValid())
                return missing(ErrorCode::Internal);
            const qint64 count = qint64(1) << level;
            q.bind(1, index * count + 1).bind(2, (index + 1) * count + 1);
            merkle::Hash row[kMinStoredLevel * 2];
            qint64 n = 0;
            int rc;
            while ((rc = q.step()) == SQLITE_ROW) {
                if (q.int64(0) != index * count + n + 1) {
                    q.reset();
                    return makeError(ErrorCode::Conflict,
                        QStringLiteral("event %1 is missing from the log").arg(index * count + n + 1));
                }
                int size = 0;
                const char* p = q.data(1, &size);
                const auto leaf = merkle::fromHex(QByteArrayView(p, size));
                if (!leaf) {
                    q.reset();
                    return makeError(ErrorCode::Internal,
                        QStringLiteral("store: event %1's hash is malformed").arg(index * count + n + 1));
                }
                // Fold as the leaves arrive: a complete subtree of `count` leaves, kept as a binary counter.
                merkle::Hash node = merkle::leafHash(leaf->data(), leaf->size());
                ++n;
                for (qint64 k = n, l = 0; (k & 1) == 0; k >>= 1, ++l)
                    node = merkle::nodeHash(row[l], node);
                int slot = 0;
                for (qint64 k = n; (k & 1) == 0; k >>= 1)
                    ++slot;
                row[slot] = node;
            }
            q.reset();
            if (rc != SQLITE_DONE)
                return missing(ErrorCode::Internal);
            if (n != count)
                return makeError(ErrorCode::Conflict,
                    QStringLiteral("event %1 is missing from the log").arg(index * count + n + 1));
            return row[level];
        }
        SqlStatement& q = *nodes;
        if (!q.isValid())
            return missing(ErrorCode::Internal);
        q.bind(1, qint64(level)).bind(2, index);
        const int rc = q.step();
        if (rc != SQLITE_ROW) {
            q.reset();
            return missing(rc == SQLITE_DONE ? ErrorCode::NotFound : ErrorCode::Internal);
        }
        int n = 0;
        const char* p = q.data(0, &n);
        std::optional<merkle::Hash> out;
        if (n == 32) {
            out.emplace();
            std::memcpy(out->data(), p, 32);
        }
        q.reset();
        if (!out)
            return makeError(ErrorCode::Internal,
                QStringLiteral("store: the tree hash at level %1, index %2 is malformed")
                    .arg(level)
                    .arg(index));
        return *out;
    };
}

Status SqliteStore::putCheckpoint(qint64 size, const QByteArray& note, qint64 tsMs)
{
    Q_ASSERT(m_inTx);
    if (!m_keepTree)
        return makeError(
            ErrorCode::Conflict, QStringLiteral("store %1 keeps no tree to checkpoint").arg(m_path));
    sqlite3* h = writer();
    SqlStatement existing(h, "SELECT note FROM log_checkpoints WHERE size = ?");
    existing.bind(1, size);
    if (existing.step() == SQLITE_ROW) {
        if (existing.bytes(0) == note)
            return Ok {};
        return makeError(ErrorCode::Conflict,
            QStringLiteral("a different checkpoint is already kept for tree size %1").arg(size));
    }
    SqlStatement q(h, "INSERT INTO log_checkpoints(size, ts, note) VALUES(?,?,?)");
    q.bind(1, size).bind(2, tsMs).bindBlob(3, note);
    if (!q.exec())
        return makeError(
            ErrorCode::Internal, QStringLiteral("store: checkpoint write failed: %1").arg(q.message()));
    return Ok {};
}

std::optional<QByteArray> SqliteStore::checkpoint(qint64 size) const
{
    SqlStatement q(reader(), "SELECT note FROM log_checkpoints WHERE size = ?");
    q.bind(1, size);
    if (q.step() == SQLITE_ROW)
        return q.bytes(0);
    return std::nullopt;
}

std::optional<std::pair<qint64, QByteArray>> SqliteStore::latestCheckpoint() const
{
    SqlStatement q(reader(), "SELECT size, note FROM log_checkpoints ORDER BY size DESC LIMIT 1");
    if (q.step() == SQLITE_ROW)
        return std::pair {q.int64(0), q.bytes(1)};
    return std::nullopt;
}

QList<qint64> SqliteStore::checkpointSizes() const
{
    QList<qint64> out;
    SqlStatement q(reader(), "SELECT size FROM log_checkpoints ORDER BY size");
    while (q.step() == SQLITE_ROW)
        out << q.int64(0);
    return out;
}

} // namespace lapse
