// A resource that access is requested for, with its policy knobs.
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace lapse
{

// How the broker reaches a PostgreSQL target as its admin role. Never a password: a libpq passfile or
// service.
struct PgConnection {
    QString host;
    int port = 5432;
    QString database;
    QString user;
    QString passfile;
    QString service;
    QString sslmode; // libpq's: disable, allow, prefer, require, verify-ca, verify-full
    QString sslrootcert;
    int connectTimeoutSeconds = 3;
};

struct Target {
    QString id;
    QString kind; // "token", "database", "ssh", "cloud-role", ...
    QString description;
    QString owner; // the human accountable for the target
    QStringList privileges; // everything a grant on this target could ever hold
    int maxTtlSeconds = 3600;
    int approvalsRequired = 1;
    bool requireTicket = false;
    bool breakGlassAllowed = false;
    int breakGlassMaxTtlSeconds = 900;
    int pendingTimeoutSeconds = 24 * 3600;
    // kind "postgresql": a target the broker enforces on. Each privilege maps to a NOLOGIN group role the
    // database's owners keep; a grant gets a login role of its own, member of exactly the approved ones.
    PgConnection connection;
    QHash<QString, QString> catalogue; // privilege -> group role
    int connectionLimit = 20; // per grant's login role

    bool isPostgresql() const { return kind == QLatin1String("postgresql"); }

    QJsonObject toJson() const;
};

} // namespace lapse
