// Insight rollups maintained at ingest: per-grant facts and hourly sums, written with the events they follow.
#include "InsightsIndex.h"

#include "core/Clock.h"
#include "engine/Sqlite.h"

#include <QDataStream>
#include <QIODevice>
#include <QJsonArray>

#include <algorithm>

namespace lapse
{

namespace
{
// The contribution columns, in GrantContribution's field order. max_window combines by MAX, the rest by SUM.
const char* const kColumns[] = {"grants", "break_glass", "with_minimum", "excess", "narrowed", "with_usage",
    "unused", "ended", "ttl_s", "used_ms", "completed", "expired", "revoked", "record_complete", "lingering",
    "lingering_ms", "uses", "revocations", "unconfirmed", "max_window"};
constexpr int kColumnCount = int(sizeof kColumns / sizeof *kColumns);
static_assert(kColumnCount == InsightsIndex::kContributionColumnCount, "the public count matches");

qint64* fields(GrantContribution& c)
{
    return &c.grants;
}
const qint64* fields(const GrantContribution& c)
{
    return &c.grants;
}
static_assert(sizeof(GrantContribution) == kColumnCount * sizeof(qint64), "one column per field");

QStringList columnNames()
{
    QStringList c;
    for (const char* name : kColumns)
        c << QString::fromLatin1(name);
    return c;
}

const char* const kSchema[] = {
    "CREATE TABLE IF NOT EXISTS insight_grants(id TEXT PRIMARY KEY, start_ms INTEGER NOT NULL,"
    " principal TEXT NOT NULL, target TEXT NOT NULL, privileges TEXT NOT NULL, revoke_effect_ms INTEGER,"
    " lingering_open INTEGER NOT NULL, state BLOB NOT NULL,"
    " grants INTEGER NOT NULL, break_glass INTEGER NOT NULL, with_minimum INTEGER NOT NULL, excess INTEGER "
    "NOT NULL,"
    " narrowed INTEGER NOT NULL, with_usage INTEGER NOT NULL, unused INTEGER NOT NULL, ended INTEGER NOT "
    "NULL,"
    " ttl_s INTEGER NOT NULL, used_ms INTEGER NOT NULL, completed INTEGER NOT NULL, expired INTEGER NOT NULL,"
    " revoked INTEGER NOT NULL, record_complete INTEGER NOT NULL, lingering INTEGER NOT NULL,"
    " lingering_ms INTEGER NOT NULL, uses INTEGER NOT NULL, revocations INTEGER NOT NULL,"
    " unconfirmed INTEGER NOT NULL, max_window INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS insight_grants_start ON insight_grants(start_ms)",
    // Revocation percentiles and the sessions lingering now read only these few rows.
    "CREATE INDEX IF NOT EXISTS insight_grants_revoked ON insight_grants(start_ms, target, principal, "
    "revoke_effect_ms)"
    " WHERE revocations > 0",
    "CREATE INDEX IF NOT EXISTS insight_grants_lingering ON insight_grants(start_ms) WHERE lingering_open > "
    "0",
    "CREATE TABLE IF NOT EXISTS insight_rollup(hour INTEGER NOT NULL, principal TEXT NOT NULL,"
    " target TEXT NOT NULL, privileges TEXT NOT NULL,"
    " grants INTEGER NOT NULL, break_glass INTEGER NOT NULL, with_minimum INTEGER NOT NULL, excess INTEGER "
    "NOT NULL,"
    " narrowed INTEGER NOT NULL, with_usage INTEGER NOT NULL, unused INTEGER NOT NULL, ended INTEGER NOT "
    "NULL,"
    " ttl_s INTEGER NOT NULL, used_ms INTEGER NOT NULL, completed INTEGER NOT NULL, expired INTEGER NOT NULL,"
    " revoked INTEGER NOT NULL, record_complete INTEGER NOT NULL, lingering INTEGER NOT NULL,"
    " lingering_ms INTEGER NOT NULL, uses INTEGER NOT NULL, revocations INTEGER NOT NULL,"
    " unconfirmed INTEGER NOT NULL, max_window INTEGER NOT NULL,"
    " PRIMARY KEY(hour, principal, target, privileges)) WITHOUT ROWID",
    nullptr,
};

QStringList strings(const QJsonValue& v)
{
    QStringList out;
    const QJsonArray a = v.toArray();
    out.reserve(a.size());
    for (const auto& x : a)
        out << x.toString();
    return out;
}

QSet<QString> stringSet(const QJsonValue& v)
{
    QSet<QString> out;
    for (const auto& x : v.toArray())
        out.insert(x.toString());
    return out;
}

qint64 iso(const QJsonValue& v)
{
    return v.isString() ? Clock::fromIso(v.toString()) : 0;
}

QString groupKey(const QString& principal, const QString& target, const QString& privileges)
{
    return principal + QChar(0x1f) + target + QChar(0x1f) + privileges;
}
} // namespace

GrantContribution& GrantContribution::operator+=(const GrantContribution& o)
{
    qint64* a = fields(*this);
    const qint64* b = fields(o);
    for (int i = 0; i < kColumnCount - 1; ++i)
        a[i] += b[i];
    window = std::max(window, o.window);
    return *this;
}

GrantContribution GrantContribution::operator-(const GrantContribution& o) const
{
    GrantContribution d;
    qint64* r = fields(d);
    const qint64* a = fields(*this);
    const qint64* b = fields(o);
    for (int i = 0; i < kColumnCount - 1; ++i)
        r[i] = a[i] - b[i];
    d.window = window; // a maximum cannot be subtracted; a grant's window never shrinks
    return d;
}

size_t qHash(const InsightsIndex::RollupKey& k, size_t seed)
{
    return qHashMulti(seed, k.hour, k.principal, k.target, k.privileges);
}

InsightsIndex::InsightsIndex() = default;
InsightsIndex::~InsightsIndex() = default;

const char* const* InsightsIndex::schema()
{
    return kSchema;
}

QStringList InsightsIndex::contributionColumnNames()
{
    return columnNames();
}

QString InsightsIndex::contributionColumns(const QString& aggregate)
{
    if (aggregate.isEmpty())
        return columnNames().join(QLatin1Char(','));
    QStringList c;
    for (int i = 0; i < kColumnCount; ++i)
        c << QStringLiteral("%1(%2)").arg(
            i == kColumnCount - 1 ? QStringLiteral("MAX") : aggregate, QLatin1String(kColumns[i]));
    return c.join(QLatin1Char(','));
}

GrantContribution InsightsIndex::readContribution(const SqlStatement& q, int firstColumn)
{
    GrantContribution c;
    qint64* f = fields(c);
    for (int i = 0; i < kColumnCount; ++i)
        f[i] = q.int64(firstColumn + i);
    return c;
}

GrantContribution InsightsIndex::Grant::contribution() const
{
    GrantContribution c;
    c.grants = 1;
    c.breakGlass = breakGlass;
    c.withMinimum = excess.has_value();
    c.excess = excess.value_or(0);
    c.narrowed = narrowed;
    c.withUsage = usageReported;
    if (usageReported)
        for (const QString& p : approved)
            c.unused += used.contains(p) ? 0 : 1;
    if (endedMs) {
        c.ended = 1;
        c.ttlSeconds = ttlSeconds;
        c.usedMs = endedMs - startMs;
        c.completed = endedAs == QLatin1String("completed");
        c.expired = endedAs == QLatin1String("expired");
        c.revoked = endedAs == QLatin1String("revoked");
    }
    c.recordComplete = recordComplete;
    c.lingering = lingering;
    c.lingeringMs = lingeringMs;
    c.uses = uses;
    if (revokedAtMs) {
        c.revocations = 1;
        c.unconfirmed = std::any_of(open.cbegin(), open.cend(), [](const Session& s) { return s.atRevoke; });
    }
    c.window = window;
    return c;
}

// A versioned binary record: decoding it is on the path of every late event for a grant no longer in memory.
QByteArray InsightsIndex::Grant::state() const
{
    QByteArray out;
    QDataStream s(&out, QIODevice::WriteOnly);
    s.setVersion(QDataStream::Qt_6_4);
    s << quint8(1) << approved << bool(excess) << qint32(excess.value_or(0)) << narrowed << breakGlass
      << recordComplete << usageReported << used << qint32(ttlSeconds) << startMs << expiresMs << endedMs
      << endedAs << revokedAtMs << revokeEffectMs << qint32(window) << lingering << lingeringMs << uses
      << quint32(open.size());
    for (auto it = open.cbegin(); it != open.cend(); ++it)
        s << it.key() << it->openedMs << it->atRevoke;
    s << closedWhileActive;
    return out;
}

InsightsIndex::Grant InsightsIndex::Grant::fromState(const QString& id, const QByteArray& state)
{
    Grant g;
    g.id = id;
    QDataStream s(state);
    s.setVersion(QDataStream::Qt_6_4);
    quint8 version = 0;
    bool hasExcess = false;
    qint32 excess = 0, ttl = 0, window = 0;
    quint32 openCount = 0;
    s >> version >> g.approved >> hasExcess >> excess >> g.narrowed >> g.breakGlass >> g.recordComplete
        >> g.usageReported >> g.used >> ttl >> g.startMs >> g.expiresMs >> g.endedMs >> g.endedAs
        >> g.revokedAtMs >> g.revokeEffectMs >> window >> g.lingering >> g.lingeringMs >> g.uses >> openCount;
    for (quint32 i = 0; i < openCount && s.status() == QDataStream::Ok; ++i) {
        QString sid;
        Session x;
        s >> sid >> x.openedMs >> x.atRevoke;
        g.open.insert(sid, x);
    }
    s >> g.closedWhileActive;
    if (hasExcess)
        g.excess = excess;
    g.ttlSeconds = ttl;
    g.window = window;
    return g;
}

InsightsIndex::OpenSessions InsightsIndex::openSessions(const QByteArray& state)
{
    const Grant g = Grant::fromState({}, state);
    OpenSessions o {g.startMs, g.endedMs, g.open.keys()};
    o.sessions.sort();
    return o;
}

void InsightsIndex::invalidate()
{
    m_loaded = false;
    m_seq = 0;
    m_grants.clear();
    m_delta.clear();
    m_recent.clear();
}

Status InsightsIndex::ensureLoaded(InsightsStorage& reader)
{
    if (m_loaded)
        return Ok {};
    // The starts of the last window's grants, per group, so each new grant's repeat count is one lookup.
    const Status s = reader.recentStarts(kDefaultWindowMs,
        [this](const QString& principal, const QString& target, const QString& privileges, qint64 startMs) {
            m_recent[groupKey(principal, target, privileges)].push_back(startMs);
        });
    if (!s)
        return s;
    m_seq = reader.indexedSeq();
    m_loaded = true;
    return Ok {};
}

InsightsIndex::Grant* InsightsIndex::find(InsightsStorage& reader, const QString& id, Status* error)
{
    auto it = m_grants.find(id);
    if (it != m_grants.end())
        return &*it;
    Result<std::optional<InsightsStorage::GrantRow>> row = reader.readGrant(id);
    if (!row) {
        *error = row.error();
        return nullptr;
    }
    if (!row.value())
        return nullptr; // a grant activated before the log began (or unknown): nothing to count
    InsightsStorage::GrantRow& r = *row.value();
    Grant g = Grant::fromState(id, r.state);
    g.principal = std::move(r.principal);
    g.target = std::move(r.target);
    g.privileges = std::move(r.privileges);
    return &*m_grants.insert(id, std::move(g));
}

int InsightsIndex::windowCount(const Grant& g)
{
    std::deque<qint64>& starts = m_recent[groupKey(g.principal, g.target, g.privileges)];
    starts.insert(std::upper_bound(starts.begin(), starts.end(), g.startMs), g.startMs);
    while (!starts.empty() && starts.front() <= starts.back() - kDefaultWindowMs)
        starts.pop_front();
    // Grants of the group within the window ending at this one (starts after g.startMs - window).
    const auto from = std::upper_bound(starts.begin(), starts.end(), g.startMs - kDefaultWindowMs);
    const auto to = std::upper_bound(starts.begin(), starts.end(), g.startMs);
    return int(to - from);
}

void InsightsIndex::change(Grant& g, const std::function<void(Grant&)>& edit)
{
    const GrantContribution before = g.contribution();
    edit(g);
    m_delta[RollupKey {g.startMs / kHourMs, g.principal, g.target, g.privileges}]
        += g.contribution() - before;
    g.dirty = true;
}

bool InsightsIndex::reads(const QString& type)
{
    return type.startsWith(QLatin1String("grant.")) || type.startsWith(QLatin1String("session."))
        || type == QLatin1String("credential.used_after_end");
}

Status InsightsIndex::add(
    InsightsStorage& reader, qint64 seq, qint64 tsMs, const QString& type, const QJsonObject& b)
{
    if (!reads(type)) {
        m_seq = seq;
        return Ok {};
    }
    if (const Status s = ensureLoaded(reader); !s)
        return s;
    m_seq = seq;
    Status error = Ok {};
    if (type == QLatin1String("grant.activated")) {
        const QString id = b[QLatin1String("id")].toString();
        if (id.isEmpty() || find(reader, id, &error) || !error)
            return error; // activated once; a repeat changes nothing
        Grant g;
        g.id = id;
        g.principal = b[QLatin1String("principal")].toString();
        g.target = b[QLatin1String("target")].toString();
        g.approved = stringSet(b[QLatin1String("privileges")]);
        QStringList sorted(g.approved.cbegin(), g.approved.cend());
        sorted.sort();
        g.privileges = sorted.join(QLatin1Char(' '));
        g.startMs = iso(b[QLatin1String("starts_at")]);
        g.expiresMs = iso(b[QLatin1String("expires_at")]);
        g.ttlSeconds = b[QLatin1String("ttl_seconds")].toInt();
        g.breakGlass = b[QLatin1String("break_glass")].toBool();
        if (b[QLatin1String("min_privileges")].isArray()) {
            const QSet<QString> minimum = stringSet(b[QLatin1String("min_privileges")]);
            g.excess = int((g.approved - minimum).size());
        }
        const QSet<QString> requested = stringSet(b[QLatin1String("requested_privileges")]);
        g.narrowed = !requested.isEmpty() && g.approved != requested && requested.contains(g.approved);
        const bool decidedBy = !b[QLatin1String("approvers")].toArray().isEmpty()
            || b[QLatin1String("policy")].toString() == QLatin1String("break-glass")
            || !b[QLatin1String("rule")].toObject()[QLatin1String("id")].toString().isEmpty();
        g.recordComplete = !b[QLatin1String("task")].toString().trimmed().isEmpty()
            && !b[QLatin1String("reason")].toString().trimmed().isEmpty() && decidedBy && g.expiresMs > 0;
        g.window = windowCount(g);
        g.dirty = true;
        m_delta[RollupKey {g.startMs / kHourMs, g.principal, g.target, g.privileges}] += g.contribution();
        m_grants.insert(id, std::move(g));
        return Ok {};
    }
    if (type == QLatin1String("grant.completed") || type == QLatin1String("grant.revoked")
        || type == QLatin1String("grant.expired")) {
        Grant* g = find(reader, b[QLatin1String("id")].toString(), &error);
        if (!g || g->endedMs)
            return error;
        change(*g, [&](Grant& x) {
            x.endedMs = iso(b[QLatin1String("ended_at")]);
            if (!x.endedMs)
                x.endedMs = tsMs;
            x.endedAs = type.mid(6);
            if (type == QLatin1String("grant.revoked")) {
                x.revokedAtMs = tsMs;
                for (Session& s : x.open)
                    s.atRevoke = true;
            }
            // A session that closed after the grant's end but before the end was recorded (a late sweep).
            for (qint64 end : std::as_const(x.closedWhileActive))
                if (end > x.endedMs) {
                    ++x.lingering;
                    x.lingeringMs += end - x.endedMs;
                }
            x.closedWhileActive.clear();
        });
        return Ok {};
    }
    if (type == QLatin1String("session.opened")) {
        Grant* g = find(reader, b[QLatin1String("grant_id")].toString(), &error);
        if (!g)
            return error;
        const QString sid = b[QLatin1String("id")].toString();
        change(*g, [&](Grant& x) {
            x.open.insert(sid, Session {iso(b[QLatin1String("opened_at")]), false});
        });
        return Ok {};
    }
    if (type == QLatin1String("session.ended")) {
        Grant* g = find(reader, b[QLatin1String("grant_id")].toString(), &error);
        if (!g)
            return error;
        const QString sid = b[QLatin1String("id")].toString();
        change(*g, [&](Grant& x) {
            const auto it = x.open.find(sid);
            const bool atRevoke = it != x.open.end() && it->atRevoke;
            if (it != x.open.end())
                x.open.erase(it);
            const qint64 end = iso(b[QLatin1String("ended_at")]);
            const QStringList used = strings(b[QLatin1String("privileges_used")]);
            if (!used.isEmpty()) {
                x.usageReported = true;
                for (const QString& p : used)
                    x.used.insert(p);
            }
            if (x.endedMs && end > x.endedMs) {
                ++x.lingering;
                x.lingeringMs += end - x.endedMs;
            } else if (!x.endedMs) {
                x.closedWhileActive << end;
            }
            if (atRevoke)
                x.revokeEffectMs = std::max(x.revokeEffectMs, end - x.revokedAtMs);
        });
        return Ok {};
    }
    if (type == QLatin1String("credential.used_after_end")) {
        Grant* g = find(reader, b[QLatin1String("grant_id")].toString(), &error);
        if (!g)
            return error;
        change(*g, [](Grant& x) { ++x.uses; });
    }
    return Ok {};
}

Status InsightsIndex::flush(InsightsStorage& writer)
{
    if (!m_loaded) {
        // Nothing relevant was fed: only the high-water mark moves.
        if (m_seq == 0)
            return Ok {};
        return writer.writeIndexedSeq(m_seq);
    }
    InsightsStorage::GrantWrite w;
    for (auto it = m_grants.begin(); it != m_grants.end(); ++it) {
        Grant& g = *it;
        if (!g.dirty)
            continue;
        w.contribution = g.contribution();
        const bool unconfirmed = w.contribution.unconfirmed > 0;
        w.id = g.id;
        w.startMs = g.startMs;
        w.principal = g.principal;
        w.target = g.target;
        w.privileges = g.privileges;
        w.revokeEffectMs
            = g.revokedAtMs && !unconfirmed ? std::optional<qint64>(g.revokeEffectMs) : std::nullopt;
        w.lingeringOpen = g.endedMs ? qint64(g.open.size()) : qint64(0);
        w.state = g.state();
        if (const Status s = writer.writeGrant(w); !s)
            return s;
        g.dirty = false;
    }
    for (auto it = m_delta.cbegin(); it != m_delta.cend(); ++it) {
        const RollupKey& k = it.key();
        if (const Status s = writer.addToRollup(k.hour, k.principal, k.target, k.privileges, *it); !s)
            return s;
    }
    m_delta.clear();
    if (const Status s = writer.writeIndexedSeq(m_seq); !s)
        return s;
    // Finished grants leave memory (a late use reads them back); a very long batch does not pile up.
    const bool tooMany = m_grants.size() > 200'000;
    for (auto it = m_grants.begin(); it != m_grants.end();)
        it = (tooMany || (it->endedMs && it->open.isEmpty())) ? m_grants.erase(it) : std::next(it);
    return Ok {};
}

} // namespace lapse
