// Fuzz target: API v1 as the HTTP layer calls it, every route with any body. The first byte picks a route
// (its high bit: a body over the limit), the second the {id} (an existing one or an unknown one), the third
// the caller among the principals the route admits; the rest is the body (the query, for a route without
// one). Whatever comes in, the answer has an HTTP status, an error is {"error":{"code","message"}} and a JSON
// answer is JSON.
#include "FuzzWorld.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>
#include <cstdint>
#include <cstdlib>

using namespace lapse;
using namespace lapse::fuzz;

namespace
{
// Whether body is {"error":{"code":"...","message":"..."}} with a non-empty code.
bool isErrorBody(const QByteArray& body)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return false;
    const QJsonValue error = doc.object().value(QLatin1String("error"));
    const QJsonValue code = error.toObject().value(QLatin1String("code"));
    return error.isObject() && code.isString() && !code.toString().isEmpty()
        && error.toObject().value(QLatin1String("message")).isString();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 3)
        return 0;
    FuzzWorld& world = FuzzWorld::instance();
    // Most inputs append to the log (a request, an approval, a lockout...); past a few hundred events the
    // world starts over, so an input costs the same at the end of a run as at the start.
    world.resetIfLarger(400);

    const QList<ApiRoute>& routes = ApiService::routes();
    const ApiRoute& route = routes.at(data[0] % 0x80 % routes.size());
    const bool oversized = data[0] & 0x80;
    const QStringList& ids = world.knownIds();
    const QString id = data[1] < ids.size() * 16 ? ids.at(data[1] % ids.size())
                                                 : QStringLiteral("unknown_%1").arg(data[1]);
    QList<const Principal*> callers
        = world.principalsWith(route.access() == ApiRoute::Access::Roles ? route.roles() : QList<Role> {});
    const Principal& caller = *callers.at(data[2] % callers.size());

    ApiRequest req;
    req.method = route.method();
    req.path = QString(route.pattern()).replace(QLatin1String("{id}"), id);
    const QByteArray rest(reinterpret_cast<const char*>(data + 3), qsizetype(size - 3));
    if (route.body() == ApiRoute::Body::None && !oversized) {
        req.query = QUrlQuery(QString::fromUtf8(rest));
    } else {
        req.body = rest;
        if (oversized)
            while (req.body.size() <= ApiService::kMaxBodyBytes)
                req.body += rest.isEmpty() ? QByteArray(" ") : rest;
    }
    req.contentType
        = route.body() == ApiRoute::Body::Form ? "application/x-www-form-urlencoded" : "application/json";

    const ApiResponse answer = world.api().handleAs(caller, req);
    if (answer.status < 200 || answer.status > 599)
        std::abort(); // not an HTTP status
    if (oversized && answer.status != 413)
        std::abort(); // the limit comes before anything else
    if (answer.status >= 400 && !isErrorBody(answer.body))
        std::abort(); // every refusal says what and why, in the one shape
    if (answer.status < 400 && answer.contentType == "application/json") {
        QJsonParseError pe;
        (void)QJsonDocument::fromJson(answer.body, &pe);
        if (pe.error != QJsonParseError::NoError)
            std::abort(); // a JSON answer parses
    }
    return 0;
}
