// Routing, input validation and JSON shaping for API v1. Decisions stay in Engine/Policy.
#include "ApiService.h"
#include "EventPages.h"
#include "metrics/Metrics.h"

#include "core/Clock.h"
#include "engine/Engine.h"
#include "engine/IntrospectionSnapshot.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace lapse
{

namespace
{
Error malformed(const QString& m)
{
    return makeError(ErrorCode::Malformed, m);
}
Error invalid(const QString& m)
{
    return makeError(ErrorCode::Invalid, m);
}

// The size limit is already checked, by ApiService::dispatch().
Result<QJsonObject> parseBody(const ApiRequest& req, bool required)
{
    if (req.body.trimmed().isEmpty()) {
        if (required)
            return malformed(QStringLiteral("a JSON object body is required"));
        return QJsonObject {};
    }
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(req.body, &pe);
    if (pe.error != QJsonParseError::NoError)
        return malformed(
            QStringLiteral("body is not valid JSON: %1 at offset %2").arg(pe.errorString()).arg(pe.offset));
    if (!doc.isObject())
        return malformed(QStringLiteral("body must be a JSON object"));
    return doc.object();
}

// Whether text is well-formed UTF-16: every surrogate in a pair. JSON's \u escapes can spell a lone one,
// which no UTF-8 encodes: malformed input, refused before it reaches the log.
bool isValidUnicode(const QString& text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate())
            ++i;
        else if (c.isSurrogate())
            return false;
    }
    return true;
}

// Typed field readers: a present field of the wrong type is a 422 naming the field; text that is not valid
// Unicode is a 400.
Status readString(const QJsonObject& o, const char* key, QString* out)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return Ok {};
    if (!v.isString())
        return invalid(QStringLiteral("%1 must be a string").arg(QLatin1String(key)));
    if (!isValidUnicode(v.toString()))
        return malformed(
            QStringLiteral("%1 is not valid Unicode (a lone surrogate)").arg(QLatin1String(key)));
    *out = v.toString();
    return Ok {};
}

Status readStringList(const QJsonObject& o, const char* key, std::optional<QStringList>* out)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return Ok {};
    if (!v.isArray())
        return invalid(QStringLiteral("%1 must be an array of strings").arg(QLatin1String(key)));
    QStringList list;
    for (const auto& x : v.toArray()) {
        if (!x.isString() || x.toString().isEmpty())
            return invalid(
                QStringLiteral("%1 must be an array of non-empty strings").arg(QLatin1String(key)));
        if (!isValidUnicode(x.toString()))
            return malformed(
                QStringLiteral("%1 holds text that is not valid Unicode").arg(QLatin1String(key)));
        list << x.toString();
    }
    *out = list;
    return Ok {};
}

Status readInt(const QJsonObject& o, const char* key, std::optional<int>* out)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return Ok {};
    const double d = v.toDouble(-1e18);
    if (!v.isDouble() || d != double(qint64(d)) || d < -2e9 || d > 2e9)
        return invalid(QStringLiteral("%1 must be an integer").arg(QLatin1String(key)));
    *out = int(d);
    return Ok {};
}

Status readBool(const QJsonObject& o, const char* key, bool* out)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return Ok {};
    if (!v.isBool())
        return invalid(QStringLiteral("%1 must be true or false").arg(QLatin1String(key)));
    *out = v.toBool();
    return Ok {};
}

template <typename T> QJsonArray toArray(const QList<T>& items)
{
    QJsonArray a;
    for (const auto& x : items)
        a.append(x.toJson());
    return a;
}

int readLimit(const QUrlQuery& q, int def, int max, bool* ok)
{
    *ok = true;
    if (!q.hasQueryItem(QStringLiteral("limit")))
        return def;
    const int v = q.queryItemValue(QStringLiteral("limit")).toInt(ok);
    if (!*ok || v < 1 || v > max) {
        *ok = false;
        return def;
    }
    return v;
}

// GET /v1/requests' query: status, after, limit.
Result<RequestFilter> requestFilter(const QUrlQuery& query)
{
    RequestFilter f;
    bool ok = true;
    f.limit = readLimit(query, 100, 1000, &ok);
    if (!ok)
        return malformed(QStringLiteral("limit must be 1..1000"));
    const QString status = query.queryItemValue(QStringLiteral("status"));
    if (!status.isEmpty()) {
        RequestStatus st;
        if (!requestStatusFromName(status, &st))
            return malformed(QStringLiteral("unknown status '%1'").arg(status));
        f.status = st;
    }
    f.afterId = query.queryItemValue(QStringLiteral("after"));
    return f;
}

ApiResponse page(const QJsonArray& items, const QString& lastId, int limit)
{
    return ApiResponse::json(200,
        QJsonObject {
            {"items", items}, {"next_after", items.size() >= limit ? QJsonValue(lastId) : QJsonValue()}});
}

