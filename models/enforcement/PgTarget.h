// One PostgreSQL target as the broker's admin role sees it, through libpq: the SQL of provisioning, watching,
// terminating, dropping and verifying. One connection, used from one thread at a time.
#pragma once

#include "core/Error.h"
#include "domain/Target.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <memory>

struct pg_conn;

namespace lapse
{

// A backend of a grant's login role, as pg_stat_activity shows it.
struct PgBackend {
    int pid = 0;
    QString role; // usename: the session user, even after SET ROLE
    QString clientAddr;
    QString applicationName;
    qint64 backendStartMs = 0;
    QString state; // active, idle, idle in transaction, ...
    bool operator==(const PgBackend& o) const { return pid == o.pid && backendStartMs == o.backendStartMs; }
};

// What a login attempt with a credential got.
struct PgLoginAttempt {
    bool refused = false; // the login failed (proof only with pg_roles saying the role cannot log in)
    QString message; // the server's words (one line)
};

class PgTarget
{
public:
    explicit PgTarget(Target target);
    ~PgTarget();
    PgTarget(const PgTarget&) = delete;
    PgTarget& operator=(const PgTarget&) = delete;

    const Target& target() const { return m_target; }
    // Connects as the broker's admin role if not connected (or the connection broke); bounded by
    // connect_timeout.
    Status connect();
    bool isConnected() const;
    void disconnect();

    // The catalogue's group roles that do not exist on the target (after connect()).
    Result<QStringList> missingCatalogueRoles();
    // CREATE ROLE <role> LOGIN with the password as a SCRAM-SHA-256 verifier computed by libpq (the password
    // itself never reaches the server or its logs), VALID UNTIL, CONNECTION LIMIT and IN ROLE the groups: one
    // statement, committed when it returns.
    Status createLogin(const QString& role, const QByteArray& password, qint64 validUntilMs,
        int connectionLimit, const QStringList& groups);
    // Backends whose session user is one of roles (all "lapse_" roles when roles is empty).
    Result<QList<PgBackend>> backends(const QStringList& roles);
    // Whether the role exists, and whether it may log in.
    Result<std::pair<bool, bool>> roleState(const QString& role);
    Status disableLogin(const QString& role); // ALTER ROLE ... NOLOGIN
    // pg_terminate_backend(pid, timeoutMs) for that pid only if it is still the role's backend that started
    // then (pids are reused). True when PostgreSQL says it ended within the timeout; timeoutMs 0 only
    // signals it (true: signalled), the caller watches pg_stat_activity for the exit.
    Result<bool> terminate(const PgBackend& backend, int timeoutMs);
    // Signals every backend of role in one statement; how many were signalled.
    Result<int> terminateAll(const QString& role);
    // REVOKE every membership, then DROP ROLE. Kept (NOLOGIN, no memberships) when it owns objects: returns
    // "dropped", "absent" or "kept disabled: owns objects".
    Result<QString> dropLogin(const QString& role, const QStringList& groups);
    // Tries to log in as user with password; never kept open.
    PgLoginAttempt tryLogin(const QString& user, const QByteArray& password) const;
    // A libpq connection string for user (values quoted as libpq wants).
    QString connectionString(const QString& user, const QByteArray& password) const;

private:
    Status exec(const QByteArray& sql, const char* what);
    Error failure(const char* what) const;

    Target m_target;
    pg_conn* m_conn = nullptr;
};

} // namespace lapse
