// The dispatcher's lifetime on the engine's side: its thread, the wake-up from each commit, and the counters
// /metrics reads.
#include "WebhookDispatcher.h"

#include "engine/Engine.h"
#include "engine/SqliteStore.h"

#include <QMetaMethod>

namespace lapse
{

WebhookDispatcher::WebhookDispatcher(Engine& engine)
    : m_engine(engine)
{
    m_thread.setObjectName(QStringLiteral("lapse-webhooks"));
}

Result<std::unique_ptr<WebhookDispatcher>> WebhookDispatcher::start(
    Engine& engine, NotificationConfig config, WebhookOptions options, WebhookWorker::StoreOpener openReader)
{
    if (!openReader) {
        const QString path = engine.store().location();
        openReader = [path]() -> Result<std::unique_ptr<Store>> {
            auto s = SqliteStore::openReadOnly(path);
            if (!s)
                return s.error();
            return std::unique_ptr<Store>(std::move(s).value());
        };
    }
    std::unique_ptr<WebhookDispatcher> d(new WebhookDispatcher(engine));
    for (const WebhookSinkConfig& s : config.webhooks) {
        d->m_ids << s.id;
        d->m_counters.push_back(std::make_shared<WebhookSinkCounters>());
    }
    d->m_worker
        = new WebhookWorker(engine.dataDir(), config.webhooks, std::move(openReader), options, d->m_counters);
    d->m_worker->moveToThread(&d->m_thread);
    // Relayed to the engine's thread only when something there listens: the broker does not, and each relay
    // would be work for the thread every approval waits on.
    WebhookDispatcher* self = d.get();
    connect(
        d->m_worker, &WebhookWorker::delivered, self,
        [self](const QString& sink, qint64 seq) {
            if (self->isSignalConnected(QMetaMethod::fromSignal(&WebhookDispatcher::delivered)))
                QMetaObject::invokeMethod(
                    self, [self, sink, seq] { emit self->delivered(sink, seq); }, Qt::QueuedConnection);
        },
        Qt::DirectConnection);
    connect(
        d->m_worker, &WebhookWorker::deliveryFailed, self,
        [self](const QString& sink, qint64 seq, const QString& why) {
            if (self->isSignalConnected(QMetaMethod::fromSignal(&WebhookDispatcher::deliveryFailed)))
                QMetaObject::invokeMethod(
                    self, [self, sink, seq, why] { emit self->deliveryFailed(sink, seq, why); },
                    Qt::QueuedConnection);
        },
        Qt::DirectConnection);
    d->m_thread.start();
    Status started = Ok {};
    WebhookWorker* worker = d->m_worker;
    QMetaObject::invokeMethod(
        worker, [worker, &started] { started = worker->initialize(); }, Qt::BlockingQueuedConnection);
    if (!started) {
        d->stop();
        return makeError(started.error().code, QStringLiteral("webhooks: %1").arg(started.error().message));
    }
    // The engine's thread does no more than post a wake-up per commit (coalesced): reading and sending are
    // the worker's.
    connect(&engine, &Engine::eventsAppended, d.get(), [worker] { worker->requestWake(); });
    engine.setNotifications(d.get());
    return d;
}

WebhookDispatcher::~WebhookDispatcher()
{
    stop();
}

void WebhookDispatcher::stop()
{
    if (!m_worker)
        return;
    disconnect(&m_engine, nullptr, this, nullptr);
    if (m_engine.notifications() == this)
        m_engine.setNotifications(nullptr);
    WebhookWorker* worker = std::exchange(m_worker, nullptr);
    // Shut down on its own thread: its network manager and its store connection belong there. What is left
    // (stopped timers) goes once the thread has finished.
    QMetaObject::invokeMethod(
        worker, [worker] { worker->shutdown(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    delete worker;
}

QList<NotificationSinkStatus> WebhookDispatcher::sinkStatus() const
{
    QList<NotificationSinkStatus> out;
    for (int i = 0; i < m_ids.size(); ++i) {
        const WebhookSinkCounters& c = *m_counters.at(i);
        out << NotificationSinkStatus {m_ids.at(i), c.delivered.load(), c.failures.load(), c.cursor.load()};
    }
    return out;
}

} // namespace lapse
