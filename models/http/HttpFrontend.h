// The broker's HTTP layer: QHttpServer over TLS in front of ApiService, with long-polled events. It also
// answers, on the engine's thread, what HttpWorker threads forward to it.
#pragma once

#include "api/ApiService.h"

#include <QAbstractHttpServer>
#include <QList>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>
#include <QWebSocket>
#include <functional>
#include <memory>

namespace lapse
{

class Engine;

class HttpFrontend final : public QAbstractHttpServer
{
    Q_OBJECT
public:
    explicit HttpFrontend(Engine& engine, QObject* parent = nullptr);
    ~HttpFrontend() override;

    static ApiRequest toApiRequest(const QHttpServerRequest& request);

    using Reply = std::function<void(const ApiResponse&)>;
    // Answers a request read on another thread. Call on this object's (the engine's) thread; `reply` runs on
    // it too, at once or, for a long-poll, once an event is durable or the wait runs out.
    void dispatch(const ApiRequest& request, Reply reply);

signals:
    // After every commit that appended events (for streams served on other threads).
    void eventsPublished();

protected:
    bool handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) override;
    void missingHandler(const QHttpServerRequest& request, QTcpSocket* socket) override;

private:
    struct Waiter {
        Reply reply;
        std::function<bool()> abandoned; // the client left
        const Principal* actor = nullptr;
        ApiRequest request;
        qint64 after = 0;
        qint64 deadlineMs = 0;
    };
    // A /v1/stream subscriber: pages of events pushed from `after` on, paused while too much is unsent.
    struct Subscriber {
        std::unique_ptr<QWebSocket> socket;
        const Principal* actor = nullptr;
        qint64 after = 0;
        qint64 unsentBytes = 0;
    };
    static constexpr qint64 kMaxUnsentBytes = 4 * 1024 * 1024;
    void acceptWebSockets();
    void pump(Subscriber& s);
    void pumpAll();

    void send(QHttpServerResponder& responder, const ApiResponse& response);
    void serve(const ApiRequest& req, Reply reply, std::function<bool()> abandoned);
    void serviceWaiters(bool timeoutsOnly);

    Engine& m_engine;
    ApiService m_api;
    QList<std::shared_ptr<Waiter>> m_waiters;
    QTimer m_waitTimer;
    std::vector<std::unique_ptr<Subscriber>> m_subscribers;
};

} // namespace lapse
