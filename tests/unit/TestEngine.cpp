// The engine end to end on a real store: requests, approvals and quorum, credentials and introspection,
// early ends, expiry, break-glass, sessions, lockout, API keys, restarts, and that refusals change nothing.
#include "engine/Engine.h"

#include "EngineFixture.h"
#include "engine/Crypto.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>

#include <functional>

using namespace lapse;
using namespace lapse::test;

namespace
{
constexpr qint64 kSecond = 1000;
constexpr qint64 kMinute = 60 * kSecond;
constexpr qint64 kHour = 60 * kMinute;

QStringList typesOf(const QList<Event>& events)
{
    QStringList out;
    for (const auto& e : events)
        out << e.type;
    return out;
}

QList<Event> spied(const QSignalSpy& spy, int i)
{
    return spy.at(i).at(0).value<QList<Event>>();
}

ApproveInput narrow(const QStringList& privileges, std::optional<int> ttl = std::nullopt)
{
    ApproveInput in;
    in.privileges = privileges;
    in.ttlSeconds = ttl;
    return in;
}

// What the refusal tests act on: a few requests, an active grant with its credential and a session.
struct Scenario {
    QString alicePending; // billing-db, read
    QString davePending; // billing-db, dave's own
    QString agentPending; // billing-db, agent-7 (owned by bob)
    QString prodHalf; // prod-k8s get+list+exec, approved by bob for {get} only
    QString deniedReq;
    Grant grant; // alice, billing-db read+write, active
    QByteArray token;
    QString sessionId; // opened by db-proxy on grant
};

using Call = std::function<std::optional<Error>(EngineFixture&, const Scenario&)>;
using Outcome = std::function<std::optional<Error>(EngineFixture&)>;
} // namespace

class TestEngine : public QObject
{
    Q_OBJECT

    std::unique_ptr<EngineFixture> m_f;
    EngineFixture& f() { return *m_f; }
    Engine& eng() { return m_f->engine(); }
    const Principal& who(const char* id) { return m_f->who(QString::fromLatin1(id)); }

private slots:
    void init()
    {
        m_f = std::make_unique<EngineFixture>();
        QVERIFY2(m_f->ok(), qPrintable(m_f->openError()));
    }
    void cleanup() { m_f.reset(); }

    // ------------------------------------------------------------ requests and approvals

