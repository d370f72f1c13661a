// The SQL of enforcement on a PostgreSQL target, through libpq with parameters and libpq's own quoting.
#include "PgTarget.h"

#include <QDateTime>
#include <QTimeZone>
#include <libpq-fe.h>
#include <vector>

namespace lapse
{

namespace
{
// Keyword/value pairs for PQconnectdbParams: nothing is pasted into a conninfo string.
struct ConnParams {
    std::vector<QByteArray> keys, values;
    void add(const char* k, const QString& v)
    {
        if (v.isEmpty())
            return;
        keys.emplace_back(k);
        values.push_back(v.toUtf8());
    }
    PGconn* connect() const
    {
        std::vector<const char*> k, v;
        for (size_t i = 0; i < keys.size(); ++i) {
            k.push_back(keys[i].constData());
            v.push_back(values[i].constData());
        }
        k.push_back(nullptr);
        v.push_back(nullptr);
        return PQconnectdbParams(k.data(), v.data(), 0);
    }
};

ConnParams paramsFor(const PgConnection& c, const QString& user, const QByteArray& password)
{
    ConnParams p;
    p.add("service", c.service);
    p.add("host", c.host);
    p.add("port", c.port ? QString::number(c.port) : QString());
    p.add("dbname", c.database);
    p.add("user", user);
    if (!password.isNull())
        p.add("password", QString::fromUtf8(password));
    else
        p.add("passfile", c.passfile);
    p.add("sslmode", c.sslmode);
    p.add("sslrootcert", c.sslrootcert);
    p.add("connect_timeout", QString::number(c.connectTimeoutSeconds));
    p.add("application_name", QStringLiteral("lapse-broker"));
    return p;
}

QString oneLine(const char* text)
{
    return QString::fromUtf8(text).simplified();
}

struct Result_ {
    PGresult* r = nullptr;
    ~Result_() { PQclear(r); }
};

QByteArray identifier(PGconn* c, const QString& name)
{
    const QByteArray n = name.toUtf8();
    char* q = PQescapeIdentifier(c, n.constData(), size_t(n.size()));
    if (!q)
        return {};
    QByteArray out(q);
    PQfreemem(q);
    return out;
}

QByteArray literal(PGconn* c, const QByteArray& value)
{
    char* q = PQescapeLiteral(c, value.constData(), size_t(value.size()));
    if (!q)
        return {};
    QByteArray out(q);
    PQfreemem(q);
    return out;
}

// A text[] parameter: {"a","b"} with each element quoted.
QByteArray textArray(const QStringList& items)
{
    QByteArray out("{");
    for (int i = 0; i < items.size(); ++i) {
        if (i)
            out += ',';
        QByteArray v = items[i].toUtf8();
        v.replace('\\', "\\\\").replace('"', "\\\"");
        out += '"' + v + '"';
    }
    return out + '}';
}
} // namespace

PgTarget::PgTarget(Target target)
    : m_target(std::move(target))
{
}

PgTarget::~PgTarget()
{
    disconnect();
}

void PgTarget::disconnect()
{
    if (m_conn)
        PQfinish(m_conn);
    m_conn = nullptr;
}

bool PgTarget::isConnected() const
{
    return m_conn && PQstatus(m_conn) == CONNECTION_OK;
}

Status PgTarget::connect()
{
    if (isConnected())
        return Ok {};
    disconnect();
    const ConnParams p = paramsFor(m_target.connection, m_target.connection.user, QByteArray());
    m_conn = p.connect();
    if (!m_conn || PQstatus(m_conn) != CONNECTION_OK) {
        const QString why = m_conn ? oneLine(PQerrorMessage(m_conn)) : QStringLiteral("out of memory");
        disconnect();
        return makeError(ErrorCode::Unavailable,
            QStringLiteral("cannot reach PostgreSQL target %1 as %2: %3")
                .arg(m_target.id, m_target.connection.user, why));
    }
    return Ok {};
}

Error PgTarget::failure(const char* what) const
{
    const QString why = m_conn ? oneLine(PQerrorMessage(m_conn)) : QStringLiteral("not connected");
    // A broken connection is the target being unavailable; anything else PostgreSQL refused.
    const bool broken = !m_conn || PQstatus(m_conn) != CONNECTION_OK;
    return makeError(broken ? ErrorCode::Unavailable : ErrorCode::Conflict,
        QStringLiteral("%1 on PostgreSQL target %2: %3").arg(QString::fromLatin1(what), m_target.id, why));
}

Status PgTarget::exec(const QByteArray& sql, const char* what)
{
    if (const Status s = connect(); !s)
        return s;
    // A connection that died while idle (the server restarted) is only noticed on use: one fresh try.
    if (PQstatus(m_conn) == CONNECTION_OK && PQsocket(m_conn) >= 0) {
        Result_ probe {PQexec(m_conn, "SELECT 1")};
        if (PQresultStatus(probe.r) != PGRES_TUPLES_OK) {
            disconnect();
            if (const Status s = connect(); !s)
                return s;
        }
    }
    Result_ r {PQexec(m_conn, sql.constData())};
    if (PQresultStatus(r.r) != PGRES_COMMAND_OK && PQresultStatus(r.r) != PGRES_TUPLES_OK) {
        const QString state = QString::fromLatin1(PQresultErrorField(r.r, PG_DIAG_SQLSTATE));
        Error e = failure(what);
        if (!state.isEmpty())
            e.message += QStringLiteral(" (SQLSTATE %1)").arg(state);
        return e;
    }
    return Ok {};
}

Result<QStringList> PgTarget::missingCatalogueRoles()
{
    if (const Status s = connect(); !s)
        return s.error();
    QStringList wanted;
    for (auto it = m_target.catalogue.cbegin(); it != m_target.catalogue.cend(); ++it)
        wanted << it.value();
    wanted.removeDuplicates();
    const QByteArray arr = textArray(wanted);
    const char* values[] = {arr.constData()};
    Result_ r {PQexecParams(m_conn, "SELECT rolname FROM pg_roles WHERE rolname = ANY($1::text[])", 1,
        nullptr, values, nullptr, nullptr, 0)};
    if (PQresultStatus(r.r) != PGRES_TUPLES_OK)
        return failure("reading the catalogue's roles");
    QStringList missing = wanted;
    for (int i = 0; i < PQntuples(r.r); ++i)
        missing.removeAll(QString::fromUtf8(PQgetvalue(r.r, i, 0)));
    missing.sort();
    return missing;
}

Status PgTarget::createLogin(const QString& role, const QByteArray& password, qint64 validUntilMs,
    int connectionLimit, const QStringList& groups)
{
    if (const Status s = connect(); !s)
        return s;
    const QByteArray user = role.toUtf8();
    char* verifier = PQencryptPasswordConn(m_conn, password.constData(), user.constData(), "scram-sha-256");
    if (!verifier)
        return failure("computing the SCRAM verifier");
    const QByteArray scram(verifier);
    PQfreemem(verifier);
    const QByteArray until = QDateTime::fromMSecsSinceEpoch(validUntilMs, QTimeZone::utc())
                                 .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz+00"))
                                 .toLatin1();
    QByteArray sql = "CREATE ROLE " + identifier(m_conn, role) + " LOGIN INHERIT PASSWORD "
        + literal(m_conn, scram) + " VALID UNTIL " + literal(m_conn, until) + " CONNECTION LIMIT "
        + QByteArray::number(connectionLimit);
    if (!groups.isEmpty()) {
        sql += " IN ROLE ";
        for (int i = 0; i < groups.size(); ++i)
            sql += (i ? ", " : "") + identifier(m_conn, groups[i]);
    }
    return exec(sql, "creating the grant's login");
}

Result<QList<PgBackend>> PgTarget::backends(const QStringList& roles)
{
    if (const Status s = connect(); !s)
        return s.error();
    const QByteArray arr = textArray(roles);
    const char* values[] = {arr.constData()};
    Result_ r {PQexecParams(m_conn,
        "SELECT pid, usename, coalesce(host(client_addr), 'local'), coalesce(application_name, ''),"
        " (extract(epoch from backend_start) * 1000)::bigint, coalesce(state, '')"
        " FROM pg_stat_activity WHERE backend_type = 'client backend' AND"
        " (CASE WHEN cardinality($1::text[]) = 0 THEN usename LIKE 'lapse\\_%' ELSE usename = "
        "ANY($1::text[]) END)"
        " ORDER BY backend_start, pid",
        1, nullptr, values, nullptr, nullptr, 0)};
    if (PQresultStatus(r.r) != PGRES_TUPLES_OK)
        return failure("reading pg_stat_activity");
    QList<PgBackend> out;
    for (int i = 0; i < PQntuples(r.r); ++i) {
        PgBackend b;
        b.pid = QByteArray(PQgetvalue(r.r, i, 0)).toInt();
        b.role = QString::fromUtf8(PQgetvalue(r.r, i, 1));
        b.clientAddr = QString::fromUtf8(PQgetvalue(r.r, i, 2));
        b.applicationName = QString::fromUtf8(PQgetvalue(r.r, i, 3));
        b.backendStartMs = QByteArray(PQgetvalue(r.r, i, 4)).toLongLong();
        b.state = QString::fromUtf8(PQgetvalue(r.r, i, 5));
        out << b;
    }
    return out;
}

Result<std::pair<bool, bool>> PgTarget::roleState(const QString& role)
{
    if (const Status s = connect(); !s)
        return s.error();
    const QByteArray name = role.toUtf8();
    const char* values[] = {name.constData()};
    Result_ r {PQexecParams(m_conn, "SELECT rolcanlogin FROM pg_roles WHERE rolname = $1", 1, nullptr, values,
        nullptr, nullptr, 0)};
    if (PQresultStatus(r.r) != PGRES_TUPLES_OK)
        return failure("reading the login's state");
    if (PQntuples(r.r) == 0)
        return std::make_pair(false, false);
    return std::make_pair(true, QByteArray(PQgetvalue(r.r, 0, 0)) == "t");
}

Status PgTarget::disableLogin(const QString& role)
{
    if (const Status s = connect(); !s)
        return s;
    return exec("ALTER ROLE " + identifier(m_conn, role) + " NOLOGIN", "disabling the grant's login");
}

Result<bool> PgTarget::terminate(const PgBackend& backend, int timeoutMs)
{
    if (const Status s = connect(); !s)
        return s.error();
    const QByteArray pid = QByteArray::number(backend.pid), role = backend.role.toUtf8(),
                     start = QByteArray::number(backend.backendStartMs),
                     timeout = QByteArray::number(timeoutMs);
    const char* values[] = {pid.constData(), role.constData(), start.constData(), timeout.constData()};
    Result_ r {PQexecParams(m_conn,
        "SELECT pg_terminate_backend(pid, $4::bigint) FROM pg_stat_activity WHERE pid = $1::int AND usename "
        "= $2"
        " AND (extract(epoch from backend_start) * 1000)::bigint = $3::bigint",
        4, nullptr, values, nullptr, nullptr, 0)};
    if (PQresultStatus(r.r) != PGRES_TUPLES_OK)
        return failure("terminating a backend");
    if (PQntuples(r.r) == 0)
        return true; // already gone
    return QByteArray(PQgetvalue(r.r, 0, 0)) == "t";
}

Result<int> PgTarget::terminateAll(const QString& role)
{
    if (const Status s = connect(); !s)
        return s.error();
    const QByteArray name = role.toUtf8();
    const char* values[] = {name.constData()};
    Result_ r {PQexecParams(m_conn,
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = $1"
        " AND backend_type = 'client backend'",
        1, nullptr, values, nullptr, nullptr, 0)};
    if (PQresultStatus(r.r) != PGRES_TUPLES_OK)
        return failure("terminating the login's backends");
    return QByteArray(PQgetvalue(r.r, 0, 0)).toInt();
}

Result<QString> PgTarget::dropLogin(const QString& role, const QStringList& groups)
{
    auto state = roleState(role);
    if (!state)
        return state.error();
    if (!state->first)
        return QStringLiteral("absent");
    for (const auto& g : groups) {
        if (const Status s = exec("REVOKE " + identifier(m_conn, g) + " FROM " + identifier(m_conn, role),
                "removing the login's membership");
            !s)
            return s.error();
    }
    const Status dropped = exec("DROP ROLE " + identifier(m_conn, role), "dropping the grant's login");
    if (dropped)
        return QStringLiteral("dropped");
    // 2BP01: the role owns objects (or has privileges on them). It stays, unable to log in and a member of
    // nothing, for the database's owners to reassign.
    if (dropped.error().message.contains(QLatin1String("SQLSTATE 2BP01"))) {
        // Nothing left to log in with either: no password, beside NOLOGIN and the past VALID UNTIL.
        if (const Status s
            = exec("ALTER ROLE " + identifier(m_conn, role) + " PASSWORD NULL", "clearing the password");
            !s)
            return s.error();
        return QStringLiteral("kept disabled: owns objects");
    }
    return dropped.error();
}

PgLoginAttempt PgTarget::tryLogin(const QString& user, const QByteArray& password) const
{
    PgLoginAttempt a;
    const ConnParams p = paramsFor(m_target.connection, user, password.isNull() ? QByteArray("") : password);
    PGconn* c = p.connect();
    if (!c) {
        a.message = QStringLiteral("out of memory");
        return a;
    }
    const bool ok = PQstatus(c) == CONNECTION_OK;
    a.message = ok ? QStringLiteral("login succeeded") : oneLine(PQerrorMessage(c));
    // libpq has no SQLSTATE for a refused connection, and the server's words depend on its lc_messages: a
    // failed login counts as refused only together with pg_roles, read by the caller on the admin
    // connection right after, saying the role cannot log in (which also shows the server was there).
    a.refused = !ok;
    PQfinish(c);
    return a;
}

QString PgTarget::connectionString(const QString& user, const QByteArray& password) const
{
    const auto quote = [](const QString& v) {
        QString q = v;
        q.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('\''), QLatin1String("\\'"));
        return QLatin1Char('\'') + q + QLatin1Char('\'');
    };
    const PgConnection& c = m_target.connection;
    QStringList parts;
    if (!c.service.isEmpty())
        parts << QStringLiteral("service=") + quote(c.service);
    if (!c.host.isEmpty())
        parts << QStringLiteral("host=") + quote(c.host);
    parts << QStringLiteral("port=%1").arg(c.port);
    if (!c.database.isEmpty())
        parts << QStringLiteral("dbname=") + quote(c.database);
    parts << QStringLiteral("user=") + quote(user)
          << QStringLiteral("password=") + quote(QString::fromUtf8(password));
    if (!c.sslmode.isEmpty())
        parts << QStringLiteral("sslmode=") + quote(c.sslmode);
    return parts.join(QLatin1Char(' '));
}

} // namespace lapse
