// The metrics by brute force: every event replayed into whole grants, then each metric computed over the
// grants in scope. Slow and obviously right; the rollup implementation must give the same answers.
#include "ReferenceMetrics.h"

#include "core/Clock.h"
#include "domain/Directory.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <map>
#include <vector>

namespace lapse::test
{

namespace
{

struct SessionFact {
    QString id;
    qint64 openedMs = 0, endedMs = 0; // 0: still open
    QSet<QString> used;
};

struct GrantFact {
    QString id, principal, target, policy, task, reason;
    QString rule; // the directory rule that approved it
    QStringList privileges, requested;
    std::optional<QStringList> minimum;
    QStringList approvers;
    bool breakGlass = false;
    int ttlSeconds = 0;
    qint64 startsMs = 0, expiresMs = 0, endedMs = 0; // endedMs 0: active
    QString endedAs; // completed, revoked, expired
    qint64 revokedAtMs = 0;
    int uses = 0;
    bool enforced = false, verified = false;
    qint64 enforcementLagMs = 0;
    std::vector<SessionFact> sessions;
};

QStringList strings(const QJsonValue& v)
{
    QStringList out;
    for (const auto& x : v.toArray())
        out << x.toString();
    return out;
}

qint64 iso(const QJsonValue& v)
{
    return v.isString() ? Clock::fromIso(v.toString()) : 0;
}

double percentile(std::vector<qint64> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const size_t i = size_t(std::ceil(p * double(v.size()))) - 1;
    return double(v[std::min(i, v.size() - 1)]);
}

} // namespace

Result<QJsonObject> referenceMetrics(
    QSqlDatabase db, const Directory& directory, const MetricsQuery& q, qint64 nowMs)
{
    QSqlQuery rows(db);
    rows.setForwardOnly(true);
    if (!rows.exec(QStringLiteral(
            "SELECT ts, type, CAST(body AS TEXT) FROM events WHERE type IN ('grant.activated',"
            " 'grant.completed', 'grant.revoked', 'grant.expired', 'session.opened',"
            " 'session.ended', 'credential.used_after_end', 'revocation.verified') ORDER BY seq")))
        return makeError(ErrorCode::Internal, QStringLiteral("metrics: %1").arg(rows.lastError().text()));

    std::map<QString, GrantFact> grants; // by id, in id (= creation) order
    QHash<QString, QString> sessionGrant;
    struct Day {
        int grants = 0, lingering = 0, postExpiryUses = 0, breakGlass = 0;
    };
    std::map<QString, Day> days; // UTC date -> counts: pre-aggregated, a point per day for the charts
    auto dayOf
        = [](qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).date().toString(Qt::ISODate); };
    while (rows.next()) {
        const qint64 ts = rows.value(0).toLongLong();
        const QString type = rows.value(1).toString();
        const QJsonObject b = QJsonDocument::fromJson(rows.value(2).toString().toUtf8()).object();
        if (type == QLatin1String("grant.activated")) {
            GrantFact& g = grants[b[QLatin1String("id")].toString()];
            g.id = b[QLatin1String("id")].toString();
            g.principal = b[QLatin1String("principal")].toString();
            g.target = b[QLatin1String("target")].toString();
            g.policy = b[QLatin1String("policy")].toString();
            g.task = b[QLatin1String("task")].toString();
            g.reason = b[QLatin1String("reason")].toString();
            g.privileges = strings(b[QLatin1String("privileges")]);
            g.requested = strings(b[QLatin1String("requested_privileges")]);
            if (b[QLatin1String("min_privileges")].isArray())
                g.minimum = strings(b[QLatin1String("min_privileges")]);
            g.approvers = strings(b[QLatin1String("approvers")]);
            g.rule = b[QLatin1String("rule")].toObject()[QLatin1String("id")].toString();
            g.breakGlass = b[QLatin1String("break_glass")].toBool();
            g.ttlSeconds = b[QLatin1String("ttl_seconds")].toInt();
            g.startsMs = iso(b[QLatin1String("starts_at")]);
            g.expiresMs = iso(b[QLatin1String("expires_at")]);
            g.enforced = b[QLatin1String("enforcement")].isObject();
        } else if (type == QLatin1String("revocation.verified")) {
            auto it = grants.find(b[QLatin1String("id")].toString());
            if (it == grants.end())
                continue;
            it->second.verified = true;
            it->second.enforcementLagMs
                = b[QLatin1String("enforcement")].toObject()[QLatin1String("lag_ms")].toInteger();
        } else if (type.startsWith(QLatin1String("grant."))) {
            auto it = grants.find(b[QLatin1String("id")].toString());
            if (it == grants.end())
                continue;
            it->second.endedMs = iso(b[QLatin1String("ended_at")]);
            if (!it->second.endedMs)
                it->second.endedMs = ts;
            it->second.endedAs = type.mid(6);
            if (type == QLatin1String("grant.revoked"))
                it->second.revokedAtMs = ts;
        } else if (type == QLatin1String("session.opened")) {
            auto it = grants.find(b[QLatin1String("grant_id")].toString());
            if (it == grants.end())
                continue;
            SessionFact s;
            s.id = b[QLatin1String("id")].toString();
            s.openedMs = iso(b[QLatin1String("opened_at")]);
            it->second.sessions.push_back(s);
            sessionGrant.insert(s.id, it->first);
        } else if (type == QLatin1String("session.ended")) {
            auto it = grants.find(sessionGrant.value(b[QLatin1String("id")].toString()));
            if (it == grants.end())
                continue;
            for (SessionFact& s : it->second.sessions)
                if (s.id == b[QLatin1String("id")].toString()) {
                    s.endedMs = iso(b[QLatin1String("ended_at")]);
                    for (const QString& p : strings(b[QLatin1String("privileges_used")]))
                        s.used.insert(p);
                }
        } else if (type == QLatin1String("credential.used_after_end")) {
            auto it = grants.find(b[QLatin1String("grant_id")].toString());
            if (it != grants.end())
                ++it->second.uses;
        }
    }

