// Wakes threads that wait for new events (long-polls), without them touching the engine.
#pragma once

#include <QMutex>
#include <QWaitCondition>
#include <QtGlobal>

namespace lapse
{

class EventNotifier
{
public:
    void publish(qint64 lastSeq)
    {
        QMutexLocker lock(&m_mutex);
        m_lastSeq = lastSeq;
        m_cond.wakeAll();
    }
    // Blocks until an event after afterSeq exists, or timeoutMs passes. Returns the last known seq.
    qint64 waitAfter(qint64 afterSeq, int timeoutMs)
    {
        QMutexLocker lock(&m_mutex);
        QDeadlineTimer deadline(timeoutMs);
        while (m_lastSeq <= afterSeq && !m_closed)
            if (!m_cond.wait(&m_mutex, deadline))
                break;
        return m_lastSeq;
    }
    qint64 lastSeq()
    {
        QMutexLocker lock(&m_mutex);
        return m_lastSeq;
    }
    // Releases every waiter (shutdown).
    void close()
    {
        QMutexLocker lock(&m_mutex);
        m_closed = true;
        m_cond.wakeAll();
    }

private:
    QMutex m_mutex;
    QWaitCondition m_cond;
    qint64 m_lastSeq = 0;
    bool m_closed = false;
};

} // namespace lapse