// A page of items whose compact JSON is at hand: {"items":[...],"next_after":...}, byte-identical in meaning
// to page() over the decoded objects.
ApiResponse rawPage(const QList<std::pair<QString, QByteArray>>& items, int limit)
{
    qsizetype size = 64;
    for (const auto& item : items)
        size += item.second.size() + 1;
    QByteArray body;
    body.reserve(size);
    body += "{\"items\":[";
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (i)
            body += ',';
        body += items[i].second;
    }
    body += "],\"next_after\":";
    if (items.size() >= limit && !items.isEmpty())
        body += QJsonDocument(QJsonArray {items.last().first})
                    .toJson(QJsonDocument::Compact)
                    .mid(1)
                    .chopped(1);
    else
        body += "null";
    body += '}';
    ApiResponse r;
    r.status = 200;
    r.body = body;
    return r;
}

QString formValue(const QByteArray& body, const QString& key)
{
    const QUrlQuery form(QString::fromUtf8(body).replace(QLatin1Char('+'), QLatin1Char(' ')));
    return form.queryItemValue(key, QUrl::FullyDecoded);
}
} // namespace

ApiResponse ApiResponse::json(int status, const QJsonObject& o)
{
    ApiResponse r;
    r.status = status;
    r.body = QJsonDocument(o).toJson(QJsonDocument::Compact);
    return r;
}

ApiResponse ApiResponse::error(const Error& e)
{
    return json(e.httpStatus(),
        QJsonObject {{"error", QJsonObject {{"code", e.codeName()}, {"message", e.message}}}});
}

QJsonObject ApiResponse::jsonBody() const
{
    return QJsonDocument::fromJson(body).object();
}

Result<const Principal*> ApiService::authenticate(const QByteArray& authorization)
{
    if (authorization.isEmpty())
        return makeError(
            ErrorCode::Unauthenticated, QStringLiteral("missing Authorization: Bearer <api key>"));
    if (!authorization.startsWith("Bearer "))
        return makeError(
            ErrorCode::Unauthenticated, QStringLiteral("Authorization must be 'Bearer <api key>'"));
    const Principal* p = m_engine.authenticate(authorization.mid(7).trimmed());
    if (!p)
        return makeError(ErrorCode::Unauthenticated, QStringLiteral("unknown API key"));
    return p;
}

Error ApiService::bodyTooLarge()
{
    return makeError(
        ErrorCode::TooLarge, QStringLiteral("request body is over 64 KiB (%1 bytes)").arg(kMaxBodyBytes));
}

ApiResponse ApiService::handle(const ApiRequest& req)
{
    // A repeat introspection is answered as the engine answered it, without decoding the token or the claims
    // again; on the engine's thread the snapshot is exactly the engine's state.
    if (auto repeat = answerFromSnapshot(m_engine.snapshot(), req))
        return std::move(*repeat);
    return dispatch(nullptr, req);
}

std::optional<ApiResponse> ApiService::answerFromSnapshot(
    const IntrospectionSnapshot& snapshot, const ApiRequest& req)
{
    // The same request checks as dispatch() and introspect(); anything that would not reach
    // Engine::introspect goes to handle().
    if (req.method != "POST" || req.path != QLatin1String("/v1/introspect") || req.body.size() > kMaxBodyBytes
        || !req.contentType.startsWith("application/x-www-form-urlencoded")
        || !req.authorization.startsWith("Bearer "))
        return std::nullopt;
    const QString token = formValue(req.body, QStringLiteral("token"));
    if (token.isEmpty())
        return std::nullopt;
    auto body = snapshot.activeAnswer(req.authorization.mid(7).trimmed(), token.toLatin1(), Clock::now());
    if (!body)
        return std::nullopt;
    ApiResponse r;
    r.body = std::move(*body);
    return r;
}

ApiResponse ApiService::handleAs(const Principal& actor, const ApiRequest& req)
{
    return dispatch(&actor, req);
}

Result<QList<AccessRequest>> ApiService::listRequestsAs(
    const Principal& actor, const QUrlQuery& query, int* limit)
{
    const auto f = requestFilter(query);
    if (!f)
        return f.error();
    *limit = f->limit;
    return m_engine.requests(actor, *f);
}