    // The grants in scope: started in the window, on the target, by an identity of the kind.
    std::vector<const GrantFact*> scope;
    for (const auto& [id, g] : grants) {
        if (g.startsMs < q.fromMs || g.startsMs >= q.toMs)
            continue;
        if (!q.target.isEmpty() && g.target != q.target)
            continue;
        const Principal* p = directory.principal(g.principal);
        if (!q.kind.isEmpty() && !(p && kindName(p->kind) == q.kind))
            continue;
        scope.push_back(&g);
    }

    // 1. Elevation frequency, and repeated elevations of the same identity, privileges and target.
    QMap<QString, int> byIdentity;
    std::map<std::tuple<QString, QString, QString>, std::vector<qint64>> repeats;
    auto groupOf = [](const GrantFact& g) {
        QStringList privs = g.privileges;
        privs.sort();
        return std::tuple {g.principal, g.target, privs.join(QLatin1Char(' '))};
    };
    int postExpiryUses = 0;
    for (const GrantFact* g : scope) {
        Day& d = days[dayOf(g->startsMs)];
        ++d.grants;
        d.breakGlass += g->breakGlass ? 1 : 0;
        d.postExpiryUses += g->uses;
        postExpiryUses += g->uses;
        ++byIdentity[g->principal];
        repeats[groupOf(*g)];
    }
    for (const auto& [id, g] : grants) // every earlier grant of a group counts towards its window
        if (auto it = repeats.find(groupOf(g)); it != repeats.end() && g.startsMs < q.toMs)
            it->second.push_back(g.startsMs);
    QJsonArray identities;
    for (auto it = byIdentity.cbegin(); it != byIdentity.cend(); ++it)
        identities.append(QJsonObject {{"identity", it.key()}, {"grants", it.value()}});
    QJsonArray repeated;
    for (auto& [key, starts] : repeats) {
        std::sort(starts.begin(), starts.end());
        int best = 0;
        for (size_t i = 0, j = 0; j < starts.size(); ++j) {
            while (starts[j] - starts[i] >= q.repeatWindowMs)
                ++i;
            if (starts[j] >= q.fromMs)
                best = std::max(best, int(j - i + 1));
        }
        if (best >= q.repeatThreshold)
            repeated.append(QJsonObject {{"identity", std::get<0>(key)}, {"target", std::get<1>(key)},
                {"privileges",
                    QJsonArray::fromStringList(std::get<2>(key).split(QLatin1Char(' '), Qt::SkipEmptyParts))},
                {"count", best}});
    }

