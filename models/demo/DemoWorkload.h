// A realistic workload for `lapse --demo`: humans, services, workloads, pipelines and agents asking for a
// dozen targets, simulated approvers and resource servers, sessions that end on time or linger, credentials
// presented after their grant ended, break-glass and lockouts. Drives the engine through its normal API.
#pragma once

#include "core/Clock.h"

#include <QObject>
#include <QRandomGenerator>
#include <QStringList>
#include <QTimer>

namespace lapse
{

class Engine;
struct Principal;

class DemoWorkload : public QObject
{
    Q_OBJECT
public:
    struct Stats {
        int requests = 0, approvals = 0, denials = 0, breakGlass = 0, sessions = 0, sessionsEnded = 0,
            lingering = 0, postExpiryUses = 0, completions = 0, revocations = 0, lockouts = 0, byRule = 0;
        int failures
            = 0; // engine calls that failed unexpectedly (policy refusals that are tried on purpose excluded)
        QStringList failureMessages;
    };

    explicit DemoWorkload(Engine& engine, quint32 seed = 20261122, QObject* parent = nullptr);

    // Fills an empty store with `days` of past activity ending a few minutes ago (fast: a few seconds).
    // Does nothing when the store already has requests.
    void seedHistory(int days);
    void start(int tickMs = 1500); // live activity on a timer
    void stop();
    void tick(); // one live step (tests drive it directly)
    const Stats& stats() const { return m_stats; }

    struct Ask; // one kind of ask an identity makes, with how often it makes it

private:
    struct Tracked {
        QString requestId, grantId, principal, target, server, sessionId;
        QByteArray token;
        qint64 expiresMs = 0, sessionEndMs = 0;
        bool sessionOpened = false, sessionEnded = false, ended = false, completeEarly = false,
             lingers = false;
    };
    void step(bool seeding);
    // True when the request waits for people (not refused, not granted at once).
    bool submit(const Ask& a, bool breakGlass);
    void decide(bool seeding);
    void followGrants(bool seeding);
    const Principal* who(const QString& id) const;
    QString serverFor(const QString& target) const;
    qint64 now() const { return Clock::now(); }
    void fail(const QString& what);
    int pick(int n) { return int(m_rng.bounded(n)); }
    bool chance(double p) { return m_rng.generateDouble() < p; }

    Engine& m_engine;
    QRandomGenerator m_rng;
    QTimer m_timer;
    Stats m_stats;
    QList<Tracked> m_tracked;
    QList<QByteArray> m_deadTokens;
    QString m_lockedOut;
    qint64 m_unlockAtMs = 0;
    int m_queueTarget = 12; // pending requests the simulated approvers leave for the person at the console
};

} // namespace lapse