QByteArray ApiService::prometheusMetrics() const
{
    const EngineCounters& c = m_engine.counters();
    QByteArray out;
    auto metric = [&out](const char* name, const char* type, const char* help, const QByteArray& samples) {
        out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n' + samples;
    };
    auto line = [](const QByteArray& name, qint64 v) { return name + ' ' + QByteArray::number(v) + '\n'; };
    metric("lapse_event_last_seq", "gauge", "Sequence number of the last durable event.",
        line("lapse_event_last_seq", m_engine.store().lastSeq()));
    metric("lapse_grants_active", "gauge", "Grants currently active.",
        line("lapse_grants_active", m_engine.activeGrantCount()));
    metric("lapse_requests_total", "counter", "Access requests by outcome at submission.",
        line("lapse_requests_total{result=\"accepted\"}", c.requestsCreated)
            + line("lapse_requests_total{result=\"rejected\"}", c.requestsRejected));
    metric("lapse_grants_issued_total", "counter", "Grants activated.",
        line("lapse_grants_issued_total", c.grantsIssued));
    metric("lapse_grants_by_rule_total", "counter", "Grants approved at once by a directory rule.",
        line("lapse_grants_by_rule_total", c.grantsByRule));
    metric("lapse_revocations_total", "counter", "Grants revoked early.",
        line("lapse_revocations_total", c.revocations));
    metric("lapse_introspections_total", "counter", "Token introspections by answer.",
        line("lapse_introspections_total{active=\"true\"}", c.introspectionsActive)
            + line(
                "lapse_introspections_total{active=\"false\"}", c.introspections - c.introspectionsActive));
    metric("lapse_post_expiry_uses_total", "counter", "Credentials presented after their grant ended.",
        line("lapse_post_expiry_uses_total", c.postExpiryUses));
    if (const TargetEnforcement* e = m_engine.enforcement()) {
        const EnforcementSummary sum = e->summary();
        metric("lapse_enforcement_pending", "gauge",
            "Ended grants whose end an enforced target has not confirmed yet (login refused).",
            line("lapse_enforcement_pending", sum.pending));
        metric("lapse_enforcement_provisioned", "gauge",
            "Active grants holding a login on an enforced target.",
            line("lapse_enforcement_provisioned", sum.provisioned));
        metric("lapse_enforcement_verified_total", "counter",
            "Grant ends an enforced target confirmed since the broker started.",
            line("lapse_enforcement_verified_total", sum.verified));
        metric("lapse_enforcement_targets_unreachable", "gauge",
            "Enforced targets whose last contact failed.",
            line("lapse_enforcement_targets_unreachable", sum.unreachable.size()));
    }
    if (const NotificationStatus* n = m_engine.notifications()) {
        const QList<NotificationSinkStatus> sinks = n->sinkStatus();
        const qint64 head = m_engine.store().lastSeq();
        QByteArray delivered, failed, lag;
        for (const NotificationSinkStatus& s : sinks) {
            const QByteArray label = "{sink=\"" + s.id.toUtf8() + "\"}";
            delivered += line("lapse_webhook_deliveries_total" + label, s.delivered);
            failed += line("lapse_webhook_failures_total" + label, s.failures);
            lag += line("lapse_webhook_lag_events" + label, qMax<qint64>(0, head - s.cursor));
        }
        metric("lapse_webhook_deliveries_total", "counter", "Webhook deliveries answered 2xx, by sink.",
            delivered);
        metric("lapse_webhook_failures_total", "counter",
            "Webhook delivery attempts that failed (no answer, timeout, non-2xx), by sink.", failed);
        metric("lapse_webhook_lag_events", "gauge", "Events in the log a sink has not been given yet.", lag);
    }
    return out;
}