    // 2. Grant width.
    int excess = 0, narrowed = 0, unused = 0, withMinimum = 0, withUsage = 0;
    for (const GrantFact* g : scope) {
        const QSet<QString> approved(g->privileges.cbegin(), g->privileges.cend());
        if (g->minimum) {
            ++withMinimum;
            excess += int((approved - QSet<QString>(g->minimum->cbegin(), g->minimum->cend())).size());
        }
        const QSet<QString> requested(g->requested.cbegin(), g->requested.cend());
        if (!g->requested.isEmpty() && approved != requested && requested.contains(approved))
            ++narrowed;
        QSet<QString> used;
        bool reported = false;
        for (const SessionFact& s : g->sessions) {
            if (!s.used.isEmpty())
                reported = true;
            used += s.used;
        }
        if (reported) {
            ++withUsage;
            unused += int((approved - used).size());
        }
    }

    // 3. Lingering sessions: open after their grant ended, by how long.
    int lingeringCount = 0;
    double lingeringSeconds = 0;
    QJsonArray lingeringNow;
    for (const GrantFact* g : scope) {
        if (!g->endedMs)
            continue;
        for (const SessionFact& s : g->sessions) {
            const qint64 end = s.endedMs ? s.endedMs : nowMs;
            if (end <= g->endedMs)
                continue;
            ++lingeringCount;
            ++days[dayOf(g->startsMs)].lingering;
            lingeringSeconds += double(end - g->endedMs) / 1000.0;
            if (!s.endedMs)
                lingeringNow.append(
                    QJsonObject {{"session", s.id}, {"grant", g->id}, {"identity", g->principal},
                        {"target", g->target}, {"seconds", double(end - g->endedMs) / 1000.0}});
        }
    }

    // 4. Revocation time-to-effect: introspection refuses from the revoke's commit; sessions when confirmed.
    std::vector<qint64> toClosed;
    int revocations = 0, unconfirmed = 0;
    for (const GrantFact* g : scope) {
        if (!g->revokedAtMs)
            continue;
        ++revocations;
        qint64 effect = 0;
        for (const SessionFact& s : g->sessions) {
            if (s.openedMs > g->revokedAtMs || (s.endedMs && s.endedMs <= g->revokedAtMs))
                continue; // not open at the revoke
            if (!s.endedMs) {
                ++unconfirmed;
                effect = -1;
                break;
            }
            effect = std::max(effect, s.endedMs - g->revokedAtMs);
        }
        if (effect >= 0)
            toClosed.push_back(effect);
    }

    // 4b. Enforcement on targets: ended grants the target confirmed, and how long that took.
    int enforcedGrants = 0, enforcedEnded = 0, enforcedVerified = 0;
    std::vector<qint64> lags;
    for (const GrantFact* g : scope) {
        if (!g->enforced)
            continue;
        ++enforcedGrants;
        enforcedEnded += g->endedMs ? 1 : 0;
        if (g->verified) {
            ++enforcedVerified;
            lags.push_back(g->enforcementLagMs);
        }
    }

