// Adapts HTTP requests to ApiService calls; long-polls park here until an event or their deadline.
#include "HttpFrontend.h"

#include "core/Clock.h"
#include "engine/Engine.h"

#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonObject>
#include <QHttpServerResponder>

namespace lapse {

namespace {
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

HttpFrontend::HttpFrontend(Engine& engine, QObject* parent)
    : QAbstractHttpServer(parent), m_engine(engine), m_api(engine)
{
    connect(&m_engine, &Engine::eventsAppended, this, [this] { serviceWaiters(false); });
    m_waitTimer.setInterval(250);
    connect(&m_waitTimer, &QTimer::timeout, this, [this] { serviceWaiters(true); });
    m_waitTimer.start();
}

HttpFrontend::~HttpFrontend()
{
    // A responder whose socket is gone must not be touched: release it rather than destroy it.
    for (auto& w : m_waiters)
        if (!w->socket)
            (void)w->responder.release();
}

void HttpFrontend::send(QHttpServerResponder& responder, const ApiResponse& response)
{
    responder.write(response.body, response.contentType, QHttpServerResponder::StatusCode(response.status));
}

bool HttpFrontend::handleRequest(const QHttpServerRequest& request, QTcpSocket* socket)
{
    ApiRequest req;
    req.method = methodName(request.method());
    req.path = request.url().path();
    req.query = request.query();
    req.body = request.body();
    req.contentType = request.value("Content-Type");
    req.authorization = request.value("Authorization");
    QHttpServerResponder responder = makeResponder(request, socket);
    if (req.body.size() > ApiService::kMaxBodyBytes) {
        send(responder, ApiResponse::error(makeError(ErrorCode::TooLarge, QStringLiteral("request body is over 64 KiB"))));
        return true;
    }
    const int wait = req.query.queryItemValue(QStringLiteral("wait")).toInt();
    ApiResponse resp = m_api.handle(req);
    if (req.method == "GET" && req.path == QLatin1String("/v1/events") && wait > 0 && resp.status == 200
        && resp.jsonBody()["items"].toArray().isEmpty()) {
        // Long-poll: park until an event after `after` is durable, or the wait runs out.
        auto who = m_api.authenticate(req.authorization);
        auto w = std::make_shared<Waiter>();
        w->responder = std::make_unique<QHttpServerResponder>(std::move(responder));
        w->socket = socket;
        w->actor = who ? who.value() : nullptr;
        w->request = req;
        w->after = req.query.queryItemValue(QStringLiteral("after")).toLongLong();
        w->deadlineMs = Clock::now() + qint64(qMin(wait, ApiService::kMaxWaitSeconds)) * 1000;
        m_waiters.append(w);
        return true;
    }
    send(responder, resp);
    return true;
}

void HttpFrontend::serviceWaiters(bool timeoutsOnly)
{
    if (m_waiters.isEmpty())
        return;
    const qint64 now = Clock::now();
    const qint64 last = m_engine.store().lastSeq();
    QList<std::shared_ptr<Waiter>> keep;
    for (auto& w : m_waiters) {
        if (!w->socket) {
            (void)w->responder.release(); // the client left; its socket is gone
            continue;
        }
        const bool ready = !timeoutsOnly && last > w->after;
        if (!ready && now < w->deadlineMs) {
            keep << w;
            continue;
        }
        send(*w->responder, w->actor ? m_api.handleAs(*w->actor, w->request) : m_api.handle(w->request));
    }
    m_waiters = keep;
}

void HttpFrontend::missingHandler(const QHttpServerRequest& request, QTcpSocket* socket)
{
    QHttpServerResponder responder = makeResponder(request, socket);
    send(responder, ApiResponse::error(makeError(ErrorCode::NotFound, QStringLiteral("no such route"))));
}

} // namespace lapse
