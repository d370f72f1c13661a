// The broker's HTTP layer: QHttpServer over TLS in front of ApiService, with long-polled events.
#pragma once

#include "api/ApiService.h"

#include <QAbstractHttpServer>
#include <QList>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>
#include <QWebSocket>
#include <memory>

namespace lapse {

class Engine;

class HttpFrontend final : public QAbstractHttpServer {
    Q_OBJECT
public:
    explicit HttpFrontend(Engine& engine, QObject* parent = nullptr);
    ~HttpFrontend() override;

protected:
    bool handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) override;
    void missingHandler(const QHttpServerRequest& request, QTcpSocket* socket) override;

private:
    struct Waiter {
        std::unique_ptr<QHttpServerResponder> responder;
        QPointer<QTcpSocket> socket;
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
    void serviceWaiters(bool timeoutsOnly);

    Engine& m_engine;
    ApiService m_api;
    QList<std::shared_ptr<Waiter>> m_waiters;
    QTimer m_waitTimer;
    std::vector<std::unique_ptr<Subscriber>> m_subscribers;
};

} // namespace lapse
