// Duration and instant formatting shared by the console's item models.
#include "TimeFormat.h"

#include "core/Clock.h"

#include <QCoreApplication>
#include <QDateTime>

namespace lapse::timefmt
{

QString duration(qint64 ms)
{
    if (ms < 0)
        return QLatin1Char('-') + duration(-ms);
    const qint64 s = ms / 1000;
    const auto tr = [](const char* text) { return QCoreApplication::translate("lapse::TimeFormat", text); };
    if (s < 60)
        return tr("%1s").arg(s);
    if (s < 3600)
        return tr("%1m %2s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    if (s < 86400)
        return tr("%1h %2m").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
    return tr("%1d %2h").arg(s / 86400).arg((s % 86400) / 3600);
}

QString instant(qint64 ms)
{
    if (ms == 0)
        return {};
    return QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

qint64 parseIso(QStringView iso)
{
    return iso.isEmpty() ? 0 : Clock::fromIso(iso.toString()); // fast for the fixed form the engine writes
}

} // namespace lapse::timefmt
