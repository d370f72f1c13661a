// Routing, input validation and JSON shaping for API v1. Decisions stay in Engine/Policy.
#include "ApiService.h"
#include "EventPages.h"
#include "metrics/Metrics.h"

#include "core/Clock.h"
#include "engine/Engine.h"
#include "engine/IntrospectionSnapshot.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

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

Result<QJsonObject> parseBody(const ApiRequest& req, bool required)
{
    if (req.body.size() > ApiService::kMaxBodyBytes)
        return makeError(ErrorCode::TooLarge,
            QStringLiteral("request body is over %1 bytes").arg(ApiService::kMaxBodyBytes));
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

// Typed field readers: a present field of the wrong type is a 422 naming the field.
Status readString(const QJsonObject& o, const char* key, QString* out)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return Ok {};
    if (!v.isString())
        return invalid(QStringLiteral("%1 must be a string").arg(QLatin1String(key)));
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

ApiResponse ApiService::handle(const ApiRequest& req)
{
    // A repeat introspection is answered as the engine answered it, without decoding the token or the claims
    // again; on the engine's thread the snapshot is exactly the engine's state.
    if (auto repeat = answerFromSnapshot(m_engine.snapshot(), req))
        return std::move(*repeat);
    // Public, unauthenticated documents: health, Prometheus metrics, the JWKS.
    if (req.method == "GET" && req.path == QLatin1String("/healthz"))
        return ApiResponse::json(
            200, QJsonObject {{"status", "ok"}, {"last_seq", m_engine.store().lastSeq()}});
    if (req.method == "GET" && req.path == QLatin1String("/.well-known/jwks.json"))
        return ApiResponse::json(200, m_engine.jwks());
    if (req.method == "GET" && req.path == QLatin1String("/metrics")) {
        ApiResponse r;
        r.body = prometheusMetrics();
        r.contentType = "text/plain; version=0.0.4";
        return r;
    }
    auto who = authenticate(req.authorization);
    if (!who)
        return ApiResponse::error(who.error());
    return route(*who.value(), req);
}

std::optional<ApiResponse> ApiService::answerFromSnapshot(
    const IntrospectionSnapshot& snapshot, const ApiRequest& req)
{
    // The same request checks as route(); anything that would not reach Engine::introspect goes to handle().
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
    return route(actor, req);
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
    metric("lapse_revocations_total", "counter", "Grants revoked early.",
        line("lapse_revocations_total", c.revocations));
    metric("lapse_introspections_total", "counter", "Token introspections by answer.",
        line("lapse_introspections_total{active=\"true\"}", c.introspectionsActive)
            + line(
                "lapse_introspections_total{active=\"false\"}", c.introspections - c.introspectionsActive));
    metric("lapse_post_expiry_uses_total", "counter", "Credentials presented after their grant ended.",
        line("lapse_post_expiry_uses_total", c.postExpiryUses));
    return out;
}

ApiResponse ApiService::route(const Principal& actor, const ApiRequest& req)
{
    static const QRegularExpression kIdPath(QStringLiteral(
        "^/v1/(requests|grants|sessions|principals)/([A-Za-z0-9._@:-]{1,128})(?:/([a-z]+))?$"));
    const QByteArray& m = req.method;
    const QString& path = req.path;
    const bool post = m == "POST", get = m == "GET";
    bool ok = true;

    if (path == QLatin1String("/v1/me") && get) {
        QJsonObject me = actor.toJson();
        me["locked_out"] = m_engine.isLockedOut(actor.id);
        return ApiResponse::json(200, me);
    }
    if (path == QLatin1String("/v1/directory") && get)
        return ApiResponse::json(200, m_engine.directory().toJson());
    if (path == QLatin1String("/v1/lockouts") && get) {
        QJsonArray items;
        for (const auto& l : m_engine.lockouts())
            items.append(QJsonObject {{"principal", l.principal}, {"active", l.active},
                {"locked_at", Clock::toIso(l.lockedMs)}, {"not_before", Clock::toIso(l.notBeforeMs)},
                {"reason", l.reason}, {"by", l.by}});
        return ApiResponse::json(200, QJsonObject {{"items", items}});
    }
    if (path == QLatin1String("/v1/requests")) {
        if (post) {
            auto body = parseBody(req, true);
            if (!body)
                return ApiResponse::error(body.error());
            RequestInput in;
            std::optional<QStringList> privileges;
            std::optional<int> ttl;
            Status s = readString(*body, "target", &in.target);
            if (s)
                s = readStringList(*body, "privileges", &privileges);
            if (s)
                s = readStringList(*body, "min_privileges", &in.minPrivileges);
            if (s)
                s = readString(*body, "task", &in.task);
            if (s)
                s = readString(*body, "reason", &in.reason);
            if (s)
                s = readString(*body, "ticket", &in.ticket);
            if (s)
                s = readInt(*body, "ttl_seconds", &ttl);
            if (s)
                s = readBool(*body, "break_glass", &in.breakGlass);
            if (!s)
                return ApiResponse::error(s.error());
            if (in.target.isEmpty())
                return ApiResponse::error(invalid(QStringLiteral("target is required")));
            if (!ttl)
                return ApiResponse::error(invalid(QStringLiteral("ttl_seconds is required")));
            in.privileges = privileges.value_or(QStringList {});
            in.ttlSeconds = *ttl;
            auto d = m_engine.submitRequest(actor, in);
            if (!d)
                return ApiResponse::error(d.error());
            QJsonObject out = d->request.toJson();
            if (d->grant)
                out["grant"] = d->grant->toJson();
            return ApiResponse::json(201, out);
        }
        if (get) {
            const auto f = requestFilter(req.query);
            if (!f)
                return ApiResponse::error(f.error());
            // The stored JSON is the API's form already: the page is written around it, not re-encoded.
            auto list = m_engine.requestsJson(actor, *f);
            if (!list)
                return ApiResponse::error(list.error());
            return rawPage(list.value(), f->limit);
        }
    }
    if (path == QLatin1String("/v1/grants") && get) {
        GrantFilter f;
        f.limit = readLimit(req.query, 100, 1000, &ok);
        if (!ok)
            return ApiResponse::error(malformed(QStringLiteral("limit must be 1..1000")));
        const QString status = req.query.queryItemValue(QStringLiteral("status"));
        if (!status.isEmpty()) {
            GrantStatus st;
            if (!grantStatusFromName(status, &st))
                return ApiResponse::error(malformed(QStringLiteral("unknown status '%1'").arg(status)));
            f.status = st;
        }
        if (req.query.queryItemValue(QStringLiteral("review")) == QLatin1String("pending"))
            f.breakGlassUnreviewed = true;
        f.principal = req.query.queryItemValue(QStringLiteral("principal"));
        f.target = req.query.queryItemValue(QStringLiteral("target"));
        f.afterId = req.query.queryItemValue(QStringLiteral("after"));
        auto list = m_engine.grants(actor, f);
        if (!list)
            return ApiResponse::error(list.error());
        return page(toArray(list.value()), list->isEmpty() ? QString() : list->last().id, f.limit);
    }
    if (path == QLatin1String("/v1/sessions")) {
        if (post) {
            auto body = parseBody(req, true);
            if (!body)
                return ApiResponse::error(body.error());
            QString token;
            std::optional<QStringList> used;
            Status s = readString(*body, "token", &token);
            if (s)
                s = readStringList(*body, "privileges_used", &used);
            if (!s)
                return ApiResponse::error(s.error());
            if (token.isEmpty())
                return ApiResponse::error(invalid(QStringLiteral("token is required")));
            auto ses = m_engine.openSession(actor, token.toLatin1(), used.value_or(QStringList {}));
            if (!ses)
                return ApiResponse::error(ses.error());
            return ApiResponse::json(201, ses->toJson(Clock::now()));
        }
        if (get) {
            SessionFilter f;
            const QString state = req.query.queryItemValue(QStringLiteral("state"));
            if (state == QLatin1String("live"))
                f.state = SessionState::Live;
            else if (state == QLatin1String("lingering"))
                f.state = SessionState::Lingering;
            else if (state == QLatin1String("ended"))
                f.state = SessionState::Ended;
            else if (!state.isEmpty())
                return ApiResponse::error(
                    malformed(QStringLiteral("state must be live, lingering or ended")));
            f.grantId = req.query.queryItemValue(QStringLiteral("grant"));
            f.principal = req.query.queryItemValue(QStringLiteral("principal"));
            f.limit = readLimit(req.query, 1000, 10000, &ok);
            if (!ok)
                return ApiResponse::error(malformed(QStringLiteral("limit must be 1..10000")));
            auto list = m_engine.sessions(actor, f);
            if (!list)
                return ApiResponse::error(list.error());
            QJsonArray items;
            const qint64 now = Clock::now();
            for (const auto& s : list.value())
                items.append(s.toJson(now));
            return ApiResponse::json(200, QJsonObject {{"items", items}});
        }
    }
    if (path == QLatin1String("/v1/introspect") && post) {
        if (req.body.size() > kMaxBodyBytes)
            return ApiResponse::error(
                makeError(ErrorCode::TooLarge, QStringLiteral("request body is over 64 KiB")));
        if (!req.contentType.startsWith("application/x-www-form-urlencoded"))
            return ApiResponse::error(
                malformed(QStringLiteral("introspection takes application/x-www-form-urlencoded token=...")));
        const QString token = formValue(req.body, QStringLiteral("token"));
        if (token.isEmpty())
            return ApiResponse::error(malformed(QStringLiteral("token is required")));
        auto r = m_engine.introspect(actor, token.toLatin1());
        if (!r)
            return ApiResponse::error(r.error());
        return ApiResponse::json(200, r.value());
    }
    if (path == QLatin1String("/v1/events") && get) {
        bool okAfter = true;
        const qint64 after = req.query.hasQueryItem(QStringLiteral("after"))
            ? req.query.queryItemValue(QStringLiteral("after")).toLongLong(&okAfter)
            : 0;
        if (!okAfter || after < 0)
            return ApiResponse::error(malformed(QStringLiteral("after must be a sequence number")));
        const int limit = readLimit(req.query, 1000, 10000, &ok);
        if (!ok)
            return ApiResponse::error(malformed(QStringLiteral("limit must be 1..10000")));
        const QString format = req.query.queryItemValue(QStringLiteral("format"));
        if (!format.isEmpty() && format != QLatin1String("json") && format != QLatin1String("cbor"))
            return ApiResponse::error(malformed(QStringLiteral("format must be json or cbor")));
        auto list = m_engine.events(actor, after, limit);
        if (!list)
            return ApiResponse::error(list.error());
        if (format == QLatin1String("cbor")) {
            ApiResponse r;
            r.body = eventPageCbor(list.value(), m_engine.store().lastSeq());
            r.contentType = "application/cbor";
            return r;
        }
        return ApiResponse::json(200, eventPageJson(list.value(), m_engine.store().lastSeq()));
    }
    if (path == QLatin1String("/v1/insights") && get) {
        if (const Status s
            = Policy::requireAnyRole(actor, {Role::Approver, Role::Responder, Role::Auditor, Role::Admin},
                m_engine.isLockedOut(actor.id));
            !s)
            return ApiResponse::error(s.error());
        auto mq = metricsQueryFrom(req.query);
        if (!mq)
            return ApiResponse::error(mq.error());
        auto m
            = computeMetrics(m_engine.store(), m_engine.directory(), mq.value(), Clock::now());
        if (!m)
            return ApiResponse::error(m.error());
        return ApiResponse::json(200, m.value());
    }
    if (path == QLatin1String("/v1/keys/rotate") && post) {
        if (const Status s = m_engine.rotateSigningKey(actor); !s)
            return ApiResponse::error(s.error());
        return ApiResponse::json(200, m_engine.jwks());
    }

    const auto match = kIdPath.match(path);
    if (match.hasMatch()) {
        const QString kind = match.captured(1), id = match.captured(2), action = match.captured(3);
        const bool needsBody = post;
        QJsonObject body;
        if (needsBody) {
            auto b = parseBody(req, false);
            if (!b)
                return ApiResponse::error(b.error());
            body = b.value();
        }
        QString reason, comment;
        if (const Status s = readString(body, "reason", &reason); !s)
            return ApiResponse::error(s.error());
        if (const Status s = readString(body, "comment", &comment); !s)
            return ApiResponse::error(s.error());

        if (kind == QLatin1String("requests")) {
            if (get && action.isEmpty()) {
                auto r = m_engine.request(actor, id);
                if (!r)
                    return ApiResponse::error(r.error());
                QJsonObject out = r->toJson();
                if (r->requester == actor.id && r->status == RequestStatus::Approved) {
                    auto cred = m_engine.credential(actor, id);
                    if (cred)
                        out["credential"] = cred.value();
                }
                return ApiResponse::json(200, out);
            }
            if (get && action == QLatin1String("context")) {
                auto c = m_engine.requesterContext(actor, id);
                if (!c)
                    return ApiResponse::error(c.error());
                return ApiResponse::json(200, c->toJson());
            }
            if (post && action == QLatin1String("approve")) {
                ApproveInput in;
                std::optional<int> ttl;
                Status s = readStringList(body, "privileges", &in.privileges);
                if (s)
                    s = readInt(body, "ttl_seconds", &ttl);
                if (!s)
                    return ApiResponse::error(s.error());
                in.ttlSeconds = ttl;
                in.comment = comment;
                auto d = m_engine.approve(actor, id, in);
                if (!d)
                    return ApiResponse::error(d.error());
                QJsonObject out {{"request", d->request.toJson()},
                    {"status", requestStatusName(d->request.status)},
                    {"approvals", d->request.approvals.size()},
                    {"approvals_required", d->request.approvalsRequired}};
                if (d->grant)
                    out["grant"] = d->grant->toJson();
                return ApiResponse::json(200, out);
            }
            if (post && action == QLatin1String("deny")) {
                auto r = m_engine.deny(actor, id, reason);
                if (!r)
                    return ApiResponse::error(r.error());
                return ApiResponse::json(200, r->toJson());
            }
        } else if (kind == QLatin1String("grants")) {
            if (get && action.isEmpty()) {
                auto g = m_engine.grant(actor, id);
                if (!g)
                    return ApiResponse::error(g.error());
                return ApiResponse::json(200, g->toJson());
            }
            Result<Grant> g = makeError(ErrorCode::NotFound, QString());
            if (post && action == QLatin1String("revoke"))
                g = m_engine.revoke(actor, id, reason);
            else if (post && action == QLatin1String("complete"))
                g = m_engine.complete(actor, id);
            else if (post && action == QLatin1String("review"))
                g = m_engine.review(actor, id, comment.isEmpty() ? reason : comment);
            else
                return ApiResponse::error(makeError(
                    ErrorCode::NotFound, QStringLiteral("no route %1 %2").arg(QString::fromLatin1(m), path)));
            if (!g)
                return ApiResponse::error(g.error());
            return ApiResponse::json(200, g->toJson());
        } else if (kind == QLatin1String("sessions") && post) {
            Result<Session> s = makeError(ErrorCode::NotFound, QString());
            if (action == QLatin1String("end")) {
                std::optional<QStringList> used;
                if (const Status st = readStringList(body, "privileges_used", &used); !st)
                    return ApiResponse::error(st.error());
                s = m_engine.endSession(actor, id, used.value_or(QStringList {}));
            } else if (action == QLatin1String("terminate")) {
                s = m_engine.terminateSession(actor, id, reason);
            } else {
                return ApiResponse::error(makeError(
                    ErrorCode::NotFound, QStringLiteral("no route %1 %2").arg(QString::fromLatin1(m), path)));
            }
            if (!s)
                return ApiResponse::error(s.error());
            return ApiResponse::json(200, s->toJson(Clock::now()));
        } else if (kind == QLatin1String("principals") && post) {
            if (action == QLatin1String("lockout")) {
                auto o = m_engine.lockout(actor, id, reason);
                if (!o)
                    return ApiResponse::error(o.error());
                QJsonArray revoked, terminated, denied;
                for (const auto& g : o->revoked)
                    revoked.append(g.id);
                for (const auto& s : o->terminated)
                    terminated.append(s.id);
                for (const auto& r : o->denied)
                    denied.append(r.id);
                return ApiResponse::json(200,
                    QJsonObject {{"principal", id}, {"locked_at", Clock::toIso(o->lockout.lockedMs)},
                        {"revoked_grants", revoked}, {"terminated_sessions", terminated},
                        {"denied_requests", denied}});
            }
            if (action == QLatin1String("unlock")) {
                auto l = m_engine.unlock(actor, id);
                if (!l)
                    return ApiResponse::error(l.error());
                return ApiResponse::json(200, QJsonObject {{"principal", id}, {"locked_out", false}});
            }
        }
    }
    return ApiResponse::error(
        makeError(ErrorCode::NotFound, QStringLiteral("no route %1 %2").arg(QString::fromLatin1(m), path)));
}

} // namespace lapse
