// Adapts HTTP requests to ApiService calls; long-polls park here until an event or their deadline.
#include "HttpFrontend.h"

#include "PendingResponder.h"
#include "StreamRequest.h"

#include "core/Clock.h"
#include "engine/Engine.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonObject>
#include <QUrlQuery>

namespace lapse
{

namespace
{
QByteArray methodName(QHttpServerRequest::Method m)
{
    switch (m) {
    case QHttpServerRequest::Method::Get:
        return "GET";
    case QHttpServerRequest::Method::Post:
        return "POST";
    case QHttpServerRequest::Method::Put:
        return "PUT";
    case QHttpServerRequest::Method::Delete:
        return "DELETE";
    case QHttpServerRequest::Method::Head:
        return "HEAD";
    default:
        return "OTHER";
    }
}
} // namespace

ApiRequest HttpFrontend::toApiRequest(const QHttpServerRequest& request)
{
    ApiRequest req;
    req.method = methodName(request.method());
    req.path = request.url().path();
    req.query = request.query();
    req.body = request.body();
    req.contentType = request.value("Content-Type");
    req.authorization = request.value("Authorization");
    return req;
}

HttpFrontend::HttpFrontend(Engine& engine, QObject* parent)
    : QAbstractHttpServer(parent)
    , m_engine(engine)
    , m_api(engine)
{
    connect(&m_engine, &Engine::eventsAppended, this, [this] { serviceWaiters(false); });
    m_waitTimer.setInterval(250);
    connect(&m_waitTimer, &QTimer::timeout, this, [this] { serviceWaiters(true); });
    m_waitTimer.start();
    connect(this, &QAbstractHttpServer::newWebSocketConnection, this, &HttpFrontend::acceptWebSockets);
    connect(&m_engine, &Engine::eventsAppended, this, &HttpFrontend::pumpAll);
    connect(&m_engine, &Engine::eventsAppended, this, &HttpFrontend::eventsPublished);
    // Another broker's commits on a shared store reach the waiters and streams here as well.
    connect(&m_engine, &Engine::eventsFollowed, this, [this] { serviceWaiters(false); });
    connect(&m_engine, &Engine::eventsFollowed, this, &HttpFrontend::pumpAll);
    connect(&m_engine, &Engine::eventsFollowed, this, &HttpFrontend::eventsPublished);
}

HttpFrontend::~HttpFrontend() = default;

void HttpFrontend::send(QHttpServerResponder& responder, const ApiResponse& response)
{
    responder.write(response.body, response.contentType, QHttpServerResponder::StatusCode(response.status));
}

bool HttpFrontend::handleRequest(const QHttpServerRequest& request, QTcpSocket* socket)
{
    // Qt 6.4 upgrades a WebSocket request after this call whatever we answer; answering here would put an
    // HTTP response in front of the handshake. acceptWebSockets() checks the path and the key instead.
    if (request.value("Upgrade").compare("websocket", Qt::CaseInsensitive) == 0)
        return true;
    auto pending = std::make_shared<PendingResponder>();
    pending->responder = std::make_unique<QHttpServerResponder>(makeResponder(request, socket));
    pending->socket = socket;
    serve(
        toApiRequest(request),
        [this, pending](const ApiResponse& r) {
            if (pending->socket)
                send(*pending->responder, r);
        },
        [pending] { return !pending->socket; });
    return true;
}

void HttpFrontend::dispatch(const ApiRequest& request, Reply reply)
{
    serve(request, std::move(reply), [] { return false; });
}

void HttpFrontend::serve(const ApiRequest& req, Reply reply, std::function<bool()> abandoned)
{
    const int wait = req.query.queryItemValue(QStringLiteral("wait")).toInt();
    ApiResponse resp = m_api.handle(req);
    // Nothing after `after` yet (the page is empty), in either format, without reading the page back.
    if (req.method == "GET" && req.path == QLatin1String("/v1/events") && wait > 0 && resp.status == 200
        && m_engine.store().lastSeq() <= req.query.queryItemValue(QStringLiteral("after")).toLongLong()) {
        // Long-poll: park until an event after `after` is durable, or the wait runs out.
        auto who = m_api.authenticate(req.authorization);
        auto w = std::make_shared<Waiter>();
        w->reply = std::move(reply);
        w->abandoned = std::move(abandoned);
        w->actor = who ? who.value() : nullptr;
        w->request = req;
        w->after = req.query.queryItemValue(QStringLiteral("after")).toLongLong();
        w->deadlineMs = Clock::now() + qint64(qMin(wait, ApiService::kMaxWaitSeconds)) * 1000;
        m_waiters.append(w);
        return;
    }
    reply(resp);
}

void HttpFrontend::serviceWaiters(bool timeoutsOnly)
{
    if (m_waiters.isEmpty())
        return;
    const qint64 now = Clock::now();
    const qint64 last = m_engine.store().lastSeq();
    QList<std::shared_ptr<Waiter>> keep;
    for (auto& w : m_waiters) {
        if (w->abandoned())
            continue;
        const bool ready = !timeoutsOnly && last > w->after;
        if (!ready && now < w->deadlineMs) {
            keep << w;
            continue;
        }
        w->reply(w->actor ? m_api.handleAs(*w->actor, w->request) : m_api.handle(w->request));
    }
    m_waiters = keep;
}

void HttpFrontend::acceptWebSockets()
{
    // The path and key are checked here, before any event is sent.
    acceptStreams(*this, [this](std::unique_ptr<QWebSocket> socket, const StreamRequest& asked) {
        auto who = m_api.authenticate(socket->request().rawHeader("Authorization"));
        if (!who) {
            refuseStream(socket.release(), who.error().message);
            return;
        }
        auto sub = std::make_unique<Subscriber>();
        sub->socket = std::move(socket);
        sub->after = asked.after.value_or(m_engine.store().lastSeq());
        sub->actor = who.value();
        QWebSocket* ws = sub->socket.get();
        Subscriber* raw = sub.get();
        connect(ws, &QWebSocket::bytesWritten, this, [this, raw](qint64 n) {
            raw->unsentBytes = qMax<qint64>(0, raw->unsentBytes - n);
            pump(*raw);
        });
        connect(ws, &QWebSocket::disconnected, this, [this, raw] {
            for (auto it = m_subscribers.begin(); it != m_subscribers.end(); ++it)
                if (it->get() == raw) {
                    (*it)->socket.release()->deleteLater();
                    m_subscribers.erase(it);
                    break;
                }
        });
        m_subscribers.push_back(std::move(sub));
        pump(*raw);
    });
}

void HttpFrontend::pump(Subscriber& s)
{
    // Each message is one page, exactly as GET /v1/events returns it; pages are read from the store only
    // while the client keeps up, so a slow reader costs no memory and resumes where it paused.
    while (s.socket && s.socket->state() == QAbstractSocket::ConnectedState && s.unsentBytes < kMaxUnsentBytes
        && s.after < m_engine.store().lastSeq()) {
        ApiRequest req;
        req.method = "GET";
        req.path = QStringLiteral("/v1/events");
        req.query.addQueryItem(QStringLiteral("after"), QString::number(s.after));
        req.query.addQueryItem(QStringLiteral("limit"), QStringLiteral("1000"));
        const ApiResponse page = m_api.handleAs(*s.actor, req);
        if (page.status != 200) {
            s.socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                page.jsonBody()["error"].toObject()["message"].toString());
            return;
        }
        const qint64 next = page.jsonBody()["next_after"].toInteger(-1);
        if (next <= s.after)
            return;
        s.after = next;
        s.unsentBytes += s.socket->sendTextMessage(QString::fromUtf8(page.body));
    }
}

void HttpFrontend::pumpAll()
{
    for (auto& s : m_subscribers)
        pump(*s);
}

void HttpFrontend::missingHandler(const QHttpServerRequest& request, QTcpSocket* socket)
{
    QHttpServerResponder responder = makeResponder(request, socket);
    send(responder, ApiResponse::error(makeError(ErrorCode::NotFound, QStringLiteral("no such route"))));
}

} // namespace lapse
