// Enforcement on PostgreSQL targets: a login role per grant, made at approval and committed there before the
// grant; the target's own sessions recorded from pg_stat_activity; at the grant's end the login disabled, its
// backends terminated, the role dropped and a login with the credential shown refused, retried until it is.
#pragma once

#include "LoginVault.h"
#include "PgTarget.h"
#include "TargetWorker.h"
#include "engine/Engine.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QThread>
#include <QTimer>
#include <memory>

namespace lapse
{

struct EnforcementOptions {
    int scanIntervalMs = 1000; // pg_stat_activity, per target
    int retryBaseMs = 1000; // the first retry of an end that failed; doubles up to retryMaxMs
    int retryMaxMs = 30000;
};

class PgEnforcement : public QObject, public TargetEnforcement
{
    Q_OBJECT
public:
    ~PgEnforcement() override;
    // Attaches to the engine when its directory has postgresql targets (nullptr otherwise). A target that
    // answers and lacks a catalogue role refuses the start; one that does not answer is retried, and its
    // grants cannot be approved until it does. Picks up what a previous run left: logins of grants that
    // ended while the broker was down are ended now.
    static Result<std::unique_ptr<PgEnforcement>> attach(Engine& engine, EnforcementOptions options = {});

    bool governs(const Target& target) const override;
    Result<QJsonObject> provision(const Target& target, const Grant& grant) override;
    void abandon(const Target& target, const Grant& grant) override;
    Result<QJsonObject> credentialFor(const Target& target, const Grant& grant) override;

    EnforcementSummary summary() const override;

signals:
    // After each change this enforcement recorded (a session, a verdict), for views that poll status().
    void changed();

private:
    struct Runtime {
        Target target;
        std::unique_ptr<PgTarget> provisioner; // the engine thread's own connection
        TargetWorker* worker = nullptr; // lives on thread
        std::unique_ptr<QThread> thread;
        QHash<QString, QString> openSessions; // "pid:start" -> session id
        QString lastError;
    };
    struct PendingEnd {
        TargetLogin login;
        bool abandoned = false; // no grant to record it for
        int attempts = 0;
        qint64 nextTryMs = 0;
        bool inFlight = false;
        QString recordedError; // last error put into the log, so a repeating one is recorded once
    };

    PgEnforcement(Engine& engine, EnforcementOptions options);
    Status start();
    void onEvents(const QList<Event>& events);
    void onScanned(const QString& target, const QList<PgBackend>& backends, qint64 atMs);
    void onUnreachable(const QString& target, const QString& error);
    void onEnded(const QString& target, const EndOutcome& outcome);
    void scheduleEnd(const TargetLogin& login, bool abandoned);
    void dispatchDue();
    void updateWatch(const QString& target);
    Runtime* runtime(const QString& target);
    template <typename F> void onWorker(Runtime& rt, F f);

    Engine& m_engine;
    EnforcementOptions m_options;
    LoginVault m_vault;
    QHash<QString, std::shared_ptr<Runtime>> m_targets;
    QHash<QString, TargetLogin> m_logins; // grant id -> its login, while the grant is active or ending
    QHash<QString, PendingEnd> m_ending;
    QTimer m_retryTimer;
    qint64 m_verified = 0;
};

} // namespace lapse
