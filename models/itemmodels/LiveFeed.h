// Follows the backend's event log and hands the models coalesced batches, at most one per event-loop turn.
#pragma once

#include "backend/Backend.h"

#include <QPointer>
#include <QTimer>

namespace lapse
{

class LiveFeed : public QObject
{
    Q_OBJECT
public:
    explicit LiveFeed(Backend* backend, QObject* parent = nullptr);
    // Follows from the log's current head (the models load the current state themselves).
    void start();
    void startAfter(qint64 seq);

signals:
    void batch(const QList<lapse::Event>& events);

private:
    void flush();
    QPointer<Backend> m_backend;
    QList<Event> m_pending;
    QTimer m_timer;
};

} // namespace lapse
