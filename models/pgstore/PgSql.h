// libpq for the PostgreSQL store: a connection, statements with parameters (never pasted into SQL), COPY, and
// results read as text. One connection serves one thread at a time.
#pragma once

#include "core/Error.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <memory>
#include <optional>

struct pg_conn;
struct pg_result;

namespace lapse::pg
{

// Values for $1, $2, ... in order, in PostgreSQL's text form.
class Params
{
public:
    Params& text(const QString& v);
    Params& utf8(const QByteArray& v); // already UTF-8 text
    Params& int64(qint64 v);
    Params& bytea(const QByteArray& v); // sent as '\x' and hex
    Params& null();
    Params& optional(qint64 v, bool present) { return present ? int64(v) : null(); }
    Params& optionalText(const QString& v) { return v.isNull() ? null() : text(v); }
    int size() const { return int(m_values.size()); }
    const char* value(int i) const { return m_null[i] ? nullptr : m_values[i].constData(); }

private:
    QList<QByteArray> m_values;
    QList<bool> m_null;
};

// The rows of one statement.
class Rows
{
public:
    explicit Rows(pg_result* r = nullptr);
    ~Rows();
    Rows(Rows&& o) noexcept;
    Rows& operator=(Rows&& o) noexcept;
    Rows(const Rows&) = delete;
    Rows& operator=(const Rows&) = delete;

    int count() const;
    bool isNull(int row, int col) const;
    QString text(int row, int col) const;
    QByteArray utf8(int row, int col) const;
    qint64 int64(int row, int col) const;
    QByteArray bytea(int row, int col) const; // decoded from '\x' and hex
    qint64 affected() const; // rows an INSERT/UPDATE/DELETE touched

private:
    pg_result* m_r = nullptr;
};

class Connection
{
public:
    // Connects with a libpq connection string or postgresql:// URI; the error names the server's reason.
    static Result<std::unique_ptr<Connection>> open(const QByteArray& conninfo);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    Result<Rows> exec(const char* sql, const Params& params = {});
    // Runs statements without parameters (may be several, separated by ';').
    Status run(const char* sql);
    // COPY ... FROM STDIN with rows already in COPY's text format (see copyField).
    Status copyIn(const char* copySql, const QByteArray& data);
    // Whether the connection is usable; a lost one is reset once (outside a transaction only).
    bool healthy();
    bool inTransaction() const;
    pg_conn* handle() const { return m_conn; }
    QString lastError() const;

private:
    explicit Connection(pg_conn* c);
    pg_conn* m_conn;
};

// Appends v to a COPY text-format row, escaped, followed by sep ('\t' or '\n').
void copyField(QByteArray& row, QByteArrayView v, char sep);
void copyInt(QByteArray& row, qint64 v, char sep);
void copyBytea(QByteArray& row, QByteArrayView v, char sep);

// The connection string a person may see: the URI or key=value string without its password.
QString redacted(const QString& conninfo);
// Whether the conninfo carries a password itself (the broker refuses that: it belongs in a passfile).
bool carriesPassword(const QString& conninfo);

} // namespace lapse::pg
