// The typed API v1 calls, written once for every backend.
#include "Backend.h"

#include <QJsonDocument>

#include <QTimer>

#include <QJsonArray>

namespace lapse
{

void Backend::me(ApiCallback done)
{
    call("GET", QStringLiteral("/v1/me"), {}, {}, std::move(done));
}
void Backend::directory(ApiCallback done)
{
    call("GET", QStringLiteral("/v1/directory"), {}, {}, std::move(done));
}

void Backend::loadDirectory(std::function<void(Result<Directory>)> done)
{
    directory([done = std::move(done)](const ApiResult& r) {
        if (!r) {
            done(makeError(r.error().code,
                QStringLiteral("the directory could not be read: %1").arg(r.error().message)));
            return;
        }
        auto directory = Directory::fromJson(QJsonDocument(r.value()).toJson(QJsonDocument::Compact));
        if (!directory) {
            done(makeError(ErrorCode::Internal,
                QStringLiteral("the directory is not valid: %1").arg(directory.error().message)));
            return;
        }
        done(std::move(directory).value());
    });
}

QUrlQuery Backend::requestListQuery(const QString& status, const QString& after, int limit)
{
    QUrlQuery q;
    if (!status.isEmpty())
        q.addQueryItem(QStringLiteral("status"), status);
    if (!after.isEmpty())
        q.addQueryItem(QStringLiteral("after"), after);
    q.addQueryItem(QStringLiteral("limit"), QString::number(limit));
    return q;
}

void Backend::listRequests(const QString& status, const QString& after, int limit, ApiCallback done)
{
    call("GET", QStringLiteral("/v1/requests"), {}, requestListQuery(status, after, limit), std::move(done));
}

void Backend::requestPage(const QString& status, const QString& after, int limit, RequestPageCallback done)
{
    listRequests(status, after, limit, [done = std::move(done)](const ApiResult& r) {
        if (!r) {
            done(r.error());
            return;
        }
        RequestPage page;
        const QJsonArray items = r->value(QLatin1String("items")).toArray();
        page.items.reserve(items.size());
        for (const auto& v : items)
            page.items << AccessRequest::fromJson(v.toObject());
        page.nextAfter = r->value(QLatin1String("next_after")).toString();
        done(std::move(page));
    });
}

void Backend::requestContext(const QString& id, ApiCallback done)
{
    call("GET", QStringLiteral("/v1/requests/%1/context").arg(id), {}, {}, std::move(done));
}

void Backend::approve(const QString& id, const std::optional<QStringList>& privileges,
    const std::optional<int>& ttlSeconds, const QString& comment, ApiCallback done)
{
    QJsonObject body;
    if (privileges)
        body["privileges"] = QJsonArray::fromStringList(*privileges);
    if (ttlSeconds)
        body["ttl_seconds"] = *ttlSeconds;
    if (!comment.isEmpty())
        body["comment"] = comment;
    call("POST", QStringLiteral("/v1/requests/%1/approve").arg(id), body, {}, std::move(done));
}

void Backend::deny(const QString& id, const QString& reason, ApiCallback done)
{
    call("POST", QStringLiteral("/v1/requests/%1/deny").arg(id), QJsonObject {{"reason", reason}}, {},
        std::move(done));
}

void Backend::listGrants(const QString& status, const QString& after, int limit, ApiCallback done)
{
    QUrlQuery q;
    if (!status.isEmpty())
        q.addQueryItem(QStringLiteral("status"), status);
    if (!after.isEmpty())
        q.addQueryItem(QStringLiteral("after"), after);
    q.addQueryItem(QStringLiteral("limit"), QString::number(limit));
    call("GET", QStringLiteral("/v1/grants"), {}, q, std::move(done));
}

void Backend::revoke(const QString& grantId, const QString& reason, ApiCallback done)
{
    call("POST", QStringLiteral("/v1/grants/%1/revoke").arg(grantId), QJsonObject {{"reason", reason}}, {},
        std::move(done));
}

void Backend::listSessions(const QString& state, ApiCallback done)
{
    QUrlQuery q;
    if (!state.isEmpty())
        q.addQueryItem(QStringLiteral("state"), state);
    call("GET", QStringLiteral("/v1/sessions"), {}, q, std::move(done));
}

void Backend::terminateSession(const QString& sessionId, const QString& reason, ApiCallback done)
{
    call("POST", QStringLiteral("/v1/sessions/%1/terminate").arg(sessionId), QJsonObject {{"reason", reason}},
        {}, std::move(done));
}

void Backend::lockout(const QString& principalId, const QString& reason, ApiCallback done)
{
    call("POST", QStringLiteral("/v1/principals/%1/lockout").arg(principalId),
        QJsonObject {{"reason", reason}}, {}, std::move(done));
}

void Backend::unlock(const QString& principalId, ApiCallback done)
{
    call("POST", QStringLiteral("/v1/principals/%1/unlock").arg(principalId), {}, {}, std::move(done));
}

void Backend::events(qint64 afterSeq, int limit, ApiCallback done)
{
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("after"), QString::number(afterSeq));
    q.addQueryItem(QStringLiteral("limit"), QString::number(limit));
    call("GET", QStringLiteral("/v1/events"), {}, q, std::move(done));
}

void Backend::callText(const QByteArray&, const QString& path, const QUrlQuery&, TextCallback done)
{
    QTimer::singleShot(0, this, [path, done = std::move(done)] {
        done(makeError(ErrorCode::Unavailable, QStringLiteral("this backend does not serve %1").arg(path)));
    });
}

} // namespace lapse
