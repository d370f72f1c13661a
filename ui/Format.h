// Small, translated formatting helpers shared by the console's widgets; durations are timefmt::duration.
#pragma once

#include <QString>
#include <QtGlobal>

namespace lapse::Format
{

QString dateTime(qint64 ms); // local yyyy-MM-dd HH:mm:ss
QString isoToLocal(const QString& iso); // "" for empty/null

} // namespace lapse::Format
