// In-process backend: the same ApiService the broker serves, called directly.
#include "EmbeddedBackend.h"

#include "engine/Engine.h"

#include <QJsonDocument>
#include <QTimer>

namespace lapse
{

EmbeddedBackend::EmbeddedBackend(Engine& engine, QString identity, QObject* parent)
    : Backend(parent)
    , m_engine(engine)
    , m_api(engine)
    , m_identity(std::move(identity))
{
    connect(&m_engine, &Engine::eventsAppended, this, &EmbeddedBackend::onEngineEvents);
}

QString EmbeddedBackend::describe() const
{
    return tr("embedded: %1").arg(m_engine.dataDir());
}

const Principal* EmbeddedBackend::actor(Error* error) const
{
    const Principal* actor = m_engine.directory().principal(m_identity);
    if (!actor)
        *error = makeError(ErrorCode::Unauthenticated,
            tr("the console identity '%1' is not in the directory").arg(m_identity));
    return actor;
}

void EmbeddedBackend::call(const QByteArray& method, const QString& path, const QJsonObject& body,
    const QUrlQuery& query, ApiCallback done)
{
    ApiResult result = makeError(ErrorCode::Internal, QString());
    Error error;
    const Principal* actor = this->actor(&error);
    if (!actor) {
        result = error;
    } else {
        ApiRequest req;
        req.method = method;
        req.path = path;
        req.query = query;
        if (!body.isEmpty())
            req.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
        const ApiResponse resp = m_api.handleAs(*actor, req);
        const QJsonObject json = resp.jsonBody();
        if (resp.status >= 400) {
            const QJsonObject err = json["error"].toObject();
            result = makeError(
                Error::codeFromName(err["code"].toString()).value_or(Error::codeFromHttpStatus(resp.status)),
                err["message"].toString());
        } else {
            result = json;
        }
    }
    // Asynchronous like the remote backend, so callers never depend on re-entrancy.
    QTimer::singleShot(0, this, [done = std::move(done), result] { done(result); });
}

void EmbeddedBackend::callText(
    const QByteArray& method, const QString& path, const QUrlQuery& query, TextCallback done)
{
    Result<QByteArray> result = makeError(ErrorCode::Internal, QString());
    Error error;
    if (const Principal* actor = this->actor(&error)) {
        ApiRequest req;
        req.method = method;
        req.path = path;
        req.query = query;
        const ApiResponse resp = m_api.handleAs(*actor, req);
        if (resp.status >= 400) {
            const QJsonObject err = resp.jsonBody()["error"].toObject();
            result = makeError(
                Error::codeFromName(err["code"].toString()).value_or(Error::codeFromHttpStatus(resp.status)),
                err["message"].toString());
        } else {
            result = resp.body;
        }
    } else {
        result = error;
    }
    QTimer::singleShot(0, this, [done = std::move(done), result] { done(result); });
}

void EmbeddedBackend::requestPage(
    const QString& status, const QString& after, int limit, RequestPageCallback done)
{
    // The rows straight from the store, through the API's own checks: no page JSON to write and parse again.
    const auto read = [&]() -> Result<RequestPage> {
        Error error;
        const Principal* actor = this->actor(&error);
        if (!actor)
            return error;
        int asked = 0;
        auto items = m_api.listRequestsAs(*actor, requestListQuery(status, after, limit), &asked);
        if (!items)
            return items.error();
        RequestPage page;
        page.items = std::move(items).value();
        if (page.items.size() >= asked && !page.items.isEmpty())
            page.nextAfter = page.items.last().id;
        return page;
    };
    Result<RequestPage> result = read();
    QTimer::singleShot(0, this, [done = std::move(done), result = std::move(result)] { done(result); });
}

void EmbeddedBackend::follow(qint64 afterSeq)
{
    m_lastSeq = afterSeq;
    m_following = true;
    emit stateChanged(state());
    // Catch up from the store, then live events arrive through eventsAppended.
    for (;;) {
        const QList<Event> page = m_engine.store().events(m_lastSeq, 5000);
        if (page.isEmpty())
            break;
        m_lastSeq = page.last().seq;
        emit eventsReceived(page);
    }
}

void EmbeddedBackend::stop()
{
    m_following = false;
    emit stateChanged(state());
}

void EmbeddedBackend::onEngineEvents(const QList<Event>& events)
{
    if (!m_following || events.isEmpty())
        return;
    QList<Event> fresh;
    for (const auto& e : events)
        if (e.seq > m_lastSeq)
            fresh << e;
    if (fresh.isEmpty())
        return;
    if (fresh.first().seq != m_lastSeq + 1) {
        // Something was appended outside this process's view: fill the gap from the store.
        const QList<Event> gap = m_engine.store().events(m_lastSeq, int(fresh.first().seq - m_lastSeq - 1));
        fresh = gap + fresh;
    }
    m_lastSeq = fresh.last().seq;
    emit eventsReceived(fresh);
}

} // namespace lapse