    // 5. Duration: approved TTL against time used; how grants end.
    int completed = 0, expired = 0, revoked = 0, breakGlass = 0;
    double ttlTotal = 0, usedTotal = 0;
    int ended = 0;
    for (const GrantFact* g : scope) {
        breakGlass += g->breakGlass ? 1 : 0;
        if (!g->endedMs)
            continue;
        ++ended;
        ttlTotal += g->ttlSeconds;
        usedTotal += double(g->endedMs - g->startsMs) / 1000.0;
        completed += g->endedAs == QLatin1String("completed");
        expired += g->endedAs == QLatin1String("expired");
        revoked += g->endedAs == QLatin1String("revoked");
    }

    // 6. Record completeness: task, owner, approver or policy, reason and expiry.
    int complete = 0;
    for (const GrantFact* g : scope) {
        const Principal* p = directory.principal(g->principal);
        const bool owner = p && (p->kind == PrincipalKind::Human || !p->owner.isEmpty());
        // Decided by people, by break-glass (reviewed later), or by a named rule of the directory.
        const bool decidedBy
            = !g->approvers.isEmpty() || g->policy == QLatin1String("break-glass") || !g->rule.isEmpty();
        if (!g->task.trimmed().isEmpty() && owner && decidedBy && !g->reason.trimmed().isEmpty()
            && g->expiresMs > 0)
            ++complete;
    }

    QJsonArray series;
    for (const auto& [day, d] : days)
        series.append(QJsonObject {{"day", day}, {"grants", d.grants}, {"lingering", d.lingering},
            {"post_expiry_uses", d.postExpiryUses}, {"break_glass", d.breakGlass}});
    const int n = int(scope.size());
    return QJsonObject {
        {"window",
            QJsonObject {{"from", q.fromMs > 0 ? QJsonValue(Clock::toIso(q.fromMs)) : QJsonValue()},
                {"to",
                    q.toMs < std::numeric_limits<qint64>::max() ? QJsonValue(Clock::toIso(q.toMs))
                                                                : QJsonValue()},
                {"target", q.target.isEmpty() ? QJsonValue() : QJsonValue(q.target)},
                {"kind", q.kind.isEmpty() ? QJsonValue() : QJsonValue(q.kind)}}},
        {"elevation_frequency",
            QJsonObject {{"grants", n}, {"by_identity", identities}, {"repeated", repeated},
                {"repeat_threshold", q.repeatThreshold},
                {"repeat_window_days", double(q.repeatWindowMs) / 86'400'000.0}}},
        {"grant_width",
            QJsonObject {{"grants", n}, {"with_minimum", withMinimum}, {"excess_privileges", excess},
                {"narrowed", narrowed}, {"with_usage", withUsage}, {"unused_privileges", unused}}},
        {"lingering_sessions",
            QJsonObject {{"count", lingeringCount}, {"total_seconds", lingeringSeconds},
                {"post_expiry_uses", postExpiryUses}, {"open_now", lingeringNow}}},
        {"revocation",
            QJsonObject {{"count", revocations}, {"introspection_refusing_ms", 0},
                {"p50_ms", percentile(toClosed, 0.50)}, {"p99_ms", percentile(toClosed, 0.99)},
                {"sessions_unconfirmed", unconfirmed}}},
        {"enforcement",
            QJsonObject {{"grants", enforcedGrants}, {"ended", enforcedEnded}, {"verified", enforcedVerified},
                {"pending", enforcedEnded - enforcedVerified}, {"lag_p50_ms", percentile(lags, 0.50)},
                {"lag_p99_ms", percentile(lags, 0.99)}}},
        {"duration",
            QJsonObject {{"ended", ended}, {"approved_ttl_seconds", ttlTotal}, {"used_seconds", usedTotal},
                {"completed", completed}, {"expired", expired}, {"revoked", revoked},
                {"break_glass", breakGlass}}},
        {"completeness", QJsonObject {{"grants", n}, {"complete", complete}}},
        {"series", series},
    };
}

} // namespace lapse::test
