// What the console talks to: the embedded engine or a remote lapse-broker, behind one asynchronous interface.
#pragma once

#include "core/Error.h"
#include "domain/AccessRequest.h"
#include "domain/Directory.h"
#include "domain/Event.h"

#include <QJsonObject>
#include <QObject>
#include <QStringList>
#include <QUrlQuery>
#include <functional>
#include <optional>

namespace lapse
{

using ApiResult = Result<QJsonObject>;
using ApiCallback = std::function<void(const ApiResult&)>;

// One page of GET /v1/requests, decoded.
struct RequestPage {
    QList<AccessRequest> items;
    QString nextAfter; // empty on the last page
};
using RequestPageCallback = std::function<void(const Result<RequestPage>&)>;

class Backend : public QObject
{
    Q_OBJECT
public:
    enum class ConnectionState { Offline, Connecting, Live, Reconnecting };
    Q_ENUM(ConnectionState)

    using QObject::QObject;
    ~Backend() override = default;

    // One API v1 call as the backend's identity. The callback always runs later on this thread, never inside
    // call(), for both implementations. Errors carry the API's code and message; a dead backend is
    // Unavailable.
    virtual void call(const QByteArray& method, const QString& path, const QJsonObject& body,
        const QUrlQuery& query, ApiCallback done)
        = 0;

    // A call whose answer is text (signed checkpoints, proofs, the log key): the body verbatim, or the error.
    // The callback always runs later on this thread.
    using TextCallback = std::function<void(const Result<QByteArray>&)>;
    virtual void callText(
        const QByteArray& method, const QString& path, const QUrlQuery& query, TextCallback done);

    // Follow the event log from afterSeq on: eventsReceived delivers every later event exactly once, in
    // order.
    virtual void follow(qint64 afterSeq) = 0;
    virtual void stop() = 0;
    virtual ConnectionState state() const = 0;
    virtual qint64 lastSeq() const = 0; // the last event delivered through eventsReceived
    virtual QString describe() const = 0; // "embedded: /path" or "https://broker:8443"

    // Typed conveniences over call(): the paths and bodies of API v1 in one place.
    void me(ApiCallback done);
    void directory(ApiCallback done);
    // The directory, parsed: an error names whether it could not be read or is not valid.
    void loadDirectory(std::function<void(Result<Directory>)> done);
    void listRequests(const QString& status, const QString& after, int limit, ApiCallback done);
    static QUrlQuery requestListQuery(const QString& status, const QString& after, int limit);
    // The same page decoded into requests. Through listRequests by default; the embedded backend reads its
    // store directly, without writing and parsing the page's JSON (its queue load reads 100k requests).
    virtual void requestPage(
        const QString& status, const QString& after, int limit, RequestPageCallback done);
    void requestContext(const QString& id, ApiCallback done);
    void approve(const QString& id, const std::optional<QStringList>& privileges,
        const std::optional<int>& ttlSeconds, const QString& comment, ApiCallback done);
    void deny(const QString& id, const QString& reason, ApiCallback done);
    void listGrants(const QString& status, const QString& after, int limit, ApiCallback done);
    void revoke(const QString& grantId, const QString& reason, ApiCallback done);
    void listSessions(const QString& state, ApiCallback done);
    void terminateSession(const QString& sessionId, const QString& reason, ApiCallback done);
    void lockout(const QString& principalId, const QString& reason, ApiCallback done);
    void unlock(const QString& principalId, ApiCallback done);
    void events(qint64 afterSeq, int limit, ApiCallback done);

signals:
    void eventsReceived(const QList<lapse::Event>& events);
    void stateChanged(lapse::Backend::ConnectionState state);
    // A problem a person should see (connection lost, chain break in the stream, ...).
    void problem(const QString& message);
};

} // namespace lapse
