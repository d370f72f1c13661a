// The six insight charts, one function each, built from insightTables() and the metrics JSON: the Insights
// tab shows them and the evidence report prints them, so a chart on screen and in the PDF never disagree.
#pragma once

#include "core/CsvWriter.h"

#include <QJsonObject>

class QChart;

namespace lapse::InsightCharts
{

// Each returns a new chart the caller owns. tables: insightTables(metrics).
QChart* grantsPerDay(const QHash<QString, DataTable>& tables);
// The top twelve identities, most grants at the top; the bars' categories are the identities in the order
// names lists them (bottom-up, as horizontal bars draw).
QChart* byIdentity(const QHash<QString, DataTable>& tables, QStringList* names = nullptr);
QChart* width(const QHash<QString, DataTable>& tables);
QChart* lingering(const QHash<QString, DataTable>& tables);
QChart* revocation(const QHash<QString, DataTable>& tables, const QJsonObject& metrics);
QChart* endings(const QJsonObject& metrics);

} // namespace lapse::InsightCharts
