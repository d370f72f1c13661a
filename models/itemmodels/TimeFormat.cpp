// Duration and instant formatting for the whole console: its item models and its widgets.
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
    // The context is spelled out at each call so lupdate files the strings under the one looked up here.
    if (s < 60)
        return QCoreApplication::translate("lapse::TimeFormat", "%1s").arg(s);
    if (s < 3600)
        return QCoreApplication::translate("lapse::TimeFormat", "%1m %2s")
            .arg(s / 60)
            .arg(s % 60, 2, 10, QLatin1Char('0'));
    if (s < 86400)
        return QCoreApplication::translate("lapse::TimeFormat", "%1h %2m")
            .arg(s / 3600)
            .arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
    return QCoreApplication::translate("lapse::TimeFormat", "%1d %2h").arg(s / 86400).arg((s % 86400) / 3600);
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