const QList<ApiRoute>& ApiService::routes()
{
    using A = ApiRoute::Access;
    using B = ApiRoute::Body;
    using S = ApiService;
    // The roles are the ones Engine/Policy (for /v1/insights, insights()) require; they refuse, not the
    // table. Introspection comes first: it is by far the most frequent request.
    static const QList<ApiRoute> table {
        {"POST", QStringLiteral("/v1/introspect"), A::Roles, {Role::ResourceServer}, B::Form, &S::introspect},
        {"GET", QStringLiteral("/healthz"), A::Public, {}, B::None, &S::health},
        {"GET", QStringLiteral("/.well-known/jwks.json"), A::Public, {}, B::None, &S::jwks},
        {"GET", QStringLiteral("/metrics"), A::Public, {}, B::None, &S::metrics},
        {"GET", QStringLiteral("/v1/me"), A::Authenticated, {}, B::None, &S::me},
        {"GET", QStringLiteral("/v1/directory"), A::Authenticated, {}, B::None, &S::directory},
        {"GET", QStringLiteral("/v1/lockouts"), A::Authenticated, {}, B::None, &S::lockouts},
        {"POST", QStringLiteral("/v1/requests"), A::Roles, {Role::Requester}, B::Object, &S::submitRequest},
        {"GET", QStringLiteral("/v1/requests"), A::Authenticated, {}, B::None, &S::listRequests},
        {"GET", QStringLiteral("/v1/grants"), A::Authenticated, {}, B::None, &S::listGrants},
        {"POST", QStringLiteral("/v1/sessions"), A::Roles, {Role::ResourceServer}, B::Object,
            &S::openSession},
        {"GET", QStringLiteral("/v1/sessions"), A::Roles,
            {Role::Approver, Role::Responder, Role::Auditor, Role::Admin, Role::ResourceServer}, B::None,
            &S::listSessions},
        {"GET", QStringLiteral("/v1/events"), A::Roles,
            {Role::Approver, Role::Responder, Role::Auditor, Role::Admin, Role::ResourceServer}, B::None,
            &S::events},
        {"GET", QStringLiteral("/v1/insights"), A::Roles,
            {Role::Approver, Role::Responder, Role::Auditor, Role::Admin}, B::None, &S::insights},
        // Access reviews of repeated elevations: the candidates with their latest decision, and deciding.
        {"GET", QStringLiteral("/v1/reviews/repeated"), A::Roles,
            {Role::Approver, Role::Responder, Role::Auditor, Role::Admin}, B::None, &S::reviewCandidates},
        {"GET", QStringLiteral("/v1/reviews"), A::Roles,
            {Role::Approver, Role::Responder, Role::Auditor, Role::Admin}, B::None, &S::listReviews},
        // The engine decides who may: the target's owner, the identity's owner, or an admin.
        {"POST", QStringLiteral("/v1/reviews"), A::Roles, {Role::Approver, Role::Admin}, B::Object,
            &S::decideReview},
        {"POST", QStringLiteral("/v1/keys/rotate"), A::Roles, {Role::Admin}, B::None, &S::rotateKeys},
        // Any caller may ask; the engine answers 404 for what the caller may not read.
        {"GET", QStringLiteral("/v1/requests/{id}"), A::Authenticated, {}, B::None, &S::request},
        {"GET", QStringLiteral("/v1/requests/{id}/context"), A::Roles,
            {Role::Approver, Role::Responder, Role::Auditor, Role::Admin}, B::None, &S::requestContext},
        {"POST", QStringLiteral("/v1/requests/{id}/approve"), A::Roles, {Role::Approver}, B::OptionalObject,
            &S::approve},
        {"POST", QStringLiteral("/v1/requests/{id}/deny"), A::Roles, {Role::Approver}, B::OptionalObject,
            &S::deny},
        {"GET", QStringLiteral("/v1/grants/{id}"), A::Authenticated, {}, B::None, &S::grant},
        {"POST", QStringLiteral("/v1/grants/{id}/revoke"), A::Roles,
            {Role::Approver, Role::Responder, Role::Admin}, B::OptionalObject, &S::revoke},
        // The grant's principal or its owner, which the engine decides per grant.
        {"POST", QStringLiteral("/v1/grants/{id}/complete"), A::Authenticated, {}, B::OptionalObject,
            &S::complete},
        {"POST", QStringLiteral("/v1/grants/{id}/review"), A::Roles, {Role::Auditor, Role::Admin},
            B::OptionalObject, &S::review},
        {"POST", QStringLiteral("/v1/sessions/{id}/end"), A::Roles, {Role::ResourceServer}, B::OptionalObject,
            &S::endSession},
        {"POST", QStringLiteral("/v1/sessions/{id}/terminate"), A::Roles, {Role::Responder, Role::Admin},
            B::OptionalObject, &S::terminateSession},
        {"POST", QStringLiteral("/v1/principals/{id}/lockout"), A::Roles, {Role::Responder},
            B::OptionalObject, &S::lockout},
        {"POST", QStringLiteral("/v1/principals/{id}/unlock"), A::Roles, {Role::Responder, Role::Admin},
            B::OptionalObject, &S::unlock},
        // The log as outsiders check it: signed checkpoints, proofs, the verifier key.
        {"GET", QStringLiteral("/.well-known/lapse-log-key"), A::Public, {}, B::None, &S::logKey},
        {"GET", QStringLiteral("/v1/log/checkpoint"), A::Authenticated, {}, B::None, &S::logCheckpoint},
        {"POST", QStringLiteral("/v1/log/checkpoint"), A::Roles, {Role::Auditor, Role::Admin}, B::None,
            &S::cutLogCheckpoint},
        {"GET", QStringLiteral("/v1/log/proof"), A::Roles, {Role::Auditor, Role::Admin, Role::ResourceServer},
            B::None, &S::logProof},
        {"GET", QStringLiteral("/v1/log/consistency"), A::Roles,
            {Role::Auditor, Role::Admin, Role::ResourceServer}, B::None, &S::logConsistency},
        {"POST", QStringLiteral("/v1/log/key/rotate"), A::Roles, {Role::Admin}, B::None, &S::rotateLogKey},
        // Evidence packs built from a mirror get their manifest signed here (see Engine::attestEvidence).
        {"POST", QStringLiteral("/v1/evidence/attest"), A::Roles, {Role::Auditor, Role::Admin}, B::Object,
            &S::attestEvidence},
    };
    return table;
}

ApiResponse ApiService::dispatch(const Principal* actor, const ApiRequest& req)
{
    // The limit comes first, as it did when only the HTTP layer checked it: before the key and the route.
    if (req.body.size() > kMaxBodyBytes)
        return ApiResponse::error(bodyTooLarge());
    ApiCall call {nullptr, req, {}, {}, {}, {}};
    const ApiRoute* route = nullptr;
    for (const ApiRoute& r : routes()) {
        if (r.matches(req.method, req.path, &call.id)) {
            route = &r;
            break;
        }
    }
    // Only a public route is answered without a key; an unknown one is 404 only to a known caller.
    if (!actor && !(route && route->access() == ApiRoute::Access::Public)) {
        auto who = authenticate(req.authorization);
        if (!who)
            return ApiResponse::error(who.error());
        actor = who.value();
    }
    if (!route)
        return ApiResponse::error(makeError(ErrorCode::NotFound,
            QStringLiteral("no route %1 %2").arg(QString::fromLatin1(req.method), req.path)));
    call.actor = actor;

    if (route->body() == ApiRoute::Body::Object || route->body() == ApiRoute::Body::OptionalObject) {
        auto body = parseBody(req, route->body() == ApiRoute::Body::Object);
        if (!body)
            return ApiResponse::error(body.error());
        call.body = std::move(body).value();
    }
    if (route->body() == ApiRoute::Body::OptionalObject) {
        // Every action on a resource takes the same optional notes, checked before its own fields.
        if (const Status s = readString(call.body, "reason", &call.reason); !s)
            return ApiResponse::error(s.error());
        if (const Status s = readString(call.body, "comment", &call.comment); !s)
            return ApiResponse::error(s.error());
    }
    // On a store other brokers write too, a change is decided holding the store's head (Engine::holdHead), so
    // what the handler reads is what its write commits onto; a later write of the same call that finds the
    // store moved on wrote nothing, and the call runs again. Introspection only reads (its rare write, a use
    // after the end, takes its own turn).
    const bool changes
        = req.method != "GET" && req.method != "HEAD" && req.path != QLatin1String("/v1/introspect");
    auto run = [&]() -> Result<ApiResponse> {
        if (changes)
            if (const Status h = m_engine.holdHead(); !h)
                return h.error();
        auto r = (this->*route->handler())(call);
        m_engine.releaseHead();
        return r;
    };
    auto response = run();
    for (int again = 0; changes && again < 3 && !response && Engine::isStoreMovedOn(response.error());
         ++again)
        response = run();
    if (!response)
        return ApiResponse::error(response.error());
    return std::move(response).value();
}

