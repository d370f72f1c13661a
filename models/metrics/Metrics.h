// Insights from the event log alone: elevation frequency, grant width, lingering sessions, revocation
// time-to-effect, duration and record completeness. One implementation serves the broker's /v1/insights,
// lapsectl metrics and the console, on the engine's own store or on any copy of its events table.
#pragma once

#include "core/Error.h"

#include <QJsonObject>
#include <QString>
#include <QUrlQuery>
#include <limits>

namespace lapse
{

class Directory;
class Store;

struct MetricsQuery {
    qint64 fromMs = 0; // grants started in [fromMs, toMs); events (uses, lingering) in the same window
    qint64 toMs = std::numeric_limits<qint64>::max();
    QString target; // empty: all
    QString kind; // principal kind; empty: all
    int repeatThreshold = 5; // the same identity, privileges and target this many times ...
    qint64 repeatWindowMs = 7LL * 86'400'000; // ... within this window is a redesign candidate
};

// The query items of GET /v1/insights (from <= to, as ISO 8601 UTC; target; kind; repeat >= 2), checked.
Result<MetricsQuery> metricsQueryFrom(const QUrlQuery& items);

// Computes every metric from the store's insight rollups (see engine/InsightsIndex), one function per metric;
// nowMs bounds sessions still open. Refused when the rollups are behind the store's log.
Result<QJsonObject> computeMetrics(
    const Store& store, const Directory& directory, const MetricsQuery& q, qint64 nowMs);

// The access review of repeated elevations: each redesign candidate of computeMetrics with who decides (the
// target's owner, the identity's owner), the directory rule that already covers it, if any, and the latest
// review.decided on exactly that identity, target and privileges.
Result<QJsonArray> reviewCandidates(
    const Store& store, const Directory& directory, const MetricsQuery& q, qint64 nowMs);

} // namespace lapse
