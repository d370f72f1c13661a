#include "DemoWorkload.h"

#include "engine/Engine.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace lapse
{

struct DemoWorkload::Ask {
    const char* who;
    const char* target;
    QStringList privileges;
    QStringList minimum; // empty: none declared
    const char* task;
    const char* reason;
    const char* ticket;
    int ttl;
    int weight; // how often this identity asks: the repeat elevators ask a lot
};

namespace
{
const QStringList kApprovers {
    QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol"), QStringLiteral("grace")};
} // namespace

static const QList<DemoWorkload::Ask>& asks()
{
    using A = DemoWorkload::Ask;
    static const QList<A> list {
        // Repeated elevations: the same identity, privileges and target again and again.
        A {"ci-deploy", "ci-runners", {"deploy"}, {"deploy"}, "Release shop", "Scheduled release train", "",
            1200, 9},
        A {"ci-deploy", "prod-k8s", {"view", "edit"}, {"edit"}, "Roll out shop deployment", "Release train",
            "", 1800, 7},
        A {"svc-billing", "billing-db", {"read", "write"}, {"read", "write"}, "Nightly invoice batch",
            "Batch writes invoice rows", "FIN-2291", 3600, 7},
        A {"wl-etl", "s3-exports", {"list", "get", "put", "delete"}, {"list", "get", "put"},
            "Export daily customer aggregates", "Scheduled ETL run", "", 3600, 6},
        // Narrow and broad asks from people.
        A {"dave", "orders-db", {"read", "write"}, {"read"}, "Reconcile refunds for October",
            "Finance asked for a refund reconciliation", "", 1800, 3},
        A {"dave", "kafka-admin", {"describe"}, {}, "Check topic retention", "Disk alert on broker 3", "",
            900, 2},
        A {"alice", "prod-ssh", {"login", "sudo"}, {"login"}, "Inspect disk usage on web-3",
            "Disk 92% on web-3", "", 1800, 3},
        A {"alice", "prod-k8s", {"view", "exec", "edit", "cluster-admin"}, {"view", "exec"}, "Debug ingress",
            "502s on checkout", "", 3600, 2},
        A {"grace", "billing-db", {"read", "ddl"}, {"ddl"}, "Add index on invoices(customer_id)",
            "Slow query report from last night", "DBA-118", 1800, 2},
        A {"frank", "dns-zone", {"read", "write"}, {"write"}, "Point status.example.org to the new page",
            "Status page migration", "", 900, 2},
        A {"bob", "vault-admin", {"read", "policy-admin"}, {"read"}, "Rotate the CI policy",
            "Quarterly rotation", "SEC-501", 900, 1},
        A {"bob", "customer-pii", {"read-masked"}, {"read-masked"}, "Answer a data subject request",
            "DSR-4412 due Friday", "PII-80", 1200, 1},
        // Non-human identities beyond the repeat elevators.
        A {"ci-migrate", "billing-db", {"read", "write", "ddl"}, {"ddl"}, "Apply migration",
            "Release schema change", "FIN-2310", 1200, 2},
        A {"svc-reports", "customer-pii", {"read-masked", "read"}, {"read-masked"}, "Monthly churn report",
            "Report for the board", "PII-77", 1800, 2},
        A {"wl-payments", "payments-api", {"refunds:read", "refunds:write"}, {"refunds:read"},
            "Replay failed refund webhooks", "Webhook outage", "", 1200, 3},
        A {"agent-7", "prod-k8s", {"view", "exec"}, {"view"}, "Restart crash-looping pods in checkout",
            "Alert CheckoutCrashLoop firing", "", 900, 4},
        A {"agent-triage", "kafka-admin", {"describe", "alter-config"}, {"describe"},
            "Diagnose consumer lag on payments topic", "Lag alert on payments-events", "", 1800, 3},
        A {"agent-triage", "orders-db", {"read"}, {"read"}, "Correlate failed orders with the incident",
            "INC-3391 triage", "", 600, 2},
    };
    return list;
}

DemoWorkload::DemoWorkload(Engine& engine, quint32 seed, QObject* parent)
    : QObject(parent)
    , m_engine(engine)
    , m_rng(seed)
{
    connect(&m_timer, &QTimer::timeout, this, &DemoWorkload::tick);
}

const Principal* DemoWorkload::who(const QString& id) const
{
    return m_engine.directory().principal(id);
}

QString DemoWorkload::serverFor(const QString& target) const
{
    for (const auto& p : m_engine.directory().principals())
        if (p.hasRole(Role::ResourceServer) && p.servesTarget(target))
            return p.id;
    return {};
}

void DemoWorkload::fail(const QString& what)
{
    ++m_stats.failures;
    if (m_stats.failureMessages.size() < 20)
        m_stats.failureMessages << what;
}

bool DemoWorkload::submit(const Ask& a, bool breakGlass)
{
    const Principal* p = who(QString::fromLatin1(a.who));
    if (!p) {
        fail(QStringLiteral("demo principal %1 missing").arg(QLatin1String(a.who)));
        return false;
    }
    if (m_engine.isLockedOut(p->id))
        return false; // a locked-out identity's asks are refused; the demo does not keep knocking
    RequestInput in;
    in.target = QString::fromLatin1(a.target);
    in.privileges = a.privileges;
    if (!a.minimum.isEmpty())
        in.minPrivileges = a.minimum;
    in.task = QString::fromUtf8(a.task);
    in.reason = QString::fromUtf8(a.reason);
    in.ticket = QString::fromLatin1(a.ticket);
    in.ttlSeconds = a.ttl;
    if (breakGlass) {
        in.breakGlass = true;
        in.ttlSeconds = 600;
        in.reason = QStringLiteral("SEV1: checkout down, on-call needs access now");
    }
    auto d = m_engine.submitRequest(*p, in);
    if (!d) {
        fail(QStringLiteral("request by %1 on %2: %3").arg(p->id, in.target, d.error().message));
        return false;
    }
    ++m_stats.requests;
    if (d->grant) {
        // Granted at once: break-glass, or a directory rule that approves this ask.
        if (breakGlass)
            ++m_stats.breakGlass;
        else
            ++m_stats.byRule;
        Tracked t;
        t.requestId = d->request.id;
        t.grantId = d->grant->id;
        t.principal = p->id;
        t.target = in.target;
        t.expiresMs = d->grant->expiresMs;
        m_tracked << t;
    }
    return !d->grant;
}

void DemoWorkload::decide(bool seeding)
{
    const Principal* reader = who(QStringLiteral("carol"));
    RequestFilter f;
    f.status = RequestStatus::Pending;
    f.limit = 1000;
    auto pending = m_engine.requests(*reader, f);
    if (!pending)
        return fail(QStringLiteral("list pending: %1").arg(pending.error().message));
    QList<AccessRequest> list = pending.value();
    std::sort(list.begin(), list.end(),
        [](const AccessRequest& a, const AccessRequest& b) { return a.createdMs < b.createdMs; });
    // Live, the simulated approvers leave a steady queue for the console; seeding, they decide everything.
    int excess = seeding ? int(list.size()) : int(list.size()) - m_queueTarget;
    for (const AccessRequest& r : std::as_const(list)) {
        if (excess <= 0)
            break;
        if (!seeding && now() - r.createdMs < 20'000)
            break;
        --excess;
        QStringList approvers = kApprovers;
        for (int i = approvers.size() - 1; i > 0; --i)
            approvers.swapItemsAt(i, pick(i + 1));
        if (chance(0.12)) {
            for (const QString& a : std::as_const(approvers)) {
                if (a == r.requester)
                    continue;
                if (m_engine.deny(
                        *who(a), r.id, QStringLiteral("too broad for the task; ask for the minimum")))
                    ++m_stats.denials;
                break;
            }
            continue;
        }
        ApproveInput in;
        if (r.minPrivileges && chance(0.35))
            in.privileges = *r.minPrivileges; // narrowed to what the task needs
        if (chance(0.2))
            in.ttlSeconds = qMax(300, r.ttlSeconds / 2);
        bool granted = false;
        for (const QString& a : std::as_const(approvers)) {
            // Separation of duties refuses some approvers (their own request, their own agent): try the next.
            auto d = m_engine.approve(*who(a), r.id, in);
            if (!d)
                continue;
            if (d->grant) {
                granted = true;
                ++m_stats.approvals;
                Tracked t;
                t.requestId = r.id;
                t.grantId = d->grant->id;
                t.principal = r.requester;
                t.target = r.target;
                t.expiresMs = d->grant->expiresMs;
                t.completeEarly = chance(0.35);
                m_tracked << t;
                break;
            }
            in = {}; // quorum: the next approver approves as requested (or narrower, already recorded)
        }
        if (!granted && r.approvalsRequired <= 1)
            fail(QStringLiteral("no approver could approve %1").arg(r.id));
    }
}

void DemoWorkload::followGrants(bool seeding)
{
    const qint64 t = now();
    for (Tracked& g : m_tracked) {
        if (g.ended && (g.sessionEnded || !g.sessionOpened))
            continue;
        const Principal* holder = who(g.principal);
        if (!g.sessionOpened && !g.ended && t < g.expiresMs) {
            g.server = serverFor(g.target);
            const Principal* rs = who(g.server);
            auto cred = m_engine.credential(*holder, g.requestId);
            if (!rs || !cred) {
                g.ended = true; // revoked by a lockout before its session began
                continue;
            }
            g.token = cred->value(QStringLiteral("token")).toString().toLatin1();
            m_engine.introspect(*rs, g.token);
            auto s = m_engine.openSession(*rs, g.token, {});
            if (!s) {
                fail(QStringLiteral("session for %1: %2").arg(g.grantId, s.error().message));
                g.ended = true;
                continue;
            }
            ++m_stats.sessions;
            g.sessionOpened = true;
            g.sessionId = s->id;
            const qint64 ttl = g.expiresMs - t;
            // Most sessions close inside the window; some stay open past expiry (lingering).
            if (chance(0.18)) {
                g.lingers = true;
                g.sessionEndMs = g.expiresMs
                    + (seeding ? qint64(60'000 + pick(1'800'000)) : qint64(20'000 + pick(90'000)));
                ++m_stats.lingering;
            } else {
                g.sessionEndMs = t + qint64(double(ttl) * (0.2 + 0.6 * m_rng.generateDouble()));
            }
            continue;
        }
        if (g.sessionOpened && !g.sessionEnded && t >= g.sessionEndMs) {
            const Principal* rs = who(g.server);
            auto grant = m_engine.grant(*who(QStringLiteral("carol")), g.grantId);
            QStringList used;
            if (grant)
                used = grant->privileges.mid(
                    0, qMax(1, int(grant->privileges.size()) - (chance(0.3) ? 1 : 0)));
            if (m_engine.endSession(*rs, g.sessionId, used))
                ++m_stats.sessionsEnded;
            g.sessionEnded = true;
            if (g.completeEarly && !g.ended && t < g.expiresMs) {
                if (m_engine.complete(*holder, g.grantId))
                    ++m_stats.completions;
                g.ended = true;
                m_deadTokens << g.token;
            }
        }
        if (!g.ended && t >= g.expiresMs) {
            g.ended = true;
            if (!g.token.isEmpty())
                m_deadTokens << g.token;
        }
        // A well-behaved resource server closes a session within seconds of its grant ending; the ones
        // chosen to linger do not.
        if (g.ended && g.sessionOpened && !g.sessionEnded && !g.lingers)
            g.sessionEndMs = std::min(g.sessionEndMs, t + qint64(2'000 + pick(18'000)));
    }
    // Finished entries are dropped once nothing more can happen to them.
    m_tracked.erase(std::remove_if(m_tracked.begin(), m_tracked.end(),
                        [](const Tracked& g) { return g.ended && (g.sessionEnded || !g.sessionOpened); }),
        m_tracked.end());
}

void DemoWorkload::step(bool seeding)
{
    const auto& list = asks();
    int total = 0;
    for (const auto& a : list)
        total += a.weight;
    const int asksNow = seeding ? 1 + pick(2) : (chance(0.6) ? 1 : 0);
    for (int i = 0; i < asksNow; ++i) {
        int r = pick(total);
        for (const auto& a : list) {
            if ((r -= a.weight) < 0) {
                submit(a, false);
                break;
            }
        }
    }
    if (chance(seeding ? 0.03 : 0.02)) // break-glass stays the exception
        submit(list[6], true);
    decide(seeding);
    followGrants(seeding);

    // An early revocation now and then (an approver changes their mind), leaving the credential to be reused.
    if (chance(seeding ? 0.05 : 0.03)) {
        for (Tracked& g : m_tracked)
            if (!g.ended && !g.token.isEmpty()) {
                if (m_engine.revoke(*who(QStringLiteral("carol")), g.grantId,
                        QStringLiteral("task scope changed; access no longer needed"))) {
                    ++m_stats.revocations;
                    g.ended = true;
                    m_deadTokens << g.token;
                }
                break;
            }
    }
    // A credential presented again after its grant ended: recorded as a post-expiry use.
    if (!m_deadTokens.isEmpty() && chance(0.25)) {
        const QByteArray token = m_deadTokens.takeAt(pick(int(m_deadTokens.size())));
        const QJsonObject claims = QJsonDocument::fromJson(
            QByteArray::fromBase64(token.split('.').value(1), QByteArray::Base64UrlEncoding))
                                       .object();
        const Principal* rs = who(serverFor(claims.value(QStringLiteral("aud")).toString()));
        if (rs && m_engine.introspect(*rs, token))
            ++m_stats.postExpiryUses;
    }
    if (m_deadTokens.size() > 50)
        m_deadTokens.erase(m_deadTokens.begin(), m_deadTokens.begin() + 25);
    // A rare incident: the triage agent is locked out, then unlocked an hour (or a minute, live) later.
    if (m_lockedOut.isEmpty() && chance(seeding ? 0.004 : 0.004)) {
        if (m_engine.lockout(*who(QStringLiteral("bob")), QStringLiteral("agent-triage"),
                QStringLiteral("agent issued unexpected writes"))) {
            ++m_stats.lockouts;
            m_lockedOut = QStringLiteral("agent-triage");
            m_unlockAtMs = now() + (seeding ? 3'600'000 : 60'000);
        }
    } else if (!m_lockedOut.isEmpty() && now() >= m_unlockAtMs) {
        m_engine.unlock(*who(QStringLiteral("bob")), m_lockedOut);
        m_lockedOut.clear();
    }
    m_engine.sweep();
}

void DemoWorkload::seedHistory(int days)
{
    if (m_engine.store().lastSeq() > 0) {
        RequestFilter f;
        f.limit = 1;
        auto any = m_engine.requests(*who(QStringLiteral("carol")), f);
        if (any && !any->isEmpty())
            return;
    }
    const qint64 end = Clock::now() - 5 * 60'000;
    const Clock* previous = &Clock::instance();
    ManualClock clock(end - qint64(days) * 86'400'000);
    Clock::setInstance(&clock);
    qint64 nextStep = clock.nowMs();
    while (clock.nowMs() < end) {
        if (clock.nowMs() >= nextStep) {
            step(true);
            // Asks every 15-45 minutes, every 2-6 in the last 90 minutes, so the present has grants in
            // flight, open sessions and some lingering ones.
            const bool recent = end - clock.nowMs() < 90 * 60'000;
            nextStep = clock.nowMs() + qint64(recent ? 2 + pick(4) : 15 + pick(30)) * 60'000;
        } else {
            // Between asks, time passes in 30-second ticks: sessions end and grants expire when they are due.
            followGrants(true);
            m_engine.sweep();
        }
        clock.advance(30'000);
    }
    // Two owners have reviewed a repeated elevation each: the invoice batch became the rule billing-batch,
    // and the triage agent keeps asking just in time.
    const auto review = [&](const char* owner, const char* identity, const char* target,
                            QStringList privileges, const char* outcome, const char* comment) {
        ReviewDecision d;
        d.identity = QString::fromLatin1(identity);
        d.target = QString::fromLatin1(target);
        d.privileges = privileges;
        d.outcome = QString::fromLatin1(outcome);
        d.comment = QString::fromUtf8(comment);
        d.fromMs = clock.nowMs() - qint64(days) * 86'400'000;
        if (auto r = m_engine.decideReview(*who(QString::fromLatin1(owner)), d); !r)
            fail(QStringLiteral("review by %1: %2").arg(QLatin1String(owner), r.error().message));
    };
    review("grace", "svc-billing", "billing-db", {QStringLiteral("read"), QStringLiteral("write")},
        "convert-to-rule", "Nightly invoice batch with its FIN ticket: rule billing-batch, eight a day");
    review("alice", "agent-triage", "kafka-admin", {QStringLiteral("describe")}, "keep-jit",
        "Read-only and rare enough; keep the trail per incident");
    // Leave the present with a queue: the last minutes' asks stay pending for the console.
    const auto& list = asks();
    // An ask a rule grants at once leaves no request waiting: ask again (bounded) until the queue is full.
    for (int i = 0, waiting = 0; waiting < m_queueTarget && i < 4 * m_queueTarget; ++i) {
        clock.set(end + qint64(i) * 20'000);
        waiting += submit(list[pick(int(list.size()))], false) ? 1 : 0;
    }
    Clock::setInstance(previous);
}

void DemoWorkload::start(int tickMs)
{
    m_timer.start(tickMs);
}

void DemoWorkload::stop()
{
    m_timer.stop();
}

void DemoWorkload::tick()
{
    step(false);
}

} // namespace lapse
