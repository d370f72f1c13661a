// Small, translated formatting helpers shared by the console's widgets.
#pragma once

#include <QString>
#include <QtGlobal>

namespace lapse::Format
{

QString duration(qint64 ms); // "45 s", "12 min", "3 h 05 min", "2 d 4 h"
QString clock(qint64 ms); // local HH:mm:ss
QString dateTime(qint64 ms); // local yyyy-MM-dd HH:mm:ss
QString isoToLocal(const QString& iso); // "" for empty/null

} // namespace lapse::Format
