// Fuzz target: POST /v1/introspect's form body (token=..., token_type_hint=...), as a resource server sends
// it, through ApiService::handle (API key, the snapshot's fast path) and handleAs. "{active}" and "{ended}"
// in the input stand for the world's live and revoked credentials, so mutations start from tokens the engine
// minted. Invariant: only a token the engine minted can be active, and both paths give the same answer.
#include "FuzzWorld.h"

#include <QJsonObject>
#include <QUrlQuery>
#include <cstdint>
#include <cstdlib>

using namespace lapse;
using namespace lapse::fuzz;

namespace
{
// The token as the handler reads it from the form (ApiService's formValue).
QByteArray formToken(const QByteArray& body)
{
    const QUrlQuery form(QString::fromUtf8(body).replace(QLatin1Char('+'), QLatin1Char(' ')));
    return form.queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded).toLatin1();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    FuzzWorld& world = FuzzWorld::instance();
    // Each use of the revoked credential appends credential.used_after_end: start over past a few hundred.
    world.resetIfLarger(400);

    ApiRequest req;
    req.method = "POST";
    req.path = QStringLiteral("/v1/introspect");
    req.contentType = "application/x-www-form-urlencoded";
    req.authorization = "Bearer " + world.resourceServerKey();
    req.body = QByteArray(reinterpret_cast<const char*>(data), qsizetype(size))
                   .replace("{active}", world.activeToken())
                   .replace("{ended}", world.endedToken());

    const ApiResponse viaKey = world.api().handle(req);
    const ApiResponse viaActor = world.api().handleAs(world.principal(QStringLiteral("api-gw")), req);
    if (viaKey.status != viaActor.status)
        std::abort(); // the snapshot answers exactly as the engine does
    if (viaKey.status != 200)
        return 0;
    const bool active = viaKey.jsonBody().value(QLatin1String("active")).toBool();
    if (active != viaActor.jsonBody().value(QLatin1String("active")).toBool())
        std::abort();
    if (active && !world.minted(formToken(req.body)))
        std::abort(); // active, yet the engine never handed this token out
    if (active && formToken(req.body) == world.endedToken())
        std::abort(); // a revoked grant's credential is dead
    return 0;
}