    void submitLeavesTheRequestPending()
    {
        const qint64 t0 = f().now();
        auto d = f().submit(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(d);
        QVERIFY(!d->grant);
        const AccessRequest& r = d->request;
        QCOMPARE(r.status, RequestStatus::Pending);
        QCOMPARE(r.requester, QStringLiteral("alice"));
        QCOMPARE(r.createdMs, t0);
        QCOMPARE(r.expiresMs, t0 + 24 * kHour);
        QCOMPARE(r.approvalsRequired, 1);
        QVERIFY(r.id.startsWith(QLatin1String("req_")));
        const auto stored = eng().store().request(r.id);
        QVERIFY(stored);
        QCOMPARE(stored->status, RequestStatus::Pending);
        QCOMPARE(stored->privileges, QStringList({"read"}));
        QCOMPARE(eng().activeGrantCount(), 0);
        const QList<Event> created = f().eventsOfType(QStringLiteral("request.created"));
        QCOMPARE(created.size(), 1);
        QCOMPARE(created[0].actor, QStringLiteral("alice"));
        QCOMPARE(created[0].subject, r.id);
        QCOMPARE(created[0].tsMs, t0);
        LAPSE_VERIFY_ERROR(eng().credential(who("alice"), r.id), ErrorCode::Conflict, "pending");
    }

    void approvalStartsTheWindowAtApprovalTime()
    {
        const qint64 submitted = f().now();
        auto d = f().submit(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(d);
        f().clock().advance(17 * kMinute + 250); // the approver took a while
        const qint64 approved = f().now();
        auto a = f().approve(QStringLiteral("bob"), d->request.id);
        LAPSE_VERIFY_OK(a);
        QVERIFY(a->grant);
        const Grant& g = *a->grant;
        QVERIFY(approved != submitted);
        QCOMPARE(g.startsMs, approved);
        QCOMPARE(g.expiresMs, approved + 600 * kSecond);
        QCOMPARE(g.status, GrantStatus::Active);
        QCOMPARE(g.policy, QStringLiteral("approval"));
        QCOMPARE(g.approvers, QStringList({"bob"}));
        QCOMPARE(g.requestId, d->request.id);
        QVERIFY(g.isActiveAt(approved));
        QCOMPARE(a->request.status, RequestStatus::Approved);
        QCOMPARE(a->request.decidedBy, QStringLiteral("bob"));
        QCOMPARE(a->request.decidedMs, approved);
        QCOMPARE(a->request.grantId, g.id);
        const auto stored = eng().store().grant(g.id);
        QVERIFY(stored);
        QCOMPARE(stored->startsMs, approved);
        QCOMPARE(stored->expiresMs, approved + 600 * kSecond);
        QCOMPARE(eng().activeGrantCount(), 1);
        const QList<Event> tail = eng().store().events(eng().store().lastSeq() - 2, 10);
        QCOMPARE(typesOf(tail), QStringList({"request.approved", "grant.activated"}));
        QCOMPARE(tail[1].subject, g.id);
        QCOMPARE(tail[1].tsMs, approved);
    }

    void credentialIsOnlyForTheRequester_data()
    {
        QTest::addColumn<QString>("requester");
        QTest::addColumn<QString>("subject");
        QTest::addColumn<QStringList>("others");
        QTest::newRow("human") << "alice"
                               << "alice" << QStringList {"bob", "carol", "dave", "adm", "svc-ci"};
        QTest::newRow("agent, SPIFFE subject")
            << "agent-7" << kAgentSpiffe << QStringList {"bob", "carol", "alice", "aud"};
    }
    void credentialIsOnlyForTheRequester()
    {
        QFETCH(QString, requester);
        QFETCH(QString, subject);
        QFETCH(QStringList, others);
        f().clock().advance(1234); // not on a whole second: iat rounds down, exp up
        auto g = f().grantFor(requester, QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(g);
        for (const auto& o : others)
            LAPSE_VERIFY_ERROR(eng().credential(f().who(o), g->requestId), ErrorCode::Forbidden, requester);
        auto c = eng().credential(f().who(requester), g->requestId);
        LAPSE_VERIFY_OK(c);
        const QByteArray token = c->value("token").toString().toLatin1();
        QCOMPARE(c->value("grant_id").toString(), g->id);
        QCOMPARE(c->value("audience").toString(), QStringLiteral("billing-db"));
        QCOMPARE(c->value("expires_at").toString(), Clock::toIso(g->expiresMs));

        const QJsonObject header = EngineFixture::jwtPart(token, 0);
        QCOMPARE(header["alg"].toString(), QStringLiteral("EdDSA"));
        QCOMPARE(header["kid"].toString(), eng().keys().currentKid());
        const QJsonObject claims = EngineFixture::jwtPart(token, 1);
        QCOMPARE(claims["iss"].toString(), QStringLiteral("lapse-broker"));
        QCOMPARE(claims["sub"].toString(), subject);
        QCOMPARE(claims["aud"].toString(), QStringLiteral("billing-db"));
        QCOMPARE(claims["scope"].toString(), QStringLiteral("read"));
        QCOMPARE(claims["jti"].toString(), g->id);
        QCOMPARE(claims["iat"].toInteger(), g->startsMs / 1000);
        QCOMPARE(claims["nbf"].toInteger(), g->startsMs / 1000);
        QCOMPARE(claims["exp"].toInteger(), g->expiresMs / 1000);
        QVERIFY(claims["exp"].toInteger() * 1000 <= g->expiresMs); // rounded down: never valid past the grant
        // Deterministic: reading it again gives the same credential.
        auto again = eng().credential(f().who(requester), g->requestId);
        LAPSE_VERIFY_OK(again);
        QCOMPARE(again->value("token").toString().toLatin1(), token);
        // Nobody can read a credential that does not exist.
        LAPSE_VERIFY_ERROR(eng().credential(f().who(requester), QStringLiteral("req_nope")),
            ErrorCode::NotFound, "req_nope");
    }

    void introspectionIsForResourceServers()
    {
        auto g = f().grantFor(QStringLiteral("agent-7"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(g);
        const QByteArray token = f().token(g.value());
        QVERIFY(!token.isEmpty());
        for (const char* rs : {"api-gw", "db-proxy"}) {
            const QJsonObject a = f().introspect(QString::fromLatin1(rs), token);
            QCOMPARE(a["active"].toBool(), true);
            QCOMPARE(a["sub"].toString(), kAgentSpiffe);
            QCOMPARE(a["scope"].toString(), QStringLiteral("read"));
            QCOMPARE(a["aud"].toString(), QStringLiteral("billing-db"));
            QCOMPARE(a["client_id"].toString(), QStringLiteral("agent-7"));
            QCOMPARE(a["token_type"].toString(), QStringLiteral("Bearer"));
            QCOMPARE(a["jti"].toString(), g->id);
        }
        for (const char* nonRs : {"agent-7", "bob", "aud", "adm"})
            LAPSE_VERIFY_ERROR(eng().introspect(who(nonRs), token), ErrorCode::Forbidden, "resource-server");
        QCOMPARE(eng().counters().introspections, 2);
        QCOMPARE(eng().counters().introspectionsActive, 2);
    }

    void introspectionRefusesWrongAudienceAndForgeries()
    {
        auto k8s = f().grantFor(QStringLiteral("alice"), QStringLiteral("prod-k8s"));
        LAPSE_VERIFY_OK(k8s);
        const QByteArray token = f().token(k8s.value());
        QVERIFY(f().isActive(QStringLiteral("api-gw"), token));
        const qint64 seq = eng().store().lastSeq();
        QCOMPARE(f().introspect(QStringLiteral("db-proxy"), token), QJsonObject({{"active", false}}));

        // Same signature over different claims: a widened scope is never ours.
        QList<QByteArray> parts = token.split('.');
        QJsonObject claims = EngineFixture::jwtPart(token, 1);
        claims["scope"] = QStringLiteral("get list exec delete");
        parts[1] = crypto::base64UrlEncode(QJsonDocument(claims).toJson(QJsonDocument::Compact));
        const QByteArray widened = parts.join('.');
        QCOMPARE(f().introspect(QStringLiteral("api-gw"), widened), QJsonObject({{"active", false}}));
        QCOMPARE(
            f().introspect(QStringLiteral("api-gw"), QByteArray("a.b.c")), QJsonObject({{"active", false}}));
        QCOMPARE(f().introspect(QStringLiteral("api-gw"), QByteArray()), QJsonObject({{"active", false}}));
        QCOMPARE(f().introspect(QStringLiteral("api-gw"), QByteArray(9000, 'x')),
            QJsonObject({{"active", false}}));
        QCOMPARE(eng().store().lastSeq(), seq); // none of these is a use of one of our credentials
        QVERIFY(f().isActive(QStringLiteral("api-gw"), token)); // and the real one still works
    }

    void quorumNeedsTwoDistinctApprovers()
    {
        RequestInput in = EngineFixture::input(QStringLiteral("prod-k8s"));
        in.privileges = QStringList {"get", "list", "exec"};
        in.ttlSeconds = 1800;
        auto d = f().submit(QStringLiteral("alice"), in);
        LAPSE_VERIFY_OK(d);
        QCOMPARE(d->request.approvalsRequired, 2);

        f().clock().advance(kMinute);
        auto first = f().approve(QStringLiteral("bob"), d->request.id, narrow({"get", "list"}, 1200));
        LAPSE_VERIFY_OK(first);
        QVERIFY(!first->grant);
        QCOMPARE(first->request.status, RequestStatus::Pending);
        QCOMPARE(first->request.approvals.size(), 1);
        QCOMPARE(first->request.approvals[0].approver, QStringLiteral("bob"));
        QCOMPARE(first->request.approvals[0].privileges, QStringList({"get", "list"}));
        QCOMPARE(first->request.approvals[0].ttlSeconds, 1200);
        QCOMPARE(eng().store().request(d->request.id)->approvals.size(), 1);
        const Event last = eng().store().events(eng().store().lastSeq() - 1, 1).value(0);
        QCOMPARE(last.type, QStringLiteral("request.approval_recorded"));
        QCOMPARE(last.actor, QStringLiteral("bob"));
        QCOMPARE(eng().activeGrantCount(), 0);
        LAPSE_VERIFY_ERROR(eng().credential(who("alice"), d->request.id), ErrorCode::Conflict, "pending");

        LAPSE_VERIFY_ERROR(
            f().approve(QStringLiteral("bob"), d->request.id), ErrorCode::Conflict, "already approved");

        f().clock().advance(kMinute);
        const qint64 at = f().now();
        auto second = f().approve(QStringLiteral("carol"), d->request.id, narrow({"exec", "list"}, 900));
        LAPSE_VERIFY_OK(second);
        QVERIFY(second->grant);
        QCOMPARE(second->grant->privileges, QStringList({"list"}));
        QCOMPARE(second->grant->requestedPrivileges, QStringList({"get", "list", "exec"}));
        QCOMPARE(second->grant->ttlSeconds, 900);
        QCOMPARE(second->grant->startsMs, at);
        QCOMPARE(second->grant->expiresMs, at + 900 * kSecond);
        QCOMPARE(second->grant->approvers, QStringList({"bob", "carol"}));
        QCOMPARE(second->request.decidedBy, QStringLiteral("carol"));
        const QByteArray token = f().token(*second->grant);
        QCOMPARE(EngineFixture::jwtPart(token, 1)["scope"].toString(), QStringLiteral("list"));
        QCOMPARE(f().introspect(QStringLiteral("api-gw"), token)["scope"].toString(), QStringLiteral("list"));
        LAPSE_VERIFY_ERROR(
            f().approve(QStringLiteral("dave"), d->request.id), ErrorCode::Conflict, "approved");
    }

    void narrowingAndShorteningShowInGrantAndToken()
    {
        RequestInput in = EngineFixture::input(QStringLiteral("billing-db"));
        in.privileges = QStringList {"read", "write"};
        in.ttlSeconds = 1800;
        auto d = f().submit(QStringLiteral("alice"), in);
        LAPSE_VERIFY_OK(d);
        const qint64 at = f().now();
        auto a = f().approve(QStringLiteral("bob"), d->request.id, narrow({"read"}, 600));
        LAPSE_VERIFY_OK(a);
        QVERIFY(a->grant);
        QCOMPARE(a->grant->privileges, QStringList({"read"}));
        QCOMPARE(a->grant->requestedPrivileges, QStringList({"read", "write"}));
        QCOMPARE(a->grant->ttlSeconds, 600);
        QCOMPARE(a->grant->expiresMs, at + 600 * kSecond);
        const QJsonObject claims = EngineFixture::jwtPart(f().token(*a->grant), 1);
        QCOMPARE(claims["scope"].toString(), QStringLiteral("read"));
        QCOMPARE(claims["exp"].toInteger(), (at + 600 * kSecond) / 1000);
    }

    void denyNeedsAReasonAndIsFinal()
    {
        auto d = f().submit(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(d);
        const QString id = d->request.id;
        LAPSE_VERIFY_ERROR(eng().deny(who("bob"), id, QString()), ErrorCode::Invalid, "reason");
        LAPSE_VERIFY_ERROR(eng().deny(who("bob"), id, QStringLiteral("  \t")), ErrorCode::Invalid, "reason");
        LAPSE_VERIFY_ERROR(
            eng().deny(who("alice"), id, QStringLiteral("nah")), ErrorCode::Forbidden, "approver");
        QCOMPARE(eng().store().request(id)->status, RequestStatus::Pending);
        auto denied = eng().deny(who("bob"), id, QStringLiteral("  use the read replica  "));
        LAPSE_VERIFY_OK(denied);
        QCOMPARE(denied->status, RequestStatus::Denied);
        QCOMPARE(denied->denyReason, QStringLiteral("use the read replica"));
        QCOMPARE(denied->decidedBy, QStringLiteral("bob"));
        QCOMPARE(eng().store().request(id)->status, RequestStatus::Denied);
        QCOMPARE(f().eventsOfType(QStringLiteral("request.denied")).size(), 1);
        LAPSE_VERIFY_ERROR(f().approve(QStringLiteral("carol"), id), ErrorCode::Conflict, "denied");
        LAPSE_VERIFY_ERROR(
            eng().deny(who("carol"), id, QStringLiteral("again")), ErrorCode::Conflict, "denied");
        LAPSE_VERIFY_ERROR(eng().credential(who("alice"), id), ErrorCode::Conflict, "denied");
        QCOMPARE(eng().activeGrantCount(), 0);
    }

    void approvingTwiceConflicts()
    {
        auto d = f().submit(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(d);
        LAPSE_VERIFY_OK(f().approve(QStringLiteral("bob"), d->request.id));
        LAPSE_VERIFY_ERROR(
            f().approve(QStringLiteral("carol"), d->request.id), ErrorCode::Conflict, "not pending");
        LAPSE_VERIFY_ERROR(
            f().approve(QStringLiteral("bob"), d->request.id), ErrorCode::Conflict, "not pending");
        QCOMPARE(eng().activeGrantCount(), 1);
        QCOMPARE(f().eventsOfType(QStringLiteral("grant.activated")).size(), 1);
    }

    // ------------------------------------------------------------ early ends

    void completeByTheHolder()
    {
        auto g = f().grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(g);
        const QByteArray token = f().token(g.value());
        QVERIFY(f().isActive(QStringLiteral("api-gw"), token));
        for (const char* other : {"carol", "bob", "dave", "svc-ci"})
            LAPSE_VERIFY_ERROR(eng().complete(who(other), g->id), ErrorCode::Forbidden, "only alice");
        QVERIFY(f().isActive(QStringLiteral("api-gw"), token));
        f().clock().advance(90 * kSecond);
        const qint64 at = f().now();
        auto c = eng().complete(who("alice"), g->id);
        LAPSE_VERIFY_OK(c);
        QCOMPARE(c->status, GrantStatus::Completed);
        QCOMPARE(c->endedMs, at);
        QCOMPARE(c->endedBy, QStringLiteral("alice"));
        QCOMPARE(eng().activeGrantCount(), 0);
        QVERIFY(!f().isActive(QStringLiteral("api-gw"), token));
        QCOMPARE(eng().store().grant(g->id)->status, GrantStatus::Completed);
        LAPSE_VERIFY_ERROR(eng().complete(who("alice"), g->id), ErrorCode::Conflict, "completed");
        LAPSE_VERIFY_ERROR(eng().credential(who("alice"), g->requestId), ErrorCode::Conflict, "completed");
    }

    void ownerCompletesItsAgentsGrant()
    {
        auto g = f().grantFor(QStringLiteral("agent-7"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(g);
        QCOMPARE(g->approvers, QStringList({"carol"})); // bob owns agent-7: carol had to approve
        LAPSE_VERIFY_ERROR(eng().complete(who("alice"), g->id), ErrorCode::Forbidden, "its owner");
        auto c = eng().complete(who("bob"), g->id);
        LAPSE_VERIFY_OK(c);
        QCOMPARE(c->status, GrantStatus::Completed);
        QCOMPARE(c->endedBy, QStringLiteral("bob"));
        QVERIFY(!f().isActive(QStringLiteral("api-gw"), f().token(g.value())));
    }

    void revokeEndsAccessAtTheNextCall()
    {
        auto g = f().grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(g);
        const QByteArray token = f().token(g.value());
        QVERIFY(f().isActive(QStringLiteral("api-gw"), token)); // verified and cached
        f().clock().advance(kSecond);
        LAPSE_VERIFY_ERROR(
            eng().revoke(who("alice"), g->id, QStringLiteral("x")), ErrorCode::Forbidden, "lacks");
        LAPSE_VERIFY_ERROR(
            eng().revoke(who("rita"), g->id, QStringLiteral(" ")), ErrorCode::Invalid, "reason");
        const qint64 revokedAt = f().now();
        auto r = eng().revoke(who("rita"), g->id, QStringLiteral("suspicious queries"));
        LAPSE_VERIFY_OK(r);
        QCOMPARE(r->status, GrantStatus::Revoked);
        QCOMPARE(r->endedMs, revokedAt);
        QCOMPARE(r->endedBy, QStringLiteral("rita"));
        QCOMPARE(r->endReason, QStringLiteral("suspicious queries"));
        QCOMPARE(eng().counters().revocations, 1);
        QCOMPARE(f().eventsOfType(QStringLiteral("credential.used_after_end")).size(), 0);

        f().clock().advance(1234);
        const qint64 usedAt = f().now();
        QCOMPARE(f().introspect(QStringLiteral("api-gw"), token), QJsonObject({{"active", false}}));
        const QList<Event> uses = f().eventsOfType(QStringLiteral("credential.used_after_end"));
        QCOMPARE(uses.size(), 1);
        QCOMPARE(uses[0].tsMs, usedAt);
        QCOMPARE(uses[0].actor, QStringLiteral("api-gw"));
        QCOMPARE(uses[0].subject, g->id);
        const QJsonObject body = uses[0].bodyJson();
        QCOMPARE(body["after_end_ms"].toInteger(), 1234);
        QCOMPARE(body["grant_ended_at"].toString(), Clock::toIso(revokedAt));
        QCOMPARE(body["grant_status"].toString(), QStringLiteral("revoked"));
        QCOMPARE(body["principal"].toString(), QStringLiteral("alice"));
        QCOMPARE(body["presented_to"].toString(), QStringLiteral("api-gw"));
        QCOMPARE(eng().counters().postExpiryUses, 1);
        LAPSE_VERIFY_ERROR(
            eng().revoke(who("bob"), g->id, QStringLiteral("again")), ErrorCode::Conflict, "already revoked");
        LAPSE_VERIFY_ERROR(eng().credential(who("alice"), g->requestId), ErrorCode::Conflict, "revoked");
    }

    // ------------------------------------------------------------ expiry

    void sweepExpiresAtExpiresMs()
    {
        auto g = f().grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(g);
        const QByteArray token = f().token(g.value());
        f().clock().set(g->expiresMs - 1);
        QCOMPARE(eng().sweep(), 0);
        QVERIFY(f().isActive(QStringLiteral("api-gw"), token));
        f().clock().set(g->expiresMs + 4321);
        QCOMPARE(eng().sweep(), 1);
        const auto e = eng().store().grant(g->id);
        QCOMPARE(e->status, GrantStatus::Expired);
        QCOMPARE(e->endedMs, g->expiresMs); // not when the sweep noticed
        QCOMPARE(e->endedBy, QStringLiteral("timer"));
        QCOMPARE(eng().activeGrantCount(), 0);
        const QList<Event> expired = f().eventsOfType(QStringLiteral("grant.expired"));
        QCOMPARE(expired.size(), 1);
        QCOMPARE(expired[0].subject, g->id);
        QCOMPARE(eng().sweep(), 0);
        QVERIFY(!f().isActive(QStringLiteral("api-gw"), token));
        QCOMPARE(f().eventsOfType(QStringLiteral("credential.used_after_end"))[0]
                     .bodyJson()["after_end_ms"]
                     .toInteger(),
            4321);
    }

    void introspectionBeforeTheSweepIsInactive_data()
    {
        QTest::addColumn<qint64>("late");
        QTest::newRow("exactly at expiry") << qint64(0);
        QTest::newRow("a little after") << qint64(1500);
    }
    void introspectionBeforeTheSweepIsInactive()
    {
        QFETCH(qint64, late);
        auto g = f().grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(g);
        const QByteArray token = f().token(g.value());
        QVERIFY(f().isActive(QStringLiteral("api-gw"), token));
        f().clock().set(g->expiresMs + late); // no sweep() call: the timer has not run
        QCOMPARE(f().introspect(QStringLiteral("api-gw"), token), QJsonObject({{"active", false}}));
        const auto e = eng().store().grant(g->id);
        QCOMPARE(e->status, GrantStatus::Expired);
        QCOMPARE(e->endedMs, g->expiresMs);
        QCOMPARE(eng().activeGrantCount(), 0);
        const QList<Event> uses = f().eventsOfType(QStringLiteral("credential.used_after_end"));
        QCOMPARE(uses.size(), 1);
        QCOMPARE(uses[0].bodyJson()["after_end_ms"].toInteger(), late);
    }

    void pendingRequestTimesOut()
    {
        auto d = f().submit(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(d);
        const QString id = d->request.id;
        f().clock().advance(24 * kHour - 1);
        QCOMPARE(eng().sweep(), 0);
        QCOMPARE(eng().store().request(id)->status, RequestStatus::Pending);
        f().clock().advance(1);
        QCOMPARE(eng().sweep(), 1);
        const auto r = eng().store().request(id);
        QCOMPARE(r->status, RequestStatus::Expired);
        QCOMPARE(r->decidedMs, d->request.expiresMs);
        QCOMPARE(r->decidedBy, QStringLiteral("policy:pending-timeout"));
        QCOMPARE(f().eventsOfType(QStringLiteral("request.expired")).size(), 1);
        LAPSE_VERIFY_ERROR(f().approve(QStringLiteral("bob"), id), ErrorCode::Conflict, "expired");
        QCOMPARE(eng().activeGrantCount(), 0);
    }

    void approvingAfterTheTimeoutWithoutASweepConflicts()
    {
        auto d = f().submit(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(d);
        f().clock().advance(25 * kHour);
        LAPSE_VERIFY_ERROR(f().approve(QStringLiteral("bob"), d->request.id), ErrorCode::Conflict, "expired");
        QCOMPARE(eng().store().request(d->request.id)->status, RequestStatus::Expired);
        QCOMPARE(eng().activeGrantCount(), 0);
        QCOMPARE(f().rowCount(QStringLiteral("grants")), 0);
    }

    // ------------------------------------------------------------ break-glass

    void breakGlassIsActiveAtOnceAndReviewedAfter()
    {
        auto plain = f().grantFor(QStringLiteral("dave"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(plain);
        RequestInput in = EngineFixture::input(QStringLiteral("vault"));
        in.breakGlass = true;
        in.ttlSeconds = 300;
        const qint64 at = f().now();
        auto d = f().submit(QStringLiteral("alice"), in);
        LAPSE_VERIFY_OK(d);
        QVERIFY(d->grant);
        const Grant g = *d->grant;
        QCOMPARE(d->request.status, RequestStatus::Approved);
        QCOMPARE(d->request.approvalsRequired, 0);
        QCOMPARE(d->request.decidedBy, QStringLiteral("policy:break-glass"));
        QCOMPARE(g.policy, QStringLiteral("break-glass"));
        QVERIFY(g.breakGlass);
        QVERIFY(!g.reviewed);
        QVERIFY(g.approvers.isEmpty());
        QCOMPARE(g.ttlSeconds, 300);
        QCOMPARE(g.startsMs, at);
        QCOMPARE(g.expiresMs, at + 300 * kSecond);
        QVERIFY(f().isActive(QStringLiteral("api-gw"), f().token(g)));

        GrantFilter unreviewed;
        unreviewed.breakGlassUnreviewed = true;
        auto list = eng().grants(who("aud"), unreviewed);
        LAPSE_VERIFY_OK(list);
        QCOMPARE(list->size(), 1);
        QCOMPARE(list->at(0).id, g.id);

        LAPSE_VERIFY_ERROR(eng().review(who("alice"), g.id, QStringLiteral("fine")), ErrorCode::Forbidden,
            "auditor or admin");
        LAPSE_VERIFY_ERROR(
            eng().review(who("bob"), g.id, QStringLiteral("fine")), ErrorCode::Forbidden, "lacks");
        LAPSE_VERIFY_ERROR(eng().review(who("aud"), plain->id, QStringLiteral("fine")), ErrorCode::Conflict,
            "not a break-glass");
        auto rv = eng().review(who("aud"), g.id, QStringLiteral("outage INC-1234, justified"));
        LAPSE_VERIFY_OK(rv);
        QVERIFY(rv->reviewed);
        QVERIFY(eng().store().grant(g.id)->reviewed);
        QCOMPARE(rv->status, GrantStatus::Active); // a review does not end access
        QVERIFY(eng().grants(who("aud"), unreviewed)->isEmpty());
        const QList<Event> reviewed = f().eventsOfType(QStringLiteral("grant.reviewed"));
        QCOMPARE(reviewed.size(), 1);
        QCOMPARE(reviewed[0].bodyJson()["note"].toString(), QStringLiteral("outage INC-1234, justified"));
        LAPSE_VERIFY_ERROR(
            eng().review(who("adm"), g.id, QStringLiteral("again")), ErrorCode::Conflict, "already reviewed");
        QVERIFY(f().isActive(QStringLiteral("api-gw"), f().token(g)));
    }

    void breakGlassLimits()
    {
        RequestInput over = EngineFixture::input(QStringLiteral("vault"));
        over.breakGlass = true;
        over.ttlSeconds = 301;
        LAPSE_VERIFY_ERROR(f().submit(QStringLiteral("alice"), over), ErrorCode::Invalid, "capped at 300");
        RequestInput notAllowed = EngineFixture::input(QStringLiteral("billing-db"));
        notAllowed.breakGlass = true;
        LAPSE_VERIFY_ERROR(f().submit(QStringLiteral("alice"), notAllowed), ErrorCode::Invalid,
            "does not allow break-glass");
        QCOMPARE(f().rowCount(QStringLiteral("requests")), 0);
        QCOMPARE(eng().store().lastSeq(), 0);
    }

    void holderCannotReviewOwnBreakGlass()
    {
        Directory d = makeDirectory();
        Principal ivy;
        ivy.id = QStringLiteral("ivy");
        ivy.roles = unsigned(Role::Requester) | unsigned(Role::Auditor);
        d.addPrincipal(ivy);
        m_f.reset();
        m_f = std::make_unique<EngineFixture>(d);
        QVERIFY2(m_f->ok(), qPrintable(m_f->openError()));
        RequestInput in = EngineFixture::input(QStringLiteral("vault"));
        in.breakGlass = true;
        in.ttlSeconds = 120;
        auto bg = f().submit(QStringLiteral("ivy"), in);
        LAPSE_VERIFY_OK(bg);
        QVERIFY(bg->grant);
        const qint64 seq = eng().store().lastSeq();
        LAPSE_VERIFY_ERROR(eng().review(who("ivy"), bg->grant->id, QStringLiteral("all good")),
            ErrorCode::Forbidden, "own break-glass");
        QCOMPARE(eng().store().lastSeq(), seq);
        QVERIFY(!eng().store().grant(bg->grant->id)->reviewed);
        LAPSE_VERIFY_OK(eng().review(who("aud"), bg->grant->id, QStringLiteral("all good")));
    }

    // ------------------------------------------------------------ sessions

    void sessionLingersAfterRevocation()
    {
        RequestInput in = EngineFixture::input(QStringLiteral("billing-db"));
        in.privileges = QStringList {"read", "write"};
        auto g = f().grantFor(QStringLiteral("alice"), in);
        LAPSE_VERIFY_OK(g);
        const QByteArray token = f().token(g.value());
        LAPSE_VERIFY_ERROR(
            eng().openSession(who("alice"), token, {"read"}), ErrorCode::Forbidden, "resource-server");
        LAPSE_VERIFY_ERROR(eng().openSession(who("db-proxy"), token, {"ddl"}), ErrorCode::Invalid,
            "'ddl' is not in the grant");
        QCOMPARE(f().rowCount(QStringLiteral("sessions")), 0);

        const qint64 opened = f().now();
        auto s = eng().openSession(who("db-proxy"), token, {"read"});
        LAPSE_VERIFY_OK(s);
        QCOMPARE(s->state(), SessionState::Live);
        QCOMPARE(s->openedMs, opened);
        QCOMPARE(s->grantId, g->id);
        QCOMPARE(s->principal, QStringLiteral("alice"));
        QCOMPARE(s->resourceServer, QStringLiteral("db-proxy"));
        QCOMPARE(f().eventsOfType(QStringLiteral("session.opened")).size(), 1);

        f().clock().advance(2 * kSecond);
        const qint64 revokedAt = f().now();
        LAPSE_VERIFY_OK(eng().revoke(who("rita"), g->id, QStringLiteral("contain")));
        const auto lingering = eng().store().session(s->id);
        QVERIFY(lingering);
        QCOMPARE(lingering->state(), SessionState::Lingering);
        QCOMPARE(lingering->grantEndedMs, revokedAt);
        QCOMPARE(lingering->terminateRequestedMs, revokedAt);
        QVERIFY2(lingering->terminateReason.contains(QLatin1String("revoked")),
            qPrintable(lingering->terminateReason));
        const QList<Event> orders = f().eventsOfType(QStringLiteral("session.terminate_requested"));
        QCOMPARE(orders.size(), 1);
        QCOMPARE(orders[0].subject, s->id);
        QCOMPARE(orders[0].tsMs, revokedAt);
        SessionFilter lf;
        lf.state = SessionState::Lingering;
        auto listed = eng().sessions(who("aud"), lf);
        LAPSE_VERIFY_OK(listed);
        QCOMPARE(listed->size(), 1);
        LAPSE_VERIFY_ERROR(eng().sessions(who("alice"), lf), ErrorCode::Forbidden, "lacks");

        f().clock().advance(7 * kSecond);
        const qint64 endedAt = f().now();
        LAPSE_VERIFY_ERROR(
            eng().endSession(who("api-gw"), s->id, {}), ErrorCode::Forbidden, "opened by db-proxy");
        LAPSE_VERIFY_ERROR(
            eng().endSession(who("db-proxy"), s->id, {"ddl"}), ErrorCode::Invalid, "not in the grant");
        auto ended = eng().endSession(who("db-proxy"), s->id, {"write"});
        LAPSE_VERIFY_OK(ended);
        QCOMPARE(ended->state(), SessionState::Ended);
        QCOMPARE(ended->endedMs, endedAt);
        QCOMPARE(ended->lingeringMs(endedAt + kHour), endedAt - revokedAt);
        QCOMPARE(ended->lingeringMs(0), 7 * kSecond);
        QCOMPARE(ended->privilegesUsed, QStringList({"read", "write"}));
        QCOMPARE(eng().store().session(s->id)->endedMs, endedAt);
        const QList<Event> ends = f().eventsOfType(QStringLiteral("session.ended"));
        QCOMPARE(ends.size(), 1);
        QCOMPARE(ends[0].tsMs, endedAt);
        QCOMPARE(ends[0].bodyJson()["confirms_termination"].toBool(), true);
        QCOMPARE(ends[0].bodyJson()["lingering_seconds"].toDouble(), 7.0);
        LAPSE_VERIFY_ERROR(
            eng().endSession(who("db-proxy"), s->id, {}), ErrorCode::Conflict, "already ended");
    }

    void sessionEndedInTimeDoesNotLinger()
    {
        auto g = f().grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(g);
        auto s = eng().openSession(who("api-gw"), f().token(g.value()), {});
        LAPSE_VERIFY_OK(s);
        f().clock().advance(30 * kSecond);
        auto ended = eng().endSession(who("api-gw"), s->id, {"read"});
        LAPSE_VERIFY_OK(ended);
        QCOMPARE(ended->lingeringMs(f().now() + kHour), 0);
        QCOMPARE(
            f().eventsOfType(QStringLiteral("session.ended"))[0].bodyJson()["confirms_termination"].toBool(),
            false);
        // Ending the grant later orders nothing: the session is over.
        LAPSE_VERIFY_OK(eng().complete(who("alice"), g->id));
        QCOMPARE(f().eventsOfType(QStringLiteral("session.terminate_requested")).size(), 0);
    }

    void sessionLingeringIsMeasuredFromExpiry()
    {
        auto g = f().grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(g);
        auto s = eng().openSession(who("db-proxy"), f().token(g.value()), {"read"});
        LAPSE_VERIFY_OK(s);
        f().clock().set(g->expiresMs + 5 * kSecond);
        const qint64 sweptAt = f().now();
        QCOMPARE(eng().sweep(), 1);
        const auto l = eng().store().session(s->id);
        QCOMPARE(l->state(), SessionState::Lingering);
        QCOMPARE(l->grantEndedMs, g->expiresMs);
        QCOMPARE(l->terminateRequestedMs, sweptAt);
        f().clock().advance(kSecond);
        auto ended = eng().endSession(who("db-proxy"), s->id, {});
        LAPSE_VERIFY_OK(ended);
        QCOMPARE(ended->lingeringMs(0), 6 * kSecond);
    }

    void deadCredentialsOpenNoSession_data()
    {
        QTest::addColumn<QString>("how");
        QTest::addColumn<QString>("server");
        QTest::newRow("revoked") << "revoked"
                                 << "db-proxy";
        QTest::newRow("completed") << "completed"
                                   << "db-proxy";
        QTest::newRow("expired") << "expired"
                                 << "db-proxy";
        QTest::newRow("expired, not yet swept") << "expired-unswept"
                                                << "db-proxy";
        QTest::newRow("forged") << "forged"
                                << "db-proxy";
        QTest::newRow("garbage") << "garbage"
                                 << "db-proxy";
        QTest::newRow("holder locked out") << "locked"
                                           << "db-proxy";
        QTest::newRow("wrong audience") << "alive"
                                        << "db-proxy";
    }
    void deadCredentialsOpenNoSession()
    {
        QFETCH(QString, how);
        QFETCH(QString, server);
        const QString target
            = how == QLatin1String("alive") ? QStringLiteral("prod-k8s") : QStringLiteral("billing-db");
        auto g = f().grantFor(QStringLiteral("alice"), target);
        LAPSE_VERIFY_OK(g);
        QByteArray token = f().token(g.value());
        if (how == QLatin1String("revoked"))
            LAPSE_VERIFY_OK(eng().revoke(who("bob"), g->id, QStringLiteral("done")));
        else if (how == QLatin1String("completed"))
            LAPSE_VERIFY_OK(eng().complete(who("alice"), g->id));
        else if (how == QLatin1String("expired")) {
            f().clock().set(g->expiresMs);
            QCOMPARE(eng().sweep(), 1);
        } else if (how == QLatin1String("expired-unswept"))
            f().clock().set(g->expiresMs + 1);
        else if (how == QLatin1String("forged"))
            token[token.size() - 2] = token.at(token.size() - 2) == 'A' ? 'B' : 'A';
        else if (how == QLatin1String("garbage"))
            token = "lapse.not.atoken";
        else if (how == QLatin1String("locked"))
            LAPSE_VERIFY_OK(eng().lockout(who("rita"), QStringLiteral("alice"), QStringLiteral("leak")));
        const QString before = f().stateDump();
        auto s = eng().openSession(f().who(server), token, {});
        LAPSE_VERIFY_ERROR(s, ErrorCode::Invalid, "not active");
        QCOMPARE(f().rowCount(QStringLiteral("sessions")), 0);
        QCOMPARE(f().eventsOfType(QStringLiteral("session.opened")).size(), 0);
        if (how != QLatin1String("expired-unswept")) // that one's introspection ends the grant, as it should
            QCOMPARE(f().stateDump(), before);
    }

    // ------------------------------------------------------------ incident response

    void lockoutContainsAPrincipal()
    {
        auto g1 = f().grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(g1);
        const QByteArray t1 = f().token(g1.value());
        auto s1 = eng().openSession(who("db-proxy"), t1, {"read"});
        LAPSE_VERIFY_OK(s1);
        RequestInput bgIn = EngineFixture::input(QStringLiteral("vault"));
        bgIn.breakGlass = true;
        bgIn.ttlSeconds = 200;
        auto bg = f().submit(QStringLiteral("alice"), bgIn);
        LAPSE_VERIFY_OK(bg);
        const QByteArray t2 = f().token(*bg->grant);
        auto p1 = f().submit(QStringLiteral("alice"), QStringLiteral("prod-k8s"));
        LAPSE_VERIFY_OK(p1);
        auto daves = f().grantFor(QStringLiteral("dave"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(daves);
        const QByteArray td = f().token(daves.value());

        LAPSE_VERIFY_ERROR(eng().lockout(who("bob"), QStringLiteral("alice"), QStringLiteral("leak")),
            ErrorCode::Forbidden, "responder");
        LAPSE_VERIFY_ERROR(eng().lockout(who("adm"), QStringLiteral("alice"), QStringLiteral("leak")),
            ErrorCode::Forbidden, "responder");
        LAPSE_VERIFY_ERROR(eng().lockout(who("rita"), QStringLiteral("alice"), QStringLiteral("  ")),
            ErrorCode::Invalid, "reason");
        LAPSE_VERIFY_ERROR(eng().lockout(who("rita"), QStringLiteral("rita"), QStringLiteral("oops")),
            ErrorCode::Invalid, "themselves");
        QVERIFY(!eng().isLockedOut(QStringLiteral("alice")));

        f().clock().advance(kMinute + 250);
        const qint64 at = f().now();
        auto out = eng().lockout(who("rita"), QStringLiteral("alice"), QStringLiteral("laptop stolen"));
        LAPSE_VERIFY_OK(out);
        QVERIFY(eng().isLockedOut(QStringLiteral("alice")));
        QCOMPARE(out->lockout.lockedMs, at);
        QCOMPARE(out->lockout.by, QStringLiteral("rita"));
        QCOMPARE(out->revoked.size(), 2);
        for (const auto& g : out->revoked) {
            QVERIFY(g.id == g1->id || g.id == bg->grant->id);
            const auto stored = eng().store().grant(g.id);
            QCOMPARE(stored->status, GrantStatus::Revoked);
            QCOMPARE(stored->endedMs, at);
            QCOMPARE(stored->endedBy, QStringLiteral("rita"));
            QVERIFY2(
                stored->endReason.contains(QLatin1String("laptop stolen")), qPrintable(stored->endReason));
        }
        QCOMPARE(out->terminated.size(), 1); // one session, ordered closed once
        QCOMPARE(out->terminated[0].id, s1->id);
        QCOMPARE(f().eventsOfType(QStringLiteral("session.terminate_requested")).size(), 1);
        const auto ls = eng().store().session(s1->id);
        QCOMPARE(ls->state(), SessionState::Lingering);
        QCOMPARE(ls->terminateRequestedMs, at);
        QCOMPARE(out->denied.size(), 1);
        QCOMPARE(out->denied[0].id, p1->request.id);
        const auto pr = eng().store().request(p1->request.id);
        QCOMPARE(pr->status, RequestStatus::Denied);
        QCOMPARE(pr->decidedBy, QStringLiteral("policy:lockout"));
        QCOMPARE(f().eventsOfType(QStringLiteral("principal.locked_out")).size(), 1);

        QVERIFY(!f().isActive(QStringLiteral("api-gw"), t1));
        QVERIFY(!f().isActive(QStringLiteral("api-gw"), t2));
        QVERIFY(f().isActive(QStringLiteral("api-gw"), td)); // nobody else is touched
        QCOMPARE(eng().activeGrantCount(), 1);
        LAPSE_VERIFY_ERROR(f().submit(QStringLiteral("alice"), QStringLiteral("billing-db")),
            ErrorCode::Forbidden, "locked out");
        LAPSE_VERIFY_ERROR(
            f().approve(QStringLiteral("carol"), p1->request.id), ErrorCode::Conflict, "denied");
        LAPSE_VERIFY_ERROR(eng().credential(who("alice"), g1->requestId), ErrorCode::Conflict, "revoked");
        LAPSE_VERIFY_ERROR(eng().lockout(who("rita"), QStringLiteral("alice"), QStringLiteral("again")),
            ErrorCode::Conflict, "already locked out");

        f().clock().advance(kHour);
        LAPSE_VERIFY_ERROR(eng().unlock(who("bob"), QStringLiteral("alice")), ErrorCode::Forbidden, "lacks");
        auto un = eng().unlock(who("rita"), QStringLiteral("alice"));
        LAPSE_VERIFY_OK(un);
        QVERIFY(!un->active);
        QCOMPARE(un->notBeforeMs, out->lockout.notBeforeMs);
        QVERIFY(!eng().isLockedOut(QStringLiteral("alice")));
        LAPSE_VERIFY_ERROR(
            eng().unlock(who("adm"), QStringLiteral("alice")), ErrorCode::Conflict, "not locked out");
        // What was issued before the lockout never comes back.
        QVERIFY(!f().isActive(QStringLiteral("api-gw"), t1));
        QVERIFY(!f().isActive(QStringLiteral("api-gw"), t2));
        // New access works again.
        auto fresh = f().grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(fresh);
        QVERIFY(f().isActive(QStringLiteral("api-gw"), f().token(fresh.value())));
    }

    void lockoutAlsoOrdersLingeringSessionsClosed()
    {
        auto g = f().grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(g);
        auto s = eng().openSession(who("db-proxy"), f().token(g.value()), {});
        LAPSE_VERIFY_OK(s);
        LAPSE_VERIFY_OK(eng().complete(who("alice"), g->id)); // the session lingers
        f().clock().advance(kMinute);
        const qint64 at = f().now();
        auto out = eng().lockout(who("rita"), QStringLiteral("alice"), QStringLiteral("still connected"));
        LAPSE_VERIFY_OK(out);
        QCOMPARE(out->revoked.size(), 0);
        QCOMPARE(out->terminated.size(), 1);
        QCOMPARE(eng().store().session(s->id)->terminateRequestedMs, at);
        QCOMPARE(f().eventsOfType(QStringLiteral("session.terminate_requested")).size(), 2);
    }

    void credentialIssuedAfterUnlockWorksWithinTheSameSecond()
    {
        // Everything happens inside one wall-clock second: iat (whole seconds) must not be mistaken for a
        // credential from before the lockout.
        f().clock().advance(100);
        LAPSE_VERIFY_OK(eng().lockout(who("rita"), QStringLiteral("alice"), QStringLiteral("check")));
        f().clock().advance(100);
        LAPSE_VERIFY_OK(eng().unlock(who("rita"), QStringLiteral("alice")));
        f().clock().advance(100);
        auto g = f().grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(g);
        QCOMPARE(g->startsMs / 1000, kStartMs / 1000);
        QVERIFY(f().isActive(QStringLiteral("api-gw"), f().token(g.value())));
    }

    // ------------------------------------------------------------ not found

    void unknownIdsAreNotFound_data()
    {
        QTest::addColumn<Outcome>("call");
        QTest::addColumn<QString>("word");
        auto P = [](EngineFixture& f, const char* id) -> const Principal& {
            return f.who(QString::fromLatin1(id));
        };
        const QString nope = QStringLiteral("nope_1");
        QTest::newRow("approve") << Outcome([=](EngineFixture& f) { return errorOf(f.approve("bob", nope)); })
                                 << nope;
        QTest::newRow("deny") << Outcome([=](EngineFixture& f) {
            return errorOf(f.engine().deny(P(f, "bob"), nope, QStringLiteral("r")));
        }) << nope;
        QTest::newRow("revoke") << Outcome([=](EngineFixture& f) {
            return errorOf(f.engine().revoke(P(f, "rita"), nope, QStringLiteral("r")));
        }) << nope;
        QTest::newRow("complete") << Outcome([=](EngineFixture& f) {
            return errorOf(f.engine().complete(P(f, "alice"), nope));
        }) << nope;
        QTest::newRow("review") << Outcome([=](EngineFixture& f) {
            return errorOf(f.engine().review(P(f, "aud"), nope, QStringLiteral("n")));
        }) << nope;
        QTest::newRow("credential") << Outcome([=](EngineFixture& f) {
            return errorOf(f.engine().credential(P(f, "alice"), nope));
        }) << nope;
        QTest::newRow("end session") << Outcome([=](EngineFixture& f) {
            return errorOf(f.engine().endSession(P(f, "api-gw"), nope, {}));
        }) << nope;
        QTest::newRow("terminate session") << Outcome([=](EngineFixture& f) {
            return errorOf(f.engine().terminateSession(P(f, "rita"), nope, QStringLiteral("r")));
        }) << nope;
        QTest::newRow("lockout") << Outcome([=](EngineFixture& f) {
            return errorOf(f.engine().lockout(P(f, "rita"), QStringLiteral("ghost"), QStringLiteral("r")));
        }) << "ghost";
        QTest::newRow("unlock") << Outcome([=](EngineFixture& f) {
            return errorOf(f.engine().unlock(P(f, "rita"), QStringLiteral("ghost")));
        }) << "ghost";
        QTest::newRow("api key") << Outcome([=](EngineFixture& f) {
            return errorOf(f.engine().createApiKey(QStringLiteral("ghost")));
        }) << "ghost";
        QTest::newRow("read request")
            << Outcome([=](EngineFixture& f) { return errorOf(f.engine().request(P(f, "aud"), nope)); })
            << nope;
        QTest::newRow("read grant") << Outcome([=](EngineFixture& f) {
            return errorOf(f.engine().grant(P(f, "aud"), nope));
        }) << nope;
        QTest::newRow("requester context") << Outcome([=](EngineFixture& f) {
            return errorOf(f.engine().requesterContext(P(f, "bob"), nope));
        }) << nope;
    }
    void unknownIdsAreNotFound()
    {
        QFETCH(Outcome, call);
        QFETCH(QString, word);
        const QByteArray before = f().stateDigest();
        const std::optional<Error> e = call(f());
        QVERIFY(e);
        QCOMPARE(e->codeName(), codeName(ErrorCode::NotFound));
        QVERIFY2(e->message.contains(word), qPrintable(e->message));
        QCOMPARE(f().stateDigest(), before);
        QCOMPARE(eng().store().lastSeq(), 0);
    }

    void othersRequestsAreHiddenFromRequesters()
    {
        auto d = f().submit(QStringLiteral("agent-7"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(d);
        LAPSE_VERIFY_OK(eng().request(who("agent-7"), d->request.id));
        LAPSE_VERIFY_OK(eng().request(who("bob"), d->request.id)); // its owner (and an approver)
        LAPSE_VERIFY_ERROR(eng().request(who("alice"), d->request.id), ErrorCode::NotFound, d->request.id);
        LAPSE_VERIFY_ERROR(eng().request(who("svc-ci"), d->request.id), ErrorCode::NotFound, d->request.id);
        auto mine = eng().requests(who("alice"), RequestFilter {});
        LAPSE_VERIFY_OK(mine);
        QVERIFY(mine->isEmpty());
    }

    // Pending requests without approvals are read from their columns, the rest from their JSON: every kind
    // must come back as stored, page by page, under the same read rule.
    void requestListingsReadBackWhatWasStored()
    {
        RequestInput narrow = EngineFixture::input(QStringLiteral("billing-db"));
        narrow.privileges = QStringList {"read", "write"};
        narrow.minPrivileges = QStringList {"read"};
        narrow.ticket = QString();
        RequestInput emptyMinimum = EngineFixture::input(QStringLiteral("billing-db"));
        emptyMinimum.minPrivileges = QStringList {};
        emptyMinimum.reason = QStringLiteral("é ü 漢字 and a \"quote\"");
        QStringList ids;
        for (const auto& [who, in] :
            {std::pair {QStringLiteral("alice"), narrow}, std::pair {QStringLiteral("svc-ci"), emptyMinimum},
                std::pair {QStringLiteral("agent-7"), EngineFixture::input(QStringLiteral("prod-k8s"))},
                std::pair {QStringLiteral("alice"), EngineFixture::input(QStringLiteral("prod-k8s"))},
                std::pair {QStringLiteral("dave"), EngineFixture::input(QStringLiteral("billing-db"))},
                std::pair {QStringLiteral("alice"), EngineFixture::input(QStringLiteral("billing-db"))}}) {
            auto d = f().submit(who, in);
            LAPSE_VERIFY_OK(d);
            ids << d->request.id;
        }
        LAPSE_VERIFY_OK(
            f().approve(QStringLiteral("carol"), ids[2])); // one of a quorum of two: still pending
        LAPSE_VERIFY_OK(f().grantFor(QStringLiteral("alice"), QStringLiteral("billing-db")));
        LAPSE_VERIFY_OK(eng().deny(who("carol"), ids[4], QStringLiteral("not this week")));
        ids << eng().requests(who("aud"), RequestFilter {}).value().last().id;
        auto breakGlass = EngineFixture::input(QStringLiteral("vault"));
        breakGlass.breakGlass = true;
        breakGlass.ttlSeconds = 300;
        LAPSE_VERIFY_OK(f().submit(QStringLiteral("alice"), breakGlass));

        const auto stored = [&](const AccessRequest& r) { return eng().store().request(r.id)->toJson(); };
        for (const std::optional<RequestStatus>& status :
            {std::optional<RequestStatus>(), std::optional(RequestStatus::Pending),
                std::optional(RequestStatus::Approved), std::optional(RequestStatus::Denied)}) {
            RequestFilter all;
            all.status = status;
            all.limit = 1000;
            const QList<AccessRequest> whole = eng().requests(who("aud"), all).value();
            QVERIFY(!whole.isEmpty());
            // Two at a time, each page after the last id of the one before: the same rows, in id order.
            QList<AccessRequest> paged;
            RequestFilter f2 = all;
            f2.limit = 2;
            for (;;) {
                const QList<AccessRequest> page = eng().requests(who("aud"), f2).value();
                paged += page;
                if (page.size() < 2)
                    break;
                f2.afterId = page.last().id;
            }
            QCOMPARE(paged.size(), whole.size());
            for (int i = 0; i < whole.size(); ++i) {
                QCOMPARE(whole[i].toJson(), stored(whole[i]));
                QCOMPARE(paged[i].toJson(), stored(whole[i]));
                if (status)
                    QCOMPARE(whole[i].status, *status);
                if (i)
                    QVERIFY(whole[i - 1].id < whole[i].id);
            }
        }
        RequestFilter pending;
        pending.status = RequestStatus::Pending;
        const QList<AccessRequest> queue = eng().requests(who("aud"), pending).value();
        const auto find = [&](const QString& id) {
            return *std::find_if(
                queue.cbegin(), queue.cend(), [&](const AccessRequest& r) { return r.id == id; });
        };
        QCOMPARE(find(ids[0]).minPrivileges, std::optional(QStringList {"read"}));
        QCOMPARE(find(ids[0]).privileges, (QStringList {"read", "write"}));
        QCOMPARE(find(ids[1]).minPrivileges, std::optional(QStringList {}));
        QCOMPARE(find(ids[1]).reason, emptyMinimum.reason);
        QVERIFY(!find(ids[3]).minPrivileges);
        QCOMPARE(find(ids[2]).approvals.size(), 1);
        QCOMPARE(find(ids[2]).approvals[0].approver, QStringLiteral("carol"));
        // The requester reads only its own.
        QStringList mine;
        const QList<AccessRequest> alices = eng().requests(who("alice"), RequestFilter {}).value();
        for (const auto& r : alices)
            mine << r.requester;
        QVERIFY(!mine.isEmpty());
        QCOMPARE(mine.count(QStringLiteral("alice")), mine.size());
    }

    // ------------------------------------------------------------ API keys

    void apiKeysAuthenticateAndAreNeverStored()
    {
        auto key = eng().createApiKey(QStringLiteral("alice"), QStringLiteral("laptop"));
        LAPSE_VERIFY_OK(key);
        QVERIFY(key->startsWith("lapse_"));
        QVERIFY(key->size() > 40);
        const Principal* p = eng().authenticate(key.value());
        QVERIFY(p);
        QCOMPARE(p->id, QStringLiteral("alice"));
        auto other = eng().createApiKey(QStringLiteral("bob"));
        LAPSE_VERIFY_OK(other);
        QVERIFY(other.value() != key.value());
        QCOMPARE(eng().authenticate(other.value())->id, QStringLiteral("bob"));

        QByteArray wrong = key.value();
        wrong[wrong.size() - 1] = wrong.at(wrong.size() - 1) == 'a' ? 'b' : 'a';
        QVERIFY(!eng().authenticate(wrong));
        QVERIFY(!eng().authenticate(key.value() + "x"));
        QVERIFY(!eng().authenticate(key->mid(6))); // without the prefix
        QVERIFY(!eng().authenticate(QByteArray()));
        QVERIFY(!eng().authenticate(QByteArray("lapse_")));

        // Neither the table nor the log, nor the raw database files, hold the key itself.
        QSqlQuery q(storeDb(eng().store()));
        QVERIFY(q.exec(QStringLiteral("SELECT * FROM api_keys")));
        int rows = 0;
        while (q.next()) {
            ++rows;
            for (int i = 0; i < q.record().count(); ++i) {
                const QByteArray v = q.value(i).toByteArray();
                QVERIFY2(!v.contains(key->mid(6)) && !v.contains(other->mid(6)), v.constData());
            }
        }
        QCOMPARE(rows, 2);
        for (const auto& e : f().events())
            QVERIFY(!e.body.contains(key->mid(6)));
        const QStringList files = QDir(f().dataDir()).entryList({QStringLiteral("lapse.db*")}, QDir::Files);
        QVERIFY(files.contains(QStringLiteral("lapse.db")));
        for (const auto& name : files) {
            QFile file(f().dataDir() + QLatin1Char('/') + name);
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QByteArray raw = file.readAll();
            QVERIFY2(!raw.contains(key->mid(6)), qPrintable(name));
        }
        // A restarted engine finds keys by their hash.
        QVERIFY(f().reopen());
        QCOMPARE(eng().authenticate(key.value())->id, QStringLiteral("alice"));
        QVERIFY(!eng().authenticate(wrong));
    }

    void keyRotationKeepsIssuedCredentialsWorking()
    {
        auto g = f().grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(g);
        const QByteArray before = f().token(g.value());
        const QString oldKid = eng().keys().currentKid();
        LAPSE_VERIFY_ERROR(eng().rotateSigningKey(who("rita")), ErrorCode::Forbidden, "admin");
        QCOMPARE(eng().keys().currentKid(), oldKid);
        LAPSE_VERIFY_OK(eng().rotateSigningKey(who("adm")));
        QVERIFY(eng().keys().currentKid() != oldKid);
        const QList<Event> rotated = f().eventsOfType(QStringLiteral("keys.rotated"));
        QCOMPARE(rotated.size(), 1);
        QCOMPARE(rotated[0].bodyJson()["previous"].toString(), oldKid);
        QVERIFY(f().isActive(QStringLiteral("api-gw"), before));
        const QByteArray after = f().token(g.value());
        QCOMPARE(EngineFixture::jwtPart(after, 0)["kid"].toString(), eng().keys().currentKid());
        QVERIFY(f().isActive(QStringLiteral("api-gw"), after));
        QCOMPARE(eng().jwks()["keys"].toArray().size(), 2);
    }

    // ------------------------------------------------------------ restart

    void stateSurvivesARestart()
    {
        auto g = f().grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(g);
        const QByteArray token = f().token(g.value());
        auto dg = f().grantFor(QStringLiteral("dave"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(dg);
        const QByteArray daveToken = f().token(dg.value());
        auto lo = eng().lockout(who("rita"), QStringLiteral("dave"), QStringLiteral("phished"));
        LAPSE_VERIFY_OK(lo);
        auto pending = f().submit(QStringLiteral("alice"), QStringLiteral("prod-k8s"));
        LAPSE_VERIFY_OK(pending);
        LAPSE_VERIFY_OK(f().approve(QStringLiteral("bob"), pending->request.id));
        const qint64 seq = eng().store().lastSeq();
        const QByteArray head = eng().store().headHash();
        const QString kid = eng().keys().currentKid();
        const QString state = f().stateDump();

        f().clock().advance(kMinute);
        QVERIFY2(f().reopen(), qPrintable(f().openError()));
        QCOMPARE(eng().store().lastSeq(), seq);
        QCOMPARE(eng().store().headHash(), head);
        QCOMPARE(eng().keys().currentKid(), kid);
        QCOMPARE(f().stateDump(), state);
        QCOMPARE(eng().activeGrantCount(), 1);
        QVERIFY(eng().isLockedOut(QStringLiteral("dave")));
        QCOMPARE(eng().lockouts().size(), 1);
        QCOMPARE(eng().lockouts()[0].notBeforeMs, lo->lockout.notBeforeMs);
        QVERIFY(f().isActive(QStringLiteral("api-gw"), token));
        QVERIFY(!f().isActive(QStringLiteral("api-gw"), daveToken));
        auto c = eng().credential(who("alice"), g->requestId);
        LAPSE_VERIFY_OK(c);
        QCOMPARE(c->value("token").toString().toLatin1(), token);
        LAPSE_VERIFY_ERROR(f().submit(QStringLiteral("dave"), QStringLiteral("billing-db")),
            ErrorCode::Forbidden, "locked out");

        // The log continues where it stopped, and the whole chain checks out.
        auto second = f().approve(QStringLiteral("carol"), pending->request.id);
        LAPSE_VERIFY_OK(second);
        QVERIFY(second->grant);
        QCOMPARE(second->request.approvals.size(), 2);
        QCOMPARE(eng().store().events(seq, 1).value(0).seq, seq + 1);
        QString reason;
        qint64 breakSeq = -1;
        auto verified = SqliteStore::verifyChain(storeDb(eng().store()), &reason, &breakSeq);
        LAPSE_VERIFY_OK(verified);
        QCOMPARE(breakSeq, 0);
        QCOMPARE(verified.value(), eng().store().lastSeq());
        QVERIFY(reason.isEmpty());
    }

    void grantsThatExpireDuringDowntimeEndAtStart()
    {
        auto g = f().grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(g);
        const QByteArray token = f().token(g.value());
        f().close();
        f().clock().set(g->expiresMs + kHour);
        QVERIFY2(f().reopen(), qPrintable(f().openError()));
        QCOMPARE(eng().activeGrantCount(), 0);
        const auto e = eng().store().grant(g->id);
        QCOMPARE(e->status, GrantStatus::Expired);
        QCOMPARE(e->endedMs, g->expiresMs);
        QVERIFY(!f().isActive(QStringLiteral("api-gw"), token));
    }

    // ------------------------------------------------------------ events are published after the commit

    void eventsAppendedFiresOncePerWrite()
    {
        QSignalSpy spy(&eng(), &Engine::eventsAppended);
        QVERIFY(spy.isValid());
        auto d = f().submit(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(d);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(typesOf(spied(spy, 0)), QStringList({"request.created"}));
        QCOMPARE(spied(spy, 0)[0].seq, eng().store().lastSeq());

        LAPSE_VERIFY_ERROR(
            f().approve(QStringLiteral("alice"), d->request.id), ErrorCode::Forbidden, "lacks");
        LAPSE_VERIFY_ERROR(
            f().approve(QStringLiteral("bob"), d->request.id, narrow({"ddl"})), ErrorCode::Invalid, "narrow");
        QCOMPARE(spy.count(), 1);

        auto a = f().approve(QStringLiteral("bob"), d->request.id);
        LAPSE_VERIFY_OK(a);
        QCOMPARE(spy.count(), 2);
        const QList<Event> published = spied(spy, 1);
        QCOMPARE(typesOf(published), QStringList({"request.approved", "grant.activated"}));
        QCOMPARE(published[1].seq, published[0].seq + 1);
        QCOMPARE(published[1].seq, eng().store().lastSeq());
        const QList<Event> stored = eng().store().events(published[0].seq - 1, 10);
        QCOMPARE(stored.size(), 2);
        for (int i = 0; i < 2; ++i) {
            QCOMPARE(stored[i].hash, published[i].hash);
            QCOMPARE(stored[i].body, published[i].body);
        }

        const QByteArray token = f().token(*a->grant);
        QVERIFY(f().isActive(QStringLiteral("api-gw"), token)); // a read: nothing published
        LAPSE_VERIFY_ERROR(
            f().approve(QStringLiteral("carol"), d->request.id), ErrorCode::Conflict, "approved");
        QCOMPARE(spy.count(), 2);

        LAPSE_VERIFY_OK(eng().revoke(who("rita"), a->grant->id, QStringLiteral("enough")));
        QCOMPARE(spy.count(), 3);
        QCOMPARE(typesOf(spied(spy, 2)), QStringList({"grant.revoked"}));
        QVERIFY(!f().isActive(QStringLiteral("api-gw"), token));
        QCOMPARE(spy.count(), 4);
        QCOMPARE(typesOf(spied(spy, 3)), QStringList({"credential.used_after_end"}));
    }

    // ------------------------------------------------------------ refusals change nothing

    void rejectedCallsLeaveTheStoreUnchanged_data()
    {
        QTest::addColumn<Call>("call");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("word");
        auto P = [](EngineFixture& f, const char* id) -> const Principal& {
            return f.who(QString::fromLatin1(id));
        };
        const QString forbidden = codeName(ErrorCode::Forbidden), invalid = codeName(ErrorCode::Invalid),
                      conflict = codeName(ErrorCode::Conflict), notFound = codeName(ErrorCode::NotFound);
        auto submit = [](const char* who, const std::function<void(RequestInput&)>& edit) {
            return Call([=](EngineFixture& f, const Scenario&) {
                RequestInput in = EngineFixture::input(QStringLiteral("billing-db"));
                edit(in);
                return errorOf(f.submit(QString::fromLatin1(who), in));
            });
        };
        QTest::newRow("submit: unknown target")
            << submit("alice", [](RequestInput& in) { in.target = QStringLiteral("mainframe"); }) << invalid
            << "unknown target";
        QTest::newRow("submit: no requester role")
            << submit("bob", [](RequestInput&) {}) << forbidden << "lacks";
        QTest::newRow("submit: ttl over cap")
            << submit("alice", [](RequestInput& in) { in.ttlSeconds = 4000; }) << invalid << "cap";
        QTest::newRow("submit: break-glass not allowed")
            << submit("alice", [](RequestInput& in) { in.breakGlass = true; }) << invalid << "break-glass";
        QTest::newRow("submit: missing reason")
            << submit("alice", [](RequestInput& in) { in.reason.clear(); }) << invalid << "reason";

        auto approve = [](const char* who, QString Scenario::*req, ApproveInput in = {}) {
            return Call([=](EngineFixture& f, const Scenario& s) {
                return errorOf(f.approve(QString::fromLatin1(who), s.*req, in));
            });
        };
        QTest::newRow("approve: self")
            << approve("dave", &Scenario::davePending) << forbidden << "own request";
        QTest::newRow("approve: owner of the agent")
            << approve("bob", &Scenario::agentPending) << forbidden << "owns agent-7";
        QTest::newRow("approve: widening")
            << approve("bob", &Scenario::alicePending, narrow({"read", "write"})) << invalid << "narrow";
        QTest::newRow("approve: lengthening")
            << approve("bob", &Scenario::alicePending, narrow({"read"}, 601)) << invalid << "shorten";
        QTest::newRow("approve: not an approver")
            << approve("alice", &Scenario::davePending) << forbidden << "lacks";
        QTest::newRow("approve: disjoint quorum")
            << approve("carol", &Scenario::prodHalf, narrow({"list"})) << invalid << "share no privilege";
        QTest::newRow("approve: same approver twice")
            << approve("bob", &Scenario::prodHalf) << conflict << "already approved";
        QTest::newRow("approve: denied") << approve("bob", &Scenario::deniedReq) << conflict << "denied";
        QTest::newRow("approve: unknown") << approve("bob", &Scenario::sessionId) << notFound << "no request";
        QTest::newRow("approve: approved") << Call([](EngineFixture& f, const Scenario& s) {
            return errorOf(f.approve(QStringLiteral("carol"), s.grant.requestId));
        }) << conflict << "not pending";
        QTest::newRow("deny: no reason") << Call([=](EngineFixture& f, const Scenario& s) {
            return errorOf(f.engine().deny(P(f, "bob"), s.alicePending, QStringLiteral(" ")));
        }) << invalid << "reason";
        QTest::newRow("deny: approved") << Call([=](EngineFixture& f, const Scenario& s) {
            return errorOf(f.engine().deny(P(f, "bob"), s.grant.requestId, QStringLiteral("late")));
        }) << conflict << "not pending";
        QTest::newRow("revoke: no reason") << Call([=](EngineFixture& f, const Scenario& s) {
            return errorOf(f.engine().revoke(P(f, "rita"), s.grant.id, QString()));
        }) << invalid << "reason";
        QTest::newRow("revoke: by the holder") << Call([=](EngineFixture& f, const Scenario& s) {
            return errorOf(f.engine().revoke(P(f, "alice"), s.grant.id, QStringLiteral("r")));
        }) << forbidden << "lacks";
        QTest::newRow("complete: not the holder") << Call([=](EngineFixture& f, const Scenario& s) {
            return errorOf(f.engine().complete(P(f, "carol"), s.grant.id));
        }) << forbidden << "only alice";
        QTest::newRow("review: not break-glass") << Call([=](EngineFixture& f, const Scenario& s) {
            return errorOf(f.engine().review(P(f, "aud"), s.grant.id, QStringLiteral("n")));
        }) << conflict << "not a break-glass";
        QTest::newRow("credential: not the requester") << Call([=](EngineFixture& f, const Scenario& s) {
            return errorOf(f.engine().credential(P(f, "bob"), s.grant.requestId));
        }) << forbidden << "only alice";
        QTest::newRow("introspect: not a resource server") << Call([=](EngineFixture& f, const Scenario& s) {
            return errorOf(f.engine().introspect(P(f, "alice"), s.token));
        }) << forbidden << "resource-server";
        QTest::newRow("open session: forged") << Call([=](EngineFixture& f, const Scenario& s) {
            // One character changed in the middle of the signature: its last characters would not do, since
            // an Ed25519 signature's final byte is nearly always small and they are often "AAA" already.
            QByteArray t = s.token;
            const qsizetype at = t.size() - 20;
            t[at] = t[at] == 'A' ? 'B' : 'A';
            return errorOf(f.engine().openSession(P(f, "api-gw"), t, {}));
        }) << invalid << "not active";
        QTest::newRow("open session: privilege not granted") << Call(
            [=](EngineFixture& f, const Scenario& s) {
                return errorOf(f.engine().openSession(P(f, "api-gw"), s.token, {"ddl"}));
            }) << invalid << "not in the grant";
        QTest::newRow("open session: not a resource server") << Call(
            [=](EngineFixture& f, const Scenario& s) {
                return errorOf(f.engine().openSession(P(f, "alice"), s.token, {}));
            }) << forbidden << "resource-server";
        QTest::newRow("end session: another server") << Call([=](EngineFixture& f, const Scenario& s) {
            return errorOf(f.engine().endSession(P(f, "api-gw"), s.sessionId, {}));
        }) << forbidden << "opened by db-proxy";
        QTest::newRow("terminate session: not a responder") << Call([=](EngineFixture& f, const Scenario& s) {
            return errorOf(f.engine().terminateSession(P(f, "alice"), s.sessionId, QStringLiteral("r")));
        }) << forbidden << "lacks";
        QTest::newRow("lockout: not a responder") << Call([=](EngineFixture& f, const Scenario&) {
            return errorOf(f.engine().lockout(P(f, "bob"), QStringLiteral("alice"), QStringLiteral("r")));
        }) << forbidden << "responder";
        QTest::newRow("lockout: no reason") << Call([=](EngineFixture& f, const Scenario&) {
            return errorOf(f.engine().lockout(P(f, "rita"), QStringLiteral("alice"), QString()));
        }) << invalid << "reason";
        QTest::newRow("lockout: oneself") << Call([=](EngineFixture& f, const Scenario&) {
            return errorOf(f.engine().lockout(P(f, "rita"), QStringLiteral("rita"), QStringLiteral("r")));
        }) << invalid << "themselves";
        QTest::newRow("unlock: not locked") << Call([=](EngineFixture& f, const Scenario&) {
            return errorOf(f.engine().unlock(P(f, "rita"), QStringLiteral("alice")));
        }) << conflict << "not locked out";
        QTest::newRow("rotate keys: not an admin") << Call([=](EngineFixture& f, const Scenario&) {
            const Status st = f.engine().rotateSigningKey(P(f, "rita"));
            return errorOf(st);
        }) << forbidden << "admin";
    }
    void rejectedCallsLeaveTheStoreUnchanged()
    {
        QFETCH(Call, call);
        QFETCH(QString, code);
        QFETCH(QString, word);
        Scenario s;
        {
            auto a = f().submit(QStringLiteral("alice"), QStringLiteral("billing-db"));
            LAPSE_VERIFY_OK(a);
            s.alicePending = a->request.id;
            auto d = f().submit(QStringLiteral("dave"), QStringLiteral("billing-db"));
            LAPSE_VERIFY_OK(d);
            s.davePending = d->request.id;
            auto ag = f().submit(QStringLiteral("agent-7"), QStringLiteral("billing-db"));
            LAPSE_VERIFY_OK(ag);
            s.agentPending = ag->request.id;
            RequestInput k8s = EngineFixture::input(QStringLiteral("prod-k8s"));
            k8s.privileges = QStringList {"get", "list", "exec"};
            auto p = f().submit(QStringLiteral("alice"), k8s);
            LAPSE_VERIFY_OK(p);
            s.prodHalf = p->request.id;
            LAPSE_VERIFY_OK(f().approve(QStringLiteral("bob"), s.prodHalf, narrow({"get"})));
            auto dn = f().submit(QStringLiteral("alice"), QStringLiteral("vault"));
            LAPSE_VERIFY_OK(dn);
            s.deniedReq = dn->request.id;
            LAPSE_VERIFY_OK(eng().deny(who("carol"), s.deniedReq, QStringLiteral("no")));
            RequestInput rw = EngineFixture::input(QStringLiteral("billing-db"));
            rw.privileges = QStringList {"read", "write"};
            auto g = f().grantFor(QStringLiteral("alice"), rw);
            LAPSE_VERIFY_OK(g);
            s.grant = g.value();
            s.token = f().token(s.grant);
            QVERIFY(!s.token.isEmpty());
            auto ses = eng().openSession(who("db-proxy"), s.token, {"read"});
            LAPSE_VERIFY_OK(ses);
            s.sessionId = ses->id;
        }
        f().clock().advance(kMinute);
        const QString before = f().stateDump();
        const qint64 seq = eng().store().lastSeq();
        const QByteArray head = eng().store().headHash();
        const int active = eng().activeGrantCount();
        QSignalSpy spy(&eng(), &Engine::eventsAppended);

        const std::optional<Error> e = call(f(), s);
        QVERIFY2(e, "the call was expected to be refused");
        QCOMPARE(e->codeName(), code);
        QVERIFY2(e->message.contains(word, Qt::CaseInsensitive), qPrintable(e->message));

        QCOMPARE(eng().store().lastSeq(), seq);
        QCOMPARE(eng().store().headHash(), head);
        QCOMPARE(f().stateDump(), before);
        QCOMPARE(f().stateDigest(), crypto::sha256Hex(before.toUtf8()));
        QCOMPARE(eng().activeGrantCount(), active);
        QCOMPARE(spy.count(), 0);
        QVERIFY(f().isActive(QStringLiteral("api-gw"), s.token));
        // The writer path is still usable after the refusal.
        LAPSE_VERIFY_OK(f().approve(QStringLiteral("carol"), s.alicePending));
        QCOMPARE(eng().store().lastSeq(), seq + 2);
    }
};

QTEST_GUILESS_MAIN(TestEngine)
#include "TestEngine.moc"
