// The six metrics from the insight rollups: whole hours from the hourly sums, the partial hours at a
// window's edges from the per-grant facts, so a query costs the same at a million events as at ten million.
#include "Metrics.h"

#include "engine/InsightsIndex.h"
#include "core/Clock.h"
#include "domain/Directory.h"
#include "engine/Sqlite.h"

#include <QDate>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <sqlite3.h>

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

Error failure(const QString& what, sqlite3* db)
{
    return makeError(ErrorCode::Internal, QStringLiteral("metrics: %1: %2").arg(what, sqliteMessage(db)));
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
    QSqlDatabase db, const Directory& directory, const MetricsQuery& q, qint64 nowMs)
{
    sqlite3* h = sqliteHandle(db);
    if (!h)
        return makeError(ErrorCode::Internal, QStringLiteral("metrics: not an open SQLite store"));
    {
        // The rollups commit with the events they follow; behind the log means a store this build never
        // opened.
        SqlStatement last(h, "SELECT COALESCE(MAX(seq), 0) FROM events");
        if (last.step() != SQLITE_ROW)
            return failure(QStringLiteral("reading the log"), h);
        const qint64 logSeq = last.int64(0);
        if (InsightsIndex::indexedSeq(h) < logSeq)
            return makeError(ErrorCode::Conflict,
                QStringLiteral(
                    "metrics: the insight rollups end at event %1 but the log at %2; open the store with "
                    "lapse-broker or lapsectl once to bring them up to date")
                    .arg(InsightsIndex::indexedSeq(h))
                    .arg(logSeq));
    }

    const qint64 from = std::max<qint64>(0, q.fromMs);
    const qint64 to = q.toMs;
    const qint64 H = InsightsIndex::kHourMs;
    // Whole hours [hFrom, hTo) come from the hourly sums; [from, hFrom*H) and [hTo*H, to) from the facts.
    const qint64 hFrom = from / H + (from % H ? 1 : 0);
    const qint64 hTo = std::max(hFrom, to / H);
    const bool targeted = !q.target.isEmpty();
    const QByteArray targetUtf8 = q.target.toUtf8();
    Identities who(directory, q.kind);

    std::map<std::tuple<qint64, QString, QString, QString>, GrantContribution> cells; // day, group
    auto addRows = [&](SqlStatement& s) -> Status {
        int rc;
        while ((rc = s.step()) == SQLITE_ROW) {
            const QString principal = s.text(1);
            if (!who.inScope(principal))
                continue;
            cells[{s.int64(0), principal, s.text(2), s.text(3)}] += InsightsIndex::readContribution(s, 4);
        }
        return rc == SQLITE_DONE ? Status(Ok {}) : Status(failure(QStringLiteral("query"), h));
    };
    const QString cols = InsightsIndex::contributionColumns();
    const QString targetClause = targeted ? QStringLiteral(" AND target = ?3") : QString();
    if (hFrom < hTo) {
        SqlStatement rollup;
        const QByteArray sql
            = QStringLiteral("SELECT hour / 24, principal, target, privileges, %1 FROM insight_rollup"
                             " WHERE hour >= ?1 AND hour < ?2%2 GROUP BY 1, 2, 3, 4")
                  .arg(InsightsIndex::contributionColumns(QStringLiteral("SUM")), targetClause)
                  .toUtf8();
        if (!rollup.prepare(h, sql.constData()))
            return failure(QStringLiteral("query"), h);
        rollup.bind(1, hFrom).bind(2, hTo);
        if (targeted)
            rollup.bindText(3, targetUtf8);
        if (const Status s = addRows(rollup); !s)
            return s.error();
    }
    const QByteArray factSql
        = QStringLiteral("SELECT start_ms / %1, principal, target, privileges, %2 FROM insight_grants"
                         " WHERE start_ms >= ?1 AND start_ms < ?2%3")
              .arg(kDayMs)
              .arg(cols, targetClause)
              .toUtf8();
    SqlStatement facts;
    if (!facts.prepare(h, factSql.constData()))
        return failure(QStringLiteral("query"), h);
    const std::pair<qint64, qint64> edges[]
        = {hFrom < hTo ? std::pair {from, std::min(to, hFrom * H)} : std::pair {from, to},
            hFrom < hTo ? std::pair {std::max(from, hTo * H), to} : std::pair {qint64(0), qint64(0)}};
    for (const auto& [a, b] : edges) {
        if (a >= b)
            continue;
        facts.bind(1, a).bind(2, b);
        if (targeted)
            facts.bindText(3, targetUtf8);
        if (const Status s = addRows(facts); !s)
            return s.error();
        facts.reset();
    }

    // Sessions still open after their grant ended: lingering now, by how long so far.
    struct Day {
        qint64 grants = 0, lingering = 0, uses = 0, breakGlass = 0;
    };
    std::map<qint64, Day> days;
    qint64 lingeringOpen = 0;
    double lingeringOpenSeconds = 0;
    QJsonArray lingeringNow;
    {
        const QByteArray sql
            = QStringLiteral("SELECT id, principal, target, state FROM insight_grants"
                             " WHERE lingering_open > 0 AND start_ms >= ?1 AND start_ms < ?2%1")
                  .arg(targetClause)
                  .toUtf8();
        SqlStatement open(h, sql.constData());
        open.bind(1, from).bind(2, to);
        if (targeted)
            open.bindText(3, targetUtf8);
        int rc;
        while ((rc = open.step()) == SQLITE_ROW) {
            const QString principal = open.text(1);
            if (!who.inScope(principal))
                continue;
            int n = 0;
            const char* p = open.data(3, &n);
            const InsightsIndex::OpenSessions state
                = InsightsIndex::openSessions(QByteArray::fromRawData(p, n));
            if (nowMs <= state.endedMs)
                continue;
            const double seconds = double(nowMs - state.endedMs) / 1000.0;
            for (const QString& session : state.sessions) {
                ++lingeringOpen;
                lingeringOpenSeconds += seconds;
                ++days[state.startMs / kDayMs].lingering;
                lingeringNow.append(QJsonObject {{"session", session}, {"grant", open.text(0)},
                    {"identity", principal}, {"target", open.text(2)}, {"seconds", seconds}});
            }
        }
        if (rc != SQLITE_DONE)
            return failure(QStringLiteral("query"), h);
    }

    // Revocation time-to-effect: introspection refuses from the revoke's commit; sessions when confirmed.
    std::vector<qint64> toClosed;
    qint64 revocations = 0, unconfirmed = 0;
    {
        const QByteArray sql = QStringLiteral("SELECT principal, revoke_effect_ms FROM insight_grants"
                                              " WHERE revocations > 0 AND start_ms >= ?1 AND start_ms < ?2%1")
                                   .arg(targetClause)
                                   .toUtf8();
        SqlStatement rev(h, sql.constData());
        rev.bind(1, from).bind(2, to);
        if (targeted)
            rev.bindText(3, targetUtf8);
        int rc;
        while ((rc = rev.step()) == SQLITE_ROW) {
            if (!who.inScope(rev.text(0)))
                continue;
            ++revocations;
            if (rev.isNull(1))
                ++unconfirmed;
            else
                toClosed.push_back(rev.int64(1));
        }
        if (rc != SQLITE_DONE)
            return failure(QStringLiteral("query"), h);
    }

    // Everything else sums over the cells.
    GrantContribution total;
    QMap<QString, qint64> byIdentity;
    std::map<Group, qint64> repeats; // the largest count within the window ending at a grant in scope
    qint64 complete = 0;
    for (const auto& [key, c] : cells) {
        const auto& [day, principal, target, privileges] = key;
        total += c;
        byIdentity[principal] += c.grants;
        qint64& best = repeats[{principal, target, privileges}];
        best = std::max(best, c.window);
        if (who.hasOwner(principal))
            complete += c.recordComplete;
        Day& d = days[day];
        d.grants += c.grants;
        d.lingering += c.lingering;
        d.uses += c.uses;
        d.breakGlass += c.breakGlass;
    }
    if (q.repeatWindowMs != InsightsIndex::kDefaultWindowMs) {
        // Another window than the one kept at ingest: counted from the grants' start times.
        repeats.clear();
        const QByteArray sql
            = QStringLiteral("SELECT principal, target, privileges, start_ms FROM insight_grants"
                             " WHERE start_ms >= ?1 AND start_ms < ?2%1"
                             " ORDER BY principal, target, privileges, start_ms")
                  .arg(targetClause)
                  .toUtf8();
        SqlStatement starts(h, sql.constData());
        starts.bind(1, std::max<qint64>(0, from - q.repeatWindowMs)).bind(2, to);
        if (targeted)
            starts.bindText(3, targetUtf8);
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
        int rc;
        while ((rc = starts.step()) == SQLITE_ROW) {
            Group g {starts.text(0), starts.text(1), starts.text(2)};
            if (g != current) {
                close();
                current = g;
            }
            if (who.inScope(std::get<0>(g)))
                times.push_back(starts.int64(3));
        }
        close();
        if (rc != SQLITE_DONE)
            return failure(QStringLiteral("query"), h);
    }

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
    QJsonArray series;
    for (const auto& [day, d] : days)
        series.append(
            QJsonObject {{"day", QDate(1970, 1, 1).addDays(day).toString(Qt::ISODate)}, {"grants", d.grants},
                {"lingering", d.lingering}, {"post_expiry_uses", d.uses}, {"break_glass", d.breakGlass}});

    return QJsonObject {
        {"window",
            QJsonObject {{"from", q.fromMs > 0 ? QJsonValue(Clock::toIso(q.fromMs)) : QJsonValue()},
                {"to",
                    q.toMs < std::numeric_limits<qint64>::max() ? QJsonValue(Clock::toIso(q.toMs))
                                                                : QJsonValue()},
                {"target", q.target.isEmpty() ? QJsonValue() : QJsonValue(q.target)},
                {"kind", q.kind.isEmpty() ? QJsonValue() : QJsonValue(q.kind)}}},
        {"elevation_frequency",
            QJsonObject {{"grants", total.grants}, {"by_identity", identities}, {"repeated", repeated},
                {"repeat_threshold", q.repeatThreshold},
                {"repeat_window_days", double(q.repeatWindowMs) / double(kDayMs)}}},
        {"grant_width",
            QJsonObject {{"grants", total.grants}, {"with_minimum", total.withMinimum},
                {"excess_privileges", total.excess}, {"narrowed", total.narrowed},
                {"with_usage", total.withUsage}, {"unused_privileges", total.unused}}},
        {"lingering_sessions",
            QJsonObject {{"count", total.lingering + lingeringOpen},
                {"total_seconds", double(total.lingeringMs) / 1000.0 + lingeringOpenSeconds},
                {"post_expiry_uses", total.uses}, {"open_now", lingeringNow}}},
        {"revocation",
            QJsonObject {{"count", revocations}, {"introspection_refusing_ms", 0},
                {"p50_ms", percentile(toClosed, 0.50)}, {"p99_ms", percentile(toClosed, 0.99)},
                {"sessions_unconfirmed", unconfirmed}}},
        {"duration",
            QJsonObject {{"ended", total.ended}, {"approved_ttl_seconds", double(total.ttlSeconds)},
                {"used_seconds", double(total.usedMs) / 1000.0}, {"completed", total.completed},
                {"expired", total.expired}, {"revoked", total.revoked}, {"break_glass", total.breakGlass}}},
        {"completeness", QJsonObject {{"grants", total.grants}, {"complete", complete}}},
        {"series", series},
    };
}

} // namespace lapse