Result<ApiResponse> ApiService::health(const ApiCall&)
{
    QJsonObject o {{"status", "ok"}, {"last_seq", m_engine.store().lastSeq()}};
    // Brokers sharing a store: whether this one does the work that must happen once (the lease).
    if (m_engine.store().sharedWithOtherWriters())
        o.insert(QStringLiteral("exclusive_work"), m_engine.exclusiveWork());
    return ApiResponse::json(200, o);
}

Result<ApiResponse> ApiService::jwks(const ApiCall&)
{
    return ApiResponse::json(200, m_engine.jwks());
}

Result<ApiResponse> ApiService::metrics(const ApiCall&)
{
    ApiResponse r;
    r.body = prometheusMetrics();
    r.contentType = "text/plain; version=0.0.4";
    return r;
}

Result<ApiResponse> ApiService::me(const ApiCall& c)
{
    QJsonObject me = c.actor->toJson();
    me["locked_out"] = m_engine.isLockedOut(c.actor->id);
    return ApiResponse::json(200, me);
}

Result<ApiResponse> ApiService::directory(const ApiCall&)
{
    return ApiResponse::json(200, m_engine.directory().toJson());
}

Result<ApiResponse> ApiService::lockouts(const ApiCall&)
{
    QJsonArray items;
    for (const auto& l : m_engine.lockouts())
        items.append(QJsonObject {{"principal", l.principal}, {"active", l.active},
            {"locked_at", Clock::toIso(l.lockedMs)}, {"not_before", Clock::toIso(l.notBeforeMs)},
            {"reason", l.reason}, {"by", l.by}});
    return ApiResponse::json(200, QJsonObject {{"items", items}});
}

Result<ApiResponse> ApiService::submitRequest(const ApiCall& c)
{
    RequestInput in;
    std::optional<QStringList> privileges;
    std::optional<int> ttl;
    Status s = readString(c.body, "target", &in.target);
    if (s)
        s = readStringList(c.body, "privileges", &privileges);
    if (s)
        s = readStringList(c.body, "min_privileges", &in.minPrivileges);
    if (s)
        s = readString(c.body, "task", &in.task);
    if (s)
        s = readString(c.body, "reason", &in.reason);
    if (s)
        s = readString(c.body, "ticket", &in.ticket);
    if (s)
        s = readInt(c.body, "ttl_seconds", &ttl);
    if (s)
        s = readBool(c.body, "break_glass", &in.breakGlass);
    if (!s)
        return s.error();
    if (in.target.isEmpty())
        return invalid(QStringLiteral("target is required"));
    if (!ttl)
        return invalid(QStringLiteral("ttl_seconds is required"));
    in.privileges = privileges.value_or(QStringList {});
    in.ttlSeconds = *ttl;
    auto d = m_engine.submitRequest(*c.actor, in);
    if (!d)
        return d.error();
    QJsonObject out = d->request.toJson();
    if (d->grant)
        out["grant"] = d->grant->toJson();
    return ApiResponse::json(201, out);
}

Result<ApiResponse> ApiService::listRequests(const ApiCall& c)
{
    const auto f = requestFilter(c.request.query);
    if (!f)
        return f.error();
    // The stored JSON is the API's form already: the page is written around it, not re-encoded.
    auto list = m_engine.requestsJson(*c.actor, *f);
    if (!list)
        return list.error();
    return rawPage(list.value(), f->limit);
}

Result<ApiResponse> ApiService::listGrants(const ApiCall& c)
{
    const QUrlQuery& query = c.request.query;
    GrantFilter f;
    bool ok = true;
    f.limit = readLimit(query, 100, 1000, &ok);
    if (!ok)
        return malformed(QStringLiteral("limit must be 1..1000"));
    const QString status = query.queryItemValue(QStringLiteral("status"));
    if (!status.isEmpty()) {
        GrantStatus st;
        if (!grantStatusFromName(status, &st))
            return malformed(QStringLiteral("unknown status '%1'").arg(status));
        f.status = st;
    }
    if (query.queryItemValue(QStringLiteral("review")) == QLatin1String("pending"))
        f.breakGlassUnreviewed = true;
    const QString enforcement = query.queryItemValue(QStringLiteral("enforcement"));
    if (enforcement == QLatin1String("pending"))
        f.enforcementPending = true;
    else if (!enforcement.isEmpty())
        return malformed(QStringLiteral("enforcement takes 'pending'"));
    f.principal = query.queryItemValue(QStringLiteral("principal"));
    f.target = query.queryItemValue(QStringLiteral("target"));
    f.afterId = query.queryItemValue(QStringLiteral("after"));
    auto list = m_engine.grants(*c.actor, f);
    if (!list)
        return list.error();
    return page(toArray(list.value()), list->isEmpty() ? QString() : list->last().id, f.limit);
}

