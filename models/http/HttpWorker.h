// One HTTP frontend thread: answers repeat introspections from the engine's snapshot, forwards everything
// else.
#pragma once

#include "HttpFrontend.h"

#include <QAbstractHttpServer>
#include <QHash>
#include <QWebSocket>
#include <functional>
#include <map>
#include <memory>

namespace lapse
{

class IntrospectionSnapshot;

// Lives on a thread of its own (see ThreadedHttpListener). Its only shared state is the snapshot, which is
// thread-safe; every other request, long-polls included, is answered by the HttpFrontend on the engine's
// thread, and /v1/stream pages are fetched from it the same way.
class HttpWorker final : public QAbstractHttpServer
{
    Q_OBJECT
public:
    HttpWorker(HttpFrontend& frontend, const IntrospectionSnapshot& snapshot);
    ~HttpWorker() override;

protected:
    bool handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) override;
    void missingHandler(const QHttpServerRequest& request, QTcpSocket* socket) override;

private:
    // `then` runs on this thread with the engine's answer.
    void forward(const ApiRequest& request, std::function<void(const ApiResponse&)> then);
    void finish(quint64 id, const ApiResponse& response);

    struct Subscriber {
        std::unique_ptr<QWebSocket> socket;
        QByteArray authorization;
        qint64 after = 0;
        qint64 unsentBytes = 0;
        bool fetching = false;
        bool stale = false; // events were published while a page was being fetched
    };
    static constexpr qint64 kMaxUnsentBytes = 4 * 1024 * 1024;
    void acceptWebSockets();
    void subscribe(std::unique_ptr<Subscriber> s);
    void pump(quint64 id);
    void pumpAll();

    HttpFrontend& m_frontend;
    const IntrospectionSnapshot& m_snapshot;
    quint64 m_nextId = 0;
    QHash<quint64, std::function<void(const ApiResponse&)>> m_continuations;
    std::map<quint64, std::unique_ptr<Subscriber>> m_subscribers;
};

} // namespace lapse
