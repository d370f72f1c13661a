// The thread that talks to one PostgreSQL target for everything after provisioning: it watches
// pg_stat_activity about once a second, ends grants in the safe order and verifies them, and terminates
// single backends. A target that hangs or is down stalls only its own worker, never the engine.
#pragma once

#include "LoginVault.h"
#include "PgTarget.h"

#include <QObject>
#include <QTimer>
#include <functional>
#include <memory>

namespace lapse
{

// How ending one grant's login went.
struct EndOutcome {
    QString grantId;
    bool verified = false;
    QString error; // why not verified (the work is retried)
    qint64 loginDisabledMs = 0;
    qint64 lastBackendGoneMs = 0;
    qint64 loginRefusedMs = 0;
    int backendsTerminated = 0;
    QString roleOutcome; // "dropped", "absent", "kept disabled: owns objects"
    QString refusal; // what PostgreSQL answered the login attempt
};

class TargetWorker : public QObject
{
    Q_OBJECT
public:
    // Reports arrive through these callbacks, always called on this worker's thread; the owner forwards them.
    struct Callbacks {
        std::function<void(const QList<PgBackend>&, qint64 atMs)> scanned;
        std::function<void(const QString& error)> unreachable;
        std::function<void(const EndOutcome&)> ended;
    };
    TargetWorker(Target target, Callbacks callbacks, int scanIntervalMs);

    // All of these run on the worker's thread (call them through QMetaObject::invokeMethod).
    void start();
    void stop();
    void watch(const QStringList& roles);
    void end(const TargetLogin& login);
    void terminateBackend(const PgBackend& backend);
    void dropAbandoned(const TargetLogin& login);
    void scanNow();

private:
    EndOutcome endLogin(const TargetLogin& login);

    PgTarget m_pg;
    Callbacks m_callbacks;
    int m_scanIntervalMs;
    std::unique_ptr<QTimer> m_timer;
    QStringList m_roles;
};

} // namespace lapse
