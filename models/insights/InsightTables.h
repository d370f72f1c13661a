// The numbers behind each chart of the Insights view, from one /v1/insights answer: the view draws them, the
// CSV export writes them (see core/CsvWriter), so a chart and its export never disagree.
#pragma once

#include "core/CsvWriter.h"

#include <QHash>
#include <QJsonObject>

namespace lapse
{

// By chart name: grants_per_day, by_identity (the top twelve by grants), width, lingering, revocation,
// endings.
QHash<QString, DataTable> insightTables(const QJsonObject& metrics);

} // namespace lapse
