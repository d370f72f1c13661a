// The evidence pack's report.pdf: a cover anchoring it to the signed checkpoint, the six insight metrics with
// their charts, the control mapping, the exceptions and the sampled grants' timelines, from an EvidenceData.
#pragma once

#include "core/Error.h"
#include "evidence/EvidenceData.h"

#include <QByteArray>

namespace lapse
{

// The PDF (A4, fonts embedded, text selectable, "page X of Y" on every page). The whole population is in the
// pack's CSV files; the PDF lists at most kReportExceptionRows exceptions per category.
// Must run on the GUI thread of a QApplication (it renders QtCharts).
Result<QByteArray> renderEvidenceReport(const EvidenceData& data);

constexpr int kReportExceptionRows = 200;

} // namespace lapse
