// API v1 as a function: (method, path, query, body, caller) -> (status, JSON). The HTTP layer and the
// console's embedded backend both call it, so both speak exactly the same contract.
#pragma once

#include "ApiRoute.h"
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

// What a route's handler is given: the caller, the request, and what the dispatcher read from it.
struct ApiCall {
    const Principal* actor = nullptr; // null only on ApiRoute::Access::Public routes
    const ApiRequest& request;
    QString id; // the {id} segment, if the route has one
    QJsonObject body; // ApiRoute::Body::Object and OptionalObject
    QString reason; // ApiRoute::Body::OptionalObject's notes
    QString comment;
};

class ApiService
{
public:
    static constexpr int kMaxBodyBytes = 64 * 1024;
    static constexpr int kMaxWaitSeconds = 60;
    // The one answer to a body over kMaxBodyBytes, whoever checks it.
    static Error bodyTooLarge();

    // API v1, one entry per operation; resources/openapi.yaml documents exactly these (TestOpenApi).
    static const QList<ApiRoute>& routes();

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
    // Body limit, route lookup, authentication (actor null: from the request), body reading, error shaping.
    ApiResponse dispatch(const Principal* actor, const ApiRequest& req);

    Result<ApiResponse> health(const ApiCall& c);
    Result<ApiResponse> jwks(const ApiCall& c);
    Result<ApiResponse> metrics(const ApiCall& c);
    Result<ApiResponse> me(const ApiCall& c);
    Result<ApiResponse> directory(const ApiCall& c);
    Result<ApiResponse> lockouts(const ApiCall& c);
    Result<ApiResponse> submitRequest(const ApiCall& c);
    Result<ApiResponse> listRequests(const ApiCall& c);
    Result<ApiResponse> listGrants(const ApiCall& c);
    Result<ApiResponse> openSession(const ApiCall& c);
    Result<ApiResponse> listSessions(const ApiCall& c);
    Result<ApiResponse> introspect(const ApiCall& c);
    Result<ApiResponse> events(const ApiCall& c);
    Status requireInsightReader(const ApiCall& c) const;
    Result<ApiResponse> insights(const ApiCall& c);
    Result<ApiResponse> reviewCandidates(const ApiCall& c);
    Result<ApiResponse> listReviews(const ApiCall& c);
    Result<ApiResponse> decideReview(const ApiCall& c);
    Result<ApiResponse> logKey(const ApiCall& c);
    Result<ApiResponse> logCheckpoint(const ApiCall& c);
    Result<ApiResponse> cutLogCheckpoint(const ApiCall& c);
    Result<ApiResponse> logProof(const ApiCall& c);
    Result<ApiResponse> logConsistency(const ApiCall& c);
    Result<ApiResponse> rotateLogKey(const ApiCall& c);
    Result<ApiResponse> attestEvidence(const ApiCall& c);
    Result<ApiResponse> rotateKeys(const ApiCall& c);
    Result<ApiResponse> request(const ApiCall& c);
    Result<ApiResponse> requestContext(const ApiCall& c);
    Result<ApiResponse> approve(const ApiCall& c);
    Result<ApiResponse> deny(const ApiCall& c);
    Result<ApiResponse> grant(const ApiCall& c);
    Result<ApiResponse> revoke(const ApiCall& c);
    Result<ApiResponse> complete(const ApiCall& c);
    Result<ApiResponse> review(const ApiCall& c);
    Result<ApiResponse> endSession(const ApiCall& c);
    Result<ApiResponse> terminateSession(const ApiCall& c);
    Result<ApiResponse> lockout(const ApiCall& c);
    Result<ApiResponse> unlock(const ApiCall& c);

    Engine& m_engine;
};

} // namespace lapse
