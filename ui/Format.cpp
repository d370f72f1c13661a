// Durations and times as a person reads them, through tr() like every visible string.
#include "Format.h"

#include "core/Clock.h"

#include <QCoreApplication>
#include <QDateTime>

namespace lapse::Format
{

QString duration(qint64 ms)
{
    const bool negative = ms < 0;
    qint64 s = qAbs(ms) / 1000;
    QString text;
    if (s < 60)
        text = QCoreApplication::translate("Format", "%1 s").arg(s);
    else if (s < 3600)
        text = QCoreApplication::translate("Format", "%1 min").arg(s / 60);
    else if (s < 86400)
        text = QCoreApplication::translate("Format", "%1 h %2 min")
                   .arg(s / 3600)
                   .arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
    else
        text = QCoreApplication::translate("Format", "%1 d %2 h").arg(s / 86400).arg((s % 86400) / 3600);
    return negative ? QStringLiteral("−") + text : text;
}

QString clock(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().toString(QStringLiteral("HH:mm:ss"));
}

QString dateTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString isoToLocal(const QString& iso)
{
    if (iso.isEmpty())
        return {};
    bool ok = false;
    const qint64 ms = Clock::fromIso(iso, &ok);
    return ok ? dateTime(ms) : iso;
}

} // namespace lapse::Format
