// Event coalescing: the first event of a quiet period goes out at once, later ones at most every interval.
#include "LiveFeed.h"

#include "backend/Backend.h"

namespace lapse
{

LiveFeed::LiveFeed(Backend* backend, QObject* parent)
    : QObject(parent)
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &LiveFeed::flush);
    if (backend) {
        m_lastSeq = backend->lastSeq();
        connect(backend, &Backend::eventsReceived, this, &LiveFeed::collect);
    }
}

void LiveFeed::setIntervalMs(int ms)
{
    m_intervalMs = qMax(0, ms);
}

void LiveFeed::collect(const QList<Event>& events)
{
    if (events.isEmpty())
        return;
    m_queue.append(events);
    if (m_timer.isActive())
        return;
    // A lone event is not held back a whole interval: the wait is what is left of the interval since the
    // last batch, so bursts coalesce while a quiet stream stays prompt.
    const qint64 since = m_sinceFlush.isValid() ? m_sinceFlush.elapsed() : m_intervalMs;
    m_timer.start(int(qMax<qint64>(0, m_intervalMs - since)));
}

void LiveFeed::flush()
{
    m_timer.stop();
    if (m_queue.isEmpty())
        return;
    const QList<Event> out = std::move(m_queue);
    m_queue.clear();
    m_lastSeq = out.last().seq;
    m_sinceFlush.start();
    emit batch(out);
}

} // namespace lapse
