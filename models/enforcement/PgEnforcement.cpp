// Enforcement on PostgreSQL targets: provisioning on the engine's thread (the approval waits for it), the
// rest on one worker thread per target, every outcome recorded through the engine.
#include "PgEnforcement.h"

#include "core/Clock.h"
#include "engine/Crypto.h"

#include <QJsonArray>
#include <functional>

namespace lapse
{

namespace
{
QString sessionKey(int pid, qint64 startMs)
{
    return QStringLiteral("%1:%2").arg(pid).arg(startMs);
}
QString roleFor(const QString& grantId)
{
    return QStringLiteral("lapse_") + grantId.toLower();
}
} // namespace

PgEnforcement::PgEnforcement(Engine& engine, EnforcementOptions options)
    : m_engine(engine)
    , m_options(options)
    , m_vault(engine.dataDir() + QStringLiteral("/enforcement"))
{
}

PgEnforcement::~PgEnforcement()
{
    if (m_engine.enforcement() == this)
        m_engine.setEnforcement(nullptr);
    for (const auto& rt : std::as_const(m_targets)) {
        if (!rt->thread)
            continue;
        TargetWorker* w = rt->worker;
        QMetaObject::invokeMethod(
            w, [w] { w->stop(); }, Qt::BlockingQueuedConnection);
        rt->thread->quit();
        rt->thread->wait();
        delete w;
    }
}

Result<std::unique_ptr<PgEnforcement>> PgEnforcement::attach(Engine& engine, EnforcementOptions options)
{
    bool any = false;
    for (const auto& t : engine.directory().targets())
        any = any || t.isPostgresql();
    if (!any)
        return std::unique_ptr<PgEnforcement>();
    std::unique_ptr<PgEnforcement> e(new PgEnforcement(engine, options));
    if (const Status s = e->start(); !s)
        return s.error();
    return e;
}

Status PgEnforcement::start()
{
    for (const auto& t : m_engine.directory().targets()) {
        if (!t.isPostgresql())
            continue;
        auto rt = std::make_shared<Runtime>();
        rt->target = t;
        rt->provisioner = std::make_unique<PgTarget>(t);
        // A target that answers must hold every role its catalogue names: a grant of a missing one would
        // fail at approval, or worse, mean something else tomorrow.
        if (auto missing = rt->provisioner->missingCatalogueRoles(); missing && !missing->isEmpty())
            return makeError(ErrorCode::Invalid,
                QStringLiteral("target %1: the catalogue names role(s) %2, which do not exist in PostgreSQL "
                               "database %3; create them (NOLOGIN, with their GRANTs) or fix the catalogue")
                    .arg(t.id, missing->join(QStringLiteral(", ")), t.connection.database));
        else if (!missing) {
            rt->lastError = missing.error().message;
            qWarning("enforcement: %s (retrying)", qPrintable(missing.error().message));
        }
        const QString id = t.id;
        QPointer<PgEnforcement> self(this);
        TargetWorker::Callbacks cb;
        // The worker's reports run here, on the engine's thread, and only while this object exists.
        const auto here = [self](std::function<void(PgEnforcement&)> f) {
            QMetaObject::invokeMethod(
                self.data(),
                [self, f] {
                    if (self)
                        f(*self);
                },
                Qt::QueuedConnection);
        };
        cb.scanned = [here, id](const QList<PgBackend>& b, qint64 at) {
            here([id, b, at](PgEnforcement& e) { e.onScanned(id, b, at); });
        };
        cb.unreachable = [here, id](const QString& error) {
            here([id, error](PgEnforcement& e) { e.onUnreachable(id, error); });
        };
        cb.ended = [here, id](const EndOutcome& o) { here([id, o](PgEnforcement& e) { e.onEnded(id, o); }); };
        rt->thread = std::make_unique<QThread>();
        rt->thread->setObjectName(QStringLiteral("enforce:%1").arg(id));
        rt->worker = new TargetWorker(t, std::move(cb), m_options.scanIntervalMs);
        rt->worker->moveToThread(rt->thread.get());
        rt->thread->start();
        TargetWorker* w = rt->worker;
        QMetaObject::invokeMethod(
            w, [w] { w->start(); }, Qt::QueuedConnection);
        m_targets.insert(id, rt);
    }

    QStringList errors;
    for (const TargetLogin& login : m_vault.all(&errors)) {
        const auto g = m_engine.store().grant(login.grantId);
        if (!g) {
            // Made on the target, never committed here (a crash between the two): taken away again.
            scheduleEnd(login, true);
            continue;
        }
        if (g->enforcement == QLatin1String("verified")) {
            m_vault.remove(login.grantId);
            continue;
        }
        // Its login is watched again, continuing the sessions recorded as open; one that ended while the
        // broker was down (or before the target confirmed it) has its end done now.
        m_logins.insert(login.grantId, login);
        SessionFilter f;
        f.grantId = g->id;
        f.limit = 100000;
        if (Runtime* rt = runtime(login.target))
            for (const Session& s : m_engine.store().sessions(f))
                if (s.isOpen() && s.backendPid)
                    rt->openSessions.insert(sessionKey(s.backendPid, s.backendStartMs), s.id);
        if (g->status != GrantStatus::Active)
            scheduleEnd(login, false);
    }
    for (const auto& e : std::as_const(errors))
        qWarning("enforcement: %s", qPrintable(e));
    for (auto it = m_targets.cbegin(); it != m_targets.cend(); ++it)
        updateWatch(it.key());

    connect(&m_engine, &Engine::eventsAppended, this, &PgEnforcement::onEvents);
    m_retryTimer.setInterval(250);
    connect(&m_retryTimer, &QTimer::timeout, this, &PgEnforcement::dispatchDue);
    m_retryTimer.start();
    m_engine.setEnforcement(this);
    dispatchDue();
    return Ok {};
}

PgEnforcement::Runtime* PgEnforcement::runtime(const QString& target)
{
    const auto it = m_targets.constFind(target);
    return it == m_targets.cend() ? nullptr : it->get();
}

template <typename F> void PgEnforcement::onWorker(Runtime& rt, F f)
{
    TargetWorker* w = rt.worker;
    QMetaObject::invokeMethod(
        w, [w, f] { f(*w); }, Qt::QueuedConnection);
}

bool PgEnforcement::governs(const Target& target) const
{
    return target.isPostgresql() && m_targets.contains(target.id);
}

void PgEnforcement::updateWatch(const QString& target)
{
    Runtime* rt = runtime(target);
    if (!rt)
        return;
    QStringList roles;
    for (const auto& l : std::as_const(m_logins))
        if (l.target == target)
            roles << l.role;
    roles.sort();
    onWorker(*rt, [roles](TargetWorker& w) {
        w.watch(roles);
        w.scanNow();
    });
}

Result<QJsonObject> PgEnforcement::provision(const Target& target, const Grant& grant)
{
    Runtime* rt = runtime(target.id);
    if (!rt)
        return makeError(
            ErrorCode::Unavailable, QStringLiteral("target %1 is not enforced here").arg(target.id));
    TargetLogin login;
    login.grantId = grant.id;
    login.target = target.id;
    login.role = roleFor(grant.id);
    login.password = crypto::base64UrlEncode(crypto::randomBytes(24));
    for (const auto& p : grant.privileges) {
        const QString role = target.catalogue.value(p);
        if (role.isEmpty())
            return makeError(ErrorCode::Invalid,
                QStringLiteral("privilege '%1' has no role in the catalogue of %2").arg(p, target.id));
        if (!login.groups.contains(role))
            login.groups << role;
    }
    if (const Status s = m_vault.put(login); !s)
        return s.error();
    const Status made = rt->provisioner->createLogin(
        login.role, login.password, grant.expiresMs, target.connectionLimit, login.groups);
    if (!made) {
        m_vault.remove(login.grantId);
        if (made.error().code == ErrorCode::Unavailable) {
            rt->provisioner->disconnect();
            rt->lastError = made.error().message;
        }
        return made.error();
    }
    rt->lastError.clear();
    m_logins.insert(grant.id, login);
    updateWatch(target.id);
    emit changed();
    return QJsonObject {{"target_roles", QJsonArray::fromStringList(login.groups)},
        {"valid_until", Clock::toIso(grant.expiresMs)}, {"connection_limit", target.connectionLimit},
        {"provisioned_at", Clock::toIso(Clock::now())}};
}

void PgEnforcement::abandon(const Target& target, const Grant& grant)
{
    Q_UNUSED(target);
    const auto it = m_logins.constFind(grant.id);
    if (it == m_logins.cend())
        return;
    const TargetLogin login = *it;
    scheduleEnd(login, true);
}

Result<QJsonObject> PgEnforcement::credentialFor(const Target& target, const Grant& grant)
{
    const Runtime* rt = runtime(target.id);
    const auto it = m_logins.constFind(grant.id);
    if (!rt || it == m_logins.cend() || m_ending.contains(grant.id))
        return makeError(
            ErrorCode::Conflict, QStringLiteral("grant %1 holds no login on %2").arg(grant.id, target.id));
    const PgConnection& c = target.connection;
    return QJsonObject {{"kind", QStringLiteral("postgresql")}, {"user", it->role},
        {"password", QString::fromUtf8(it->password)}, {"host", c.host}, {"port", c.port},
        {"database", c.database}, {"conninfo", rt->provisioner->connectionString(it->role, it->password)}};
}

void PgEnforcement::onEvents(const QList<Event>& events)
{
    for (const Event& e : events) {
        if (e.type == QLatin1String("grant.revoked") || e.type == QLatin1String("grant.completed")
            || e.type == QLatin1String("grant.expired")) {
            const auto it = m_logins.constFind(e.subject);
            if (it != m_logins.cend() && !m_ending.contains(e.subject))
                scheduleEnd(*it, false);
        } else if (e.type == QLatin1String("session.terminate_requested")) {
            const Session s = Session::fromJson(e.bodyJson());
            Runtime* rt = runtime(s.target);
            const auto login = m_logins.constFind(s.grantId);
            if (!rt || !s.backendPid || login == m_logins.cend())
                continue;
            PgBackend b;
            b.pid = s.backendPid;
            b.backendStartMs = s.backendStartMs;
            b.role = login->role;
            onWorker(*rt, [b](TargetWorker& w) { w.terminateBackend(b); });
        }
    }
}

void PgEnforcement::onScanned(const QString& target, const QList<PgBackend>& backends, qint64 atMs)
{
    Runtime* rt = runtime(target);
    if (!rt)
        return;
    rt->lastError.clear();
    QHash<QString, QString> roleToGrant;
    for (const auto& l : std::as_const(m_logins))
        if (l.target == target)
            roleToGrant.insert(l.role, l.grantId);
    QSet<QString> seen;
    bool changedAny = false;
    for (const PgBackend& b : backends) {
        const QString key = sessionKey(b.pid, b.backendStartMs);
        seen.insert(key);
        if (rt->openSessions.contains(key) || !roleToGrant.contains(b.role))
            continue;
        Session s;
        s.grantId = roleToGrant.value(b.role);
        s.backendPid = b.pid;
        s.clientAddr = b.clientAddr;
        s.applicationName = b.applicationName;
        s.backendStartMs = b.backendStartMs;
        s.openedMs = b.backendStartMs ? b.backendStartMs : atMs;
        auto recorded = m_engine.recordTargetSession(s);
        if (!recorded) {
            qWarning("enforcement: %s", qPrintable(recorded.error().message));
            continue;
        }
        rt->openSessions.insert(key, recorded->id);
        changedAny = true;
    }
    // Every session whose backend is gone ends in one transaction; a failed write is tried on the next scan.
    QList<std::pair<QString, QString>> gone;
    QStringList goneKeys;
    for (auto it = rt->openSessions.cbegin(); it != rt->openSessions.cend(); ++it) {
        if (seen.contains(it.key()))
            continue;
        const auto stored = m_engine.store().session(it.value());
        gone.append({it.value(),
            stored && stored->terminateRequestedMs ? QStringLiteral("terminated")
                                                   : QStringLiteral("disconnected")});
        goneKeys << it.key();
    }
    if (!gone.isEmpty()) {
        if (auto ended = m_engine.recordTargetSessionsEnded(gone, atMs); !ended) {
            qWarning("enforcement: %s", qPrintable(ended.error().message));
        } else {
            for (const QString& k : std::as_const(goneKeys))
                rt->openSessions.remove(k);
            changedAny = true;
        }
    }
    if (changedAny)
        emit changed();
}

void PgEnforcement::onUnreachable(const QString& target, const QString& error)
{
    if (Runtime* rt = runtime(target); rt && rt->lastError != error) {
        rt->lastError = error;
        qWarning("enforcement: %s", qPrintable(error));
        emit changed();
    }
}

void PgEnforcement::scheduleEnd(const TargetLogin& login, bool abandoned)
{
    PendingEnd& p = m_ending[login.grantId];
    p.login = login;
    p.abandoned = abandoned;
    p.nextTryMs = 0;
    dispatchDue();
}

void PgEnforcement::dispatchDue()
{
    const qint64 now = Clock::now();
    for (auto it = m_ending.begin(); it != m_ending.end(); ++it) {
        PendingEnd& p = it.value();
        if (p.inFlight || p.nextTryMs > now)
            continue;
        Runtime* rt = runtime(p.login.target);
        if (!rt)
            continue; // the target left the directory: kept, and reported as pending
        p.inFlight = true;
        ++p.attempts;
        const TargetLogin login = p.login;
        onWorker(*rt, [login](TargetWorker& w) { w.end(login); });
    }
}

void PgEnforcement::onEnded(const QString& target, const EndOutcome& o)
{
    const auto it = m_ending.find(o.grantId);
    if (it == m_ending.end())
        return;
    PendingEnd& p = it.value();
    p.inFlight = false;
    if (o.verified && p.abandoned) {
        m_vault.remove(o.grantId);
        m_logins.remove(o.grantId);
        m_ending.erase(it);
        updateWatch(target);
        return;
    }
    if (o.verified) {
        const auto g = m_engine.store().grant(o.grantId);
        const qint64 endedMs = g ? g->endedMs : 0;
        // "3 of 3 sessions gone": the grant's target sessions open when it ended, and how many of them are
        // closed now by what PostgreSQL showed.
        int atEnd = 0, gone = 0;
        SessionFilter f;
        f.grantId = o.grantId;
        f.limit = 100000;
        for (const Session& s : m_engine.store().sessions(f)) {
            if (!s.backendPid || (s.endedMs && s.endedMs <= endedMs))
                continue;
            ++atEnd;
            if (!s.isOpen())
                ++gone;
        }
        const QJsonObject detail {{"ended_at", Clock::toIso(endedMs)},
            {"login_disabled_at", Clock::toIso(o.loginDisabledMs)},
            {"last_backend_gone_at", Clock::toIso(o.lastBackendGoneMs)},
            {"login_refused_at", Clock::toIso(o.loginRefusedMs)}, {"refusal", o.refusal},
            {"role", o.roleOutcome}, {"backends_terminated", o.backendsTerminated},
            {"sessions_at_end", atEnd}, {"sessions_gone", gone},
            {"lag_ms", endedMs ? o.loginRefusedMs - endedMs : 0}, {"attempts", p.attempts}};
        auto recorded = m_engine.recordEnforcement(o.grantId, QStringLiteral("verified"), detail);
        if (!recorded && recorded.error().code != ErrorCode::Conflict) {
            // The target is done; the log is not. Verified again (idempotent) and recorded on the next try.
            qWarning("enforcement: %s", qPrintable(recorded.error().message));
            p.nextTryMs = Clock::now() + m_options.retryBaseMs;
            return;
        }
        ++m_verified;
        m_vault.remove(o.grantId);
        m_logins.remove(o.grantId);
        m_ending.erase(it);
        updateWatch(target);
        emit changed();
        return;
    }
    // Not confirmed: retried with backoff until it is; the first failure (and each new reason) is recorded.
    const int shift = qMin(p.attempts - 1, 16);
    const qint64 delay = qMin<qint64>(qint64(m_options.retryBaseMs) << shift, m_options.retryMaxMs);
    p.nextTryMs = Clock::now() + delay;
    if (Runtime* rt = runtime(target))
        rt->lastError = o.error;
    if (!p.abandoned && o.error != p.recordedError) {
        const QJsonObject detail {
            {"error", o.error}, {"attempts", p.attempts}, {"next_attempt_at", Clock::toIso(p.nextTryMs)}};
        if (m_engine.recordEnforcement(o.grantId, QStringLiteral("pending"), detail))
            p.recordedError = o.error;
    }
    emit changed();
}

EnforcementSummary PgEnforcement::summary() const
{
    EnforcementSummary s;
    for (auto it = m_ending.cbegin(); it != m_ending.cend(); ++it)
        if (!it->abandoned)
            ++s.pending;
    s.provisioned = int(m_logins.size()) - s.pending;
    s.verified = m_verified;
    for (auto it = m_targets.cbegin(); it != m_targets.cend(); ++it)
        if (!(*it)->lastError.isEmpty())
            s.unreachable << QStringLiteral("%1: %2").arg(it.key(), (*it)->lastError);
    return s;
}

} // namespace lapse
