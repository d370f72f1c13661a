// The lifecycle: every state change is computed, checked by Policy, written with its event, then published.
#include "Engine.h"

#include "Checkpoint.h"
#include "Crypto.h"
#include "SharedRead.h"
#include "SqliteStore.h"
#include "core/Clock.h"

#include <QCryptographicHash>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QtConcurrent/QtConcurrentRun>
#include <limits>

namespace lapse
{

namespace
{
constexpr qint64 kDayMs = 24LL * 3600 * 1000;
constexpr int kMaxTokenBytes = 8192;
constexpr int kTokenCacheLimit = 200000;

Error notFound(const QString& what, const QString& id)
{
    return makeError(ErrorCode::NotFound, QStringLiteral("no %1 with id '%2'").arg(what, id));
}
Error forbidden(const QString& m)
{
    return makeError(ErrorCode::Forbidden, m);
}
Error conflict(const QString& m)
{
    return makeError(ErrorCode::Conflict, m);
}
Error invalid(const QString& m)
{
    return makeError(ErrorCode::Invalid, m);
}

QJsonObject inactive()
{
    return QJsonObject {{"active", false}};
}

const Principal kPolicyActor = [] {
    Principal p;
    p.id = QStringLiteral("policy");
    p.roles = ~0u;
    return p;
}();
} // namespace

QJsonObject RequesterContext::toJson() const
{
    QJsonArray active;
    for (const auto& g : activeGrants)
        active.append(g.toJson());
    return QJsonObject {{"elevations_30d", elevations30d},
        {"last_grant", lastGrant ? QJsonValue(lastGrant->toJson()) : QJsonValue()},
        {"last_grant_used", lastGrantUsed}, {"active_grants", active}, {"locked_out", lockedOut}};
}

Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::open(EngineConfig config)
{
    if (const Status s = config.directory.validate(); !s)
        return s.error();
    std::unique_ptr<Engine> e(new Engine);
    e->m_dataDir = QDir(config.dataDir).absolutePath();
    e->m_issuer = config.issuer;
    e->m_directory = std::move(config.directory);
    if (!QDir().mkpath(e->m_dataDir))
        return makeError(
            ErrorCode::Internal, QStringLiteral("cannot create data directory %1").arg(e->m_dataDir));
    QFile::setPermissions(
        e->m_dataDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    if (config.openStore) {
        auto store = config.openStore(e->m_dataDir);
        if (!store)
            return store.error();
        e->m_store = std::move(store).value();
    } else {
        auto store = SqliteStore::open(e->m_dataDir + QStringLiteral("/lapse.db"));
        if (!store)
            return store.error();
        e->m_store = std::move(store).value();
    }
    auto keys = KeyRing::open(e->m_dataDir, Clock::now());
    if (!keys)
        return keys.error();
    e->m_keys = std::move(keys).value();
    if (const Status s = e->m_store->syncPrincipals(e->m_directory); !s)
        return s.error();
    auto log = TransparencyLog::open(e->m_dataDir, config.logOrigin, config.defaultLogOrigin, *e->m_store);
    if (!log)
        return log.error();
    e->m_log = std::move(log).value();
    e->m_cutCheckpoints = config.cutCheckpoints;
    e->m_exclusiveWork = config.exclusiveWork;
    // Whatever was appended since the last checkpoint (a restart, a store from before checkpoints) is
    // covered at once.
    if (config.cutCheckpoints && config.exclusiveWork && e->m_store->lastSeq() > 0)
        if (auto c = e->m_log->cutNow(Clock::now()); !c)
            return c.error();

    GrantFilter active;
    active.status = GrantStatus::Active;
    active.limit = 10000;
    for (;;) {
        const QList<Grant> page = e->m_store->grants(active);
        for (const auto& g : page)
            e->m_activeGrants.insert(g.id, g);
        if (page.size() < active.limit)
            break;
        active.afterId = page.last().id;
    }
    for (const auto& l : e->m_store->lockouts()) {
        e->m_lockouts.insert(l.principal, l);
        e->m_snapshot.setLockout(l.principal, l.active, l.notBeforeMs);
    }
    if (config.sweepIntervalMs > 0) {
        e->m_sweepTimer.setInterval(config.sweepIntervalMs);
        connect(&e->m_sweepTimer, &QTimer::timeout, e.get(), [eng = e.get()] {
            if (!eng->m_exclusiveWork)
                return;
            eng->sweep();
            eng->cutCheckpointIfDue();
        });
        e->m_sweepTimer.start();
    }
    e->m_appliedSeq = e->m_store->lastSeq();
    e->m_shared = e->m_store->sharedWithOtherWriters();
    e->m_snapshot.setAppliedSeq(e->m_appliedSeq);
    if (e->m_shared) {
        const Store* store = e->m_store.get();
        // Unreadable counts as moved on: the snapshot then sends the question to the engine, which follows
        // the store or, failing that, answers inactive. Worker threads asking together share one read.
        auto head = std::make_shared<SharedRead>([store] {
            const auto h = store->committedHead();
            return h ? h.value() : std::numeric_limits<qint64>::max();
        });
        e->m_snapshot.setCommittedHead([head] { return head->get(); });
    }
    if (e->m_exclusiveWork)
        e->sweep(); // whatever expired while we were down ends now, with its event
    return e;
}

namespace
{
constexpr const char* kStoreMovedOn = "another broker changed the store meanwhile; nothing was written";
}

bool Engine::isStoreMovedOn(const Error& e)
{
    return e.code == ErrorCode::Conflict && e.message == QLatin1String(kStoreMovedOn);
}

Status Engine::holdHead()
{
    if (!m_shared || m_inWrite || m_holdingHead)
        return Ok {};
    if (const Status b = m_store->begin(); !b)
        return b;
    if (m_store->lastSeq() > m_appliedSeq) {
        if (const Status f = applyCommitted(m_store->lastSeq()); !f) {
            m_store->rollback();
            return f;
        }
    }
    m_holdingHead = true;
    return Ok {};
}

void Engine::releaseHead()
{
    if (!m_holdingHead)
        return;
    m_holdingHead = false;
    m_store->rollback();
}

Status Engine::followStore()
{
    if (!m_shared || m_inWrite)
        return Ok {}; // inside a write, begin() has locked the head and write() applied what came before
    const auto head = m_store->committedHead();
    if (!head)
        return head.error();
    return head.value() > m_appliedSeq ? applyCommitted(head.value()) : Status(Ok {});
}

Status Engine::applyCommitted(qint64 head)
{
    while (m_appliedSeq < head) {
        const QList<Event> page = m_store->events(m_appliedSeq, 5000);
        if (page.isEmpty() || page.first().seq != m_appliedSeq + 1)
            return makeError(ErrorCode::Unavailable,
                QStringLiteral("store: events after %1 cannot be read").arg(m_appliedSeq));
        QSet<QString> grants;
        bool lockouts = false;
        for (const Event& ev : page) {
            if (ev.seq > head)
                break;
            if (ev.type.startsWith(QLatin1String("grant.")))
                grants.insert(ev.subject);
            else if (ev.type == QLatin1String("principal.locked_out")
                || ev.type == QLatin1String("principal.unlocked"))
                lockouts = true;
        }
        // The state tables hold the outcome: what the events changed is read back, not replayed. Access is
        // taken away (snapshot first) before it is given.
        for (const QString& id : std::as_const(grants)) {
            const auto g = m_store->grant(id);
            if (!g || g->status != GrantStatus::Active) {
                m_snapshot.endGrant(id);
                m_activeGrants.remove(id);
            }
        }
        if (lockouts) {
            for (const auto& l : m_store->lockouts()) {
                if (l.active)
                    m_snapshot.setLockout(l.principal, true, l.notBeforeMs);
                m_lockouts.insert(l.principal, l);
            }
        }
        for (const QString& id : std::as_const(grants))
            if (const auto g = m_store->grant(id); g && g->status == GrantStatus::Active)
                m_activeGrants.insert(id, *g);
        if (lockouts)
            for (const auto& l : m_store->lockouts())
                if (!l.active)
                    m_snapshot.setLockout(l.principal, false, l.notBeforeMs);
        QList<Event> applied;
        for (const Event& ev : page)
            if (ev.seq <= head)
                applied << ev;
        m_appliedSeq = applied.last().seq;
        m_snapshot.setAppliedSeq(m_appliedSeq);
        // Published from the event loop: this may run inside a write, and listeners read the store.
        QMetaObject::invokeMethod(
            this, [this, applied] { emit eventsFollowed(applied); }, Qt::QueuedConnection);
    }
    return Ok {};
}

QString Engine::newId(const char* prefix) const
{
    // Time-ordered so ids sort by creation, with 80 random bits against guessing.
    const QByteArray t = QByteArray::number(Clock::now(), 36).rightJustified(9, '0');
    return QString::fromLatin1(prefix) + QLatin1Char('_') + QString::fromLatin1(t)
        + QString::fromLatin1(crypto::randomBytes(10).toHex());
}

bool Engine::lockedOut(const QString& id) const
{
    const auto it = m_lockouts.constFind(id);
    return it != m_lockouts.cend() && it->active;
}

bool Engine::isLockedOut(const QString& principalId) const
{
    return lockedOut(principalId);
}

EngineCounters Engine::counters() const
{
    EngineCounters c = m_counters;
    const qint64 elsewhere = m_snapshot.answered();
    c.introspections += elsewhere;
    c.introspectionsActive += elsewhere;
    return c;
}

template <typename T> Result<T> Engine::write(const std::function<Result<T>()>& body)
{
    Q_ASSERT(!m_inWrite);
    m_inWrite = true;
    m_txEvents.clear();
    m_afterCommit.clear();
    m_onAbort.clear();
    if (m_holdingHead) {
        m_holdingHead = false; // the transaction holdHead() opened, already level with the store
    } else if (const Status b = m_store->begin(); !b) {
        m_inWrite = false;
        return b.error();
    } else if (m_shared && m_store->lastSeq() > m_appliedSeq) {
        // Another broker committed since this one last looked: its changes are applied (the head is locked
        // now, so nothing more can come before this write), but what the caller decided on was read before.
        const Status f = applyCommitted(m_store->lastSeq());
        m_store->rollback();
        m_inWrite = false;
        return f ? makeError(ErrorCode::Conflict, QString::fromLatin1(kStoreMovedOn)) : f.error();
    }
    const auto abort = [this] {
        m_inWrite = false;
        m_txEvents.clear();
        m_afterCommit.clear();
        const auto undo = std::move(m_onAbort);
        m_onAbort.clear();
        for (auto it = undo.rbegin(); it != undo.rend(); ++it)
            (*it)();
    };
    Result<T> r = body();
    if (!r.ok()) {
        m_store->rollback();
        abort();
        return r;
    }
    if (const Status c = m_store->commit(); !c) {
        abort();
        return c.error();
    }
    m_onAbort.clear();
    m_inWrite = false;
    // Durable now: update the in-memory views, then tell the world.
    for (auto& f : m_afterCommit)
        f();
    m_afterCommit.clear();
    const QList<Event> published = std::move(m_txEvents);
    m_txEvents.clear();
    if (!published.isEmpty()) {
        m_appliedSeq = published.last().seq;
        m_snapshot.setAppliedSeq(m_appliedSeq);
        emit eventsAppended(published);
        // The decision is durable and answered whatever happens here; a failed cut is retried by the timer.
        if (const Status c
            = m_cutCheckpoints && m_exclusiveWork ? m_log->afterAppend(Clock::now()) : Status(Ok {});
            !c)
            qWarning("checkpoint: %s", qPrintable(c.error().message));
    }
    return r;
}

Result<Event> Engine::appendEvent(
    const QString& type, const QString& actor, const QString& subject, const QJsonObject& body)
{
    auto e = m_store->append(type, actor, subject, body, Clock::now());
    if (e)
        m_txEvents.append(e.value());
    return e;
}

const Principal* Engine::authenticate(const QByteArray& apiKey)
{
    if (!apiKey.startsWith("lapse_") || apiKey.size() > 128)
        return nullptr;
    const QByteArray hash = crypto::sha256Hex(apiKey);
    auto it = m_apiKeys.constFind(hash);
    QString principal;
    if (it != m_apiKeys.cend()) {
        principal = *it;
    } else {
        // Keys may be created by another process (lapse-broker keys create) while we run.
        principal = m_store->principalForApiKey(hash);
        if (principal.isEmpty())
            return nullptr;
        m_apiKeys.insert(hash, principal);
        m_snapshot.putApiKey(hash, principal);
    }
    return m_directory.principal(principal);
}

Result<QByteArray> Engine::createApiKey(const QString& principalId, const QString& label)
{
    if (const Status s = Policy::checkOneLine(label, QStringLiteral("label"), 200); !s)
        return s.error();
    if (!m_directory.principal(principalId))
        return notFound(QStringLiteral("principal"), principalId);
    const QByteArray key = "lapse_" + crypto::base64UrlEncode(crypto::randomBytes(32));
    const QByteArray hash = crypto::sha256Hex(key);
    auto r = write<QByteArray>([&]() -> Result<QByteArray> {
        if (const Status s = m_store->putApiKey(hash, principalId, Clock::now(), label); !s)
            return s.error();
        // The event names the principal and a fingerprint, never the key.
        auto e = appendEvent(QStringLiteral("apikey.created"), QStringLiteral("admin"), principalId,
            QJsonObject {{"principal", principalId}, {"fingerprint", QString::fromLatin1(hash.left(12))},
                {"label", label}});
        if (!e)
            return e.error();
        return key;
    });
    return r;
}

// ---------------------------------------------------------------- requests

Result<Decision> Engine::submitRequest(const Principal& actor, const RequestInput& in)
{
    const Target* target = m_directory.target(in.target);
    if (const Status s = Policy::checkRequest(actor, target, in, lockedOut(actor.id)); !s) {
        ++m_counters.requestsRejected;
        return s.error();
    }
    const qint64 now = Clock::now();
    AccessRequest r;
    r.id = newId("req");
    r.requester = actor.id;
    r.target = target->id;
    r.privileges = in.privileges;
    r.minPrivileges = in.minPrivileges;
    r.task = in.task.trimmed();
    r.reason = in.reason.trimmed();
    r.ticket = in.ticket.trimmed();
    r.ttlSeconds = in.ttlSeconds;
    r.breakGlass = in.breakGlass;
    r.createdMs = now;
    r.expiresMs = now + qint64(target->pendingTimeoutSeconds) * 1000;
    r.approvalsRequired = in.breakGlass ? 0 : target->approvalsRequired;
    // The directory's rules: approve at once, or ask for more approvals than the target does.
    RuleVerdict verdict;
    if (!in.breakGlass && !m_directory.rules().isEmpty()) {
        verdict = Policy::evaluateRules(m_directory.rules(), actor, *target, in, now, lockedOut(actor.id),
            [this, &actor](const Rule& rule, qint64 dayStartMs) {
                return m_store->ruleGrantCount(rule.id, actor.id, rule.target, dayStartMs);
            });
        r.approvalsRequired = verdict.approvalsRequired;
        if (const Rule* decided = verdict.approvedBy ? verdict.approvedBy : verdict.raisedBy) {
            r.rule = decided->id;
            r.ruleDigest = decided->digest;
        }
    }
    auto result = write<Decision>([&]() -> Result<Decision> {
        if (const Status s = m_store->putRequest(r); !s)
            return s.error();
        if (auto e = appendEvent(QStringLiteral("request.created"), actor.id, r.id, r.toJson()); !e)
            return e.error();
        Decision d;
        if (r.breakGlass) {
            // Break-glass is active at once, flagged, capped short, and queued for review after the fact.
            ApprovalOutcome o {r.privileges, qMin(r.ttlSeconds, target->breakGlassMaxTtlSeconds)};
            auto g = activate(r, o, QStringLiteral("break-glass"), now);
            if (!g)
                return g.error();
            d.grant = g.value();
        } else if (verdict.approvedBy) {
            ApprovalOutcome o {r.privileges, verdict.ttlSeconds};
            auto g = activate(r, o, QStringLiteral("rule"), now, verdict.approvedBy);
            if (!g)
                return g.error();
            d.grant = g.value();
        }
        d.request = r;
        return d;
    });
    if (result)
        ++m_counters.requestsCreated;
    return result;
}

Result<Grant> Engine::activate(
    AccessRequest& r, const ApprovalOutcome& outcome, const QString& policy, qint64 now, const Rule* rule)
{
    Grant g;
    g.id = newId("grt");
    g.requestId = r.id;
    g.principal = r.requester;
    g.target = r.target;
    g.privileges = outcome.privileges;
    g.requestedPrivileges = r.privileges;
    g.minPrivileges = r.minPrivileges;
    g.ttlSeconds = outcome.ttlSeconds;
    for (const auto& a : r.approvals)
        g.approvers << a.approver;
    g.policy = policy;
    if (rule) {
        g.rule = rule->id;
        g.ruleDigest = rule->digest;
        r.rule = rule->id;
        r.ruleDigest = rule->digest;
    }
    g.breakGlass = r.breakGlass;
    g.task = r.task;
    g.ticket = r.ticket;
    g.reason = r.reason;
    g.keyId = m_keys->currentKid();
    g.startsMs = now; // the window starts at approval, not at request time
    g.expiresMs = now + qint64(outcome.ttlSeconds) * 1000;
    r.status = RequestStatus::Approved;
    r.decidedMs = now;
    r.decidedBy = rule          ? QStringLiteral("policy:%1").arg(rule->id)
        : r.approvals.isEmpty() ? QStringLiteral("policy:%1").arg(policy)
                                : r.approvals.last().approver;
    r.grantId = g.id;
    if (const Target* t = m_directory.target(g.target);
        t && (t->isPostgresql() || (m_enforcement && m_enforcement->governs(*t)))) {
        // The login on the target is committed there before this grant is: should anything below fail,
        // the login is taken away again and nothing is active.
        if (!m_enforcement || !m_enforcement->governs(*t))
            return makeError(ErrorCode::Unavailable,
                QStringLiteral(
                    "target %1 is enforced on %2, and this broker has no enforcement for it: nothing "
                    "was granted")
                    .arg(t->id, t->kind));
        auto provisioned = m_enforcement->provision(*t, g);
        if (!provisioned)
            return Error {provisioned.error().code,
                QStringLiteral("target %1 could not provision the grant, so nothing was granted: %2")
                    .arg(t->id, provisioned.error().message)};
        g.enforcement = QStringLiteral("provisioned");
        g.enforcementDetail = provisioned.value();
        m_onAbort.push_back([this, target = *t, g] { m_enforcement->abandon(target, g); });
    }
    if (const Status s = m_store->putRequest(r); !s)
        return s.error();
    if (const Status s = m_store->putGrant(g); !s)
        return s.error();
    if (auto e = appendEvent(QStringLiteral("request.approved"), r.decidedBy, r.id, r.toJson()); !e)
        return e.error();
    if (auto e = appendEvent(QStringLiteral("grant.activated"), r.decidedBy, g.id, g.toJson()); !e)
        return e.error();
    m_afterCommit.push_back([this, g] {
        m_activeGrants.insert(g.id, g);
        ++m_counters.grantsIssued;
        m_counters.grantsByRule += g.rule.isEmpty() ? 0 : 1;
    });
    return g;
}

Result<Decision> Engine::approve(const Principal& actor, const QString& requestId, const ApproveInput& in)
{
    if (const Status s = Policy::requireRole(actor, Role::Approver, lockedOut(actor.id)); !s)
        return s.error();
    auto stored = m_store->request(requestId);
    if (!stored)
        return notFound(QStringLiteral("request"), requestId);
    AccessRequest r = *stored;
    const Target* target = m_directory.target(r.target);
    if (!target)
        return conflict(QStringLiteral("target %1 is no longer in the directory").arg(r.target));
    const qint64 now = Clock::now();
    if (r.status == RequestStatus::Pending && now >= r.expiresMs) {
        sweep();
        return conflict(QStringLiteral("request %1 expired unreviewed").arg(r.id));
    }
    if (const Status s = Policy::checkApproval(actor, m_directory.principal(r.requester), r, *target, in); !s)
        return s.error();
    if (lockedOut(r.requester))
        return conflict(QStringLiteral("%1 is locked out; its requests cannot be approved").arg(r.requester));
    Approval a;
    a.approver = actor.id;
    a.privileges = in.privileges.value_or(r.privileges);
    a.ttlSeconds = in.ttlSeconds.value_or(r.ttlSeconds);
    a.comment = in.comment.trimmed();
    a.atMs = now;
    r.approvals.append(a);
    auto outcome = Policy::combine(r, *target);
    if (!outcome)
        return outcome.error();
    return write<Decision>([&]() -> Result<Decision> {
        Decision d;
        if (r.approvals.size() < r.approvalsRequired) {
            if (const Status s = m_store->putRequest(r); !s)
                return s.error();
            if (auto e = appendEvent(QStringLiteral("request.approval_recorded"), actor.id, r.id, r.toJson());
                !e)
                return e.error();
        } else {
            auto g = activate(r, outcome.value(), QStringLiteral("approval"), now);
            if (!g)
                return g.error();
            d.grant = g.value();
        }
        d.request = r;
        return d;
    });
}

Result<AccessRequest> Engine::deny(const Principal& actor, const QString& requestId, const QString& reason)
{
    if (const Status s = Policy::requireRole(actor, Role::Approver, lockedOut(actor.id)); !s)
        return s.error();
    auto stored = m_store->request(requestId);
    if (!stored)
        return notFound(QStringLiteral("request"), requestId);
    AccessRequest r = *stored;
    if (const Status s = Policy::checkDenial(actor, r, reason); !s)
        return s.error();
    r.status = RequestStatus::Denied;
    r.decidedMs = Clock::now();
    r.decidedBy = actor.id;
    r.denyReason = reason.trimmed();
    return write<AccessRequest>([&]() -> Result<AccessRequest> {
        if (const Status s = m_store->putRequest(r); !s)
            return s.error();
        if (auto e = appendEvent(QStringLiteral("request.denied"), actor.id, r.id, r.toJson()); !e)
            return e.error();
        return r;
    });
}

Status Engine::expireRequest(AccessRequest& r, qint64 now)
{
    r.status = RequestStatus::Expired;
    r.decidedMs = now;
    r.decidedBy = QStringLiteral("policy:pending-timeout");
    if (const Status s = m_store->putRequest(r); !s)
        return s;
    if (auto e = appendEvent(QStringLiteral("request.expired"), QStringLiteral("policy"), r.id, r.toJson());
        !e)
        return e.error();
    return Ok {};
}

// ---------------------------------------------------------------- grants

Status Engine::endGrant(Grant& g, GrantStatus status, const QString& actor, const QString& reason, qint64 now,
    QList<Session>* terminated)
{
    g.status = status;
    // An expired grant ended at its expiry, even when the sweep notices a little later.
    g.endedMs = status == GrantStatus::Expired ? qMin(now, g.expiresMs) : now;
    g.endedBy = actor;
    g.endReason = reason;
    if (g.enforcement == QLatin1String("provisioned")) {
        // Lapse's side ends with this commit; the target's side is pending until it is verified there.
        g.enforcement = QStringLiteral("pending");
        g.enforcementDetail = QJsonObject {};
    }
    // Out of the snapshot before the commit: no thread may answer active for it from here on. Should the
    // write roll back, the engine's next active answer puts it back.
    m_snapshot.endGrant(g.id);
    if (const Status s = m_store->putGrant(g); !s)
        return s;
    static const QHash<GrantStatus, QString> kTypes {
        {GrantStatus::Completed, QStringLiteral("grant.completed")},
        {GrantStatus::Revoked, QStringLiteral("grant.revoked")},
        {GrantStatus::Expired, QStringLiteral("grant.expired")}};
    if (auto e = appendEvent(kTypes.value(status), actor, g.id, g.toJson()); !e)
        return e.error();
    // Every open session of the grant is ordered closed, through the event stream resource servers follow.
    SessionFilter open;
    open.grantId = g.id;
    open.state = SessionState::Live;
    for (Session s : m_store->sessions(open)) {
        s.grantEndedMs = g.endedMs;
        s.terminateRequestedMs = now;
        s.terminateReason = QStringLiteral("grant %1 %2").arg(g.id, grantStatusName(status));
        if (const Status w = m_store->putSession(s); !w)
            return w;
        if (auto e = appendEvent(QStringLiteral("session.terminate_requested"), actor, s.id, s.toJson(now));
            !e)
            return e.error();
        if (terminated)
            terminated->append(s);
    }
    m_afterCommit.push_back([this, id = g.id] { m_activeGrants.remove(id); });
    return Ok {};
}

Result<Grant> Engine::revoke(const Principal& actor, const QString& grantId, const QString& reason)
{
    if (const Status s
        = Policy::requireAnyRole(actor, {Role::Approver, Role::Responder, Role::Admin}, lockedOut(actor.id));
        !s)
        return s.error();
    if (reason.trimmed().isEmpty())
        return invalid(QStringLiteral("a reason is required to revoke"));
    if (const Status s = Policy::checkOneLine(reason, QStringLiteral("reason")); !s)
        return s.error();
    auto stored = m_store->grant(grantId);
    if (!stored)
        return notFound(QStringLiteral("grant"), grantId);
    Grant g = *stored;
    if (g.status != GrantStatus::Active)
        return conflict(QStringLiteral("grant %1 is already %2").arg(g.id, grantStatusName(g.status)));
    auto r = write<Grant>([&]() -> Result<Grant> {
        if (const Status s = endGrant(g, GrantStatus::Revoked, actor.id, reason.trimmed(), Clock::now()); !s)
            return s.error();
        return g;
    });
    if (r)
        ++m_counters.revocations;
    return r;
}

Result<Grant> Engine::complete(const Principal& actor, const QString& grantId)
{
    auto stored = m_store->grant(grantId);
    if (!stored)
        return notFound(QStringLiteral("grant"), grantId);
    Grant g = *stored;
    if (lockedOut(actor.id))
        return forbidden(QStringLiteral("%1 is locked out").arg(actor.id));
    if (!Policy::canComplete(actor, m_directory.principal(g.principal), g.principal))
        return forbidden(
            QStringLiteral("only %1 (or its owner) can complete grant %2").arg(g.principal, g.id));
    if (g.status != GrantStatus::Active)
        return conflict(QStringLiteral("grant %1 is already %2").arg(g.id, grantStatusName(g.status)));
    return write<Grant>([&]() -> Result<Grant> {
        if (const Status s
            = endGrant(g, GrantStatus::Completed, actor.id, QStringLiteral("task done"), Clock::now());
            !s)
            return s.error();
        return g;
    });
}

Result<Grant> Engine::review(const Principal& actor, const QString& grantId, const QString& note)
{
    if (const Status s = Policy::requireAnyRole(actor, {Role::Auditor, Role::Admin}, lockedOut(actor.id)); !s)
        return s.error();
    if (const Status s = Policy::checkOneLine(note, QStringLiteral("note")); !s)
        return s.error();
    auto stored = m_store->grant(grantId);
    if (!stored)
        return notFound(QStringLiteral("grant"), grantId);
    Grant g = *stored;
    if (!g.breakGlass)
        return conflict(QStringLiteral("grant %1 is not a break-glass grant").arg(g.id));
    if (g.reviewed)
        return conflict(QStringLiteral("grant %1 was already reviewed").arg(g.id));
    if (g.principal == actor.id)
        return forbidden(QStringLiteral("separation of duties: %1 cannot review their own break-glass access")
                             .arg(actor.id));
    g.reviewed = true;
    return write<Grant>([&]() -> Result<Grant> {
        if (const Status s = m_store->putGrant(g); !s)
            return s.error();
        if (auto e = appendEvent(QStringLiteral("grant.reviewed"), actor.id, g.id,
                QJsonObject {{"grant", g.toJson()}, {"note", note.trimmed()}});
            !e)
            return e.error();
        if (m_activeGrants.contains(g.id))
            m_afterCommit.push_back([this, g] { m_activeGrants.insert(g.id, g); });
        return g;
    });
}

Result<ReviewDecision> Engine::decideReview(const Principal& actor, ReviewDecision d)
{
    if (const Status s = Policy::requireAnyRole(actor, {Role::Approver, Role::Admin}, lockedOut(actor.id));
        !s)
        return s.error();
    const Principal* identity = m_directory.principal(d.identity);
    if (!identity)
        return invalid(QStringLiteral("identity '%1' is not in the directory").arg(d.identity));
    const Target* target = m_directory.target(d.target);
    if (!target)
        return invalid(QStringLiteral("target '%1' is not in the directory").arg(d.target));
    if (actor.id == d.identity)
        return forbidden(
            QStringLiteral("separation of duties: %1 cannot review their own access").arg(actor.id));
    const bool owns = actor.hasRole(Role::Approver)
        && (target->owner == actor.id || (!identity->isHuman() && identity->owner == actor.id));
    if (!owns && !actor.hasRole(Role::Admin))
        return forbidden(
            QStringLiteral("%1 may not decide this review: the owner of %2 (%3)%4 or an admin decides")
                .arg(actor.id, target->id, target->owner.isEmpty() ? QStringLiteral("none") : target->owner,
                    identity->isHuman()
                        ? QString()
                        : QStringLiteral(", the owner of %1 (%2),").arg(identity->id, identity->owner)));
    if (d.privileges.isEmpty())
        return invalid(QStringLiteral("privileges: name the privileges the identity keeps asking for"));
    for (const auto& p : std::as_const(d.privileges))
        if (!target->privileges.contains(p))
            return invalid(QStringLiteral("target %1 has no privilege '%2'").arg(target->id, p));
    if (!ReviewDecision::outcomes().contains(d.outcome))
        return invalid(QStringLiteral("outcome must be one of %1")
                           .arg(ReviewDecision::outcomes().join(QStringLiteral(", "))));
    if (d.comment.trimmed().isEmpty())
        return invalid(QStringLiteral("comment is required: say why"));
    if (const Status s = Policy::checkOneLine(d.comment, QStringLiteral("comment")); !s)
        return s.error();
    const qint64 now = Clock::now();
    if (d.toMs <= 0)
        d.toMs = now;
    if (d.fromMs < 0 || d.fromMs >= d.toMs)
        return invalid(QStringLiteral("the period reviewed must start before it ends"));
    d.comment = d.comment.trimmed();
    d.privileges.sort();
    d.privileges.removeDuplicates();
    d.reviewer = actor.id;
    d.atMs = now;
    // The grants of exactly that set in the period: what the decision was taken on.
    GrantFilter f;
    f.principal = d.identity;
    f.target = d.target;
    f.startsFromMs = d.fromMs;
    f.limit = 1000;
    d.grants = 0;
    for (;;) {
        const QList<Grant> page = m_store->grants(f);
        for (const auto& g : page) {
            QStringList set = g.privileges;
            set.sort();
            d.grants += g.startsMs < d.toMs && set == d.privileges ? 1 : 0;
        }
        if (page.size() < f.limit)
            break;
        f.afterId = page.last().id;
    }
    return write<ReviewDecision>([&]() -> Result<ReviewDecision> {
        auto e = appendEvent(QStringLiteral("review.decided"), actor.id,
            QStringLiteral("%1/%2").arg(d.identity, d.target), d.toJson());
        if (!e)
            return e.error();
        d.seq = e->seq;
        return d;
    });
}

int Engine::sweep()
{
    const qint64 now = Clock::now();
    QList<Grant> due;
    for (const auto& g : std::as_const(m_activeGrants))
        if (now >= g.expiresMs)
            due << g;
    // A pending request past its review deadline expires unreviewed; a failed read leaves it for the next
    // sweep.
    const auto dueRequests = m_store->pendingRequestsDue(now, 1000);
    if (!dueRequests)
        qWarning("sweep: %s", qPrintable(dueRequests.error().message));
    QList<AccessRequest> stale = dueRequests ? dueRequests.value() : QList<AccessRequest>();
    if (due.isEmpty() && stale.isEmpty())
        return 0;
    auto r = write<int>([&]() -> Result<int> {
        for (auto& g : due)
            if (const Status s
                = endGrant(g, GrantStatus::Expired, QStringLiteral("timer"), QStringLiteral("ttl"), now);
                !s)
                return s.error();
        for (auto& req : stale)
            if (const Status s = expireRequest(req, now); !s)
                return s.error();
        return int(due.size() + stale.size());
    });
    return r ? r.value() : 0;
}

// ---------------------------------------------------------------- sessions

Result<Session> Engine::openSession(
    const Principal& actor, const QByteArray& token, const QStringList& privilegesUsed)
{
    if (const Status s = Policy::requireRole(actor, Role::ResourceServer, lockedOut(actor.id)); !s)
        return s.error();
    auto answer = introspect(actor, token);
    if (!answer)
        return answer.error();
    if (!answer->value("active").toBool())
        return invalid(QStringLiteral("the credential is not active: no session can be opened with it"));
    const QString grantId = answer->value("jti").toString();
    const auto git = m_activeGrants.constFind(grantId);
    if (git == m_activeGrants.cend())
        return invalid(QStringLiteral("the credential is not active: no session can be opened with it"));
    for (const auto& p : privilegesUsed)
        if (!git->privileges.contains(p))
            return invalid(QStringLiteral("privilege '%1' is not in the grant").arg(p));
    Session s;
    s.id = newId("ses");
    s.grantId = grantId;
    s.principal = git->principal;
    s.target = git->target;
    s.resourceServer = actor.id;
    s.privilegesUsed = privilegesUsed;
    s.openedMs = Clock::now();
    return write<Session>([&]() -> Result<Session> {
        if (const Status w = m_store->putSession(s); !w)
            return w.error();
        if (auto e = appendEvent(QStringLiteral("session.opened"), actor.id, s.id, s.toJson(s.openedMs)); !e)
            return e.error();
        return s;
    });
}

Result<Session> Engine::endSession(
    const Principal& actor, const QString& sessionId, const QStringList& privilegesUsed)
{
    if (const Status s = Policy::requireRole(actor, Role::ResourceServer, lockedOut(actor.id)); !s)
        return s.error();
    auto stored = m_store->session(sessionId);
    if (!stored)
        return notFound(QStringLiteral("session"), sessionId);
    Session s = *stored;
    if (s.resourceServer != actor.id)
        return forbidden(QStringLiteral("session %1 was opened by %2").arg(s.id, s.resourceServer));
    if (!s.isOpen())
        return conflict(QStringLiteral("session %1 already ended").arg(s.id));
    const auto g = m_store->grant(s.grantId);
    for (const auto& p : privilegesUsed) {
        if (g && !g->privileges.contains(p))
            return invalid(QStringLiteral("privilege '%1' is not in the grant").arg(p));
        if (!s.privilegesUsed.contains(p))
            s.privilegesUsed << p;
    }
    s.endedMs = Clock::now();
    return write<Session>([&]() -> Result<Session> {
        if (const Status w = m_store->putSession(s); !w)
            return w.error();
        QJsonObject body = s.toJson(s.endedMs);
        body["confirms_termination"] = s.terminateRequestedMs != 0;
        if (auto e = appendEvent(QStringLiteral("session.ended"), actor.id, s.id, body); !e)
            return e.error();
        return s;
    });
}

Result<Session> Engine::terminateSession(
    const Principal& actor, const QString& sessionId, const QString& reason)
{
    if (const Status s = Policy::requireAnyRole(actor, {Role::Responder, Role::Admin}, lockedOut(actor.id));
        !s)
        return s.error();
    if (const Status s = Policy::checkOneLine(reason, QStringLiteral("reason")); !s)
        return s.error();
    auto stored = m_store->session(sessionId);
    if (!stored)
        return notFound(QStringLiteral("session"), sessionId);
    Session s = *stored;
    if (!s.isOpen())
        return conflict(QStringLiteral("session %1 already ended").arg(s.id));
    const qint64 now = Clock::now();
    s.terminateRequestedMs = now;
    s.terminateReason
        = reason.trimmed().isEmpty() ? QStringLiteral("terminated by %1").arg(actor.id) : reason.trimmed();
    return write<Session>([&]() -> Result<Session> {
        if (const Status w = m_store->putSession(s); !w)
            return w.error();
        if (auto e
            = appendEvent(QStringLiteral("session.terminate_requested"), actor.id, s.id, s.toJson(now));
            !e)
            return e.error();
        return s;
    });
}

// ---------------------------------------------------------------- enforcement on targets

Result<Session> Engine::recordTargetSession(const Session& seen)
{
    auto g = m_store->grant(seen.grantId);
    if (!g)
        return notFound(QStringLiteral("grant"), seen.grantId);
    Session s = seen;
    s.id = newId("ses");
    s.principal = g->principal;
    s.target = g->target;
    s.resourceServer = QStringLiteral("target:%1").arg(g->target);
    if (!s.openedMs)
        s.openedMs = Clock::now();
    if (g->status != GrantStatus::Active)
        s.grantEndedMs = g->endedMs; // seen after the end: lingering from its first sighting
    return write<Session>([&]() -> Result<Session> {
        if (const Status w = m_store->putSession(s); !w)
            return w.error();
        if (auto e
            = appendEvent(QStringLiteral("session.opened"), s.resourceServer, s.id, s.toJson(s.openedMs));
            !e)
            return e.error();
        return s;
    });
}

Result<QList<Session>> Engine::recordTargetSessionsEnded(
    const QList<std::pair<QString, QString>>& sessionsAndHow, qint64 endedMs)
{
    QList<Session> ended;
    QHash<QString, qint64> grantEnded;
    for (const auto& item : sessionsAndHow) {
        auto stored = m_store->session(item.first);
        if (!stored || !stored->isOpen())
            continue;
        Session s = *stored;
        if (!s.grantEndedMs) {
            if (!grantEnded.contains(s.grantId)) {
                const auto g = m_store->grant(s.grantId);
                grantEnded.insert(s.grantId, g && g->status != GrantStatus::Active ? g->endedMs : 0);
            }
            s.grantEndedMs = grantEnded.value(s.grantId);
        }
        s.endedMs = qMax(endedMs, s.openedMs);
        s.endedHow = item.second;
        ended << s;
    }
    if (ended.isEmpty())
        return ended;
    return write<QList<Session>>([&]() -> Result<QList<Session>> {
        for (const Session& s : std::as_const(ended)) {
            if (const Status w = m_store->putSession(s); !w)
                return w.error();
            QJsonObject body = s.toJson(s.endedMs);
            body["confirms_termination"] = s.terminateRequestedMs != 0;
            if (auto e = appendEvent(QStringLiteral("session.ended"), s.resourceServer, s.id, body); !e)
                return e.error();
        }
        return ended;
    });
}

Result<Grant> Engine::recordEnforcement(
    const QString& grantId, const QString& state, const QJsonObject& detail)
{
    auto stored = m_store->grant(grantId);
    if (!stored)
        return notFound(QStringLiteral("grant"), grantId);
    Grant g = *stored;
    if (g.enforcement.isEmpty())
        return conflict(QStringLiteral("grant %1 is not enforced on a target").arg(g.id));
    if (g.status == GrantStatus::Active)
        return conflict(QStringLiteral("grant %1 is still active").arg(g.id));
    if (g.enforcement == QLatin1String("verified"))
        return conflict(QStringLiteral("grant %1 was already verified").arg(g.id));
    if (state != QLatin1String("pending") && state != QLatin1String("verified"))
        return invalid(QStringLiteral("unknown enforcement state '%1'").arg(state));
    g.enforcement = state;
    g.enforcementDetail = detail;
    const QString type = state == QLatin1String("verified") ? QStringLiteral("revocation.verified")
                                                            : QStringLiteral("enforcement.pending");
    return write<Grant>([&]() -> Result<Grant> {
        if (const Status w = m_store->putGrant(g); !w)
            return w.error();
        if (auto e = appendEvent(type, QStringLiteral("target:%1").arg(g.target), g.id, g.toJson()); !e)
            return e.error();
        return g;
    });
}

// ---------------------------------------------------------------- incident response

Result<LockoutOutcome> Engine::lockout(
    const Principal& actor, const QString& principalId, const QString& reason)
{
    if (const Status s = Policy::requireRole(actor, Role::Responder, lockedOut(actor.id)); !s)
        return s.error();
    if (!m_directory.principal(principalId))
        return notFound(QStringLiteral("principal"), principalId);
    if (principalId == actor.id)
        return invalid(QStringLiteral("%1 cannot lock themselves out").arg(actor.id));
    if (reason.trimmed().isEmpty())
        return invalid(QStringLiteral("a reason is required to lock out"));
    if (const Status s = Policy::checkOneLine(reason, QStringLiteral("reason")); !s)
        return s.error();
    if (lockedOut(principalId))
        return conflict(QStringLiteral("%1 is already locked out").arg(principalId));
    const qint64 now = Clock::now();
    LockoutOutcome out;
    out.lockout.principal = principalId;
    out.lockout.active = true;
    out.lockout.lockedMs = now;
    out.lockout.notBeforeMs = now + 1; // credentials issued up to now are dead for good
    out.lockout.reason = reason.trimmed();
    out.lockout.by = actor.id;
    QList<Grant> holding;
    for (const auto& g : std::as_const(m_activeGrants))
        if (g.principal == principalId)
            holding << g;
    RequestFilter pendingFilter;
    pendingFilter.status = RequestStatus::Pending;
    pendingFilter.requester = principalId;
    pendingFilter.limit = 10000;
    const QList<AccessRequest> pending = m_store->requests(pendingFilter);
    // Open sessions whose grants already ended, read before this lockout ends the others (whose sessions
    // endGrant orders closed itself, and which would otherwise be ordered twice).
    SessionFilter lingeringFilter;
    lingeringFilter.principal = principalId;
    lingeringFilter.state = SessionState::Lingering;
    const QList<Session> lingering = m_store->sessions(lingeringFilter);
    auto r = write<LockoutOutcome>([&]() -> Result<LockoutOutcome> {
        // Before the commit, as for an ending grant; put back below should the write fail.
        m_snapshot.setLockout(principalId, true, out.lockout.notBeforeMs);
        if (const Status s = m_store->putLockout(out.lockout); !s)
            return s.error();
        QJsonObject body {{"principal", principalId}, {"reason", out.lockout.reason},
            {"not_before", Clock::toIso(out.lockout.notBeforeMs)}};
        if (auto e = appendEvent(QStringLiteral("principal.locked_out"), actor.id, principalId, body); !e)
            return e.error();
        const QString why = QStringLiteral("lockout: %1").arg(out.lockout.reason);
        for (Grant g : holding) {
            if (const Status s = endGrant(g, GrantStatus::Revoked, actor.id, why, now, &out.terminated); !s)
                return s.error();
            out.revoked << g;
        }
        // Live sessions whose grants already ended are ordered closed too.
        for (Session s : lingering) {
            s.terminateRequestedMs = now;
            s.terminateReason = why;
            if (const Status w = m_store->putSession(s); !w)
                return w.error();
            if (auto e
                = appendEvent(QStringLiteral("session.terminate_requested"), actor.id, s.id, s.toJson(now));
                !e)
                return e.error();
            out.terminated << s;
        }
        for (AccessRequest req : pending) {
            req.status = RequestStatus::Denied;
            req.decidedMs = now;
            req.decidedBy = QStringLiteral("policy:lockout");
            req.denyReason = why;
            if (const Status s = m_store->putRequest(req); !s)
                return s.error();
            if (auto e = appendEvent(
                    QStringLiteral("request.denied"), QStringLiteral("policy"), req.id, req.toJson());
                !e)
                return e.error();
            out.denied << req;
        }
        m_afterCommit.push_back([this, l = out.lockout] { m_lockouts.insert(l.principal, l); });
        return out;
    });
    if (r) {
        m_counters.revocations += r->revoked.size();
    } else {
        const LockoutRecord before = m_lockouts.value(principalId); // none: inactive, no not-before
        m_snapshot.setLockout(principalId, before.active, before.notBeforeMs);
    }
    return r;
}

Result<LockoutRecord> Engine::unlock(const Principal& actor, const QString& principalId)
{
    if (const Status s = Policy::requireAnyRole(actor, {Role::Responder, Role::Admin}, lockedOut(actor.id));
        !s)
        return s.error();
    if (!m_directory.principal(principalId))
        return notFound(QStringLiteral("principal"), principalId);
    if (!lockedOut(principalId))
        return conflict(QStringLiteral("%1 is not locked out").arg(principalId));
    LockoutRecord l = m_lockouts.value(principalId);
    l.active = false; // notBefore stays: credentials from before the lockout never come back
    return write<LockoutRecord>([&]() -> Result<LockoutRecord> {
        if (const Status s = m_store->putLockout(l); !s)
            return s.error();
        if (auto e = appendEvent(QStringLiteral("principal.unlocked"), actor.id, principalId,
                QJsonObject {{"principal", principalId}});
            !e)
            return e.error();
        m_afterCommit.push_back([this, l] {
            m_lockouts.insert(l.principal, l);
            m_snapshot.setLockout(l.principal, false, l.notBeforeMs); // access comes back only once durable
        });
        return l;
    });
}

Status Engine::rotateSigningKey(const Principal& actor)
{
    if (const Status s = Policy::requireRole(actor, Role::Admin, lockedOut(actor.id)); !s)
        return s;
    const QString old = m_keys->currentKid();
    if (const Status s = m_keys->rotate(Clock::now()); !s)
        return s;
    m_tokens.clear();
    m_snapshot.clearAnswers();
    return write<Ok>([&]() -> Result<Ok> {
        if (auto e = appendEvent(QStringLiteral("keys.rotated"), actor.id, m_keys->currentKid(),
                QJsonObject {{"previous", old}, {"current", m_keys->currentKid()}});
            !e)
            return e.error();
        return Ok {};
    });
}

// ---------------------------------------------------------------- the log as outsiders check it

Result<std::pair<qint64, QByteArray>> Engine::checkpoint(
    const Principal& actor, std::optional<qint64> size) const
{
    if (lockedOut(actor.id))
        return makeError(ErrorCode::Forbidden, QStringLiteral("%1 is locked out").arg(actor.id));
    if (size) {
        const auto note = m_store->checkpoint(*size);
        if (!note)
            return makeError(
                ErrorCode::NotFound, QStringLiteral("no checkpoint was cut at size %1").arg(*size));
        return std::pair {*size, *note};
    }
    const auto latest = m_store->latestCheckpoint();
    if (!latest)
        return makeError(
            ErrorCode::NotFound, QStringLiteral("no checkpoint has been cut yet: the log is empty"));
    return *latest;
}

Result<std::pair<qint64, QByteArray>> Engine::cutCheckpoint(const Principal& actor)
{
    if (const Status s = Policy::requireAnyRole(actor, {Role::Auditor, Role::Admin}, lockedOut(actor.id)); !s)
        return s.error();
    return m_log->cutNow(Clock::now());
}

Result<QByteArray> Engine::inclusionProof(
    const Principal& actor, qint64 seq, std::optional<qint64> size) const
{
    if (const Status s = Policy::requireAnyRole(
            actor, {Role::Auditor, Role::Admin, Role::ResourceServer}, lockedOut(actor.id));
        !s)
        return s.error();
    if (!size) {
        const auto latest = m_store->latestCheckpoint();
        if (!latest)
            return makeError(
                ErrorCode::NotFound, QStringLiteral("no checkpoint has been cut yet: the log is empty"));
        size = latest->first;
    }
    return m_log->inclusionProof(seq, *size);
}

Result<QList<merkle::Hash>> Engine::consistencyProof(const Principal& actor, qint64 from, qint64 to) const
{
    if (const Status s = Policy::requireAnyRole(
            actor, {Role::Auditor, Role::Admin, Role::ResourceServer}, lockedOut(actor.id));
        !s)
        return s.error();
    return m_log->consistencyProof(from, to);
}

Result<std::pair<qint64, QByteArray>> Engine::rotateLogKey(const Principal& actor)
{
    if (const Status s = Policy::requireRole(actor, Role::Admin, lockedOut(actor.id)); !s)
        return s.error();
    const QString previous = m_log->vkey();
    if (const Status s = m_log->key().rotate(); !s)
        return s.error();
    auto recorded = write<Ok>([&]() -> Result<Ok> {
        if (auto e = appendEvent(QStringLiteral("log.key_rotated"), actor.id, m_log->origin(),
                QJsonObject {{"previous", previous}, {"current", m_log->vkey()}});
            !e)
            return e.error();
        return Ok {};
    });
    if (!recorded)
        return recorded.error();
    // Signed by both keys: whoever trusts the previous key learns the current one from this checkpoint.
    return m_log->cutNow(Clock::now(), true);
}

Result<std::pair<QByteArray, Event>> Engine::attestEvidence(
    const Principal& actor, const QByteArray& manifest)
{
    if (const Status s = Policy::requireAnyRole(actor, {Role::Auditor, Role::Admin}, lockedOut(actor.id)); !s)
        return s.error();
    // One line, so what the log key signs here can never be taken for a signed note (a checkpoint).
    if (manifest.contains('\n') || manifest.contains('\r'))
        return invalid(QStringLiteral("an evidence manifest is one line of JSON"));
    QJsonParseError err;
    const QJsonObject m = QJsonDocument::fromJson(manifest, &err).object();
    if (err.error != QJsonParseError::NoError
        || m.value(QLatin1String("format")) != QLatin1String("lapse-evidence-pack/1"))
        return invalid(QStringLiteral("not an evidence manifest (format lapse-evidence-pack/1)"));
    const QJsonObject cp = m.value(QLatin1String("checkpoint")).toObject();
    const qint64 size = cp.value(QLatin1String("size")).toInteger();
    const auto note = m_store->checkpoint(size);
    if (size <= 0 || !note)
        return invalid(
            QStringLiteral("the manifest is anchored to no checkpoint this log kept (size %1)").arg(size));
    const auto parsed = SignedNote::parse(*note);
    const auto body
        = parsed ? CheckpointBody::parse(parsed.value().text) : Result<CheckpointBody>(parsed.error());
    if (!body || cp.value(QLatin1String("origin")).toString() != body.value().origin
        || cp.value(QLatin1String("root")).toString().toLatin1() != body.value().root.toBase64())
        return invalid(
            QStringLiteral("the manifest's checkpoint at %1 is not the one this log kept").arg(size));
    const QByteArray digest = QCryptographicHash::hash(manifest, QCryptographicHash::Sha256).toHex();
    auto recorded = write<Event>([&]() -> Result<Event> {
        return appendEvent(QStringLiteral("evidence.attested"), actor.id, QString::fromLatin1(digest),
            QJsonObject {{"manifest_sha256", QString::fromLatin1(digest)}, {"tree_size", size},
                {"data_digest", m.value(QLatin1String("data_digest")).toString()}});
    });
    if (!recorded)
        return recorded.error();
    return std::pair {m_log->key().sign(manifest), recorded.value()};
}

void Engine::setExclusiveWork(bool mine)
{
    m_exclusiveWork = mine;
    if (mine) {
        sweep();
        cutCheckpointIfDue();
    }
}

void Engine::cutCheckpointIfDue()
{
    if (!m_cutCheckpoints || !m_exclusiveWork)
        return;
    if (const Status c = m_log->cutIfDue(Clock::now()); !c)
        qWarning("checkpoint: %s", qPrintable(c.error().message));
}

// ---------------------------------------------------------------- credentials

QJsonObject Engine::claimsFor(const Grant& g) const
{
    const Principal* p = m_directory.principal(g.principal);
    return QJsonObject {
        {"iss", m_issuer},
        {"sub", p ? p->subject() : g.principal},
        {"aud", g.target},
        {"scope", g.privileges.join(QLatin1Char(' '))},
        {"iat", g.startsMs / 1000},
        {"nbf", g.startsMs / 1000},
        {"exp", g.expiresMs / 1000}, // never later than the grant: offline verifiers stop in time
        {"jti", g.id},
        {"principal", g.principal},
    };
}

const Engine::TokenInfo* Engine::verifiedToken(const QByteArray& token)
{
    auto it = m_tokens.constFind(token);
    if (it != m_tokens.cend())
        return &*it;
    auto v = m_keys->verify(token);
    if (!v)
        return nullptr;
    const QJsonObject& c = v->claims;
    if (c["iss"].toString() != m_issuer || !c["jti"].isString() || !c["exp"].isDouble()
        || !c["iat"].isDouble())
        return nullptr;
    if (m_tokens.size() >= kTokenCacheLimit)
        m_tokens.clear();
    TokenInfo info;
    info.claims = c;
    info.grantId = c["jti"].toString();
    info.expMs = qint64(c["exp"].toDouble()) * 1000;
    info.iatMs = qint64(c["iat"].toDouble()) * 1000;
    return &*m_tokens.insert(token, info);
}

Result<QJsonObject> Engine::introspect(const Principal& actor, const QByteArray& token)
{
    if (const Status s = Policy::requireRole(actor, Role::ResourceServer, lockedOut(actor.id)); !s)
        return s.error();
    ++m_counters.introspections;
    if (token.isEmpty() || token.size() > kMaxTokenBytes)
        return inactive();
    // On a shared store, what other brokers committed counts: an answer that cannot follow it fails closed.
    if (const Status f = followStore(); !f) {
        qWarning("introspection answered inactive: %s", qPrintable(f.error().message));
        return inactive();
    }
    const TokenInfo* t = verifiedToken(token); // forged, foreign, alg:none: never ours, never active
    if (!t)
        return inactive();
    const qint64 now = Clock::now();
    auto git = m_activeGrants.constFind(t->grantId);
    if (git != m_activeGrants.cend() && now >= git->expiresMs) {
        sweep(); // the timer has not run yet: end it now, with its event
        git = m_activeGrants.constFind(t->grantId);
    }
    if (git == m_activeGrants.cend()) {
        // Signed by us but its grant has ended: a post-expiry use attempt, recorded as evidence.
        const auto ended = m_store->grant(t->grantId);
        if (ended) {
            const Grant g = *ended;
            write<Ok>([&]() -> Result<Ok> {
                QJsonObject body {{"grant_id", g.id}, {"principal", g.principal}, {"target", g.target},
                    {"grant_status", grantStatusName(g.status)}, {"grant_ended_at", Clock::toIso(g.endedMs)},
                    {"presented_to", actor.id}, {"after_end_ms", now - g.endedMs}};
                if (auto e = appendEvent(QStringLiteral("credential.used_after_end"), actor.id, g.id, body);
                    !e)
                    return e.error();
                return Ok {};
            });
            ++m_counters.postExpiryUses;
        }
        return inactive();
    }
    const Grant& g = *git;
    const auto lock = m_lockouts.constFind(g.principal);
    // Issue time from the grant, in ms: the token's iat is whole seconds, so a credential issued after an
    // unlock in the lockout's own second would look older than the lockout and never work.
    if (lock != m_lockouts.cend() && (lock->active || g.startsMs < lock->notBeforeMs))
        return inactive();
    // The token must say exactly what the grant says; a re-signed or altered token never matches.
    const QJsonObject expected = claimsFor(g);
    if (t->claims["aud"] != expected["aud"] || t->claims["sub"] != expected["sub"]
        || t->claims["scope"] != expected["scope"] || t->claims["exp"] != expected["exp"])
        return inactive();
    if (now < g.startsMs || now >= t->expMs)
        return inactive();
    if (!actor.servesTarget(g.target))
        return inactive(); // wrong audience for this resource server
    ++m_counters.introspectionsActive;
    QJsonObject out = t->claims;
    out["active"] = true;
    out["token_type"] = QStringLiteral("Bearer");
    out["client_id"] = g.principal;
    out["username"] = g.principal;
    if (!m_snapshot.hasAnswer(token, actor.id)) {
        // Other threads may repeat this answer until the grant ends, a lockout or rotation intervenes, or
        // time runs out; each of those is checked again on every read.
        IntrospectionSnapshot::Answer a;
        a.grantId = g.id;
        a.grantPrincipal = g.principal;
        a.startsMs = g.startsMs;
        a.validUntilMs = qMin(t->expMs, g.expiresMs);
        a.body = QJsonDocument(out).toJson(QJsonDocument::Compact);
        m_snapshot.putAnswer(token, actor.id, a);
    }
    return out;
}

Result<QJsonObject> Engine::credential(const Principal& actor, const QString& requestId)
{
    auto r = m_store->request(requestId);
    if (!r)
        return notFound(QStringLiteral("request"), requestId);
    if (r->requester != actor.id)
        return forbidden(QStringLiteral("only %1 can read this credential").arg(r->requester));
    if (r->status != RequestStatus::Approved)
        return conflict(QStringLiteral("request %1 is %2: there is no credential")
                            .arg(r->id, requestStatusName(r->status)));
    const auto g = m_store->grant(r->grantId);
    if (!g)
        return notFound(QStringLiteral("grant"), r->grantId);
    if (g->status != GrantStatus::Active || lockedOut(actor.id))
        return conflict(
            QStringLiteral("grant %1 is %2: its credential is dead").arg(g->id, grantStatusName(g->status)));
    // Ed25519 is deterministic: re-signing the grant's claims gives the same credential without storing it.
    QJsonObject answer {{"token", QString::fromLatin1(m_keys->sign(claimsFor(*g)))},
        {"expires_at", Clock::toIso(g->expiresMs)}, {"grant_id", g->id},
        {"scope", g->privileges.join(QLatin1Char(' '))}, {"audience", g->target}};
    // An enforced target's own login travels only here, to the requester; it is never stored in the log.
    if (!g->enforcement.isEmpty()) {
        const Target* t = m_directory.target(g->target);
        if (!t || !m_enforcement || !m_enforcement->governs(*t))
            return makeError(ErrorCode::Unavailable,
                QStringLiteral("target %1 is not enforced by this broker: its login cannot be handed out")
                    .arg(g->target));
        auto login = m_enforcement->credentialFor(*t, *g);
        if (!login)
            return login.error();
        answer.insert(QStringLiteral("login"), login.value());
    }
    return answer;
}

QJsonObject Engine::jwks() const
{
    return m_keys->jwks(Clock::now(), qint64(m_directory.longestTtlSeconds()) * 1000 + 60000);
}

// ---------------------------------------------------------------- reads

Result<AccessRequest> Engine::request(const Principal& actor, const QString& id) const
{
    auto r = m_store->request(id);
    if (!r)
        return notFound(QStringLiteral("request"), id);
    if (!Policy::canRead(actor, m_directory.principal(r->requester), r->requester))
        return notFound(QStringLiteral("request"), id); // do not confirm that someone else's id exists
    return *r;
}

namespace
{
// Who reads every request; everyone else reads only their own.
void restrictRequestReads(const Principal& actor, RequestFilter& f)
{
    const bool readsAll = actor.hasRole(Role::Approver) || actor.hasRole(Role::Responder)
        || actor.hasRole(Role::Auditor) || actor.hasRole(Role::Admin);
    if (!readsAll)
        f.requester = actor.id;
}
} // namespace

Result<QList<AccessRequest>> Engine::requests(const Principal& actor, RequestFilter f) const
{
    restrictRequestReads(actor, f);
    return m_store->requests(f);
}

Result<QList<std::pair<QString, QByteArray>>> Engine::requestsJson(
    const Principal& actor, RequestFilter f) const
{
    restrictRequestReads(actor, f);
    return m_store->requestsJson(f);
}

Result<Grant> Engine::grant(const Principal& actor, const QString& id) const
{
    auto g = m_store->grant(id);
    if (!g || !Policy::canRead(actor, m_directory.principal(g->principal), g->principal))
        return notFound(QStringLiteral("grant"), id);
    return *g;
}

Result<QList<Grant>> Engine::grants(const Principal& actor, GrantFilter f) const
{
    const bool readsAll = actor.hasRole(Role::Approver) || actor.hasRole(Role::Responder)
        || actor.hasRole(Role::Auditor) || actor.hasRole(Role::Admin);
    if (!readsAll)
        f.principal = actor.id;
    return m_store->grants(f);
}

Result<QList<Session>> Engine::sessions(const Principal& actor, const SessionFilter& f) const
{
    if (const Status s = Policy::requireAnyRole(actor,
            {Role::Approver, Role::Responder, Role::Auditor, Role::Admin, Role::ResourceServer}, false);
        !s)
        return s.error();
    return m_store->sessions(f);
}

Result<RequesterContext> Engine::requesterContext(const Principal& actor, const QString& requestId) const
{
    if (const Status s
        = Policy::requireAnyRole(actor, {Role::Approver, Role::Responder, Role::Auditor, Role::Admin}, false);
        !s)
        return s.error();
    auto r = m_store->request(requestId);
    if (!r)
        return notFound(QStringLiteral("request"), requestId);
    RequesterContext c;
    c.elevations30d = m_store->grantCountSince(r->requester, r->target, Clock::now() - 30 * kDayMs);
    c.lockedOut = lockedOut(r->requester);
    GrantFilter mine;
    mine.principal = r->requester;
    mine.target = r->target;
    mine.limit = 10000;
    const QList<Grant> onTarget = m_store->grants(mine);
    for (const auto& g : onTarget)
        if (g.requestId != r->id && (!c.lastGrant || g.startsMs > c.lastGrant->startsMs))
            c.lastGrant = g;
    if (c.lastGrant) {
        SessionFilter used;
        used.grantId = c.lastGrant->id;
        used.limit = 1;
        c.lastGrantUsed = !m_store->sessions(used).isEmpty();
    }
    for (const auto& g : std::as_const(m_activeGrants))
        if (g.principal == r->requester)
            c.activeGrants << g;
    return c;
}

Result<QList<Event>> Engine::events(const Principal& actor, qint64 afterSeq, int limit) const
{
    if (const Status s = Policy::requireAnyRole(actor,
            {Role::Approver, Role::Responder, Role::Auditor, Role::Admin, Role::ResourceServer},
            lockedOut(actor.id));
        !s)
        return s.error();
    return m_store->events(afterSeq, limit);
}

QList<LockoutRecord> Engine::lockouts() const
{
    return m_lockouts.values();
}

Status Engine::appendBatch(const QList<NewEvent>& events)
{
    // Serialising the bodies is the costliest part and independent per event: half of it runs beside the
    // chain, which stays strictly in order on this thread.
    QList<QByteArray> bodies(events.size());
    auto serialise = [&events, &bodies](qsizetype from, qsizetype to) {
        for (qsizetype i = from; i < to; ++i)
            bodies[i] = QJsonDocument(std::get<3>(events[i])).toJson(QJsonDocument::Compact);
    };
    const qsizetype half = events.size() >= 256 ? events.size() / 2 : 0;
    QFuture<void> second = QtConcurrent::run(serialise, half, events.size());
    serialise(0, half);
    second.waitForFinished();
    auto r = write<Ok>([&]() -> Result<Ok> {
        auto appended = m_store->appendMany(events, bodies, Clock::now());
        if (!appended)
            return appended.error();
        m_txEvents.append(std::move(appended).value());
        return Ok {};
    });
    return r ? Status(Ok {}) : Status(r.error());
}

} // namespace lapse
