// API v1 as a function: (method, path, query, body, caller) -> (status, JSON). The HTTP layer and the
// console's embedded backend both call it, so both speak exactly the same contract.
#pragma once

#include "core/Error.h"
#include "domain/AccessRequest.h"
#include "domain/Event.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUrlQuery>
#include <optional>

namespace lapse
{

class Engine;
class IntrospectionSnapshot;
struct Principal;

struct ApiRequest {
    QByteArray method; // "GET", "POST"
    QString path; // "/v1/requests/req_1/approve"
    QUrlQuery query;
    QByteArray body;
    QByteArray contentType;
    QByteArray authorization; // "Bearer lapse_..."
};

struct ApiResponse {
    int status = 200;
    QByteArray body;
    QByteArray contentType = "application/json";

    static ApiResponse json(int status, const QJsonObject& o);
    static ApiResponse error(const Error& e);
    QJsonObject jsonBody() const;
};

class ApiService
{
public:
    static constexpr int kMaxBodyBytes = 64 * 1024;
    static constexpr int kMaxWaitSeconds = 60;

    explicit ApiService(Engine& engine)
        : m_engine(engine)
    {
    }

    // Authenticates the bearer key, then dispatches. Must run on the engine's thread.
    ApiResponse handle(const ApiRequest& req);
    // For an already-authenticated caller (the console's own identity in embedded mode).
    ApiResponse handleAs(const Principal& actor, const ApiRequest& req);
    // GET /v1/requests as typed requests rather than JSON, for an authenticated caller in-process: the same
    // query, checks and rows as handleAs gives. *limit: the page size the query asked for.
    Result<QList<AccessRequest>> listRequestsAs(const Principal& actor, const QUrlQuery& query, int* limit);
    // What any thread may answer without the engine: an introspection the engine answered active and that is
    // still active by the snapshot. nullopt: ask handle() on the engine's thread, which decides everything
    // else.
    static std::optional<ApiResponse> answerFromSnapshot(
        const IntrospectionSnapshot& snapshot, const ApiRequest& req);
    // The caller behind an Authorization header, or the error to answer with.
    Result<const Principal*> authenticate(const QByteArray& authorization);

    QByteArray prometheusMetrics() const;

private:
    ApiResponse route(const Principal& actor, const ApiRequest& req);
    Engine& m_engine;
};

} // namespace lapse
