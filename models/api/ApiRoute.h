// One row of API v1's route table: method, path pattern, who may call, how the body is read, and the handler.
#pragma once

#include "core/Error.h"
#include "domain/Principal.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

namespace lapse
{

class ApiService;
struct ApiCall;
struct ApiResponse;

class ApiRoute
{
public:
    // Who may call. Roles only documents the route: Engine/Policy decide, and give the 403.
    enum class Access {
        Public, // no key: health, metrics, the JWKS
        Authenticated, // any known key; the engine scopes what the caller sees or may do
        Roles, // a key whose principal has one of roles()
    };
    // What the dispatcher reads from the body before the handler runs.
    enum class Body {
        None, // ignored
        Object, // a JSON object, required
        OptionalObject, // a JSON object or nothing, with the optional "reason" and "comment" notes
        Form, // application/x-www-form-urlencoded, read by the handler
    };
    using Handler = Result<ApiResponse> (ApiService::*)(const ApiCall&);

    // pattern: "/v1/requests/{id}/approve"; {id} stands for one segment of kIdChars, 1..kMaxIdLength long.
    ApiRoute(
        QByteArray method, QString pattern, Access access, QList<Role> roles, Body body, Handler handler);

    const QByteArray& method() const { return m_method; }
    const QString& pattern() const { return m_pattern; }
    Access access() const { return m_access; }
    const QList<Role>& roles() const { return m_roles; }
    Body body() const { return m_body; }
    Handler handler() const { return m_handler; }

    // Whether method and path are this route's; *id receives the {id} segment, if the pattern has one.
    bool matches(const QByteArray& method, QStringView path, QString* id) const;
    // Whether a path segment may stand for {id}: [A-Za-z0-9._@:-]{1,128}.
    static bool isId(QStringView segment);

    static constexpr qsizetype kMaxIdLength = 128;

private:
    QByteArray m_method;
    QString m_pattern;
    QStringList m_segments; // the pattern split at '/', without the leading empty one
    Access m_access;
    QList<Role> m_roles;
    Body m_body;
    Handler m_handler;
};

} // namespace lapse
