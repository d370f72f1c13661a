// libpq for the PostgreSQL store.
#include "PgSql.h"

#include <libpq-fe.h>

namespace lapse::pg
{

namespace
{
QString oneLine(const char* text)
{
    return QString::fromUtf8(text).simplified();
}

Error failure(const QString& what, const QString& why, ErrorCode code = ErrorCode::Internal)
{
    return makeError(code, QStringLiteral("postgresql: %1: %2").arg(what, why));
}

// A statement that failed because the server went away is the server's unavailability (503), not a fault.
ErrorCode codeFor(PGconn* c)
{
    return PQstatus(c) == CONNECTION_OK ? ErrorCode::Internal : ErrorCode::Unavailable;
}
} // namespace

// --- Params ---

Params& Params::text(const QString& v)
{
    return utf8(v.toUtf8());
}

Params& Params::utf8(const QByteArray& v)
{
    // Text parameters end at a NUL: a value holding one is refused by the server's encoding check anyway, and
    // must never be cut silently.
    m_values.append(v.isNull() ? QByteArray("") : v);
    m_null.append(false);
    return *this;
}

Params& Params::int64(qint64 v)
{
    m_values.append(QByteArray::number(v));
    m_null.append(false);
    return *this;
}

Params& Params::bytea(const QByteArray& v)
{
    m_values.append(QByteArrayLiteral("\\x") + v.toHex());
    m_null.append(false);
    return *this;
}

Params& Params::null()
{
    m_values.append(QByteArray());
    m_null.append(true);
    return *this;
}

// --- Rows ---

Rows::Rows(pg_result* r)
    : m_r(r)
{
}
Rows::~Rows()
{
    PQclear(m_r);
}
Rows::Rows(Rows&& o) noexcept
    : m_r(o.m_r)
{
    o.m_r = nullptr;
}
Rows& Rows::operator=(Rows&& o) noexcept
{
    if (this != &o) {
        PQclear(m_r);
        m_r = o.m_r;
        o.m_r = nullptr;
    }
    return *this;
}
int Rows::count() const
{
    return m_r ? PQntuples(m_r) : 0;
}
bool Rows::isNull(int row, int col) const
{
    return PQgetisnull(m_r, row, col) != 0;
}
QString Rows::text(int row, int col) const
{
    return QString::fromUtf8(PQgetvalue(m_r, row, col), PQgetlength(m_r, row, col));
}
QByteArray Rows::utf8(int row, int col) const
{
    return QByteArray(PQgetvalue(m_r, row, col), PQgetlength(m_r, row, col));
}
qint64 Rows::int64(int row, int col) const
{
    return QByteArray::fromRawData(PQgetvalue(m_r, row, col), PQgetlength(m_r, row, col)).toLongLong();
}
QByteArray Rows::bytea(int row, int col) const
{
    const char* v = PQgetvalue(m_r, row, col);
    const int n = PQgetlength(m_r, row, col);
    if (n < 2 || v[0] != '\\' || v[1] != 'x')
        return QByteArray(); // bytea_output is set to hex on every connection
    return QByteArray::fromHex(QByteArray::fromRawData(v + 2, n - 2));
}
qint64 Rows::affected() const
{
    return m_r ? QByteArray(PQcmdTuples(m_r)).toLongLong() : 0;
}

// --- Connection ---

Result<std::unique_ptr<Connection>> Connection::open(const QByteArray& conninfo)
{
    PGconn* c = PQconnectdb(conninfo.constData());
    if (!c)
        return failure(QStringLiteral("connect"), QStringLiteral("out of memory"));
    if (PQstatus(c) != CONNECTION_OK) {
        const QString why = oneLine(PQerrorMessage(c));
        PQfinish(c);
        return failure(QStringLiteral("connect"), why, ErrorCode::Unavailable);
    }
    std::unique_ptr<Connection> out(new Connection(c));
    // The store reads every value as text: fix the forms it parses, whatever the server's defaults are.
    if (const Status s = out->run("SET bytea_output = 'hex'; SET client_encoding = 'UTF8';"
                                  " SET TIME ZONE 'UTC'; SET standard_conforming_strings = on;"
                                  " SET client_min_messages = warning");
        !s)
        return s.error();
    return out;
}

Connection::Connection(pg_conn* c)
    : m_conn(c)
{
}

Connection::~Connection()
{
    PQfinish(m_conn);
}

QString Connection::lastError() const
{
    return oneLine(PQerrorMessage(m_conn));
}

Result<Rows> Connection::exec(const char* sql, const Params& params)
{
    std::vector<const char*> values(size_t(params.size()));
    for (int i = 0; i < params.size(); ++i)
        values[size_t(i)] = params.value(i);
    PGresult* r = PQexecParams(m_conn, sql, params.size(), nullptr, values.data(), nullptr, nullptr, 0);
    const ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        const QString why = r ? oneLine(PQresultErrorMessage(r)) : QString();
        PQclear(r);
        return failure(
            QString::fromUtf8(sql).left(60).simplified(), why.isEmpty() ? lastError() : why, codeFor(m_conn));
    }
    return Rows(r);
}

