// The metrics computed by replaying the whole event log: the oracle the rollup-based metrics are tested
// against.
#pragma once

#include "core/Error.h"
#include "metrics/Metrics.h"

#include <QJsonObject>
#include <QSqlDatabase>

namespace lapse
{
class Directory;
}

namespace lapse::test
{
Result<QJsonObject> referenceMetrics(
    QSqlDatabase db, const Directory& directory, const MetricsQuery& q, qint64 nowMs);
}
