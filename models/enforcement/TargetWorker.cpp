// Ending a grant's login in the only safe order: no new logins, then no backends, then no role; then a login
// with the credential must be refused.
#include "TargetWorker.h"

#include "core/Clock.h"

#include <QElapsedTimer>
#include <QHash>
#include <QThread>

namespace lapse
{

namespace
{
// How long one end attempt keeps terminating backends that reappear or linger before it reports failure and
// lets the owner retry.
constexpr int kTerminateBudgetMs = 10000;
constexpr int kTerminateTimeoutMs = 1000; // a single terminate from the console waits this long for the exit
constexpr int kResignalMs = 1000;
constexpr int kPollMs = 5;
} // namespace

TargetWorker::TargetWorker(Target target, Callbacks callbacks, int scanIntervalMs)
    : m_pg(std::move(target))
    , m_callbacks(std::move(callbacks))
    , m_scanIntervalMs(scanIntervalMs)
{
}

void TargetWorker::start()
{
    m_timer = std::make_unique<QTimer>();
    m_timer->setInterval(m_scanIntervalMs);
    connect(m_timer.get(), &QTimer::timeout, this, &TargetWorker::scanNow);
    m_timer->start();
}

void TargetWorker::stop()
{
    m_timer.reset();
    m_pg.disconnect();
}

void TargetWorker::watch(const QStringList& roles)
{
    m_roles = roles;
}

void TargetWorker::scanNow()
{
    if (m_roles.isEmpty()) {
        m_callbacks.scanned({}, Clock::now());
        return;
    }
    auto b = m_pg.backends(m_roles);
    if (!b) {
        m_pg.disconnect(); // the next scan connects afresh
        m_callbacks.unreachable(b.error().message);
        return;
    }
    m_callbacks.scanned(b.value(), Clock::now());
}

void TargetWorker::terminateBackend(const PgBackend& backend)
{
    if (auto t = m_pg.terminate(backend, kTerminateTimeoutMs); !t)
        m_callbacks.unreachable(t.error().message);
    scanNow(); // the session ends when PostgreSQL no longer shows it
}

void TargetWorker::dropAbandoned(const TargetLogin& login)
{
    if (auto d = m_pg.dropLogin(login.role, login.groups); !d)
        m_callbacks.unreachable(d.error().message);
}

void TargetWorker::end(const TargetLogin& login)
{
    const EndOutcome o = endLogin(login);
    scanNow(); // the sessions' ends are recorded before the verdict
    m_callbacks.ended(o);
}

EndOutcome TargetWorker::endLogin(const TargetLogin& login)
{
    EndOutcome o;
    o.grantId = login.grantId;
    const auto fail = [&](const Error& e) {
        o.error = e.message;
        m_pg.disconnect();
        return o;
    };
    // 1. No new logins, committed before anything else: a backend terminated below cannot come back.
    auto state = m_pg.roleState(login.role);
    if (!state)
        return fail(state.error());
    if (state->first)
        if (const Status s = m_pg.disableLogin(login.role); !s)
            return fail(s.error());
    o.loginDisabledMs = Clock::now();
    // 2. Every backend of the role, re-scanned until none is left (one that was still authenticating shows
    // up on a later pass).
    // Every backend is signalled at once (no wait per backend: pg_terminate_backend's own wait polls every
    // 100 ms, 5 s for 50 backends), then pg_stat_activity is polled until none is left; one that outlives a
    // second is signalled again.
    QElapsedTimer budget;
    budget.start();
    QHash<QString, qint64> signalled; // "pid:start" -> when
    for (;;) {
        auto left = m_pg.backends({login.role});
        if (!left)
            return fail(left.error());
        if (left->isEmpty())
            break;
        if (budget.elapsed() > kTerminateBudgetMs)
            return fail(makeError(ErrorCode::Unavailable,
                QStringLiteral("%1 backend(s) of the login still running after %2 s of terminating")
                    .arg(left->size())
                    .arg(kTerminateBudgetMs / 1000)));
        bool due = false;
        for (const auto& b : left.value()) {
            const QString key = QStringLiteral("%1:%2").arg(b.pid).arg(b.backendStartMs);
            const auto at = signalled.constFind(key);
            if (at == signalled.cend()) {
                ++o.backendsTerminated;
                signalled.insert(key, budget.elapsed());
                due = true;
            } else if (budget.elapsed() - *at >= kResignalMs) {
                signalled.insert(key, budget.elapsed());
                due = true;
            }
        }
        if (due)
            if (auto t = m_pg.terminateAll(login.role); !t)
                return fail(t.error());
        QThread::msleep(kPollMs);
    }
    o.lastBackendGoneMs = Clock::now();
    // 3. The role goes, or stays disabled and a member of nothing when it owns objects.
    auto dropped = m_pg.dropLogin(login.role, login.groups);
    if (!dropped)
        return fail(dropped.error());
    o.roleOutcome = dropped.value();
    // 4. Verify: a login with the credential is refused, and the catalogue agrees the role cannot log in (so
    // the refusal is the login's, not a network's).
    const PgLoginAttempt attempt = m_pg.tryLogin(login.role, login.password);
    const qint64 attemptedMs = Clock::now();
    if (!attempt.refused)
        return fail(makeError(ErrorCode::Conflict,
            QStringLiteral("a login with the ended grant's credential was not refused: %1")
                .arg(attempt.message)));
    auto after = m_pg.roleState(login.role);
    if (!after)
        return fail(after.error());
    if (after->second)
        return fail(
            makeError(ErrorCode::Conflict, QStringLiteral("the login can still log in (rolcanlogin)")));
    o.loginRefusedMs = attemptedMs;
    o.refusal = attempt.message;
    o.verified = true;
    return o;
}

} // namespace lapse
