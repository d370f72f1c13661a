// The worker side of the HTTP layer: parse, answer from the snapshot when it can, otherwise ask the engine's
// thread.
#include "HttpWorker.h"

#include "PendingResponder.h"
#include "StreamRequest.h"
#include "engine/IntrospectionSnapshot.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonObject>
#include <QUrlQuery>

namespace lapse
{

HttpWorker::HttpWorker(HttpFrontend& frontend, const IntrospectionSnapshot& snapshot)
    : m_frontend(frontend)
    , m_snapshot(snapshot)
{
    connect(this, &QAbstractHttpServer::newWebSocketConnection, this, &HttpWorker::acceptWebSockets);
    // Queued: the frontend lives on the engine's thread.
    connect(&m_frontend, &HttpFrontend::eventsPublished, this, &HttpWorker::pumpAll);
}

HttpWorker::~HttpWorker() = default;

bool HttpWorker::handleRequest(const QHttpServerRequest& request, QTcpSocket* socket)
{
    // As in HttpFrontend: Qt 6.4 upgrades after this call, so the stream is checked in acceptWebSockets().
    if (request.value("Upgrade").compare("websocket", Qt::CaseInsensitive) == 0)
        return true;
    const ApiRequest req = HttpFrontend::toApiRequest(request);
    if (auto answer = ApiService::answerFromSnapshot(m_snapshot, req)) {
        makeResponder(request, socket)
            .write(answer->body, answer->contentType, QHttpServerResponder::StatusCode(answer->status));
        return true;
    }
    auto pending = std::make_shared<PendingResponder>();
    pending->responder = std::make_unique<QHttpServerResponder>(makeResponder(request, socket));
    pending->socket = socket;
    forward(req, [pending](const ApiResponse& r) {
        if (pending->socket)
            pending->responder->write(r.body, r.contentType, QHttpServerResponder::StatusCode(r.status));
    });
    return true;
}

void HttpWorker::forward(const ApiRequest& request, std::function<void(const ApiResponse&)> then)
{
    // Only values cross threads: the request, the answer and an id. What belongs to this thread (responders,
    // sockets) stays in m_continuations and is used and destroyed here.
    const quint64 id = ++m_nextId;
    m_continuations.insert(id, std::move(then));
    HttpFrontend* frontend = &m_frontend;
    QMetaObject::invokeMethod(
        frontend,
        [frontend, self = this, id, request] {
            frontend->dispatch(request, [self, id](const ApiResponse& r) {
                QMetaObject::invokeMethod(
                    self, [self, id, r] { self->finish(id, r); }, Qt::QueuedConnection);
            });
        },
        Qt::QueuedConnection);
}

void HttpWorker::finish(quint64 id, const ApiResponse& response)
{
    auto then = m_continuations.take(id);
    if (then)
        then(response);
}

void HttpWorker::acceptWebSockets()
{
    // The same checks and refusals as HttpFrontend::acceptWebSockets(); the key is checked by the first page.
    acceptStreams(*this, [this](std::unique_ptr<QWebSocket> socket, const StreamRequest& asked) {
        auto sub = std::make_unique<Subscriber>();
        sub->authorization = socket->request().rawHeader("Authorization");
        sub->socket = std::move(socket);
        if (!asked.after) {
            // From now on: the engine's last sequence number, then pages as usual.
            ApiRequest health;
            health.method = "GET";
            health.path = QStringLiteral("/healthz");
            auto shared = std::make_shared<std::unique_ptr<Subscriber>>(std::move(sub));
            forward(health, [this, shared](const ApiResponse& r) {
                (*shared)->after = r.jsonBody()["last_seq"].toInteger();
                subscribe(std::move(*shared));
            });
            return;
        }
        sub->after = *asked.after;
        subscribe(std::move(sub));
    });
}

void HttpWorker::subscribe(std::unique_ptr<Subscriber> s)
{
    QWebSocket* ws = s->socket.get();
    if (ws->state() != QAbstractSocket::ConnectedState) {
        s->socket.release()->deleteLater(); // left while its starting point was being asked for
        return;
    }
    const quint64 id = ++m_nextId;
    connect(ws, &QWebSocket::bytesWritten, this, [this, id](qint64 n) {
        const auto it = m_subscribers.find(id);
        if (it == m_subscribers.end())
            return;
        it->second->unsentBytes = qMax<qint64>(0, it->second->unsentBytes - n);
        pump(id);
    });
    connect(ws, &QWebSocket::disconnected, this, [this, id] {
        const auto it = m_subscribers.find(id);
        if (it == m_subscribers.end())
            return;
        it->second->socket.release()->deleteLater();
        m_subscribers.erase(it);
    });
    m_subscribers.emplace(id, std::move(s));
    pump(id);
}

void HttpWorker::pump(quint64 id)
{
    // One page in flight per subscriber; the next is asked for once it is sent and the client keeps up.
    const auto it = m_subscribers.find(id);
    if (it == m_subscribers.end())
        return;
    Subscriber& s = *it->second;
    if (s.fetching) {
        s.stale = true;
        return;
    }
    if (!s.socket || s.socket->state() != QAbstractSocket::ConnectedState || s.unsentBytes >= kMaxUnsentBytes)
        return;
    s.fetching = true;
    s.stale = false;
    ApiRequest req;
    req.method = "GET";
    req.path = QStringLiteral("/v1/events");
    req.authorization = s.authorization;
    req.query.addQueryItem(QStringLiteral("after"), QString::number(s.after));
    req.query.addQueryItem(QStringLiteral("limit"), QStringLiteral("1000"));
    forward(req, [this, id](const ApiResponse& page) {
        const auto it = m_subscribers.find(id);
        if (it == m_subscribers.end())
            return;
        Subscriber& s = *it->second;
        s.fetching = false;
        if (!s.socket || s.socket->state() != QAbstractSocket::ConnectedState)
            return;
        if (page.status != 200) {
            s.socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                page.jsonBody()["error"].toObject()["message"].toString());
            return;
        }
        const qint64 next = page.jsonBody()["next_after"].toInteger(-1);
        if (next > s.after) {
            s.after = next;
            s.unsentBytes += s.socket->sendTextMessage(QString::fromUtf8(page.body));
            pump(id);
        } else if (s.stale) {
            pump(id);
        }
    });
}

void HttpWorker::pumpAll()
{
    for (const auto& [id, s] : m_subscribers)
        pump(id);
}

void HttpWorker::missingHandler(const QHttpServerRequest& request, QTcpSocket* socket)
{
    const ApiResponse r = ApiResponse::error(makeError(ErrorCode::NotFound, QStringLiteral("no such route")));
    makeResponder(request, socket).write(r.body, r.contentType, QHttpServerResponder::StatusCode(r.status));
}

} // namespace lapse
