// How the console's tables write durations and instants: short, sortable by eye, translated.
#pragma once

#include <QString>
#include <QtGlobal>

namespace lapse::timefmt
{

// "42s", "5m 03s", "2h 07m", "3d 4h"; negative durations get a leading minus. The one duration format of
// the console, tables and panes alike, so a row and the pane beside it never disagree.
QString duration(qint64 ms);
// Local time "2026-11-22 10:00:05"; empty for 0.
QString instant(qint64 ms);
// The API's UTC instants ("2026-11-22T10:00:00.123Z") to epoch ms, fast for the fixed form the engine writes
// and through QDateTime for anything else. 0 for null, empty or unreadable text.
qint64 parseIso(QStringView iso);

} // namespace lapse::timefmt