Status Connection::run(const char* sql)
{
    PGresult* r = PQexec(m_conn, sql);
    const ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    const QString why = r ? oneLine(PQresultErrorMessage(r)) : lastError();
    PQclear(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        return failure(
            QString::fromUtf8(sql).left(60).simplified(), why.isEmpty() ? lastError() : why, codeFor(m_conn));
    return Ok {};
}

Status Connection::copyIn(const char* copySql, const QByteArray& data)
{
    PGresult* r = PQexec(m_conn, copySql);
    const ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    const QString why = r ? oneLine(PQresultErrorMessage(r)) : lastError();
    PQclear(r);
    if (st != PGRES_COPY_IN)
        return failure(QStringLiteral("copy"), why.isEmpty() ? lastError() : why);
    bool sent = PQputCopyData(m_conn, data.constData(), int(data.size())) == 1;
    sent = PQputCopyEnd(m_conn, sent ? nullptr : "the client could not send the rows") == 1 && sent;
    Status out = Ok {};
    while (PGresult* end = PQgetResult(m_conn)) {
        if (PQresultStatus(end) != PGRES_COMMAND_OK && out)
            out = failure(QStringLiteral("copy"), oneLine(PQresultErrorMessage(end)));
        PQclear(end);
    }
    if (out && !sent)
        out = failure(QStringLiteral("copy"), lastError());
    return out;
}

bool Connection::healthy()
{
    if (PQstatus(m_conn) == CONNECTION_OK)
        return true;
    if (PQtransactionStatus(m_conn) != PQTRANS_IDLE && PQtransactionStatus(m_conn) != PQTRANS_UNKNOWN)
        return false;
    PQreset(m_conn);
    return PQstatus(m_conn) == CONNECTION_OK
        && run("SET bytea_output = 'hex'; SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'");
}

bool Connection::inTransaction() const
{
    const PGTransactionStatusType t = PQtransactionStatus(m_conn);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

// --- COPY text format ---

void copyField(QByteArray& row, QByteArrayView v, char sep)
{
    for (char c : v) {
        switch (c) {
        case '\\':
            row += "\\\\";
            break;
        case '\t':
            row += "\\t";
            break;
        case '\n':
            row += "\\n";
            break;
        case '\r':
            row += "\\r";
            break;
        default:
            row += c;
        }
    }
    row += sep;
}

void copyInt(QByteArray& row, qint64 v, char sep)
{
    row += QByteArray::number(v);
    row += sep;
}

void copyBytea(QByteArray& row, QByteArrayView v, char sep)
{
    row += "\\\\x"; // bytea's own '\x' prefix, its backslash escaped for COPY
    row += QByteArray::fromRawData(v.data(), v.size()).toHex();
    row += sep;
}

// --- connection strings ---

QString redacted(const QString& conninfo)
{
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(conninfo.toUtf8().constData(), &err);
    if (!opts) {
        PQfreemem(err);
        return QStringLiteral("(an unreadable PostgreSQL connection string)");
    }
    QStringList parts;
    for (PQconninfoOption* o = opts; o->keyword; ++o) {
        if (!o->val || QByteArray(o->keyword) == "password")
            continue;
        parts << QStringLiteral("%1=%2").arg(QString::fromUtf8(o->keyword), QString::fromUtf8(o->val));
    }
    PQconninfoFree(opts);
    return QStringLiteral("postgresql (%1)").arg(parts.join(QLatin1Char(' ')));
}

bool carriesPassword(const QString& conninfo)
{
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(conninfo.toUtf8().constData(), &err);
    if (!opts) {
        PQfreemem(err);
        return false;
    }
    bool found = false;
    for (PQconninfoOption* o = opts; o->keyword; ++o)
        found = found || (QByteArray(o->keyword) == "password" && o->val && *o->val);
    PQconninfoFree(opts);
    return found;
}

} // namespace lapse::pg
