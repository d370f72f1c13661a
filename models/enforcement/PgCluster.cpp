// A throwaway PostgreSQL server in a directory of its own, for the integration tests and the console's
// --demo.
#include "PgCluster.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRandomGenerator>
#include <QVersionNumber>
#include <QtGlobal>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace lapse
{

namespace
{

constexpr int kToolTimeoutMs = 60000; // pg_ctl itself gives up after 30 s (-t 30); this bounds the rest
constexpr int kInitdbTimeoutMs = 120000;
constexpr int kPsqlTimeoutMs = 60000;
const QString kServerConf = QStringLiteral("lapse-cluster.conf");

struct ToolRun {
    bool finished = false; // started and exited on its own within the time allowed
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QString failure; // why it did not finish (not found, timed out, crashed)
};

bool isRoot()
{
    return ::geteuid() == 0;
}

struct Account {
    uid_t uid = 0;
    gid_t gid = 0;
};

std::optional<Account> postgresAccount()
{
    const passwd* pw = ::getpwnam("postgres");
    if (!pw)
        return std::nullopt;
    return Account {pw->pw_uid, pw->pw_gid};
}

QString runuserPath()
{
    for (const char* candidate : {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"}) {
        if (QFileInfo(QString::fromLatin1(candidate)).isExecutable())
            return QString::fromLatin1(candidate);
    }
    return {};
}

bool hasServerTools(const QString& dir)
{
    if (dir.isEmpty())
        return false;
    for (const char* tool : {"initdb", "pg_ctl", "postgres"}) {
        if (!QFileInfo(dir + QLatin1Char('/') + QLatin1String(tool)).isExecutable())
            return false;
    }
    return true;
}

// PG* variables of the caller (PGHOST, PGSERVICE, PGOPTIONS, ...) would redirect or alter the tools.
QProcessEnvironment toolEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString& key : env.keys()) {
        if (key.startsWith(QLatin1String("PG")))
            env.remove(key);
    }
    env.insert(QStringLiteral("PGCONNECT_TIMEOUT"), QStringLiteral("10"));
    return env;
}

// Runs program with a bounded wait; as the postgres user (through runuser) when asPostgres and running as
// root.
ToolRun runTool(const QString& program, const QStringList& args, const QString& workingDir, bool asPostgres,
    int timeoutMs, const QByteArray& input = {})
{
    ToolRun run;
    QProcess process;
    process.setProcessEnvironment(toolEnvironment());
    if (!workingDir.isEmpty())
        process.setWorkingDirectory(workingDir);
    if (asPostgres && isRoot()) {
        QStringList wrapped {QStringLiteral("-u"), QStringLiteral("postgres"), QStringLiteral("--"), program};
        wrapped += args;
        process.start(runuserPath(), wrapped);
    } else {
        process.start(program, args);
    }
    if (!process.waitForStarted(10000)) {
        run.failure = PgCluster::tr("%1 could not be started: %2").arg(program, process.errorString());
        return run;
    }
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        run.err = process.readAllStandardError();
        run.failure = PgCluster::tr("%1 did not finish within %2 s").arg(program).arg(timeoutMs / 1000);
        return run;
    }
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    if (process.exitStatus() != QProcess::NormalExit) {
        run.failure = PgCluster::tr("%1 crashed").arg(program);
        return run;
    }
    run.finished = true;
    run.exitCode = process.exitCode();
    return run;
}

QString describe(const QString& what, const ToolRun& run)
{
    QString text = what;
    if (!run.failure.isEmpty())
        text += QStringLiteral(": ") + run.failure;
    else
        text += PgCluster::tr(" (exit code %1)").arg(run.exitCode);
    const QString err = QString::fromLocal8Bit(run.err).trimmed();
    if (!err.isEmpty())
        text += QStringLiteral("\n") + err;
    return text;
}

bool chownToPostgres(const QString& path)
{
    const auto account = postgresAccount();
    return account && ::chown(QFile::encodeName(path).constData(), account->uid, account->gid) == 0;
}

