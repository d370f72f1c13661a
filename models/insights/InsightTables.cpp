// One table per chart, in the units the chart shows (revocation times in seconds).
#include "InsightTables.h"

#include <QJsonArray>

#include <algorithm>

namespace lapse
{

QHash<QString, DataTable> insightTables(const QJsonObject& m)
{
    QHash<QString, DataTable> out;
    const QJsonArray series = m[QLatin1String("series")].toArray();
    DataTable& perDay = out[QStringLiteral("grants_per_day")];
    perDay.columns = {QStringLiteral("day"), QStringLiteral("grants"), QStringLiteral("break_glass")};
    DataTable& lingering = out[QStringLiteral("lingering")];
    lingering.columns
        = {QStringLiteral("day"), QStringLiteral("lingering_sessions"), QStringLiteral("post_expiry_uses")};
    for (const auto& v : series) {
        const QJsonObject d = v.toObject();
        const QString day = d[QLatin1String("day")].toString();
        perDay.rows << QVariantList {
            day, d[QLatin1String("grants")].toInteger(), d[QLatin1String("break_glass")].toInteger()};
        lingering.rows << QVariantList {
            day, d[QLatin1String("lingering")].toInteger(), d[QLatin1String("post_expiry_uses")].toInteger()};
    }

    QList<QPair<QString, qint64>> identities;
    for (const auto& v :
        m[QLatin1String("elevation_frequency")].toObject()[QLatin1String("by_identity")].toArray())
        identities << qMakePair(v.toObject()[QLatin1String("identity")].toString(),
            v.toObject()[QLatin1String("grants")].toInteger());
    std::stable_sort(identities.begin(), identities.end(),
        [](const auto& a, const auto& b) { return a.second > b.second; });
    DataTable& byIdentity = out[QStringLiteral("by_identity")];
    byIdentity.columns = {QStringLiteral("identity"), QStringLiteral("grants")};
    for (const auto& [name, n] : identities.mid(0, 12))
        byIdentity.rows << QVariantList {name, n};

    const QJsonObject w = m[QLatin1String("grant_width")].toObject();
    out[QStringLiteral("width")] = DataTable {{QStringLiteral("measure"), QStringLiteral("value")},
        {{QStringLiteral("excess_privileges"), w[QLatin1String("excess_privileges")].toInteger()},
            {QStringLiteral("narrowed"), w[QLatin1String("narrowed")].toInteger()},
            {QStringLiteral("unused_privileges"), w[QLatin1String("unused_privileges")].toInteger()}}};

    const QJsonObject r = m[QLatin1String("revocation")].toObject();
    out[QStringLiteral("revocation")] = DataTable {{QStringLiteral("measure"), QStringLiteral("seconds")},
        {{QStringLiteral("introspection_refusing"), 0.0},
            {QStringLiteral("p50"), r[QLatin1String("p50_ms")].toDouble() / 1000.0},
            {QStringLiteral("p99"), r[QLatin1String("p99_ms")].toDouble() / 1000.0}}};
    // Enforced targets: from a grant's end to its login refused on the target (only where there are any).
    const QJsonObject e = m[QLatin1String("enforcement")].toObject();
    if (e[QLatin1String("grants")].toInt() > 0) {
        out[QStringLiteral("revocation")].rows.append(
            {QStringLiteral("target_refused_p50"), e[QLatin1String("lag_p50_ms")].toDouble() / 1000.0});
        out[QStringLiteral("revocation")].rows.append(
            {QStringLiteral("target_refused_p99"), e[QLatin1String("lag_p99_ms")].toDouble() / 1000.0});
    }

    const QJsonObject d = m[QLatin1String("duration")].toObject();
    out[QStringLiteral("endings")] = DataTable {{QStringLiteral("ended_by"), QStringLiteral("grants")},
        {{QStringLiteral("completed"), d[QLatin1String("completed")].toInteger()},
            {QStringLiteral("expired"), d[QLatin1String("expired")].toInteger()},
            {QStringLiteral("revoked"), d[QLatin1String("revoked")].toInteger()}}};
    return out;
}

} // namespace lapse
