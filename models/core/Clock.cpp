// System clock by default; tests swap in a ManualClock.
#include "Clock.h"

#include <atomic>

namespace lapse
{

namespace
{
const SystemClock kSystemClock;
std::atomic<const Clock*> g_clock {&kSystemClock};
} // namespace

const Clock& Clock::instance()
{
    return *g_clock.load(std::memory_order_acquire);
}

void Clock::setInstance(const Clock* clock)
{
    g_clock.store(clock ? clock : &kSystemClock, std::memory_order_release);
}

QString Clock::toIso(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

qint64 Clock::fromIso(const QString& iso, bool* ok)
{
    QDateTime dt = QDateTime::fromString(iso, Qt::ISODateWithMs);
    if (!dt.isValid())
        dt = QDateTime::fromString(iso, Qt::ISODate);
    if (ok)
        *ok = dt.isValid();
    return dt.isValid() ? dt.toMSecsSinceEpoch() : 0;
}

} // namespace lapse