// Writes data to path; a new file is created with perms and, when root, handed to postgres. An existing file
// is truncated in place so it keeps its owner.
bool writeServerFile(const QString& path, const QByteArray& data, QFile::Permissions perms, QString* error)
{
    QFile file(path);
    const bool existed = file.exists();
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate, perms) || file.write(data) != data.size()) {
        *error = PgCluster::tr("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    file.close();
    if (!existed && isRoot() && !chownToPostgres(path)) {
        *error = PgCluster::tr("cannot hand %1 to the postgres user: %2").arg(path, qt_error_string(errno));
        return false;
    }
    return true;
}

// The first ancestor of dir the postgres user cannot pass through, or empty.
QString untraversableAncestor(const QString& dir)
{
    const passwd* pw = ::getpwnam("postgres");
    if (!pw)
        return {};
    int count = 64;
    std::vector<gid_t> groups(count);
    if (::getgrouplist(pw->pw_name, pw->pw_gid, groups.data(), &count) < 0) {
        groups.resize(count);
        ::getgrouplist(pw->pw_name, pw->pw_gid, groups.data(), &count);
    }
    groups.resize(std::max(count, 0));
    QString path = QFileInfo(dir).path();
    while (true) {
        struct stat st {
        };
        if (::stat(QFile::encodeName(path).constData(), &st) != 0)
            return path;
        bool ok;
        if (st.st_uid == pw->pw_uid)
            ok = st.st_mode & S_IXUSR;
        else if (std::find(groups.begin(), groups.end(), st.st_gid) != groups.end())
            ok = st.st_mode & S_IXGRP;
        else
            ok = st.st_mode & S_IXOTH;
        if (!ok)
            return path;
        if (path == QLatin1String("/"))
            return {};
        path = QFileInfo(path).path();
    }
}

// A loopback port nobody listens on right now. Another process may take it before the server binds it;
// start() then tries another.
int freeLoopbackPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0
        && ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
        port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

QString randomPassword()
{
    quint32 words[6];
    QRandomGenerator::system()->fillRange(words);
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char*>(words), sizeof(words))
                                   .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

// A string literal in postgresql.conf: single quotes doubled.
QString confString(const QString& value)
{
    QString escaped = value;
    escaped.replace(QLatin1Char('\''), QStringLiteral("''"));
    return QLatin1Char('\'') + escaped + QLatin1Char('\'');
}

QString passfileField(QString value)
{
    value.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    value.replace(QLatin1Char(':'), QStringLiteral("\\:"));
    return value;
}

} // namespace

QString PgCluster::binDir()
{
    const QString preferred = QStringLiteral("/usr/lib/postgresql/15/bin");
    if (hasServerTools(preferred))
        return preferred;

    QProcess pgConfig;
    pgConfig.start(QStringLiteral("pg_config"), {QStringLiteral("--bindir")});
    if (pgConfig.waitForStarted(5000) && pgConfig.waitForFinished(5000) && pgConfig.exitCode() == 0) {
        const QString dir = QString::fromLocal8Bit(pgConfig.readAllStandardOutput()).trimmed();
        if (hasServerTools(dir))
            return dir;
    } else if (pgConfig.state() != QProcess::NotRunning) {
        pgConfig.kill();
        pgConfig.waitForFinished(1000);
    }

    QDir root(QStringLiteral("/usr/lib/postgresql"));
    QStringList versions = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    std::sort(versions.begin(), versions.end(), [](const QString& a, const QString& b) {
        return QVersionNumber::fromString(a) > QVersionNumber::fromString(b);
    });
    for (const QString& version : versions) {
        const QString dir = root.filePath(version + QStringLiteral("/bin"));
        if (hasServerTools(dir))
            return dir;
    }
    return {};
}

QString PgCluster::unavailableReason()
{
    const QString bin = binDir();
    if (bin.isEmpty())
        return tr("No PostgreSQL server is installed: initdb, pg_ctl and postgres were not found in "
                  "/usr/lib/postgresql/15/bin, `pg_config --bindir` or /usr/lib/postgresql/*/bin. "
                  "Install the postgresql package.");
    if (!QFileInfo(bin + QStringLiteral("/psql")).isExecutable())
        return tr("PostgreSQL's psql was not found in %1. Install the postgresql-client package.").arg(bin);
    if (isRoot()) {
        if (!postgresAccount())
            return tr("Running as root, and there is no \"postgres\" user to run the server as (PostgreSQL "
                      "refuses to run as root). Run as an ordinary user, or create the postgres user.");
        if (runuserPath().isEmpty())
            return tr("Running as root, and runuser (util-linux) was not found to run the server as the "
                      "postgres user. Run as an ordinary user, or install util-linux.");
    }
    return {};
}

