// Coalescing: many eventsReceived signals become one batch per short timer tick.
#include "LiveFeed.h"

namespace lapse
{

LiveFeed::LiveFeed(Backend* backend, QObject* parent)
    : QObject(parent)
    , m_backend(backend)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(20);
    connect(&m_timer, &QTimer::timeout, this, &LiveFeed::flush);
    connect(backend, &Backend::eventsReceived, this, [this](const QList<Event>& events) {
        m_pending += events;
        if (!m_timer.isActive())
            m_timer.start();
    });
}

void LiveFeed::start()
{
    if (!m_backend)
        return;
    m_backend->events(0, 1, [this, guard = QPointer<LiveFeed>(this)](const ApiResult& r) {
        if (!guard || !m_backend)
            return;
        startAfter(r ? r->value("last_seq").toInteger() : 0);
    });
}

void LiveFeed::startAfter(qint64 seq)
{
    if (m_backend)
        m_backend->follow(seq);
}

void LiveFeed::flush()
{
    if (m_pending.isEmpty())
        return;
    const QList<Event> out = std::exchange(m_pending, {});
    emit batch(out);
}

} // namespace lapse
