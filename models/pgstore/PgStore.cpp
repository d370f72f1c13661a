// The PostgreSQL store.
#include "PgStore.h"

#include "PgInsightsStorage.h"
#include "PgSql.h"
#include "core/Clock.h"
#include "domain/Directory.h"
#include "engine/EventChain.h"
#include "engine/InsightsIndex.h"

#include <QJsonDocument>
#include <QSet>
#include <limits>

namespace lapse
{

namespace
{
constexpr int kSchemaVersion = 1;
constexpr int kMinStoredLevel = 4; // as SqliteStore: levels below are folded from at most 8 events' hashes
constexpr qint64 kDayMs = 86'400'000;
// The advisory lock that serialises schema changes between replicas starting together.
constexpr qint64 kMigrationLock = 0x6c61707365'01;

const char* const kSchema[] = {
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    // The one row every append locks FOR UPDATE: the head of the chain and the size the tree covers.
    "CREATE TABLE IF NOT EXISTS log_head(id SMALLINT PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL,"
    " hash TEXT NOT NULL, tree_size BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS events(seq BIGINT PRIMARY KEY, ts BIGINT NOT NULL, type TEXT NOT NULL,"
    " actor TEXT NOT NULL, subject TEXT NOT NULL, body BYTEA NOT NULL, hash TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS events_subject ON events(subject)",
    "CREATE INDEX IF NOT EXISTS events_type ON events(type, seq)",
    "CREATE INDEX IF NOT EXISTS events_actor ON events(actor, seq)",
    "CREATE INDEX IF NOT EXISTS events_ts ON events(ts, seq)",
    "CREATE TABLE IF NOT EXISTS principals(id TEXT PRIMARY KEY, kind TEXT NOT NULL, owner TEXT, spiffe_id "
    "TEXT,"
    " display_name TEXT)",
    "CREATE TABLE IF NOT EXISTS requests(id TEXT COLLATE \"C\" PRIMARY KEY, requester TEXT NOT NULL, target "
    "TEXT NOT NULL,"
    " status TEXT NOT NULL, created BIGINT NOT NULL, expires BIGINT NOT NULL, decided BIGINT,"
    " ttl BIGINT NOT NULL, privileges TEXT NOT NULL, min_privileges TEXT, width BIGINT NOT NULL,"
    " excess BIGINT, task TEXT, reason TEXT, ticket TEXT, break_glass BOOLEAN NOT NULL,"
    " approvals BIGINT NOT NULL, approvals_required BIGINT NOT NULL, json TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS requests_status ON requests(status, created)",
    "CREATE INDEX IF NOT EXISTS requests_requester ON requests(requester, created)",
    "CREATE INDEX IF NOT EXISTS requests_status_id ON requests(status, id)",
    "CREATE INDEX IF NOT EXISTS requests_due ON requests(expires, id) WHERE status = 'pending'",
    "CREATE TABLE IF NOT EXISTS grants(id TEXT COLLATE \"C\" PRIMARY KEY, request_id TEXT NOT NULL, "
    "principal TEXT NOT NULL,"
    " target TEXT NOT NULL, status TEXT NOT NULL, starts BIGINT NOT NULL, expires BIGINT NOT NULL,"
    " ended BIGINT, break_glass BOOLEAN NOT NULL, reviewed BOOLEAN NOT NULL, privileges TEXT NOT NULL,"
    " json TEXT NOT NULL, rule TEXT)",
    "CREATE INDEX IF NOT EXISTS grants_status ON grants(status, expires)",
    "CREATE INDEX IF NOT EXISTS grants_principal ON grants(principal, target, starts)",
    "CREATE INDEX IF NOT EXISTS grants_status_id ON grants(status, id)",
    "CREATE INDEX IF NOT EXISTS grants_rule ON grants(rule, principal, starts) WHERE rule IS NOT NULL",
    "CREATE TABLE IF NOT EXISTS sessions(id TEXT COLLATE \"C\" PRIMARY KEY, grant_id TEXT NOT NULL, "
    "principal TEXT NOT NULL,"
    " target TEXT NOT NULL, opened BIGINT NOT NULL, ended BIGINT, grant_ended BIGINT,"
    " terminate_requested BIGINT, json TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS sessions_grant ON sessions(grant_id)",
    "CREATE INDEX IF NOT EXISTS sessions_open ON sessions(ended, grant_ended)",
    "CREATE TABLE IF NOT EXISTS lockouts(principal TEXT PRIMARY KEY, active BOOLEAN NOT NULL,"
    " locked BIGINT NOT NULL, not_before BIGINT NOT NULL, reason TEXT, locked_by TEXT)",
    "CREATE TABLE IF NOT EXISTS api_keys(hash BYTEA PRIMARY KEY, principal TEXT NOT NULL, created BIGINT NOT "
    "NULL,"
    " label TEXT)",
    "CREATE TABLE IF NOT EXISTS log_tree(level INTEGER NOT NULL, idx BIGINT NOT NULL, hash BYTEA NOT NULL,"
    " PRIMARY KEY(level, idx))",
    "CREATE TABLE IF NOT EXISTS enforced_grants(grant_id TEXT PRIMARY KEY, principal TEXT NOT NULL,"
    " target TEXT NOT NULL, start_ms BIGINT NOT NULL, state TEXT NOT NULL, lag_ms BIGINT)",
    "CREATE INDEX IF NOT EXISTS enforced_grants_state ON enforced_grants(state)",
    "CREATE INDEX IF NOT EXISTS enforced_grants_start ON enforced_grants(start_ms, target)",
    "CREATE TABLE IF NOT EXISTS log_checkpoints(size BIGINT PRIMARY KEY, ts BIGINT NOT NULL, note BYTEA NOT "
    "NULL)",
    "CREATE TABLE IF NOT EXISTS review_decisions(seq BIGINT PRIMARY KEY, target TEXT NOT NULL, body BYTEA "
    "NOT "
    "NULL)",
};

QByteArray compact(const QJsonObject& o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

Error storeError(const QString& what, const Error& e)
{
    return makeError(e.code, QStringLiteral("store: %1 failed: %2").arg(what, e.message));
}

// The rows of a statement, or nothing (a read that fails answers as if empty, as SqliteStore's do).
std::optional<pg::Rows> query(pg::Connection& c, const char* sql, const pg::Params& p = {})
{
    auto r = c.exec(sql, p);
    if (!r) {
        qWarning("store: %s", qPrintable(r.error().message));
        return std::nullopt;
    }
    return std::move(r).value();
}

GrantContribution contributionAt(const pg::Rows& r, int row, int firstColumn)
{
    GrantContribution c;
    qint64* f = &c.grants; // the fields in order (InsightsIndex asserts one qint64 per column)
    for (int i = 0; i < int(sizeof(GrantContribution) / sizeof(qint64)); ++i)
        f[i] = r.int64(row, firstColumn + i);
    return c;
}

QString aggregateColumns()
{
    const QStringList names = InsightsIndex::contributionColumnNames();
    QStringList out;
    for (int i = 0; i < names.size(); ++i)
        out << QStringLiteral("%1(%2)::bigint")
                   .arg(i == names.size() - 1 ? QStringLiteral("MAX") : QStringLiteral("SUM"), names[i]);
    return out.join(QLatin1Char(','));
}
} // namespace

PgStore::PgStore()
    : m_alive(std::make_shared<bool>(true))
    , m_headHash(EventChain::genesisHash())
    , m_insights(std::make_unique<InsightsIndex>())
{
}

PgStore::~PgStore()
{
    if (m_inTx)
        rollback();
    m_alive.reset();
}

Result<std::unique_ptr<PgStore>> PgStore::open(const QString& conninfo)
{
    std::unique_ptr<PgStore> s(new PgStore);
    s->m_conninfo = conninfo.toUtf8();
    s->m_location = pg::redacted(conninfo);
    auto writer = pg::Connection::open(s->m_conninfo);
    if (!writer)
        return makeError(ErrorCode::Unavailable,
            QStringLiteral("store %1: %2").arg(s->m_location, writer.error().message));
    s->m_writer = std::move(writer).value();
    if (const Status m = s->migrate(); !m)
        return m.error();
    PgStore* raw = s.get();
    s->m_insightsReader = std::make_unique<PgInsightsStorage>([raw] { return raw->reading(); });
    s->m_insightsWriter = std::make_unique<PgInsightsStorage>(
        [raw] { return std::shared_ptr<pg::Connection>(raw->m_writer.get(), [](pg::Connection*) {}); });
    auto head = s->m_writer->exec("SELECT seq, hash, tree_size FROM log_head WHERE id = 1");
    if (!head || head.value().count() != 1)
        return makeError(ErrorCode::Internal, QStringLiteral("store %1: no chain head").arg(s->m_location));
    s->m_headSeq = head.value().int64(0, 0);
    s->m_headHash = head.value().utf8(0, 1);
    s->m_committedSeq = s->m_headSeq;
    const qint64 treeSize = head.value().int64(0, 2);
    if (treeSize != s->m_headSeq)
        return makeError(ErrorCode::Conflict,
            QStringLiteral("store %1: its tree covers %2 events but its log holds %3")
                .arg(s->m_location)
                .arg(treeSize)
                .arg(s->m_headSeq));
    if (const Status t = s->loadTree(s->m_headSeq); !t)
        return t.error();
    if (const Status b = s->backfillInsights(); !b)
        return b.error();
    return s;
}

Result<qint64> PgStore::eventCount(const QString& conninfo)
{
    auto c = pg::Connection::open(conninfo.toUtf8());
    if (!c)
        return c.error();
    auto tables
        = c.value()->exec("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()"
                          " AND tablename = 'events'");
    if (!tables)
        return tables.error();
    if (tables.value().int64(0, 0) == 0)
        return qint64(0);
    auto n = c.value()->exec("SELECT count(*) FROM events");
    if (!n)
        return n.error();
    return n.value().int64(0, 0);
}

Status PgStore::migrate()
{
    pg::Connection& c = *m_writer;
    if (const Status b = c.run("BEGIN"); !b)
        return storeError(QStringLiteral("migration"), b.error());
    auto fail = [&](const Error& e) {
        c.run("ROLLBACK");
        return storeError(QStringLiteral("migration"), e);
    };
    if (auto l = c.exec("SELECT pg_advisory_xact_lock($1)", pg::Params().int64(kMigrationLock)); !l)
        return fail(l.error());
    QList<QByteArray> statements;
    for (const char* stmt : kSchema)
        statements << QByteArray(stmt);
    const QStringList names = InsightsIndex::contributionColumnNames();
    QString columns;
    for (const QString& n : names)
        columns += QStringLiteral(", %1 BIGINT NOT NULL").arg(n);
    statements << QStringLiteral(
        "CREATE TABLE IF NOT EXISTS insight_grants(id TEXT PRIMARY KEY, start_ms BIGINT "
        "NOT NULL, principal TEXT COLLATE \"C\" NOT NULL, target TEXT COLLATE \"C\" NOT "
        "NULL, privileges TEXT COLLATE \"C\" NOT NULL, revoke_effect_ms BIGINT, lingering_open BIGINT NOT "
        "NULL, state BYTEA NOT "
        "NULL%1)")
                      .arg(columns)
                      .toUtf8();
    statements << QByteArray("CREATE INDEX IF NOT EXISTS insight_grants_start ON insight_grants(start_ms)");
    statements << QByteArray("CREATE INDEX IF NOT EXISTS insight_grants_revoked ON insight_grants(start_ms, "
                             "target, principal, revoke_effect_ms) WHERE revocations > 0");
    statements << QByteArray("CREATE INDEX IF NOT EXISTS insight_grants_lingering ON "
                             "insight_grants(start_ms) WHERE lingering_open > 0");
    statements << QStringLiteral(
        "CREATE TABLE IF NOT EXISTS insight_rollup(hour BIGINT NOT NULL, principal TEXT NOT "
        "NULL, target TEXT NOT NULL, privileges TEXT NOT NULL%1, PRIMARY KEY(hour, "
        "principal, target, privileges))")
                      .arg(columns)
                      .toUtf8();
    for (const QByteArray& stmt : std::as_const(statements))
        if (const Status s = c.run(stmt.constData()); !s)
            return fail(s.error());
    if (auto h
        = c.exec("INSERT INTO log_head(id, seq, hash, tree_size) VALUES(1, 0, $1, 0) ON CONFLICT DO NOTHING",
            pg::Params().utf8(EventChain::genesisHash()));
        !h)
        return fail(h.error());
    auto v = c.exec("SELECT value FROM meta WHERE key = 'schema_version'");
    if (!v)
        return fail(v.error());
    const int version = v.value().count() ? v.value().text(0, 0).toInt() : 0;
    if (version > kSchemaVersion) {
        c.run("ROLLBACK");
        return makeError(ErrorCode::Internal,
            QStringLiteral("store %1 has schema %2, newer than this build understands (%3)")
                .arg(m_location)
                .arg(version)
                .arg(kSchemaVersion));
    }
    if (auto w = c.exec("INSERT INTO meta(key, value) VALUES('schema_version', $1)"
                        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            pg::Params().int64(kSchemaVersion));
        !w)
        return fail(w.error());
    if (const Status s = c.run("COMMIT"); !s)
        return fail(s.error());
    return Ok {};
}

std::shared_ptr<pg::Connection> PgStore::reading() const
{
    if (insideOwnTransaction())
        return std::shared_ptr<pg::Connection>(m_writer.get(), [](pg::Connection*) {});
    std::unique_ptr<pg::Connection> c;
    {
        std::lock_guard lock(m_poolMutex);
        while (!m_pool.empty() && !c) {
            c = std::move(m_pool.back());
            m_pool.pop_back();
            if (!c->healthy())
                c.reset();
        }
    }
    if (!c) {
        auto opened = pg::Connection::open(m_conninfo);
        if (!opened) {
            qWarning("store %s: %s", qPrintable(m_location), qPrintable(opened.error().message));
            return nullptr;
        }
        c = std::move(opened).value();
    }
    std::weak_ptr<bool> alive = m_alive;
    const PgStore* self = this;
    return std::shared_ptr<pg::Connection>(c.release(), [alive, self](pg::Connection* back) {
        if (alive.expired() || back->inTransaction()) {
            delete back;
            return;
        }
        std::lock_guard lock(self->m_poolMutex);
        if (self->m_pool.size() < 16)
            self->m_pool.emplace_back(back);
        else
            delete back;
    });
}

// ---------------------------------------------------------------- the writer path

Status PgStore::begin()
{
    Q_ASSERT(!m_inTx);
    if (!m_writer->healthy())
        return makeError(ErrorCode::Unavailable,
            QStringLiteral("store %1: the connection is lost: %2").arg(m_location, m_writer->lastError()));
    if (const Status b = m_writer->run("BEGIN"); !b)
        return storeError(QStringLiteral("begin"), b.error());
    // The head row, locked until this transaction ends: whoever appends next waits here, and reads the head
    // this one leaves. Every replica's appends therefore follow one another with no gap and no fork.
    auto head = m_writer->exec("SELECT seq, hash, tree_size FROM log_head WHERE id = 1 FOR UPDATE");
    if (!head || head.value().count() != 1) {
        m_writer->run("ROLLBACK");
        return head
            ? makeError(ErrorCode::Internal, QStringLiteral("store %1: no chain head").arg(m_location))
            : storeError(QStringLiteral("chain head"), head.error());
    }
    m_inTx = true;
    m_writerThread.store(QThread::currentThread(), std::memory_order_release);
    m_headSeq = head.value().int64(0, 0);
    m_headHash = head.value().utf8(0, 1);
    if (m_headSeq != m_committedSeq) {
        // Another replica (or process) appended: what this one keeps in memory follows the head again.
        m_insights->invalidate();
        if (const Status t = loadTree(m_headSeq); !t) {
            m_writer->run("ROLLBACK");
            m_inTx = false;
            return t;
        }
    }
    m_txHeadSeq = m_headSeq;
    m_txHeadHash = m_headHash;
    m_txTree = m_tree;
    return Ok {};
}

Status PgStore::commit()
{
    Q_ASSERT(m_inTx);
    Status s = m_insights->flush(*m_insightsWriter);
    if (s)
        s = flushNodes();
    if (s)
        s = flushEnforcement();
    if (s)
        s = flushReviews();
    if (s && m_headSeq != m_txHeadSeq) {
        auto u = m_writer->exec("UPDATE log_head SET seq = $1, hash = $2, tree_size = $3 WHERE id = 1",
            pg::Params().int64(m_headSeq).utf8(m_headHash).int64(m_tree.size()));
        if (!u)
            s = storeError(QStringLiteral("chain head"), u.error());
        // Delivered to every listening broker when (and only if) this transaction commits.
        if (s)
            if (auto n = m_writer->exec("SELECT pg_notify('lapse_log', $1)", pg::Params().int64(m_headSeq));
                !n)
                s = storeError(QStringLiteral("notify"), n.error());
    }
    if (s) {
        if (const Status c = m_writer->run("COMMIT"); !c)
            s = storeError(QStringLiteral("commit"), c.error());
        else if (m_writer->inTransaction())
            s = makeError(
                ErrorCode::Internal, QStringLiteral("store: commit failed: still in a transaction"));
    }
    if (!s) {
        rollback();
        return s;
    }
    m_inTx = false;
    m_writerThread.store(nullptr, std::memory_order_release);
    m_committedSeq = m_headSeq;
    return Ok {};
}

void PgStore::rollback()
{
    if (!m_inTx)
        return;
    m_writer->run("ROLLBACK");
    m_headSeq = m_txHeadSeq;
    m_headHash = m_txHeadHash;
    m_tree = m_txTree;
    m_nodes.clear();
    m_inTx = false;
    m_writerThread.store(nullptr, std::memory_order_release);
    m_insights->invalidate();
    m_enforced.clear();
    m_reviews.clear();
}

Event PgStore::chained(const QString& type, const QString& actor, const QString& subject,
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

Status PgStore::writeEvents(const QList<Event>& events)
{
    if (events.size() == 1) {
        const Event& e = events.first();
        auto r = m_writer->exec("INSERT INTO events(seq, ts, type, actor, subject, body, hash)"
                                " VALUES($1, $2, $3, $4, $5, $6, $7)",
            pg::Params()
                .int64(e.seq)
                .int64(e.tsMs)
                .text(e.type)
                .text(e.actor)
                .text(e.subject)
                .bytea(e.body)
                .utf8(e.hash));
        return r ? Status(Ok {}) : Status(storeError(QStringLiteral("event append"), r.error()));
    }
    QByteArray rows;
    rows.reserve(events.size() * 400);
    for (const Event& e : events) {
        pg::copyInt(rows, e.seq, '\t');
        pg::copyInt(rows, e.tsMs, '\t');
        pg::copyField(rows, e.type.toUtf8(), '\t');
        pg::copyField(rows, e.actor.toUtf8(), '\t');
        pg::copyField(rows, e.subject.toUtf8(), '\t');
        pg::copyBytea(rows, e.body, '\t');
        pg::copyField(rows, e.hash, '\n');
    }
    const Status s
        = m_writer->copyIn("COPY events(seq, ts, type, actor, subject, body, hash) FROM STDIN", rows);
    return s ? s : Status(storeError(QStringLiteral("event append"), s.error()));
}

Status PgStore::addLeaves(const QList<Event>& events)
{
    for (const Event& e : events) {
        const auto leaf = merkle::fromHex(e.hash);
        if (!leaf)
            return makeError(
                ErrorCode::Internal, QStringLiteral("store: an event hash is not 64 hex digits"));
        m_tree.append(merkle::leafHash(leaf->data(), leaf->size()),
            [this](int level, qint64 index, const merkle::Hash& hash) {
                if (level >= kMinStoredLevel)
                    m_nodes.append({level, index, hash});
            });
    }
    return Ok {};
}

Status PgStore::flushNodes()
{
    if (m_nodes.isEmpty())
        return Ok {};
    QByteArray levels("{"), indexes("{"), hashes("{");
    for (qsizetype i = 0; i < m_nodes.size(); ++i) {
        const auto& [level, index, hash] = m_nodes[i];
        const char* sep = i ? "," : "";
        levels += sep + QByteArray::number(level);
        indexes += sep + QByteArray::number(index);
        hashes += sep + QByteArray(reinterpret_cast<const char*>(hash.data()), int(hash.size())).toHex();
    }
    levels += '}';
    indexes += '}';
    hashes += '}';
    auto r = m_writer->exec("INSERT INTO log_tree(level, idx, hash) SELECT l, i, decode(h, 'hex')"
                            " FROM unnest($1::int[], $2::bigint[], $3::text[]) AS t(l, i, h)"
                            " ON CONFLICT(level, idx) DO UPDATE SET hash = excluded.hash",
        pg::Params().utf8(levels).utf8(indexes).utf8(hashes));
    if (!r)
        return storeError(QStringLiteral("tree write"), r.error());
    m_nodes.clear();
    return Ok {};
}

Result<Event> PgStore::append(
    const QString& type, const QString& actor, const QString& subject, const QJsonObject& body, qint64 tsMs)
{
    Q_ASSERT(m_inTx);
    Event e = chained(type, actor, subject, compact(body), tsMs);
    if (const Status s = writeEvents({e}); !s)
        return s.error();
    if (const Status t = addLeaves({e}); !t)
        return t.error();
    if (const Status s = m_insights->add(*m_insightsReader, e.seq, e.tsMs, e.type, body); !s)
        return s.error();
    noteEnforcement(e.type, body);
    noteReview(e.seq, e.type, e.body);
    m_headSeq = e.seq;
    m_headHash = e.hash;
    return e;
}

Result<QList<Event>> PgStore::appendMany(
    const QList<NewEvent>& events, const QList<QByteArray>& compactBodies, qint64 tsMs)
{
    Q_ASSERT(m_inTx && compactBodies.size() == events.size());
    QList<Event> out;
    out.reserve(events.size());
    qint64 seq = m_headSeq;
    QByteArray head = m_headHash;
    for (qsizetype i = 0; i < events.size(); ++i) {
        const auto& [type, actor, subject, body] = events[i];
        Event e;
        e.seq = ++seq;
        e.tsMs = tsMs;
        e.type = type;
        e.actor = actor;
        e.subject = subject;
        e.body = compactBodies[i];
        e.hash = EventChain::hash(head, e);
        head = e.hash;
        out << std::move(e);
    }
    if (out.isEmpty())
        return out;
    if (const Status s = writeEvents(out); !s)
        return s.error();
    if (const Status t = addLeaves(out); !t)
        return t.error();
    for (qsizetype i = 0; i < events.size(); ++i) {
        const auto& body = std::get<3>(events[i]);
        if (const Status s = m_insights->add(*m_insightsReader, out[i].seq, tsMs, out[i].type, body); !s)
            return s.error();
        noteEnforcement(out[i].type, body);
        noteReview(out[i].seq, out[i].type, out[i].body);
    }
    m_headSeq = out.last().seq;
    m_headHash = out.last().hash;
    return out;
}

Status PgStore::appendVerbatimMany(const QList<Event>& events, qint64* breakSeq)
{
    Q_ASSERT(m_inTx);
    *breakSeq = 0;
    if (events.isEmpty())
        return Ok {};
    ChainVerifier v(m_headSeq + 1, m_headHash);
    for (const Event& e : events) {
        if (e.seq != v.nextSeq()) {
            *breakSeq = v.nextSeq();
            return makeError(ErrorCode::Conflict,
                QStringLiteral("event %1 does not follow the head %2").arg(e.seq).arg(v.nextSeq() - 1));
        }
        if (!v.add(e)) {
            *breakSeq = v.breakSeq();
            return makeError(ErrorCode::Conflict,
                QStringLiteral("event %1 does not chain onto the head").arg(v.breakSeq()));
        }
    }
    if (const Status s = writeEvents(events); !s)
        return s;
    if (const Status t = addLeaves(events); !t)
        return t;
    for (const Event& e : events) {
        const bool enforcement = e.type == QLatin1String("revocation.verified")
            || e.type == QLatin1String("enforcement.pending") || e.type.startsWith(QLatin1String("grant."));
        const QJsonObject body = InsightsIndex::reads(e.type) || enforcement ? e.bodyJson() : QJsonObject();
        if (const Status s = m_insights->add(*m_insightsReader, e.seq, e.tsMs, e.type, body); !s)
            return s;
        noteEnforcement(e.type, body);
        noteReview(e.seq, e.type, e.body);
    }
    m_headSeq = events.last().seq;
    m_headHash = events.last().hash;
    return Ok {};
}

void PgStore::noteReview(qint64 seq, const QString& type, const QByteArray& body)
{
    if (type == QLatin1String("review.decided"))
        m_reviews.append({seq, body});
}

Status PgStore::flushReviews()
{
    for (const auto& [seq, body] : std::as_const(m_reviews)) {
        const QString target
            = QJsonDocument::fromJson(body).object().value(QLatin1String("target")).toString();
        auto r
            = m_writer->exec("INSERT INTO review_decisions(seq, target, body) VALUES($1, $2, $3)"
                             " ON CONFLICT(seq) DO UPDATE SET target = excluded.target, body = excluded.body",
                pg::Params().int64(seq).text(target).bytea(body));
        if (!r)
            return storeError(QStringLiteral("review write"), r.error());
    }
    m_reviews.clear();
    return Ok {};
}

void PgStore::noteEnforcement(const QString& type, const QJsonObject& body)
{
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

Status PgStore::flushEnforcement()
{
    for (auto it = m_enforced.cbegin(); it != m_enforced.cend(); ++it) {
        auto r = m_writer->exec(
            "INSERT INTO enforced_grants(grant_id, principal, target, start_ms, state, lag_ms)"
            " VALUES($1, $2, $3, $4, $5, $6) ON CONFLICT(grant_id) DO UPDATE SET principal = "
            "excluded.principal,"
            " target = excluded.target, start_ms = excluded.start_ms, state = excluded.state, lag_ms = "
            "excluded.lag_ms",
            pg::Params()
                .text(it.key())
                .text(it->principal)
                .text(it->target)
                .int64(it->startMs)
                .text(it->state)
                .optional(it->lagMs.value_or(0), it->lagMs.has_value()));
        if (!r)
            return storeError(QStringLiteral("enforcement write"), r.error());
    }
    m_enforced.clear();
    return Ok {};
}

Status PgStore::put(const char* what, const char* sql, const pg::Params& p)
{
    Q_ASSERT(m_inTx);
    auto r = m_writer->exec(sql, p);
    return r ? Status(Ok {}) : Status(storeError(QString::fromLatin1(what), r.error()));
}

Status PgStore::putRequest(const AccessRequest& r)
{
    pg::Params p;
    p.text(r.id).text(r.requester).text(r.target).text(requestStatusName(r.status)).int64(r.createdMs);
    p.int64(r.expiresMs).optional(r.decidedMs, r.decidedMs != 0).int64(r.ttlSeconds);
    p.text(r.privileges.join(QLatin1Char(' ')));
    if (r.minPrivileges) {
        p.text(r.minPrivileges->join(QLatin1Char(' ')));
        int excess = 0;
        for (const auto& x : r.privileges)
            excess += r.minPrivileges->contains(x) ? 0 : 1;
        p.int64(r.privileges.size()).int64(excess);
    } else {
        p.null().int64(r.privileges.size()).null();
    }
    p.text(r.task).text(r.reason).text(r.ticket).utf8(r.breakGlass ? "true" : "false");
    p.int64(r.approvals.size()).int64(r.approvalsRequired).utf8(compact(r.toJson()));
    return put("request write",
        "INSERT INTO requests(id, requester, target, status, created, expires, decided, ttl, privileges,"
        " min_privileges, width, excess, task, reason, ticket, break_glass, approvals, approvals_required, "
        "json)"
        " VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19)"
        " ON CONFLICT(id) DO UPDATE SET requester = excluded.requester, target = excluded.target,"
        " status = excluded.status, created = excluded.created, expires = excluded.expires,"
        " decided = excluded.decided, ttl = excluded.ttl, privileges = excluded.privileges,"
        " min_privileges = excluded.min_privileges, width = excluded.width, excess = excluded.excess,"
        " task = excluded.task, reason = excluded.reason, ticket = excluded.ticket,"
        " break_glass = excluded.break_glass, approvals = excluded.approvals,"
        " approvals_required = excluded.approvals_required, json = excluded.json",
        p);
}

Status PgStore::putGrant(const Grant& g)
{
    pg::Params p;
    p.text(g.id).text(g.requestId).text(g.principal).text(g.target).text(grantStatusName(g.status));
    p.int64(g.startsMs).int64(g.expiresMs).optional(g.endedMs, g.endedMs != 0);
    p.utf8(g.breakGlass ? "true" : "false").utf8(g.reviewed ? "true" : "false");
    p.text(g.privileges.join(QLatin1Char(' '))).utf8(compact(g.toJson()));
    if (g.rule.isEmpty())
        p.null();
    else
        p.text(g.rule);
    return put("grant write",
        "INSERT INTO grants(id, request_id, principal, target, status, starts, expires, ended, break_glass,"
        " reviewed, privileges, json, rule) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)"
        " ON CONFLICT(id) DO UPDATE SET request_id = excluded.request_id, principal = excluded.principal,"
        " target = excluded.target, status = excluded.status, starts = excluded.starts,"
        " expires = excluded.expires, ended = excluded.ended, break_glass = excluded.break_glass,"
        " reviewed = excluded.reviewed, privileges = excluded.privileges, json = excluded.json,"
        " rule = excluded.rule",
        p);
}

Status PgStore::putSession(const Session& s)
{
    pg::Params p;
    p.text(s.id).text(s.grantId).text(s.principal).text(s.target).int64(s.openedMs);
    p.optional(s.endedMs, s.endedMs != 0).optional(s.grantEndedMs, s.grantEndedMs != 0);
    p.optional(s.terminateRequestedMs, s.terminateRequestedMs != 0);
    p.utf8(compact(s.toJson(s.endedMs ? s.endedMs : s.openedMs)));
    return put("session write",
        "INSERT INTO sessions(id, grant_id, principal, target, opened, ended, grant_ended, "
        "terminate_requested,"
        " json) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT(id) DO UPDATE SET grant_id = "
        "excluded.grant_id,"
        " principal = excluded.principal, target = excluded.target, opened = excluded.opened,"
        " ended = excluded.ended, grant_ended = excluded.grant_ended,"
        " terminate_requested = excluded.terminate_requested, json = excluded.json",
        p);
}

Status PgStore::putLockout(const LockoutRecord& l)
{
    return put("lockout write",
        "INSERT INTO lockouts(principal, active, locked, not_before, reason, locked_by) "
        "VALUES($1,$2,$3,$4,$5,$6)"
        " ON CONFLICT(principal) DO UPDATE SET active = excluded.active, locked = excluded.locked,"
        " not_before = excluded.not_before, reason = excluded.reason, locked_by = excluded.locked_by",
        pg::Params()
            .text(l.principal)
            .utf8(l.active ? "true" : "false")
            .int64(l.lockedMs)
            .int64(l.notBeforeMs)
            .text(l.reason)
            .text(l.by));
}

Status PgStore::putApiKey(
    const QByteArray& keyHash, const QString& principal, qint64 createdMs, const QString& label)
{
    return put("api key write", "INSERT INTO api_keys(hash, principal, created, label) VALUES($1,$2,$3,$4)",
        pg::Params().bytea(keyHash).text(principal).int64(createdMs).text(label));
}

Status PgStore::syncPrincipals(const Directory& directory)
{
    // Its own transaction on a pooled connection: not part of the event log.
    auto c = reading();
    if (!c)
        return makeError(ErrorCode::Unavailable, QStringLiteral("store %1 is unreachable").arg(m_location));
    if (const Status b = c->run("BEGIN"); !b)
        return storeError(QStringLiteral("principal sync"), b.error());
    Status s = c->run("DELETE FROM principals");
    for (const auto& p : directory.principals()) {
        if (!s)
            break;
        auto r = c->exec(
            "INSERT INTO principals(id, kind, owner, spiffe_id, display_name) VALUES($1,$2,$3,$4,$5)",
            pg::Params()
                .text(p.id)
                .text(kindName(p.kind))
                .text(p.owner)
                .text(p.spiffeId)
                .text(p.displayName));
        if (!r)
            s = r.error();
    }
    if (s)
        s = c->run("COMMIT");
    if (!s) {
        c->run("ROLLBACK");
        return storeError(QStringLiteral("principal sync"), s.error());
    }
    return Ok {};
}

// ---------------------------------------------------------------- reads

namespace
{
QJsonObject jsonAt(const pg::Rows& r, int row, int col)
{
    return QJsonDocument::fromJson(r.utf8(row, col)).object();
}
} // namespace

std::optional<AccessRequest> PgStore::request(const QString& id) const
{
    auto c = reading();
    if (!c)
        return std::nullopt;
    auto r = query(*c, "SELECT json FROM requests WHERE id = $1", pg::Params().text(id));
    if (!r || r->count() == 0)
        return std::nullopt;
    return AccessRequest::fromJson(jsonAt(*r, 0, 0));
}

std::optional<Grant> PgStore::grant(const QString& id) const
{
    auto c = reading();
    if (!c)
        return std::nullopt;
    auto r = query(*c, "SELECT json FROM grants WHERE id = $1", pg::Params().text(id));
    if (!r || r->count() == 0)
        return std::nullopt;
    return Grant::fromJson(jsonAt(*r, 0, 0));
}

std::optional<Session> PgStore::session(const QString& id) const
{
    auto c = reading();
    if (!c)
        return std::nullopt;
    auto r = query(*c, "SELECT json FROM sessions WHERE id = $1", pg::Params().text(id));
    if (!r || r->count() == 0)
        return std::nullopt;
    return Session::fromJson(jsonAt(*r, 0, 0));
}

namespace
{
// The WHERE ... ORDER BY ... LIMIT of a request listing, with its parameters.
QByteArray requestListTail(const RequestFilter& f, pg::Params* p)
{
    QByteArray sql = " FROM requests WHERE true";
    int n = 0;
    if (f.status) {
        sql += " AND status = $" + QByteArray::number(++n);
        p->text(requestStatusName(*f.status));
    }
    if (!f.requester.isEmpty()) {
        sql += " AND requester = $" + QByteArray::number(++n);
        p->text(f.requester);
    }
    if (!f.afterId.isEmpty()) {
        sql += " AND id > $" + QByteArray::number(++n);
        p->text(f.afterId);
    }
    sql += " ORDER BY id LIMIT $" + QByteArray::number(++n);
    p->int64(qBound(1, f.limit, 10000));
    return sql;
}
} // namespace

QList<AccessRequest> PgStore::requests(const RequestFilter& f) const
{
    QList<AccessRequest> out;
    auto c = reading();
    if (!c)
        return out;
    pg::Params p;
    const QByteArray sql = "SELECT json" + requestListTail(f, &p);
    auto r = query(*c, sql.constData(), p);
    if (!r)
        return out;
    out.reserve(r->count());
    for (int i = 0; i < r->count(); ++i)
        out << AccessRequest::fromJson(jsonAt(*r, i, 0));
    return out;
}

QList<std::pair<QString, QByteArray>> PgStore::requestsJson(const RequestFilter& f) const
{
    QList<std::pair<QString, QByteArray>> out;
    auto c = reading();
    if (!c)
        return out;
    pg::Params p;
    const QByteArray sql = "SELECT id, json" + requestListTail(f, &p);
    auto r = query(*c, sql.constData(), p);
    if (!r)
        return out;
    for (int i = 0; i < r->count(); ++i)
        out.append({r->text(i, 0), r->utf8(i, 1)});
    return out;
}

Result<QList<AccessRequest>> PgStore::pendingRequestsDue(qint64 nowMs, int limit) const
{
    auto c = reading();
    if (!c)
        return makeError(ErrorCode::Unavailable, QStringLiteral("store %1 is unreachable").arg(m_location));
    auto r = c->exec("SELECT json FROM requests WHERE status = 'pending' AND expires <= $1"
                     " ORDER BY expires, id LIMIT $2",
        pg::Params().int64(nowMs).int64(qBound(1, limit, 10000)));
    if (!r)
        return storeError(QStringLiteral("due requests"), r.error());
    QList<AccessRequest> out;
    for (int i = 0; i < r.value().count(); ++i)
        out << AccessRequest::fromJson(jsonAt(r.value(), i, 0));
    return out;
}

QList<Grant> PgStore::grants(const GrantFilter& f) const
{
    QList<Grant> out;
    auto c = reading();
    if (!c)
        return out;
    QByteArray sql = "SELECT json FROM grants WHERE true";
    pg::Params p;
    int n = 0;
    auto next = [&n] { return "$" + QByteArray::number(++n); };
    if (f.status) {
        sql += " AND status = " + next();
        p.text(grantStatusName(*f.status));
    }
    if (!f.principal.isEmpty()) {
        sql += " AND principal = " + next();
        p.text(f.principal);
    }
    if (!f.target.isEmpty()) {
        sql += " AND target = " + next();
        p.text(f.target);
    }
    if (f.breakGlassUnreviewed)
        sql += *f.breakGlassUnreviewed ? " AND break_glass AND NOT reviewed"
                                       : " AND NOT (break_glass AND NOT reviewed)";
    if (f.startsFromMs) {
        sql += " AND starts >= " + next();
        p.int64(*f.startsFromMs);
    }
    if (!f.afterId.isEmpty()) {
        sql += " AND id > " + next();
        p.text(f.afterId);
    }
    if (f.enforcementPending)
        sql += " AND id IN (SELECT grant_id FROM enforced_grants WHERE state = 'pending')";
    sql += " ORDER BY id LIMIT " + next();
    p.int64(qBound(1, f.limit, 10000));
    auto r = query(*c, sql.constData(), p);
    if (!r)
        return out;
    for (int i = 0; i < r->count(); ++i)
        out << Grant::fromJson(jsonAt(*r, i, 0));
    return out;
}

QList<Session> PgStore::sessions(const SessionFilter& f) const
{
    QList<Session> out;
    auto c = reading();
    if (!c)
        return out;
    QByteArray sql = "SELECT json FROM sessions WHERE true";
    pg::Params p;
    int n = 0;
    auto next = [&n] { return "$" + QByteArray::number(++n); };
    if (f.state) {
        switch (*f.state) {
        case SessionState::Live:
            sql += " AND ended IS NULL AND grant_ended IS NULL";
            break;
        case SessionState::Lingering:
            sql += " AND ended IS NULL AND grant_ended IS NOT NULL";
            break;
        case SessionState::Ended:
            sql += " AND ended IS NOT NULL";
            break;
        }
    }
    if (!f.grantId.isEmpty()) {
        sql += " AND grant_id = " + next();
        p.text(f.grantId);
    }
    if (!f.principal.isEmpty()) {
        sql += " AND principal = " + next();
        p.text(f.principal);
    }
    sql += " ORDER BY opened, id LIMIT " + next();
    p.int64(qBound(1, f.limit, 100000));
    auto r = query(*c, sql.constData(), p);
    if (!r)
        return out;
    for (int i = 0; i < r->count(); ++i)
        out << Session::fromJson(jsonAt(*r, i, 0));
    return out;
}

QList<LockoutRecord> PgStore::lockouts() const
{
    QList<LockoutRecord> out;
    auto c = reading();
    if (!c)
        return out;
    auto r = query(*c, "SELECT principal, active, locked, not_before, reason, locked_by FROM lockouts");
    if (!r)
        return out;
    for (int i = 0; i < r->count(); ++i) {
        LockoutRecord l;
        l.principal = r->text(i, 0);
        l.active = r->utf8(i, 1) == "t";
        l.lockedMs = r->int64(i, 2);
        l.notBeforeMs = r->int64(i, 3);
        l.reason = r->text(i, 4);
        l.by = r->text(i, 5);
        out << l;
    }
    return out;
}

QString PgStore::principalForApiKey(const QByteArray& keyHash) const
{
    auto c = reading();
    if (!c)
        return {};
    auto r = query(*c, "SELECT principal FROM api_keys WHERE hash = $1", pg::Params().bytea(keyHash));
    return r && r->count() ? r->text(0, 0) : QString();
}

QList<Event> PgStore::events(qint64 afterSeq, int limit) const
{
    QList<Event> out;
    auto c = reading();
    if (!c)
        return out;
    auto r = query(*c,
        "SELECT seq, ts, type, actor, subject, body, hash FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
        pg::Params().int64(afterSeq).int64(qBound(1, limit, 100000)));
    if (!r)
        return out;
    out.reserve(r->count());
    for (int i = 0; i < r->count(); ++i) {
        Event e;
        e.seq = r->int64(i, 0);
        e.tsMs = r->int64(i, 1);
        e.type = r->text(i, 2);
        e.actor = r->text(i, 3);
        e.subject = r->text(i, 4);
        e.body = r->bytea(i, 5);
        e.hash = r->utf8(i, 6);
        out << std::move(e);
    }
    return out;
}

Result<qint64> PgStore::committedHead() const
{
    auto c = reading();
    if (!c)
        return makeError(ErrorCode::Unavailable, QStringLiteral("store %1 is unreachable").arg(m_location));
    auto r = c->exec("SELECT seq FROM log_head WHERE id = 1");
    if (!r || r.value().count() != 1)
        return makeError(
            ErrorCode::Unavailable, QStringLiteral("store %1: the head cannot be read").arg(m_location));
    return r.value().int64(0, 0);
}

qint64 PgStore::lastSeq() const
{
    if (insideOwnTransaction())
        return m_headSeq;
    auto c = reading();
    if (!c)
        return m_committedSeq;
    auto r = query(*c, "SELECT seq FROM log_head WHERE id = 1");
    return r && r->count() ? r->int64(0, 0) : m_committedSeq.load();
}

QByteArray PgStore::headHash() const
{
    if (insideOwnTransaction())
        return m_headHash;
    auto c = reading();
    if (!c)
        return m_headHash;
    auto r = query(*c, "SELECT hash FROM log_head WHERE id = 1");
    return r && r->count() ? r->utf8(0, 0) : m_headHash;
}

int PgStore::grantCountSince(const QString& principal, const QString& target, qint64 sinceMs) const
{
    auto c = reading();
    if (!c)
        return 0;
    auto r = query(*c, "SELECT count(*) FROM grants WHERE principal = $1 AND target = $2 AND starts >= $3",
        pg::Params().text(principal).text(target).int64(sinceMs));
    return r && r->count() ? int(r->int64(0, 0)) : 0;
}

int PgStore::ruleGrantCount(
    const QString& rule, const QString& principal, const QString& target, qint64 sinceMs) const
{
    // Unreadable counts as spent: a budget that cannot be checked does not approve.
    auto c = reading();
    if (!c)
        return std::numeric_limits<int>::max();
    auto r = query(*c,
        "SELECT count(*) FROM grants WHERE rule = $4 AND principal = $1 AND target = $2 AND starts >= $3",
        pg::Params().text(principal).text(target).int64(sinceMs).text(rule));
    return r && r->count() ? int(r->int64(0, 0)) : std::numeric_limits<int>::max();
}

QList<ReviewDecision> PgStore::reviewDecisions(const QString& target) const
{
    QList<ReviewDecision> out;
    auto c = reading();
    if (!c)
        return out;
    auto r = target.isEmpty()
        ? query(*c, "SELECT seq, body FROM review_decisions ORDER BY seq")
        : query(*c, "SELECT seq, body FROM review_decisions WHERE target = $1 ORDER BY seq",
            pg::Params().text(target));
    if (!r)
        return out;
    for (int i = 0; i < r->count(); ++i) {
        ReviewDecision d = ReviewDecision::fromJson(QJsonDocument::fromJson(r->bytea(i, 1)).object());
        d.seq = r->int64(i, 0);
        out << d;
    }
    return out;
}

Result<qint64> PgStore::verifyChain(QString* breakReason, qint64* breakSeq,
    const std::function<void(qint64)>& progress, const EventHashVisitor& each) const
{
    auto c = reading();
    if (!c)
        return makeError(ErrorCode::Unavailable, QStringLiteral("store %1 is unreachable").arg(m_location));
    // One snapshot for the whole walk, so a concurrent append cannot show a half-read page.
    if (const Status b = c->run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !b)
        return storeError(QStringLiteral("chain read"), b.error());
    ChainVerifier v;
    qint64 after = 0;
    Status failed = Ok {};
    for (;;) {
        auto r = c->exec("SELECT seq, ts, type, actor, subject, body, hash FROM events WHERE seq > $1"
                         " ORDER BY seq LIMIT 8192",
            pg::Params().int64(after));
        if (!r) {
            failed = storeError(QStringLiteral("chain read"), r.error());
            break;
        }
        const pg::Rows& rows = r.value();
        for (int i = 0; i < rows.count() && v.ok(); ++i) {
            Event e;
            e.seq = rows.int64(i, 0);
            e.tsMs = rows.int64(i, 1);
            e.type = rows.text(i, 2);
            e.actor = rows.text(i, 3);
            e.subject = rows.text(i, 4);
            e.body = rows.bytea(i, 5);
            e.hash = rows.utf8(i, 6);
            if (!v.add(e))
                break;
            if (each) {
                const auto bytes = merkle::fromHex(e.hash);
                each(e.seq, merkle::leafHash(bytes->data(), bytes->size()));
            }
            if (progress && e.seq % 100000 == 0)
                progress(e.seq);
            after = e.seq;
        }
        if (!v.ok() || rows.count() < 8192)
            break;
    }
    c->run("COMMIT");
    if (!failed)
        return failed.error();
    if (breakReason)
        *breakReason = v.breakReason();
    if (breakSeq)
        *breakSeq = v.breakSeq();
    if (!v.ok())
        return makeError(ErrorCode::Conflict,
            QStringLiteral("chain broken at event %1 after %2 verified events: %3")
                .arg(v.breakSeq())
                .arg(v.verified())
                .arg(v.breakReason()));
    return v.verified();
}

// ---------------------------------------------------------------- insight rollups

namespace
{
Error insightFailure(const Error& e)
{
    return makeError(ErrorCode::Internal, QStringLiteral("store: insight query failed: %1").arg(e.message));
}

QByteArray targetClause(const QString& target, int param)
{
    return target.isEmpty() ? QByteArray() : " AND target = $" + QByteArray::number(param);
}

pg::Params scoped(const InsightScope& scope)
{
    pg::Params p;
    p.int64(scope.fromMs).int64(scope.toMs);
    if (!scope.target.isEmpty())
        p.text(scope.target);
    return p;
}

Status cells(const Result<pg::Rows>& r, const std::function<void(const InsightCell&)>& row)
{
    if (!r)
        return insightFailure(r.error());
    InsightCell c;
    for (int i = 0; i < r.value().count(); ++i) {
        c.day = r.value().int64(i, 0);
        c.principal = r.value().text(i, 1);
        c.target = r.value().text(i, 2);
        c.privileges = r.value().text(i, 3);
        c.contribution = contributionAt(r.value(), i, 4);
        row(c);
    }
    return Ok {};
}
} // namespace

qint64 PgStore::insightsIndexedSeq() const
{
    return m_insightsReader->indexedSeq();
}

Status PgStore::insightHours(qint64 hourFrom, qint64 hourTo, const QString& target,
    const std::function<void(const InsightCell&)>& row) const
{
    auto c = reading();
    if (!c)
        return makeError(ErrorCode::Unavailable, QStringLiteral("store %1 is unreachable").arg(m_location));
    const QByteArray sql = "SELECT hour / 24, principal, target, privileges, " + aggregateColumns().toUtf8()
        + " FROM insight_rollup WHERE hour >= $1 AND hour < $2" + targetClause(target, 3)
        + " GROUP BY 1, 2, 3, 4";
    pg::Params p;
    p.int64(hourFrom).int64(hourTo);
    if (!target.isEmpty())
        p.text(target);
    return cells(c->exec(sql.constData(), p), row);
}

Status PgStore::insightGrants(
    const InsightScope& scope, const std::function<void(const InsightCell&)>& row) const
{
    auto c = reading();
    if (!c)
        return makeError(ErrorCode::Unavailable, QStringLiteral("store %1 is unreachable").arg(m_location));
    const QByteArray sql = "SELECT start_ms / " + QByteArray::number(kDayMs)
        + ", principal, target, privileges, "
        + InsightsIndex::contributionColumnNames().join(QLatin1Char(',')).toUtf8()
        + " FROM insight_grants WHERE start_ms >= $1 AND start_ms < $2" + targetClause(scope.target, 3);
    return cells(c->exec(sql.constData(), scoped(scope)), row);
}

Status PgStore::lingeringGrants(
    const InsightScope& scope, const std::function<void(const LingeringGrant&)>& row) const
{
    auto c = reading();
    if (!c)
        return makeError(ErrorCode::Unavailable, QStringLiteral("store %1 is unreachable").arg(m_location));
    const QByteArray sql = "SELECT id, principal, target, state FROM insight_grants"
                           " WHERE lingering_open > 0 AND start_ms >= $1 AND start_ms < $2"
        + targetClause(scope.target, 3);
    auto r = c->exec(sql.constData(), scoped(scope));
    if (!r)
        return insightFailure(r.error());
    for (int i = 0; i < r.value().count(); ++i) {
        const InsightsIndex::OpenSessions s = InsightsIndex::openSessions(r.value().bytea(i, 3));
        row(LingeringGrant {r.value().text(i, 0), r.value().text(i, 1), r.value().text(i, 2), s.startMs,
            s.endedMs, s.sessions});
    }
    return Ok {};
}

Status PgStore::revokedGrants(
    const InsightScope& scope, const std::function<void(const RevokedGrant&)>& row) const
{
    auto c = reading();
    if (!c)
        return makeError(ErrorCode::Unavailable, QStringLiteral("store %1 is unreachable").arg(m_location));
    const QByteArray sql = "SELECT principal, revoke_effect_ms FROM insight_grants"
                           " WHERE revocations > 0 AND start_ms >= $1 AND start_ms < $2"
        + targetClause(scope.target, 3);
    auto r = c->exec(sql.constData(), scoped(scope));
    if (!r)
        return insightFailure(r.error());
    for (int i = 0; i < r.value().count(); ++i)
        row(RevokedGrant {r.value().text(i, 0),
            r.value().isNull(i, 1) ? std::nullopt : std::optional<qint64>(r.value().int64(i, 1))});
    return Ok {};
}

Status PgStore::enforcedGrants(
    const InsightScope& scope, const std::function<void(const EnforcedGrant&)>& row) const
{
    auto c = reading();
    if (!c)
        return makeError(ErrorCode::Unavailable, QStringLiteral("store %1 is unreachable").arg(m_location));
    const QByteArray sql
        = "SELECT principal, state, lag_ms FROM enforced_grants WHERE start_ms >= $1 AND start_ms < $2"
        + targetClause(scope.target, 3);
    auto r = c->exec(sql.constData(), scoped(scope));
    if (!r)
        return insightFailure(r.error());
    for (int i = 0; i < r.value().count(); ++i)
        row(EnforcedGrant {r.value().text(i, 0), r.value().text(i, 1) != QLatin1String("provisioned"),
            r.value().isNull(i, 2) ? std::nullopt : std::optional<qint64>(r.value().int64(i, 2))});
    return Ok {};
}

Status PgStore::grantStarts(
    const InsightScope& scope, const std::function<void(const GrantStart&)>& row) const
{
    auto c = reading();
    if (!c)
        return makeError(ErrorCode::Unavailable, QStringLiteral("store %1 is unreachable").arg(m_location));
    const QByteArray sql = "SELECT principal, target, privileges, start_ms FROM insight_grants"
                           " WHERE start_ms >= $1 AND start_ms < $2"
        + targetClause(scope.target, 3) + " ORDER BY principal, target, privileges, start_ms";
    auto r = c->exec(sql.constData(), scoped(scope));
    if (!r)
        return insightFailure(r.error());
    for (int i = 0; i < r.value().count(); ++i)
        row(GrantStart {
            r.value().text(i, 0), r.value().text(i, 1), r.value().text(i, 2), r.value().int64(i, 3)});
    return Ok {};
}

Status PgStore::backfillInsights()
{
    // Rollups for events a store holds before they were indexed (a migration that copied the log verbatim
    // indexes as it goes; this covers an interrupted one).
    while (m_insightsReader->indexedSeq() < m_headSeq) {
        if (const Status b = begin(); !b)
            return b;
        const qint64 from = m_insightsReader->indexedSeq();
        auto r
            = m_writer->exec("SELECT seq, ts, type, body FROM events WHERE seq > $1 ORDER BY seq LIMIT 50000",
                pg::Params().int64(from));
        if (!r) {
            rollback();
            return storeError(QStringLiteral("insight backfill"), r.error());
        }
        for (int i = 0; i < r.value().count(); ++i) {
            const QString type = r.value().text(i, 2);
            const Status a
                = m_insights->add(*m_insightsReader, r.value().int64(i, 0), r.value().int64(i, 1), type,
                    InsightsIndex::reads(type) ? QJsonDocument::fromJson(r.value().bytea(i, 3)).object()
                                               : QJsonObject());
            if (!a) {
                rollback();
                return a;
            }
        }
        if (const Status c = commit(); !c)
            return c;
        if (r.value().count() == 0)
            break;
    }
    return Ok {};
}

// ---------------------------------------------------------------- the Merkle tree and its checkpoints

Status PgStore::loadTree(qint64 size)
{
    auto tree = merkle::Frontier::load(size, treeReader());
    if (!tree)
        return makeError(tree.error().code == ErrorCode::Conflict ? ErrorCode::Conflict : ErrorCode::Internal,
            QStringLiteral("store %1: the Merkle tree at %2 events cannot be read: %3")
                .arg(m_location)
                .arg(size)
                .arg(tree.error().message));
    m_tree = std::move(tree).value();
    return Ok {};
}

merkle::Hash PgStore::treeRoot() const
{
    if (insideOwnTransaction())
        return m_tree.root();
    const qint64 size = lastSeq();
    // m_tree is the writer thread's (the engine's, which is where roots are asked for).
    if (size == m_tree.size() && size == m_committedSeq)
        return m_tree.root();
    const auto root = merkle::rootAt(size, treeReader());
    return root ? root.value() : merkle::emptyRoot();
}

merkle::HashReader PgStore::treeReader() const
{
    // One connection for the reader's life (a proof reads about log2(n) hashes); levels below kMinStoredLevel
    // are folded from the events' own hashes, read as one range.
    std::shared_ptr<pg::Connection> c = reading();
    return [c](int level, qint64 index) -> Result<merkle::Hash> {
        if (!c)
            return makeError(ErrorCode::Unavailable, QStringLiteral("store: no connection for the tree"));
        if (level < kMinStoredLevel) {
            const qint64 count = qint64(1) << level;
            auto r = c->exec("SELECT seq, hash FROM events WHERE seq >= $1 AND seq < $2 ORDER BY seq",
                pg::Params().int64(index * count + 1).int64((index + 1) * count + 1));
            if (!r)
                return storeError(QStringLiteral("tree read"), r.error());
            merkle::Hash row[kMinStoredLevel * 2];
            qint64 n = 0;
            for (int i = 0; i < r.value().count(); ++i) {
                if (r.value().int64(i, 0) != index * count + n + 1)
                    break;
                const auto leaf = merkle::fromHex(r.value().utf8(i, 1));
                if (!leaf)
                    return makeError(ErrorCode::Internal,
                        QStringLiteral("store: event %1's hash is malformed").arg(index * count + n + 1));
                merkle::Hash node = merkle::leafHash(leaf->data(), leaf->size());
                ++n;
                for (qint64 k = n, l = 0; (k & 1) == 0; k >>= 1, ++l)
                    node = merkle::nodeHash(row[l], node);
                int slot = 0;
                for (qint64 k = n; (k & 1) == 0; k >>= 1)
                    ++slot;
                row[slot] = node;
            }
            if (n != count)
                return makeError(ErrorCode::Conflict,
                    QStringLiteral("event %1 is missing from the log").arg(index * count + n + 1));
            return row[level];
        }
        auto r = c->exec("SELECT hash FROM log_tree WHERE level = $1 AND idx = $2",
            pg::Params().int64(level).int64(index));
        if (!r)
            return storeError(QStringLiteral("tree read"), r.error());
        if (r.value().count() == 0)
            return makeError(ErrorCode::NotFound,
                QStringLiteral("store: no tree hash at level %1, index %2").arg(level).arg(index));
        const QByteArray h = r.value().bytea(0, 0);
        if (h.size() != 32)
            return makeError(ErrorCode::Internal,
                QStringLiteral("store: the tree hash at level %1, index %2 is malformed")
                    .arg(level)
                    .arg(index));
        merkle::Hash out;
        std::copy(h.begin(), h.end(), out.begin());
        return out;
    };
}

Status PgStore::putCheckpoint(qint64 size, const QByteArray& note, qint64 tsMs)
{
    Q_ASSERT(m_inTx);
    auto existing
        = m_writer->exec("SELECT note FROM log_checkpoints WHERE size = $1", pg::Params().int64(size));
    if (!existing)
        return storeError(QStringLiteral("checkpoint read"), existing.error());
    if (existing.value().count()) {
        if (existing.value().bytea(0, 0) == note)
            return Ok {};
        return makeError(ErrorCode::Conflict,
            QStringLiteral("a different checkpoint is already kept for tree size %1").arg(size));
    }
    return put("checkpoint write", "INSERT INTO log_checkpoints(size, ts, note) VALUES($1, $2, $3)",
        pg::Params().int64(size).int64(tsMs).bytea(note));
}

std::optional<QByteArray> PgStore::checkpoint(qint64 size) const
{
    auto c = reading();
    if (!c)
        return std::nullopt;
    auto r = query(*c, "SELECT note FROM log_checkpoints WHERE size = $1", pg::Params().int64(size));
    if (!r || r->count() == 0)
        return std::nullopt;
    return r->bytea(0, 0);
}

std::optional<std::pair<qint64, QByteArray>> PgStore::latestCheckpoint() const
{
    auto c = reading();
    if (!c)
        return std::nullopt;
    auto r = query(*c, "SELECT size, note FROM log_checkpoints ORDER BY size DESC LIMIT 1");
    if (!r || r->count() == 0)
        return std::nullopt;
    return std::pair {r->int64(0, 0), r->bytea(0, 1)};
}

QList<qint64> PgStore::checkpointSizes() const
{
    QList<qint64> out;
    auto c = reading();
    if (!c)
        return out;
    auto r = query(*c, "SELECT size FROM log_checkpoints ORDER BY size");
    if (r)
        for (int i = 0; i < r->count(); ++i)
            out << r->int64(i, 0);
    return out;
}

} // namespace lapse
