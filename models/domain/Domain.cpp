// JSON forms and name tables of the domain values; the wire format of API v1.
#include "AccessRequest.h"
#include "Event.h"
#include "Grant.h"
#include "Principal.h"
#include "Review.h"
#include "Session.h"
#include "Target.h"

#include "core/Clock.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace lapse
{

namespace
{
template <typename E, size_t N> QString nameOf(const std::pair<E, const char*> (&table)[N], E value)
{
    for (const auto& p : table)
        if (p.first == value)
            return QString::fromLatin1(p.second);
    return {};
}
template <typename E, size_t N>
bool valueOf(const std::pair<E, const char*> (&table)[N], const QString& name, E* out)
{
    for (const auto& p : table)
        if (name == QLatin1String(p.second)) {
            *out = p.first;
            return true;
        }
    return false;
}

const std::pair<PrincipalKind, const char*> kKinds[] = {
    {PrincipalKind::Human, "human"},
    {PrincipalKind::Service, "service"},
    {PrincipalKind::Workload, "workload"},
    {PrincipalKind::Agent, "agent"},
    {PrincipalKind::Pipeline, "pipeline"},
};
const std::pair<Role, const char*> kRoles[] = {
    {Role::Requester, "requester"},
    {Role::Approver, "approver"},
    {Role::Responder, "responder"},
    {Role::Auditor, "auditor"},
    {Role::Admin, "admin"},
    {Role::ResourceServer, "resource-server"},
};
const std::pair<RequestStatus, const char*> kRequestStatus[] = {
    {RequestStatus::Pending, "pending"},
    {RequestStatus::Approved, "approved"},
    {RequestStatus::Denied, "denied"},
    {RequestStatus::Expired, "expired"},
};
const std::pair<GrantStatus, const char*> kGrantStatus[] = {
    {GrantStatus::Active, "active"},
    {GrantStatus::Completed, "completed"},
    {GrantStatus::Revoked, "revoked"},
    {GrantStatus::Expired, "expired"},
};
const std::pair<SessionState, const char*> kSessionState[] = {
    {SessionState::Live, "live"},
    {SessionState::Lingering, "lingering"},
    {SessionState::Ended, "ended"},
};

QJsonValue isoOrNull(qint64 ms)
{
    return ms ? QJsonValue(Clock::toIso(ms)) : QJsonValue(QJsonValue::Null);
}
QStringList strings(const QJsonValue& v)
{
    QStringList out;
    for (const auto& x : v.toArray())
        out << x.toString();
    return out;
}
std::optional<QStringList> optStrings(const QJsonValue& v)
{
    if (!v.isArray())
        return std::nullopt;
    return strings(v);
}
qint64 ms(const QJsonValue& v)
{
    return v.isString() ? Clock::fromIso(v.toString()) : 0;
}
} // namespace

QString kindName(PrincipalKind kind)
{
    return nameOf(kKinds, kind);
}
bool kindFromName(const QString& name, PrincipalKind* out)
{
    return valueOf(kKinds, name, out);
}
QString roleName(Role role)
{
    return nameOf(kRoles, role);
}
bool roleFromName(const QString& name, Role* out)
{
    return valueOf(kRoles, name, out);
}
QString requestStatusName(RequestStatus s)
{
    return nameOf(kRequestStatus, s);
}
bool requestStatusFromName(const QString& name, RequestStatus* out)
{
    return valueOf(kRequestStatus, name, out);
}
QString grantStatusName(GrantStatus s)
{
    return nameOf(kGrantStatus, s);
}
bool grantStatusFromName(const QString& name, GrantStatus* out)
{
    return valueOf(kGrantStatus, name, out);
}
QString sessionStateName(SessionState s)
{
    return nameOf(kSessionState, s);
}

QStringList Principal::roleNames() const
{
    QStringList out;
    for (const auto& p : kRoles)
        if (roles & unsigned(p.first))
            out << QString::fromLatin1(p.second);
    return out;
}

QJsonObject Principal::toJson() const
{
    QJsonObject o {{"id", id}, {"kind", kindName(kind)}, {"roles", QJsonArray::fromStringList(roleNames())}};
    if (!displayName.isEmpty())
        o["display_name"] = displayName;
    if (!owner.isEmpty())
        o["owner"] = owner;
    if (!spiffeId.isEmpty())
        o["spiffe_id"] = spiffeId;
    if (!oidcSubject.isEmpty())
        o["oidc_subject"] = oidcSubject;
    if (!serves.isEmpty())
        o["serves"] = QJsonArray::fromStringList(serves);
    return o;
}

QJsonObject Target::toJson() const
{
    QJsonObject o {
        {"id", id},
        {"kind", kind},
        {"description", description},
        {"owner", owner},
        {"privileges", QJsonArray::fromStringList(privileges)},
        {"max_ttl_seconds", maxTtlSeconds},
        {"approvals_required", approvalsRequired},
        {"require_ticket", requireTicket},
        {"break_glass",
            QJsonObject {{"allowed", breakGlassAllowed}, {"max_ttl_seconds", breakGlassMaxTtlSeconds}}},
        {"pending_timeout_seconds", pendingTimeoutSeconds},
    };
    if (isPostgresql()) {
        // Where and as whom, not how the broker authenticates: no passfile or certificate path leaves the
        // broker. Enough to read back (the console parses the directory the API serves).
        QJsonObject cat;
        for (auto it = catalogue.cbegin(); it != catalogue.cend(); ++it)
            cat.insert(it.key(), QJsonObject {{"role", it.value()}});
        QJsonObject c {{"host", connection.host}, {"port", connection.port},
            {"database", connection.database}, {"user", connection.user}};
        if (!connection.service.isEmpty())
            c.insert(QStringLiteral("service"), connection.service);
        if (!connection.sslmode.isEmpty())
            c.insert(QStringLiteral("sslmode"), connection.sslmode);
        o.insert(QStringLiteral("connection"), c);
        o.insert(QStringLiteral("catalogue"), cat);
        o.insert(QStringLiteral("connection_limit"), connectionLimit);
    }
    return o;
}

QJsonObject Approval::toJson() const
{
    return QJsonObject {{"approver", approver}, {"privileges", QJsonArray::fromStringList(privileges)},
        {"ttl_seconds", ttlSeconds}, {"comment", comment}, {"at", Clock::toIso(atMs)}};
}

Approval Approval::fromJson(const QJsonObject& o)
{
    Approval a;
    a.approver = o["approver"].toString();
    for (const auto& v : o["privileges"].toArray())
        a.privileges << v.toString();
    a.ttlSeconds = o["ttl_seconds"].toInt();
    a.comment = o["comment"].toString();
    a.atMs = Clock::fromIso(o["at"].toString());
    return a;
}

QJsonObject AccessRequest::toJson() const
{
    QJsonArray approvalsJson;
    for (const auto& a : approvals)
        approvalsJson.append(a.toJson());
    QJsonObject o {
        {"id", id},
        {"requester", requester},
        {"target", target},
        {"privileges", QJsonArray::fromStringList(privileges)},
        {"min_privileges",
            minPrivileges ? QJsonValue(QJsonArray::fromStringList(*minPrivileges)) : QJsonValue()},
        {"task", task},
        {"reason", reason},
        {"ticket", ticket},
        {"ttl_seconds", ttlSeconds},
        {"break_glass", breakGlass},
        {"status", requestStatusName(status)},
        {"created_at", isoOrNull(createdMs)},
        {"expires_at", isoOrNull(expiresMs)},
        {"decided_at", isoOrNull(decidedMs)},
        {"decided_by", decidedBy.isEmpty() ? QJsonValue() : QJsonValue(decidedBy)},
        {"approvals", approvalsJson},
        {"approvals_required", approvalsRequired},
    };
    if (!denyReason.isEmpty())
        o["deny_reason"] = denyReason;
    if (!grantId.isEmpty())
        o["grant_id"] = grantId;
    if (!rule.isEmpty())
        o["rule"] = QJsonObject {{"id", rule}, {"digest", ruleDigest}};
    return o;
}

QJsonObject Grant::toJson() const
{
    QJsonObject o {
        {"id", id},
        {"request_id", requestId},
        {"principal", principal},
        {"target", target},
        {"privileges", QJsonArray::fromStringList(privileges)},
        {"requested_privileges", QJsonArray::fromStringList(requestedPrivileges)},
        {"min_privileges",
            minPrivileges ? QJsonValue(QJsonArray::fromStringList(*minPrivileges)) : QJsonValue()},
        {"ttl_seconds", ttlSeconds},
        {"approvers", QJsonArray::fromStringList(approvers)},
        {"policy", policy},
        {"break_glass", breakGlass},
        {"reviewed", reviewed},
        {"task", task},
        {"ticket", ticket},
        {"reason", reason},
        {"key_id", keyId},
        {"status", grantStatusName(status)},
        {"starts_at", isoOrNull(startsMs)},
        {"expires_at", isoOrNull(expiresMs)},
        {"ended_at", isoOrNull(endedMs)},
        {"ended_by", endedBy.isEmpty() ? QJsonValue() : QJsonValue(endedBy)},
        {"end_reason", endReason.isEmpty() ? QJsonValue() : QJsonValue(endReason)},
    };
    if (!rule.isEmpty())
        o.insert(QStringLiteral("rule"), QJsonObject {{"id", rule}, {"digest", ruleDigest}});
    if (!enforcement.isEmpty()) {
        QJsonObject e = enforcementDetail;
        e.insert(QStringLiteral("state"), enforcement);
        o.insert(QStringLiteral("enforcement"), e);
    }
    return o;
}

qint64 Session::lingeringMs(qint64 nowMs) const
{
    if (!grantEndedMs)
        return 0;
    const qint64 until = endedMs ? endedMs : nowMs;
    return until > grantEndedMs ? until - grantEndedMs : 0;
}

QJsonObject Session::toJson(qint64 nowMs) const
{
    QJsonObject o {
        {"id", id},
        {"grant_id", grantId},
        {"principal", principal},
        {"target", target},
        {"resource_server", resourceServer},
        {"privileges_used", QJsonArray::fromStringList(privilegesUsed)},
        {"state", sessionStateName(state())},
        {"opened_at", isoOrNull(openedMs)},
        {"ended_at", isoOrNull(endedMs)},
        {"terminate_requested_at", isoOrNull(terminateRequestedMs)},
        {"terminate_reason", terminateReason.isEmpty() ? QJsonValue() : QJsonValue(terminateReason)},
        {"grant_ended_at", isoOrNull(grantEndedMs)},
        {"lingering_seconds", double(lingeringMs(nowMs)) / 1000.0},
    };
    if (backendPid) {
        o.insert(QStringLiteral("backend"),
            QJsonObject {{"pid", backendPid}, {"client_addr", clientAddr},
                {"application_name", applicationName}, {"backend_start", isoOrNull(backendStartMs)}});
        if (!endedHow.isEmpty())
            o.insert(QStringLiteral("ended_how"), endedHow);
    }
    return o;
}

QJsonObject Event::bodyJson() const
{
    return QJsonDocument::fromJson(body).object();
}

QJsonObject Event::toJson() const
{
    return QJsonObject {{"seq", seq}, {"ts", Clock::toIso(tsMs)}, {"ts_ms", tsMs}, {"type", type},
        {"actor", actor}, {"subject", subject}, {"body", QString::fromUtf8(body)},
        {"hash", QString::fromLatin1(hash)}};
}

Event Event::fromJson(const QJsonObject& o)
{
    Event e;
    e.seq = o["seq"].toInteger();
    e.tsMs = o["ts_ms"].toInteger();
    e.type = o["type"].toString();
    e.actor = o["actor"].toString();
    e.subject = o["subject"].toString();
    e.body = o["body"].toString().toUtf8();
    e.hash = o["hash"].toString().toLatin1();
    return e;
}

AccessRequest AccessRequest::fromJson(const QJsonObject& o)
{
    AccessRequest r;
    r.id = o["id"].toString();
    r.requester = o["requester"].toString();
    r.target = o["target"].toString();
    r.privileges = strings(o["privileges"]);
    r.minPrivileges = optStrings(o["min_privileges"]);
    r.task = o["task"].toString();
    r.reason = o["reason"].toString();
    r.ticket = o["ticket"].toString();
    r.ttlSeconds = o["ttl_seconds"].toInt();
    r.breakGlass = o["break_glass"].toBool();
    requestStatusFromName(o["status"].toString(), &r.status);
    r.createdMs = ms(o["created_at"]);
    r.expiresMs = ms(o["expires_at"]);
    r.decidedMs = ms(o["decided_at"]);
    r.decidedBy = o["decided_by"].toString();
    r.denyReason = o["deny_reason"].toString();
    r.grantId = o["grant_id"].toString();
    for (const auto& a : o["approvals"].toArray())
        r.approvals << Approval::fromJson(a.toObject());
    r.approvalsRequired = o["approvals_required"].toInt(1);
    r.rule = o["rule"].toObject()["id"].toString();
    r.ruleDigest = o["rule"].toObject()["digest"].toString();
    return r;
}

Grant Grant::fromJson(const QJsonObject& o)
{
    Grant g;
    g.id = o["id"].toString();
    g.requestId = o["request_id"].toString();
    g.principal = o["principal"].toString();
    g.target = o["target"].toString();
    g.privileges = strings(o["privileges"]);
    g.requestedPrivileges = strings(o["requested_privileges"]);
    g.minPrivileges = optStrings(o["min_privileges"]);
    g.ttlSeconds = o["ttl_seconds"].toInt();
    g.approvers = strings(o["approvers"]);
    g.policy = o["policy"].toString();
    g.breakGlass = o["break_glass"].toBool();
    g.reviewed = o["reviewed"].toBool();
    g.task = o["task"].toString();
    g.ticket = o["ticket"].toString();
    g.reason = o["reason"].toString();
    g.keyId = o["key_id"].toString();
    grantStatusFromName(o["status"].toString(), &g.status);
    g.startsMs = ms(o["starts_at"]);
    g.expiresMs = ms(o["expires_at"]);
    g.endedMs = ms(o["ended_at"]);
    g.endedBy = o["ended_by"].toString();
    g.endReason = o["end_reason"].toString();
    g.rule = o["rule"].toObject()["id"].toString();
    g.ruleDigest = o["rule"].toObject()["digest"].toString();
    if (o["enforcement"].isObject()) {
        g.enforcementDetail = o["enforcement"].toObject();
        g.enforcement = g.enforcementDetail.take(QStringLiteral("state")).toString();
    }
    return g;
}

Session Session::fromJson(const QJsonObject& o)
{
    Session s;
    s.id = o["id"].toString();
    s.grantId = o["grant_id"].toString();
    s.principal = o["principal"].toString();
    s.target = o["target"].toString();
    s.resourceServer = o["resource_server"].toString();
    s.privilegesUsed = strings(o["privileges_used"]);
    s.openedMs = ms(o["opened_at"]);
    s.endedMs = ms(o["ended_at"]);
    s.terminateRequestedMs = ms(o["terminate_requested_at"]);
    s.terminateReason = o["terminate_reason"].toString();
    s.grantEndedMs = ms(o["grant_ended_at"]);
    if (o["backend"].isObject()) {
        const QJsonObject b = o["backend"].toObject();
        s.backendPid = b["pid"].toInt();
        s.clientAddr = b["client_addr"].toString();
        s.applicationName = b["application_name"].toString();
        s.backendStartMs = ms(b["backend_start"]);
        s.endedHow = o["ended_how"].toString();
    }
    return s;
}

QJsonObject ReviewDecision::toJson() const
{
    QStringList sorted = privileges;
    sorted.sort();
    return QJsonObject {
        {"identity", identity},
        {"target", target},
        {"privileges", QJsonArray::fromStringList(sorted)},
        {"outcome", outcome},
        {"comment", comment},
        {"reviewer", reviewer},
        {"from", isoOrNull(fromMs)},
        {"to", isoOrNull(toMs)},
        {"grants", grants},
        {"decided_at", isoOrNull(atMs)},
    };
}

ReviewDecision ReviewDecision::fromJson(const QJsonObject& o)
{
    ReviewDecision d;
    d.identity = o["identity"].toString();
    d.target = o["target"].toString();
    d.privileges = strings(o["privileges"]);
    d.outcome = o["outcome"].toString();
    d.comment = o["comment"].toString();
    d.reviewer = o["reviewer"].toString();
    d.fromMs = ms(o["from"]);
    d.toMs = ms(o["to"]);
    d.grants = o["grants"].toInt();
    d.atMs = ms(o["decided_at"]);
    d.seq = o["seq"].toInteger();
    return d;
}

} // namespace lapse
