// Times as a person reads them.
#include "Format.h"

#include "core/Clock.h"

#include <QDateTime>

namespace lapse::Format
{

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