Result<ApiResponse> ApiService::openSession(const ApiCall& c)
{
    QString token;
    std::optional<QStringList> used;
    Status s = readString(c.body, "token", &token);
    if (s)
        s = readStringList(c.body, "privileges_used", &used);
    if (!s)
        return s.error();
    if (token.isEmpty())
        return invalid(QStringLiteral("token is required"));
    auto ses = m_engine.openSession(*c.actor, token.toLatin1(), used.value_or(QStringList {}));
    if (!ses)
        return ses.error();
    return ApiResponse::json(201, ses->toJson(Clock::now()));
}

Result<ApiResponse> ApiService::listSessions(const ApiCall& c)
{
    const QUrlQuery& query = c.request.query;
    SessionFilter f;
    const QString state = query.queryItemValue(QStringLiteral("state"));
    if (state == QLatin1String("live"))
        f.state = SessionState::Live;
    else if (state == QLatin1String("lingering"))
        f.state = SessionState::Lingering;
    else if (state == QLatin1String("ended"))
        f.state = SessionState::Ended;
    else if (!state.isEmpty())
        return malformed(QStringLiteral("state must be live, lingering or ended"));
    f.grantId = query.queryItemValue(QStringLiteral("grant"));
    f.principal = query.queryItemValue(QStringLiteral("principal"));
    bool ok = true;
    f.limit = readLimit(query, 1000, 10000, &ok);
    if (!ok)
        return malformed(QStringLiteral("limit must be 1..10000"));
    auto list = m_engine.sessions(*c.actor, f);
    if (!list)
        return list.error();
    QJsonArray items;
    const qint64 now = Clock::now();
    for (const auto& s : list.value())
        items.append(s.toJson(now));
    return ApiResponse::json(200, QJsonObject {{"items", items}});
}

Result<ApiResponse> ApiService::introspect(const ApiCall& c)
{
    if (!c.request.contentType.startsWith("application/x-www-form-urlencoded"))
        return malformed(QStringLiteral("introspection takes application/x-www-form-urlencoded token=..."));
    const QString token = formValue(c.request.body, QStringLiteral("token"));
    if (token.isEmpty())
        return malformed(QStringLiteral("token is required"));
    auto r = m_engine.introspect(*c.actor, token.toLatin1());
    if (!r)
        return r.error();
    return ApiResponse::json(200, r.value());
}

Result<ApiResponse> ApiService::events(const ApiCall& c)
{
    const QUrlQuery& query = c.request.query;
    bool okAfter = true;
    const qint64 after = query.hasQueryItem(QStringLiteral("after"))
        ? query.queryItemValue(QStringLiteral("after")).toLongLong(&okAfter)
        : 0;
    if (!okAfter || after < 0)
        return malformed(QStringLiteral("after must be a sequence number"));
    bool ok = true;
    const int limit = readLimit(query, 1000, 10000, &ok);
    if (!ok)
        return malformed(QStringLiteral("limit must be 1..10000"));
    const QString format = query.queryItemValue(QStringLiteral("format"));
    if (!format.isEmpty() && format != QLatin1String("json") && format != QLatin1String("cbor"))
        return malformed(QStringLiteral("format must be json or cbor"));
    auto list = m_engine.events(*c.actor, after, limit);
    if (!list)
        return list.error();
    if (format == QLatin1String("cbor")) {
        ApiResponse r;
        r.body = eventPageCbor(list.value(), m_engine.store().lastSeq());
        r.contentType = "application/cbor";
        return r;
    }
    return ApiResponse::json(200, eventPageJson(list.value(), m_engine.store().lastSeq()));
}

Status ApiService::requireInsightReader(const ApiCall& c) const
{
    // Metrics and reviews read the store directly, so the role check the engine would make is made here.
    return Policy::requireAnyRole(*c.actor, {Role::Approver, Role::Responder, Role::Auditor, Role::Admin},
        m_engine.isLockedOut(c.actor->id));
}

Result<ApiResponse> ApiService::insights(const ApiCall& c)
{
    if (const Status s = requireInsightReader(c); !s)
        return s.error();
    auto mq = metricsQueryFrom(c.request.query);
    if (!mq)
        return mq.error();
    auto m = computeMetrics(m_engine.store(), m_engine.directory(), mq.value(), Clock::now());
    if (!m)
        return m.error();
    return ApiResponse::json(200, m.value());
}

Result<ApiResponse> ApiService::reviewCandidates(const ApiCall& c)
{
    if (const Status s = requireInsightReader(c); !s)
        return s.error();
    auto mq = metricsQueryFrom(c.request.query);
    if (!mq)
        return mq.error();
    auto list = lapse::reviewCandidates(m_engine.store(), m_engine.directory(), mq.value(), Clock::now());
    if (!list)
        return list.error();
    return ApiResponse::json(200,
        QJsonObject {{"from", mq->fromMs > 0 ? QJsonValue(Clock::toIso(mq->fromMs)) : QJsonValue()},
            {"to",
                mq->toMs < std::numeric_limits<qint64>::max() ? QJsonValue(Clock::toIso(mq->toMs))
                                                              : QJsonValue()},
            {"candidates", list.value()}});
}

