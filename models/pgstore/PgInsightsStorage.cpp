// The insight rollups in PostgreSQL.
#include "PgInsightsStorage.h"

#include "PgSql.h"
#include "engine/InsightsIndex.h"

namespace lapse
{

namespace
{
Error unreachable()
{
    return makeError(ErrorCode::Unavailable, QStringLiteral("insights: the store is unreachable"));
}
Error failed(const char* what, const Error& e)
{
    return makeError(
        ErrorCode::Internal, QStringLiteral("insights: %1 failed: %2").arg(QLatin1String(what), e.message));
}
void addContribution(pg::Params& p, const GrantContribution& c)
{
    const qint64* f = &c.grants;
    for (int i = 0; i < int(sizeof(GrantContribution) / sizeof(qint64)); ++i)
        p.int64(f[i]);
}
} // namespace

PgInsightsStorage::PgInsightsStorage(ConnectionFn connection)
    : m_connection(std::move(connection))
{
    const QStringList names = InsightsIndex::contributionColumnNames();
    QStringList params, sets, updates;
    for (int i = 0; i < names.size(); ++i) {
        params << QStringLiteral("$%1").arg(i + 9);
        sets << QStringLiteral("%1 = excluded.%1").arg(names[i]);
        updates << (i == names.size() - 1
                ? QStringLiteral("%1 = GREATEST(insight_rollup.%1, excluded.%1)").arg(names[i])
                : QStringLiteral("%1 = insight_rollup.%1 + excluded.%1").arg(names[i]));
    }
    const QString columns = names.join(QLatin1Char(','));
    m_writeGrant
        = QStringLiteral("INSERT INTO insight_grants(id, start_ms, principal, target, privileges,"
                         " revoke_effect_ms, lingering_open, state, %1) VALUES($1,$2,$3,$4,$5,$6,$7,$8,%2)"
                         " ON CONFLICT(id) DO UPDATE SET start_ms = excluded.start_ms,"
                         " principal = excluded.principal, target = excluded.target,"
                         " privileges = excluded.privileges, revoke_effect_ms = excluded.revoke_effect_ms,"
                         " lingering_open = excluded.lingering_open, state = excluded.state, %3")
              .arg(columns, params.join(QLatin1Char(',')), sets.join(QLatin1Char(',')))
              .toUtf8();
    QStringList rollupParams;
    for (int i = 0; i < names.size(); ++i)
        rollupParams << QStringLiteral("$%1").arg(i + 5);
    m_addToRollup = QStringLiteral("INSERT INTO insight_rollup(hour, principal, target, privileges, %1)"
                                   " VALUES($1,$2,$3,$4,%2) ON CONFLICT(hour, principal, target, privileges)"
                                   " DO UPDATE SET %3")
                        .arg(columns, rollupParams.join(QLatin1Char(',')), updates.join(QLatin1Char(',')))
                        .toUtf8();
}

Result<std::optional<InsightsStorage::GrantRow>> PgInsightsStorage::readGrant(const QString& id)
{
    const auto c = m_connection();
    if (!c)
        return unreachable();
    auto r = c->exec("SELECT principal, target, privileges, state FROM insight_grants WHERE id = $1",
        pg::Params().text(id));
    if (!r)
        return failed("grant read", r.error());
    if (r.value().count() == 0)
        return std::optional<GrantRow>();
    return std::optional<GrantRow>(
        GrantRow {r.value().text(0, 0), r.value().text(0, 1), r.value().text(0, 2), r.value().bytea(0, 3)});
}

Status PgInsightsStorage::recentStarts(
    qint64 windowMs, const std::function<void(const QString&, const QString&, const QString&, qint64)>& row)
{
    const auto c = m_connection();
    if (!c)
        return unreachable();
    auto r = c->exec("SELECT principal, target, privileges, start_ms FROM insight_grants"
                     " WHERE start_ms > (SELECT MAX(start_ms) FROM insight_grants) - $1 ORDER BY start_ms",
        pg::Params().int64(windowMs));
    if (!r)
        return failed("load", r.error());
    for (int i = 0; i < r.value().count(); ++i)
        row(r.value().text(i, 0), r.value().text(i, 1), r.value().text(i, 2), r.value().int64(i, 3));
    return Ok {};
}

qint64 PgInsightsStorage::indexedSeq()
{
    const auto c = m_connection();
    if (!c)
        return 0;
    auto r = c->exec("SELECT value FROM meta WHERE key = 'insights_seq'");
    return r && r.value().count() ? r.value().text(0, 0).toLongLong() : 0;
}

Status PgInsightsStorage::writeGrant(const GrantWrite& row)
{
    const auto c = m_connection();
    if (!c)
        return unreachable();
    pg::Params p;
    p.text(row.id).int64(row.startMs).text(row.principal).text(row.target).text(row.privileges);
    p.optional(row.revokeEffectMs.value_or(0), row.revokeEffectMs.has_value()).int64(row.lingeringOpen);
    p.bytea(row.state);
    addContribution(p, row.contribution);
    auto r = c->exec(m_writeGrant.constData(), p);
    return r ? Status(Ok {}) : Status(failed("grant write", r.error()));
}

Status PgInsightsStorage::addToRollup(qint64 hour, const QString& principal, const QString& target,
    const QString& privileges, const GrantContribution& delta)
{
    const auto c = m_connection();
    if (!c)
        return unreachable();
    pg::Params p;
    p.int64(hour).text(principal).text(target).text(privileges);
    addContribution(p, delta);
    auto r = c->exec(m_addToRollup.constData(), p);
    return r ? Status(Ok {}) : Status(failed("rollup write", r.error()));
}

Status PgInsightsStorage::writeIndexedSeq(qint64 seq)
{
    const auto c = m_connection();
    if (!c)
        return unreachable();
    auto r = c->exec("INSERT INTO meta(key, value) VALUES('insights_seq', $1)"
                     " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        pg::Params().int64(seq));
    return r ? Status(Ok {}) : Status(failed("seq write", r.error()));
}

} // namespace lapse
