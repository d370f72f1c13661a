// Webhooks from the broker: each configured sink is given the log's events after its cursor, on a thread of
// its own, so a slow or absent receiver never holds up the engine. Installed as the engine's
// NotificationStatus for /metrics.
#pragma once

#include "NotificationConfig.h"
#include "WebhookWorker.h"
#include "core/Error.h"
#include "engine/NotificationStatus.h"

#include <QObject>
#include <QThread>
#include <memory>
#include <vector>

namespace lapse
{

class Engine;

class WebhookDispatcher : public QObject, public NotificationStatus
{
    Q_OBJECT
public:
    // Starts delivering for engine's log (call on the engine's thread). The log is read through a store of
    // the dispatcher's own (unset openReader: the engine's SQLite file, read-only), and the cursors live in
    // the engine's data directory under notifications/.
    static Result<std::unique_ptr<WebhookDispatcher>> start(Engine& engine, NotificationConfig config,
        WebhookOptions options = {}, WebhookWorker::StoreOpener openReader = {});
    ~WebhookDispatcher() override;

    // Stops the thread; deliveries in flight are abandoned and sent again on the next start. Call before the
    // engine goes away.
    void stop();

    QList<NotificationSinkStatus> sinkStatus() const override;

signals:
    // A receiver answered 2xx for this event: the sink's cursor is at seq.
    void delivered(const QString& sink, qint64 seq);
    // An attempt failed; it is retried after a backoff.
    void deliveryFailed(const QString& sink, qint64 seq, const QString& why);

private:
    explicit WebhookDispatcher(Engine& engine);

    Engine& m_engine;
    QStringList m_ids;
    std::vector<std::shared_ptr<WebhookSinkCounters>> m_counters;
    QThread m_thread;
    WebhookWorker* m_worker = nullptr; // lives on m_thread
};

} // namespace lapse