Result<ApiResponse> ApiService::listReviews(const ApiCall& c)
{
    if (const Status s = requireInsightReader(c); !s)
        return s.error();
    QJsonArray out;
    for (const ReviewDecision& d :
        m_engine.store().reviewDecisions(c.request.query.queryItemValue(QStringLiteral("target")))) {
        QJsonObject o = d.toJson();
        o.insert(QStringLiteral("seq"), d.seq);
        out.append(o);
    }
    return ApiResponse::json(200, QJsonObject {{"reviews", out}});
}

Result<ApiResponse> ApiService::decideReview(const ApiCall& c)
{
    static const QStringList known {QStringLiteral("identity"), QStringLiteral("target"),
        QStringLiteral("privileges"), QStringLiteral("outcome"), QStringLiteral("comment"),
        QStringLiteral("from"), QStringLiteral("to")};
    for (auto it = c.body.constBegin(); it != c.body.constEnd(); ++it)
        if (!known.contains(it.key()))
            return invalid(QStringLiteral("unknown field '%1'").arg(it.key()));
    ReviewDecision d;
    std::optional<QStringList> privileges;
    QString from, to;
    Status s = readString(c.body, "identity", &d.identity);
    if (s)
        s = readString(c.body, "target", &d.target);
    if (s)
        s = readStringList(c.body, "privileges", &privileges);
    if (s)
        s = readString(c.body, "outcome", &d.outcome);
    if (s)
        s = readString(c.body, "comment", &d.comment);
    if (s)
        s = readString(c.body, "from", &from);
    if (s)
        s = readString(c.body, "to", &to);
    if (!s)
        return s.error();
    d.privileges = privileges.value_or(QStringList {});
    for (const auto& [text, ms] : {std::pair {&from, &d.fromMs}, std::pair {&to, &d.toMs}}) {
        if (text->isEmpty())
            continue;
        bool ok = false;
        *ms = Clock::fromIso(*text, &ok);
        if (!ok)
            return invalid(QStringLiteral("from and to are ISO 8601 UTC times"));
    }
    auto decided = m_engine.decideReview(*c.actor, d);
    if (!decided)
        return decided.error();
    QJsonObject o = decided->toJson();
    o.insert(QStringLiteral("seq"), decided->seq);
    return ApiResponse::json(201, o);
}

namespace
{
ApiResponse text(const QByteArray& body)
{
    ApiResponse r;
    r.body = body;
    r.contentType = "text/plain; charset=utf-8";
    return r;
}

// A positive integer query item: nullopt when absent, an error naming it when malformed.
Result<std::optional<qint64>> positive(const QUrlQuery& query, const char* key)
{
    const QString name = QLatin1String(key);
    if (!query.hasQueryItem(name))
        return std::optional<qint64>();
    bool ok = false;
    const qint64 v = query.queryItemValue(name).toLongLong(&ok);
    if (!ok || v < 1)
        return malformed(QStringLiteral("%1 must be a positive integer").arg(name));
    return std::optional<qint64>(v);
}
} // namespace

Result<ApiResponse> ApiService::logKey(const ApiCall&)
{
    return text(m_engine.logVkey().toUtf8() + '\n');
}

Result<ApiResponse> ApiService::logCheckpoint(const ApiCall& c)
{
    const auto size = positive(c.request.query, "size");
    if (!size)
        return size.error();
    auto cp = m_engine.checkpoint(*c.actor, size.value());
    if (!cp)
        return cp.error();
    return text(cp->second);
}

Result<ApiResponse> ApiService::cutLogCheckpoint(const ApiCall& c)
{
    auto cp = m_engine.cutCheckpoint(*c.actor);
    if (!cp)
        return cp.error();
    return text(cp->second);
}

Result<ApiResponse> ApiService::logProof(const ApiCall& c)
{
    const auto seq = positive(c.request.query, "seq");
    if (!seq)
        return seq.error();
    if (!seq.value())
        return malformed(QStringLiteral("seq is required"));
    const auto size = positive(c.request.query, "size");
    if (!size)
        return size.error();
    auto proof = m_engine.inclusionProof(*c.actor, *seq.value(), size.value());
    if (!proof)
        return proof.error();
    return text(proof.value());
}

Result<ApiResponse> ApiService::logConsistency(const ApiCall& c)
{
    const auto from = positive(c.request.query, "from");
    if (!from)
        return from.error();
    const auto to = positive(c.request.query, "to");
    if (!to)
        return to.error();
    if (!from.value() || !to.value())
        return malformed(QStringLiteral("from and to are required"));
    auto proof = m_engine.consistencyProof(*c.actor, *from.value(), *to.value());
    if (!proof)
        return proof.error();
    QByteArray body;
    for (const merkle::Hash& h : proof.value())
        body += merkle::toBase64(h) + '\n';
    return text(body);
}

