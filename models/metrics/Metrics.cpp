// The six metrics from the insight rollups: whole hours from the hourly sums, the partial hours at a
// window's edges from the per-grant facts, so a query costs the same at a million events as at ten million.
#include "Metrics.h"

#include "core/Clock.h"
#include "domain/Directory.h"
#include "engine/Store.h"

#include <QDate>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>
#include <vector>

namespace lapse
{

namespace
{

constexpr qint64 kDayMs = 86'400'000;

double percentile(std::vector<qint64> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const size_t i = size_t(std::ceil(p * double(v.size()))) - 1;
    return double(v[std::min(i, v.size() - 1)]);
}

// Who counts under the query's kind filter, and whose records have an owner; looked up once per identity.
class Identities
{
public:
    Identities(const Directory& d, const QString& kind)
        : m_directory(d)
        , m_kind(kind)
    {
    }
    bool inScope(const QString& id) { return info(id).inScope; }
    bool hasOwner(const QString& id) { return info(id).owner; }

private:
    struct Info {
        bool inScope, owner;
    };
    Info info(const QString& id)
    {
        auto it = m_cache.constFind(id);
        if (it != m_cache.cend())
            return *it;
        const Principal* p = m_directory.principal(id);
        const Info i {m_kind.isEmpty() || (p && kindName(p->kind) == m_kind),
            p && (p->kind == PrincipalKind::Human || !p->owner.isEmpty())};
        m_cache.insert(id, i);
        return i;
    }
    const Directory& m_directory;
    QString m_kind;
    QHash<QString, Info> m_cache;
};

using Group = std::tuple<QString, QString, QString>; // identity, target, privileges
using CellKey = std::tuple<qint64, QString, QString, QString>; // day, identity, target, privileges
using Cells = std::map<CellKey, GrantContribution>;
constexpr qint64 kHourMs = 3'600'000;
constexpr qint64 kDefaultRepeatWindowMs = 7LL * kDayMs; // the window the rollups keep counts for

QJsonValue orNull(const QString& s)
{
    return s.isEmpty() ? QJsonValue() : QJsonValue(s);
}

// Every grant in scope as cells of a day and group: whole hours [hFrom, hTo) from the hourly sums, the
// partial hours at the window's edges from the per-grant facts.
Result<Cells> readCells(const Store& store, const MetricsQuery& q, Identities& who)
{
    const qint64 from = std::max<qint64>(0, q.fromMs), to = q.toMs;
    const qint64 hFrom = from / kHourMs + (from % kHourMs ? 1 : 0);
    const qint64 hTo = std::max(hFrom, to / kHourMs);
    Cells cells;
    auto add = [&](const InsightCell& c) {
        if (who.inScope(c.principal))
            cells[{c.day, c.principal, c.target, c.privileges}] += c.contribution;
    };
    if (hFrom < hTo)
        if (const Status s = store.insightHours(hFrom, hTo, q.target, add); !s)
            return s.error();
    const std::pair<qint64, qint64> edges[]
        = {hFrom < hTo ? std::pair {from, std::min(to, hFrom * kHourMs)} : std::pair {from, to},
            hFrom < hTo ? std::pair {std::max(from, hTo * kHourMs), to} : std::pair {qint64(0), qint64(0)}};
    for (const auto& [a, b] : edges)
        if (a < b)
            if (const Status s = store.insightGrants(InsightScope {a, b, q.target}, add); !s)
                return s.error();
    return cells;
}

// The largest number of grants of one group within the repeat window ending at a grant in scope. The rollups
// keep it for the default window; any other window is counted from the grants' start times.
Result<std::map<Group, qint64>> repeatCounts(
    const Store& store, const MetricsQuery& q, Identities& who, const Cells& cells)
{
    std::map<Group, qint64> repeats;
    if (q.repeatWindowMs == kDefaultRepeatWindowMs) {
        for (const auto& [key, c] : cells) {
            qint64& best = repeats[{std::get<1>(key), std::get<2>(key), std::get<3>(key)}];
            best = std::max(best, c.window);
        }
        return repeats;
    }
    const qint64 from = std::max<qint64>(0, q.fromMs);
    Group current;
    std::vector<qint64> times;
    auto close = [&] {
        qint64 best = 0;
        for (size_t i = 0, j = 0; j < times.size(); ++j) {
            while (times[j] - times[i] >= q.repeatWindowMs)
                ++i;
            if (times[j] >= from)
                best = std::max(best, qint64(j - i + 1));
        }
        if (best)
            repeats[current] = best;
        times.clear();
    };
    const Status s
        = store.grantStarts(InsightScope {std::max<qint64>(0, from - q.repeatWindowMs), q.toMs, q.target},
            [&](const GrantStart& g) {
                Group group {g.principal, g.target, g.privileges};
                if (group != current) {
                    close();
                    current = group;
                }
                if (who.inScope(g.principal))
                    times.push_back(g.startMs);
            });
    if (!s)
        return s.error();
    close();
    return repeats;
}

QJsonObject elevationFrequency(const Cells& cells, const GrantContribution& total,
    const std::map<Group, qint64>& repeats, const MetricsQuery& q)
{
    QMap<QString, qint64> byIdentity;
    for (const auto& [key, c] : cells)
        byIdentity[std::get<1>(key)] += c.grants;
    QJsonArray identities;
    for (auto it = byIdentity.cbegin(); it != byIdentity.cend(); ++it)
        identities.append(QJsonObject {{"identity", it.key()}, {"grants", it.value()}});
    QJsonArray repeated;
    for (const auto& [key, count] : repeats)
        if (count >= q.repeatThreshold)
            repeated.append(QJsonObject {{"identity", std::get<0>(key)}, {"target", std::get<1>(key)},
                {"privileges",
                    QJsonArray::fromStringList(std::get<2>(key).split(QLatin1Char(' '), Qt::SkipEmptyParts))},
                {"count", count}});
    return QJsonObject {{"grants", total.grants}, {"by_identity", identities}, {"repeated", repeated},
        {"repeat_threshold", q.repeatThreshold},
        {"repeat_window_days", double(q.repeatWindowMs) / double(kDayMs)}};
}

QJsonObject grantWidth(const GrantContribution& total)
{
    return QJsonObject {{"grants", total.grants}, {"with_minimum", total.withMinimum},
        {"excess_privileges", total.excess}, {"narrowed", total.narrowed}, {"with_usage", total.withUsage},
        {"unused_privileges", total.unused}};
}

// Sessions still open after their grant ended: lingering now, by how long so far, per day their grant
// started.
struct OpenLingering {
    qint64 count = 0;
    double seconds = 0;
    QJsonArray sessions;
    std::map<qint64, qint64> byDay;
};

Result<OpenLingering> openLingering(const Store& store, const MetricsQuery& q, Identities& who, qint64 nowMs)
{
    OpenLingering out;
    const Status s = store.lingeringGrants(
        InsightScope {std::max<qint64>(0, q.fromMs), q.toMs, q.target}, [&](const LingeringGrant& g) {
            if (!who.inScope(g.principal) || nowMs <= g.endedMs)
                return;
            const double seconds = double(nowMs - g.endedMs) / 1000.0;
            for (const QString& session : g.sessions) {
                ++out.count;
                out.seconds += seconds;
                ++out.byDay[g.startMs / kDayMs];
                out.sessions.append(QJsonObject {{"session", session}, {"grant", g.grantId},
                    {"identity", g.principal}, {"target", g.target}, {"seconds", seconds}});
            }
        });
    if (!s)
        return s.error();
    return out;
}

QJsonObject lingeringSessions(const GrantContribution& total, const OpenLingering& open)
{
    return QJsonObject {{"count", total.lingering + open.count},
        {"total_seconds", double(total.lingeringMs) / 1000.0 + open.seconds},
        {"post_expiry_uses", total.uses}, {"open_now", open.sessions}};
}

// Introspection refuses from the revoke's own commit; sessions count from the revoke to their confirmed
// close.
Result<QJsonObject> revocation(const Store& store, const MetricsQuery& q, Identities& who)
{
    std::vector<qint64> toClosed;
    qint64 revocations = 0, unconfirmed = 0;
    const Status s = store.revokedGrants(
        InsightScope {std::max<qint64>(0, q.fromMs), q.toMs, q.target}, [&](const RevokedGrant& g) {
            if (!who.inScope(g.principal))
                return;
            ++revocations;
            if (g.effectMs)
                toClosed.push_back(*g.effectMs);
            else
                ++unconfirmed;
        });
    if (!s)
        return s.error();
    return QJsonObject {{"count", revocations}, {"introspection_refusing_ms", 0},
        {"p50_ms", percentile(toClosed, 0.50)}, {"p99_ms", percentile(toClosed, 0.99)},
        {"sessions_unconfirmed", unconfirmed}};
}

// Enforcement on targets: of the grants on enforced targets, how many ended, how many of those the target
// confirmed (a login with the credential refused) and how long that took from the end; the rest are pending.
Result<QJsonObject> enforcement(const Store& store, const MetricsQuery& q, Identities& who)
{
    qint64 grants = 0, ended = 0, verified = 0;
    std::vector<qint64> lags;
    const Status s = store.enforcedGrants(
        InsightScope {std::max<qint64>(0, q.fromMs), q.toMs, q.target}, [&](const EnforcedGrant& g) {
            if (!who.inScope(g.principal))
                return;
            ++grants;
            ended += g.ended ? 1 : 0;
            if (g.lagMs) {
                ++verified;
                lags.push_back(*g.lagMs);
            }
        });
    if (!s)
        return s.error();
    return QJsonObject {{"grants", grants}, {"ended", ended}, {"verified", verified},
        {"pending", ended - verified}, {"lag_p50_ms", percentile(lags, 0.50)},
        {"lag_p99_ms", percentile(lags, 0.99)}};
}

QJsonObject duration(const GrantContribution& total)
{
    return QJsonObject {{"ended", total.ended}, {"approved_ttl_seconds", double(total.ttlSeconds)},
        {"used_seconds", double(total.usedMs) / 1000.0}, {"completed", total.completed},
        {"expired", total.expired}, {"revoked", total.revoked}, {"break_glass", total.breakGlass}};
}

// Task, reason, approver or policy and expiry are in each grant's contribution; the owner is per identity.
QJsonObject completeness(const Cells& cells, const GrantContribution& total, Identities& who)
{
    qint64 complete = 0;
    for (const auto& [key, c] : cells)
        if (who.hasOwner(std::get<1>(key)))
            complete += c.recordComplete;
    return QJsonObject {{"grants", total.grants}, {"complete", complete}};
}

// A point per day the grants in scope started on.
QJsonArray series(const Cells& cells, const OpenLingering& open)
{
    struct Day {
        qint64 grants = 0, lingering = 0, uses = 0, breakGlass = 0;
    };
    std::map<qint64, Day> days;
    for (const auto& [day, count] : open.byDay)
        days[day].lingering += count;
    for (const auto& [key, c] : cells) {
        Day& d = days[std::get<0>(key)];
        d.grants += c.grants;
        d.lingering += c.lingering;
        d.uses += c.uses;
        d.breakGlass += c.breakGlass;
    }
    QJsonArray out;
    for (const auto& [day, d] : days)
        out.append(
            QJsonObject {{"day", QDate(1970, 1, 1).addDays(day).toString(Qt::ISODate)}, {"grants", d.grants},
                {"lingering", d.lingering}, {"post_expiry_uses", d.uses}, {"break_glass", d.breakGlass}});
    return out;
}

} // namespace

Result<MetricsQuery> metricsQueryFrom(const QUrlQuery& items)
{
    MetricsQuery mq;
    for (const auto& [key, field] : {std::pair {"from", &mq.fromMs}, std::pair {"to", &mq.toMs}}) {
        const QString v = items.queryItemValue(QLatin1String(key));
        if (v.isEmpty())
            continue;
        bool ok = false;
        *field = Clock::fromIso(v, &ok);
        if (!ok)
            return makeError(ErrorCode::Malformed,
                QStringLiteral("%1 must be an ISO 8601 UTC time").arg(QLatin1String(key)));
    }
    // A window that ends before it starts is a mistake to point out, not an empty answer to give.
    if (mq.toMs < mq.fromMs)
        return makeError(
            ErrorCode::Malformed, QStringLiteral("to must not be before from (1970 when absent)"));
    mq.target = items.queryItemValue(QStringLiteral("target"));
    mq.kind = items.queryItemValue(QStringLiteral("kind"));
    if (items.hasQueryItem(QStringLiteral("repeat"))) {
        bool ok = false;
        mq.repeatThreshold = items.queryItemValue(QStringLiteral("repeat")).toInt(&ok);
        if (!ok || mq.repeatThreshold < 2)
            return makeError(ErrorCode::Malformed, QStringLiteral("repeat must be 2 or more"));
    }
    return mq;
}

Result<QJsonObject> computeMetrics(
    const Store& store, const Directory& directory, const MetricsQuery& q, qint64 nowMs)
{
    // The rollups commit with the events they follow; behind the log means a store this build never opened.
    const qint64 logSeq = store.lastSeq(), indexed = store.insightsIndexedSeq();
    if (indexed < logSeq)
        return makeError(ErrorCode::Conflict,
            QStringLiteral(
                "metrics: the insight rollups end at event %1 but the log at %2; open the store with "
                "lapse-broker or lapsectl once to bring them up to date")
                .arg(indexed)
                .arg(logSeq));
    Identities who(directory, q.kind);
    const auto cells = readCells(store, q, who);
    if (!cells)
        return cells.error();
    GrantContribution total;
    for (const auto& [key, c] : cells.value())
        total += c;
    const auto repeats = repeatCounts(store, q, who, cells.value());
    if (!repeats)
        return repeats.error();
    const auto open = openLingering(store, q, who, nowMs);
    if (!open)
        return open.error();
    const auto revoked = revocation(store, q, who);
    if (!revoked)
        return revoked.error();
    const auto enforced = enforcement(store, q, who);
    if (!enforced)
        return enforced.error();
    return QJsonObject {
        {"window",
            QJsonObject {{"from", q.fromMs > 0 ? QJsonValue(Clock::toIso(q.fromMs)) : QJsonValue()},
                {"to",
                    q.toMs < std::numeric_limits<qint64>::max() ? QJsonValue(Clock::toIso(q.toMs))
                                                                : QJsonValue()},
                {"target", orNull(q.target)}, {"kind", orNull(q.kind)}}},
        {"elevation_frequency", elevationFrequency(cells.value(), total, repeats.value(), q)},
        {"grant_width", grantWidth(total)},
        {"lingering_sessions", lingeringSessions(total, open.value())},
        {"revocation", revoked.value()},
        {"enforcement", enforced.value()},
        {"duration", duration(total)},
        {"completeness", completeness(cells.value(), total, who)},
        {"series", series(cells.value(), open.value())},
    };
}

Result<QJsonArray> reviewCandidates(
    const Store& store, const Directory& directory, const MetricsQuery& q, qint64 nowMs)
{
    auto m = computeMetrics(store, directory, q, nowMs);
    if (!m)
        return m.error();
    const QList<ReviewDecision> decisions = store.reviewDecisions(q.target);
    QJsonArray out;
    for (const auto& v :
        m.value()[QLatin1String("elevation_frequency")][QLatin1String("repeated")].toArray()) {
        QJsonObject c = v.toObject();
        const QString identity = c[QLatin1String("identity")].toString();
        const QString targetId = c[QLatin1String("target")].toString();
        QStringList privileges;
        for (const auto& p : c[QLatin1String("privileges")].toArray())
            privileges << p.toString();
        privileges.sort();
        QJsonArray deciders;
        const Principal* who = directory.principal(identity);
        const Target* target = directory.target(targetId);
        // Never the identity itself (separation of duties): then only the other owner, or an admin.
        if (target && !target->owner.isEmpty() && target->owner != identity)
            deciders.append(target->owner);
        if (who && !who->isHuman() && !deciders.contains(who->owner))
            deciders.append(who->owner);
        c.insert(QStringLiteral("kind"), who ? kindName(who->kind) : QString());
        c.insert(QStringLiteral("decided_by_owners"), deciders);
        // A rule of the directory that already approves exactly this ask.
        for (const Rule& r : directory.rules()) {
            bool within = r.effect == Rule::Effect::Approve && r.target == targetId && who && r.covers(*who);
            for (const auto& p : std::as_const(privileges))
                within = within && r.privileges.contains(p);
            if (within) {
                c.insert(QStringLiteral("rule"), r.id);
                break;
            }
        }
        for (auto it = decisions.crbegin(); it != decisions.crend(); ++it) {
            if (it->identity == identity && it->target == targetId && it->privileges == privileges) {
                QJsonObject d = it->toJson();
                d.insert(QStringLiteral("seq"), it->seq);
                c.insert(QStringLiteral("decision"), d);
                break;
            }
        }
        out.append(c);
    }
    return out;
}

} // namespace lapse
