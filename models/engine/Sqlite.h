// The SQLite C API on a Qt Sql connection's own handle, for the bulk paths (event append, chain walks,
// insight rollups) where QVariant per value costs more than the database work itself.
#pragma once

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>

struct sqlite3;
struct sqlite3_stmt;

namespace lapse
{

// The sqlite3* behind an open QSQLITE connection; nullptr for any other driver or a closed connection.
sqlite3* sqliteHandle(const QSqlDatabase& db);
QString sqliteMessage(sqlite3* db);

// One prepared statement, kept for reuse: bind, step, reset. Column pointers are valid until the next step.
class SqlStatement
{
public:
    SqlStatement() = default;
    SqlStatement(sqlite3* db, const char* sql) { prepare(db, sql); }
    ~SqlStatement();
    SqlStatement(const SqlStatement&) = delete;
    SqlStatement& operator=(const SqlStatement&) = delete;

    bool prepare(sqlite3* db, const char* sql);
    bool isValid() const { return m_stmt != nullptr; }
    void finalize();

    SqlStatement& bind(int i, qint64 v);
    SqlStatement& bind(int i, int v) { return bind(i, qint64(v)); }
    SqlStatement& bind(int i, double v);
    SqlStatement& bindText(int i, const QByteArray& utf8); // copied: the caller's buffer may go away
    SqlStatement& bindText(int i, const QString& s) { return bindText(i, s.toUtf8()); }
    SqlStatement& bindBlob(int i, const QByteArray& bytes);
    SqlStatement& bindNull(int i);
    SqlStatement& bindOptional(int i, qint64 v, bool present) { return present ? bind(i, v) : bindNull(i); }

    // SQLITE_ROW: a row is ready; SQLITE_DONE: finished; anything else is an error (see message()).
    int step();
    bool exec(); // step to completion and reset; false on error
    void reset();
    QString message() const;

    qint64 int64(int col) const;
    double real(int col) const;
    bool isNull(int col) const;
    const char* data(int col, int* size) const; // text or blob bytes, not NUL-terminated
    QByteArray bytes(int col) const;
    QString text(int col) const;

private:
    sqlite3* m_db = nullptr;
    sqlite3_stmt* m_stmt = nullptr;
};

} // namespace lapse