Result<ApiResponse> ApiService::attestEvidence(const ApiCall& c)
{
    // The signature covers the bytes as sent, not a re-serialisation of the parsed object.
    auto a = m_engine.attestEvidence(*c.actor, c.request.body);
    if (!a)
        return a.error();
    return ApiResponse::json(200,
        QJsonObject {{"signature", QString::fromLatin1(a->first.toBase64())}, {"key", m_engine.logVkey()},
            {"seq", a->second.seq}});
}

Result<ApiResponse> ApiService::rotateLogKey(const ApiCall& c)
{
    auto cp = m_engine.rotateLogKey(*c.actor);
    if (!cp)
        return cp.error();
    return text(cp->second);
}

Result<ApiResponse> ApiService::rotateKeys(const ApiCall& c)
{
    if (const Status s = m_engine.rotateSigningKey(*c.actor); !s)
        return s.error();
    return ApiResponse::json(200, m_engine.jwks());
}

Result<ApiResponse> ApiService::request(const ApiCall& c)
{
    auto r = m_engine.request(*c.actor, c.id);
    if (!r)
        return r.error();
    QJsonObject out = r->toJson();
    if (r->requester == c.actor->id && r->status == RequestStatus::Approved) {
        auto cred = m_engine.credential(*c.actor, c.id);
        if (cred)
            out["credential"] = cred.value();
    }
    return ApiResponse::json(200, out);
}

Result<ApiResponse> ApiService::requestContext(const ApiCall& c)
{
    auto context = m_engine.requesterContext(*c.actor, c.id);
    if (!context)
        return context.error();
    return ApiResponse::json(200, context->toJson());
}

Result<ApiResponse> ApiService::approve(const ApiCall& c)
{
    ApproveInput in;
    std::optional<int> ttl;
    Status s = readStringList(c.body, "privileges", &in.privileges);
    if (s)
        s = readInt(c.body, "ttl_seconds", &ttl);
    if (!s)
        return s.error();
    in.ttlSeconds = ttl;
    in.comment = c.comment;
    auto d = m_engine.approve(*c.actor, c.id, in);
    if (!d)
        return d.error();
    QJsonObject out {{"request", d->request.toJson()}, {"status", requestStatusName(d->request.status)},
        {"approvals", d->request.approvals.size()}, {"approvals_required", d->request.approvalsRequired}};
    if (d->grant)
        out["grant"] = d->grant->toJson();
    return ApiResponse::json(200, out);
}

Result<ApiResponse> ApiService::deny(const ApiCall& c)
{
    auto r = m_engine.deny(*c.actor, c.id, c.reason);
    if (!r)
        return r.error();
    return ApiResponse::json(200, r->toJson());
}

Result<ApiResponse> ApiService::grant(const ApiCall& c)
{
    auto g = m_engine.grant(*c.actor, c.id);
    if (!g)
        return g.error();
    return ApiResponse::json(200, g->toJson());
}

Result<ApiResponse> ApiService::revoke(const ApiCall& c)
{
    auto g = m_engine.revoke(*c.actor, c.id, c.reason);
    if (!g)
        return g.error();
    return ApiResponse::json(200, g->toJson());
}

Result<ApiResponse> ApiService::complete(const ApiCall& c)
{
    auto g = m_engine.complete(*c.actor, c.id);
    if (!g)
        return g.error();
    return ApiResponse::json(200, g->toJson());
}

Result<ApiResponse> ApiService::review(const ApiCall& c)
{
    auto g = m_engine.review(*c.actor, c.id, c.comment.isEmpty() ? c.reason : c.comment);
    if (!g)
        return g.error();
    return ApiResponse::json(200, g->toJson());
}

Result<ApiResponse> ApiService::endSession(const ApiCall& c)
{
    std::optional<QStringList> used;
    if (const Status s = readStringList(c.body, "privileges_used", &used); !s)
        return s.error();
    auto s = m_engine.endSession(*c.actor, c.id, used.value_or(QStringList {}));
    if (!s)
        return s.error();
    return ApiResponse::json(200, s->toJson(Clock::now()));
}

Result<ApiResponse> ApiService::terminateSession(const ApiCall& c)
{
    auto s = m_engine.terminateSession(*c.actor, c.id, c.reason);
    if (!s)
        return s.error();
    return ApiResponse::json(200, s->toJson(Clock::now()));
}

Result<ApiResponse> ApiService::lockout(const ApiCall& c)
{
    auto o = m_engine.lockout(*c.actor, c.id, c.reason);
    if (!o)
        return o.error();
    QJsonArray revoked, terminated, denied;
    for (const auto& g : o->revoked)
        revoked.append(g.id);
    for (const auto& s : o->terminated)
        terminated.append(s.id);
    for (const auto& r : o->denied)
        denied.append(r.id);
    return ApiResponse::json(200,
        QJsonObject {{"principal", c.id}, {"locked_at", Clock::toIso(o->lockout.lockedMs)},
            {"revoked_grants", revoked}, {"terminated_sessions", terminated}, {"denied_requests", denied}});
}

Result<ApiResponse> ApiService::unlock(const ApiCall& c)
{
    auto l = m_engine.unlock(*c.actor, c.id);
    if (!l)
        return l.error();
    return ApiResponse::json(200, QJsonObject {{"principal", c.id}, {"locked_out", false}});
}

} // namespace lapse
