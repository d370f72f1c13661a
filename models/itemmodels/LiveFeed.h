// Coalesces the backend's event stream into batches, so the item models update at most every few ms.
#pragma once

#include "domain/Event.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QTimer>

namespace lapse
{

class Backend;

class LiveFeed : public QObject
{
    Q_OBJECT
public:
    explicit LiveFeed(Backend* backend, QObject* parent = nullptr);

    // The longest an event waits before it is handed on. Default 50 ms.
    void setIntervalMs(int ms);
    // The sequence number of the last event handed on through batch().
    qint64 lastSeq() const { return m_lastSeq; }
    int pendingCount() const { return m_queue.size(); }

public slots:
    // Hands on whatever is queued now.
    void flush();

signals:
    void batch(const QList<lapse::Event>& events);

private:
    void collect(const QList<lapse::Event>& events);

    QList<Event> m_queue;
    QTimer m_timer;
    QElapsedTimer m_sinceFlush;
    int m_intervalMs = 50;
    qint64 m_lastSeq = 0;
};

} // namespace lapse