PgCluster::PgCluster(QString dir, QString binDir, QString superPassword)
    : m_dir(std::move(dir))
    , m_binDir(std::move(binDir))
    , m_superPassword(std::move(superPassword))
{
}

Result<std::unique_ptr<PgCluster>> PgCluster::start(const QString& dir, int port)
{
    const QString reason = unavailableReason();
    if (!reason.isEmpty())
        return makeError(ErrorCode::Unavailable, reason);
    if (port < 0 || port > 65535)
        return makeError(ErrorCode::Internal, tr("%1 is not a TCP port").arg(port));

    const QString root = QDir::cleanPath(QDir(dir).absolutePath());
    const QString socket = root + QStringLiteral("/socket");
    if (!QDir().mkpath(socket))
        return makeError(ErrorCode::Internal, tr("cannot create %1").arg(socket));
    // A unix socket path is at most 107 bytes; the server would only say "path too long" in its log.
    if (QFile::encodeName(socket + QStringLiteral("/.s.PGSQL.65535.lock")).size() > 107)
        return makeError(ErrorCode::Unavailable,
            tr("%1 is too long a path for PostgreSQL's unix socket (at most 107 bytes); choose a shorter "
               "directory")
                .arg(socket));
    // Only the owner (and root) may reach the socket: local connections are trusted.
    QFile::setPermissions(socket, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    if (isRoot()) {
        const QString blocked = untraversableAncestor(root);
        if (!blocked.isEmpty())
            return makeError(ErrorCode::Unavailable,
                tr("The postgres user cannot reach %1: %2 is not traversable by it. Make it so (chmod o+x, "
                   "or 0711) or choose a directory elsewhere.")
                    .arg(root, blocked));
        if (!chownToPostgres(root) || !chownToPostgres(socket))
            return makeError(ErrorCode::Internal,
                tr("cannot hand %1 to the postgres user: %2").arg(root, qt_error_string(errno)));
    }

    const QString bin = binDir();
    const QString data = root + QStringLiteral("/pgdata");
    const QString passFile = root + QStringLiteral("/superuser.pass");
    QString password;
    if (QFileInfo::exists(data + QStringLiteral("/PG_VERSION"))) {
        QFile file(passFile);
        if (file.open(QIODevice::ReadOnly))
            password = QString::fromUtf8(file.readLine()).trimmed();
        if (password.isEmpty())
            return makeError(ErrorCode::Internal,
                tr("%1 holds a cluster but its superuser password (%2) is missing; remove the directory to "
                   "start afresh")
                    .arg(data, passFile));
    } else {
        password = randomPassword();
        QString error;
        if (!writeServerFile(
                passFile, password.toUtf8() + '\n', QFile::ReadOwner | QFile::WriteOwner, &error))
            return makeError(ErrorCode::Internal, error);
        const ToolRun init = runTool(bin + QStringLiteral("/initdb"),
            {QStringLiteral("-D"), data, QStringLiteral("-U"), QStringLiteral("postgres"),
                QStringLiteral("--pwfile=") + passFile, QStringLiteral("-E"), QStringLiteral("UTF8"),
                QStringLiteral("--locale=C"), QStringLiteral("--auth-local=trust"),
                QStringLiteral("--auth-host=scram-sha-256")},
            root, true, kInitdbTimeoutMs);
        if (!init.finished || init.exitCode != 0)
            return makeError(ErrorCode::Internal, describe(tr("initdb failed for %1").arg(data), init));
    }

    std::unique_ptr<PgCluster> cluster(new PgCluster(root, bin, password));
    if (cluster->isRunning()) { // left running by a detached PgCluster: restart it with these settings
        const Status stopped = cluster->stop();
        if (!stopped)
            return stopped.error();
    }
    // A port picked here may be taken before the server binds it; pick another a few times.
    const int attempts = port == 0 ? 3 : 1;
    for (int attempt = 1;; ++attempt) {
        cluster->m_port = port != 0 ? port : freeLoopbackPort();
        if (cluster->m_port == 0)
            return makeError(ErrorCode::Unavailable, tr("no free TCP port on 127.0.0.1"));
        const Status launched = cluster->launch();
        if (launched)
            return cluster;
        if (attempt >= attempts || !launched.error().message.contains(QLatin1String("already in use")))
            return launched.error();
    }
}

PgCluster::~PgCluster()
{
    if (m_detached || !isRunning())
        return;
    const Status stopped = stop();
    if (!stopped)
        qWarning("%s", qPrintable(stopped.error().message));
}

QString PgCluster::dataDir() const
{
    return m_dir + QStringLiteral("/pgdata");
}

QString PgCluster::socketDir() const
{
    return m_dir + QStringLiteral("/socket");
}

QString PgCluster::logFile() const
{
    return m_dir + QStringLiteral("/server.log");
}

QString PgCluster::host() const
{
    return QStringLiteral("127.0.0.1");
}

void PgCluster::detach()
{
    m_detached = true;
}

bool PgCluster::isRunning() const
{
    // postmaster.pid's first line is the server's pid; the file goes away on a clean stop.
    QFile pidFile(dataDir() + QStringLiteral("/postmaster.pid"));
    if (!pidFile.open(QIODevice::ReadOnly))
        return false;
    bool ok = false;
    const qint64 pid = pidFile.readLine().trimmed().toLongLong(&ok);
    if (!ok || pid <= 0)
        return false;
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

Status PgCluster::writeSettings() const
{
    QString error;
    // Only the superuser may use the socket, and only through the private directory; everyone else comes over
    // loopback TCP with a SCRAM password, as the broker does in production.
    const QByteArray hba = "# Written by PgCluster at every start: a throwaway cluster's access rules.\n"
                           "# TYPE  DATABASE  USER      ADDRESS        METHOD\n"
                           "local   all       postgres                 trust\n"
                           "host    all       all       127.0.0.1/32   scram-sha-256\n"
                           "host    all       all       ::1/128        scram-sha-256\n";
    if (!writeServerFile(
            dataDir() + QStringLiteral("/pg_hba.conf"), hba, QFile::ReadOwner | QFile::WriteOwner, &error))
        return makeError(ErrorCode::Internal, error);

    // Everything else keeps PostgreSQL's defaults (durability included); the server's output goes to
    // server.log through pg_ctl -l.
    const QString settings = QStringLiteral("# Written by PgCluster at every start.\n"
                                            "listen_addresses = '127.0.0.1'\n"
                                            "port = %1\n"
                                            "unix_socket_directories = %2\n"
                                            "max_connections = 200\n"
                                            "password_encryption = 'scram-sha-256'\n")
                                 .arg(m_port)
                                 .arg(confString(socketDir()));
    if (!writeServerFile(dataDir() + QLatin1Char('/') + kServerConf, settings.toUtf8(),
            QFile::ReadOwner | QFile::WriteOwner, &error))
        return makeError(ErrorCode::Internal, error);

    // Included last, so these settings win over initdb's.
    QFile conf(dataDir() + QStringLiteral("/postgresql.conf"));
    if (!conf.open(QIODevice::ReadWrite))
        return makeError(
            ErrorCode::Internal, tr("cannot open %1: %2").arg(conf.fileName(), conf.errorString()));
    const QByteArray include = "include '" + kServerConf.toUtf8() + "'";
    if (!conf.readAll().contains(include)) {
        const QByteArray line
            = "\n# PgCluster's settings (listen address, port, socket directory)\n" + include + '\n';
        if (!conf.seek(conf.size()) || conf.write(line) != line.size())
            return makeError(
                ErrorCode::Internal, tr("cannot write %1: %2").arg(conf.fileName(), conf.errorString()));
    }
    return Ok {};
}

QString PgCluster::logTail() const
{
    QFile log(logFile());
    if (!log.open(QIODevice::ReadOnly))
        return tr("(no server log at %1)").arg(logFile());
    const qint64 window = 4096;
    if (log.size() > window)
        log.seek(log.size() - window);
    QStringList lines = QString::fromLocal8Bit(log.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (lines.size() > 15)
        lines = lines.mid(lines.size() - 15);
    return tr("Last lines of %1:\n%2").arg(logFile(), lines.join(QLatin1Char('\n')));
}

Status PgCluster::launch()
{
    const Status written = writeSettings();
    if (!written)
        return written;
    const ToolRun run = runTool(m_binDir + QStringLiteral("/pg_ctl"),
        {QStringLiteral("-D"), dataDir(), QStringLiteral("-l"), logFile(), QStringLiteral("-w"),
            QStringLiteral("-t"), QStringLiteral("30"), QStringLiteral("-s"), QStringLiteral("start")},
        m_dir, true, kToolTimeoutMs);
    if (run.finished && run.exitCode == 0)
        return Ok {};
    Error error = makeError(ErrorCode::Unavailable,
        describe(tr("PostgreSQL did not start on 127.0.0.1:%1").arg(m_port), run) + QLatin1Char('\n')
            + logTail());
    // pg_ctl gives up waiting but leaves a slow server starting; do not leave it behind.
    if (isRunning())
        runTool(m_binDir + QStringLiteral("/pg_ctl"),
            {QStringLiteral("-D"), dataDir(), QStringLiteral("-m"), QStringLiteral("immediate"),
                QStringLiteral("-w"), QStringLiteral("-t"), QStringLiteral("30"), QStringLiteral("-s"),
                QStringLiteral("stop")},
            m_dir, true, kToolTimeoutMs);
    return error;
}

Status PgCluster::stop()
{
    if (!isRunning())
        return Ok {};
    const ToolRun run = runTool(m_binDir + QStringLiteral("/pg_ctl"),
        {QStringLiteral("-D"), dataDir(), QStringLiteral("-m"), QStringLiteral("fast"), QStringLiteral("-w"),
            QStringLiteral("-t"), QStringLiteral("30"), QStringLiteral("-s"), QStringLiteral("stop")},
        m_dir, true, kToolTimeoutMs);
    if (run.finished && run.exitCode == 0)
        return Ok {};
    return makeError(ErrorCode::Unavailable,
        describe(tr("PostgreSQL on 127.0.0.1:%1 did not stop").arg(m_port), run) + QLatin1Char('\n')
            + logTail());
}

Status PgCluster::startAgain()
{
    if (isRunning())
        return Ok {};
    return launch();
}

Result<QByteArray> PgCluster::runPsql(const QStringList& args, const QByteArray& input) const
{
    // -w: never prompt for a password, so a misconfiguration fails instead of waiting for a terminal.
    QStringList all {QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-w"), QStringLiteral("-v"),
        QStringLiteral("ON_ERROR_STOP=1"), QStringLiteral("-h"), socketDir(), QStringLiteral("-p"),
        QString::number(m_port), QStringLiteral("-U"), QStringLiteral("postgres")};
    all += args;
    // The caller runs psql itself: it reaches the private socket as its owner, or as root.
    const ToolRun run = runTool(m_binDir + QStringLiteral("/psql"), all, m_dir, false, kPsqlTimeoutMs, input);
    if (run.finished && run.exitCode == 0)
        return run.out;
    // psql's exit code 2: the connection failed (the server is down), as opposed to an error in the SQL.
    const ErrorCode code = run.finished && run.exitCode == 2 ? ErrorCode::Unavailable : ErrorCode::Internal;
    return makeError(code, describe(tr("psql failed"), run));
}

Result<QByteArray> PgCluster::psql(const QString& sql, const QString& database, const QStringList& vars) const
{
    QStringList args {QStringLiteral("-d"), database};
    for (const QString& var : vars)
        args << QStringLiteral("-v") << var;
    // On stdin rather than -c, so psql interpolates variables and runs backslash commands.
    return runPsql(args, sql.toUtf8());
}

Result<QByteArray> PgCluster::psqlFile(
    const QString& path, const QString& database, const QStringList& vars) const
{
    if (!QFileInfo(path).isReadable())
        return makeError(ErrorCode::Internal, tr("cannot read %1").arg(path));
    QStringList args {QStringLiteral("-d"), database};
    for (const QString& var : vars)
        args << QStringLiteral("-v") << var;
    args << QStringLiteral("-f") << QFileInfo(path).absoluteFilePath();
    return runPsql(args, {});
}

Status PgCluster::writePassfile(const QString& path, const QString& host, int port, const QString& database,
    const QString& user, const QString& password)
{
    const QByteArray line = QStringList {passfileField(host), QString::number(port), passfileField(database),
                                passfileField(user), passfileField(password)}
                                .join(QLatin1Char(':'))
                                .toUtf8()
        + '\n';
    // libpq ignores a passfile others can read, so the mode is set before anything is written.
    const QFile::Permissions perms = QFile::ReadOwner | QFile::WriteOwner;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate, perms) || !file.setPermissions(perms)
        || file.write(line) != line.size() || !file.flush())
        return makeError(ErrorCode::Internal, tr("cannot write %1: %2").arg(path, file.errorString()));
    return Ok {};
}

} // namespace lapse
