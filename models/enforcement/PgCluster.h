// A throwaway PostgreSQL server in a directory of its own, for the integration tests and the console's
// --demo.
#pragma once

#include "core/Error.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QString>
#include <QStringList>
#include <memory>

namespace lapse
{

// Layout of dir: pgdata/ (the cluster), socket/ (its private unix socket), superuser.pass (0600), server.log.
// Every external tool runs with a bounded wait; failures come back as values carrying the tool's stderr and
// the tail of server.log.
//
// Running as root: the server cannot run as root, so initdb and pg_ctl run as the "postgres" user through
// runuser, and dir (with socket/ and superuser.pass) is handed to postgres. start() does not loosen the
// permissions of dir's ancestors; it says which one postgres cannot traverse (a QTemporaryDir is 0700: chmod
// it 0711, or put dir itself there). psql runs as the calling user, who reaches the socket as root.
class PgCluster
{
    Q_DECLARE_TR_FUNCTIONS(lapse::PgCluster)

public:
    // The server's bin directory (initdb, pg_ctl, postgres, psql): /usr/lib/postgresql/15/bin, else
    // `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin; empty when no server is installed.
    static QString binDir();
    // Empty when start() can work here; otherwise why not. The console prints this when --demo cannot start
    // one.
    static QString unavailableReason();
    // Starts a cluster whose data lives in dir/pgdata (initdb on first use, reused afterwards), listening on
    // 127.0.0.1:port only (port 0: pick a free one) and on a unix socket in dir/socket. The superuser is
    // "postgres" with a random password kept in dir/superuser.pass. pg_hba: local trust for the superuser
    // only (through the private socket dir), host 127.0.0.1/32 and ::1/128 scram-sha-256 for everyone. A
    // server still running on the same data (a detached one) is stopped first, so the settings here apply.
    static Result<std::unique_ptr<PgCluster>> start(const QString& dir, int port = 0);

    ~PgCluster(); // stops the server (pg_ctl stop -m fast) unless detach() was called
    PgCluster(const PgCluster&) = delete;
    PgCluster& operator=(const PgCluster&) = delete;

    Status stop(); // pg_ctl stop -m fast; waits
    Status startAgain(); // after stop(): same port, same data
    bool isRunning() const;
    void detach(); // leave the server running after destruction

    QString host() const; // "127.0.0.1"
    int port() const { return m_port; }
    QString dir() const { return m_dir; }
    QString dataDir() const; // dir/pgdata
    QString socketDir() const; // dir/socket
    QString logFile() const; // dir/server.log
    QString superPassword() const { return m_superPassword; }

    // Runs SQL through psql as the superuser over the private socket, -X -q -v ON_ERROR_STOP=1, each
    // "name=value" as -v; returns stdout; an error carries psql's stderr. The SQL goes in on stdin, so psql
    // variables (:'name') are interpolated.
    Result<QByteArray> psql(const QString& sql, const QString& database = QStringLiteral("postgres"),
        const QStringList& vars = {}) const;
    Result<QByteArray> psqlFile(const QString& path, const QString& database = QStringLiteral("postgres"),
        const QStringList& vars = {}) const;

    // Writes a libpq passfile (0600): host:port:database:user:password, escaping ':' and '\'.
    static Status writePassfile(const QString& path, const QString& host, int port, const QString& database,
        const QString& user, const QString& password);

private:
    PgCluster(QString dir, QString binDir, QString superPassword);

    Status launch(); // pg_ctl start on m_port with this cluster's settings
    Status writeSettings() const;
    Result<QByteArray> runPsql(const QStringList& args, const QByteArray& input) const;
    QString logTail() const;

    QString m_dir;
    QString m_binDir;
    QString m_superPassword;
    int m_port = 0;
    bool m_detached = false;
};

} // namespace lapse
