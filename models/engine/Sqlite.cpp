// SQLite C API helpers over the handle Qt's QSQLITE driver opened.
#include "Sqlite.h"

#include <QSqlDriver>
#include <QVariant>
#include <sqlite3.h>

namespace lapse
{

sqlite3* sqliteHandle(const QSqlDatabase& db)
{
    if (!db.isOpen() || !db.driver())
        return nullptr;
    const QVariant v = db.driver()->handle();
    if (!v.isValid() || qstrcmp(v.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3* const*>(v.constData());
}

QString sqliteMessage(sqlite3* db)
{
    return db ? QString::fromUtf8(sqlite3_errmsg(db)) : QStringLiteral("no database");
}

SqlStatement::~SqlStatement()
{
    finalize();
}

bool SqlStatement::prepare(sqlite3* db, const char* sql)
{
    finalize();
    m_db = db;
    if (!db || sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr) != SQLITE_OK) {
        m_stmt = nullptr;
        return false;
    }
    return true;
}

void SqlStatement::finalize()
{
    if (m_stmt)
        sqlite3_finalize(m_stmt);
    m_stmt = nullptr;
}

SqlStatement& SqlStatement::bind(int i, qint64 v)
{
    sqlite3_bind_int64(m_stmt, i, v);
    return *this;
}

SqlStatement& SqlStatement::bind(int i, double v)
{
    sqlite3_bind_double(m_stmt, i, v);
    return *this;
}

SqlStatement& SqlStatement::bindText(int i, const QByteArray& utf8)
{
    sqlite3_bind_text(m_stmt, i, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
    return *this;
}

SqlStatement& SqlStatement::bindBlob(int i, const QByteArray& bytes)
{
    sqlite3_bind_blob(m_stmt, i, bytes.constData(), int(bytes.size()), SQLITE_TRANSIENT);
    return *this;
}

SqlStatement& SqlStatement::bindNull(int i)
{
    sqlite3_bind_null(m_stmt, i);
    return *this;
}

int SqlStatement::step()
{
    return m_stmt ? sqlite3_step(m_stmt) : SQLITE_MISUSE;
}

bool SqlStatement::exec()
{
    int rc = step();
    while (rc == SQLITE_ROW)
        rc = step();
    const bool ok = rc == SQLITE_DONE;
    if (ok)
        reset(); // on failure the error message stays readable until the next reset
    return ok;
}

void SqlStatement::reset()
{
    if (m_stmt) {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
}

QString SqlStatement::message() const
{
    return sqliteMessage(m_db);
}

qint64 SqlStatement::int64(int col) const
{
    return sqlite3_column_int64(m_stmt, col);
}

double SqlStatement::real(int col) const
{
    return sqlite3_column_double(m_stmt, col);
}

bool SqlStatement::isNull(int col) const
{
    return sqlite3_column_type(m_stmt, col) == SQLITE_NULL;
}

const char* SqlStatement::data(int col, int* size) const
{
    const void* p = sqlite3_column_blob(m_stmt, col);
    *size = sqlite3_column_bytes(m_stmt, col);
    return static_cast<const char*>(p);
}

QByteArray SqlStatement::bytes(int col) const
{
    int n = 0;
    const char* p = data(col, &n);
    return QByteArray(p, n);
}

QString SqlStatement::text(int col) const
{
    int n = 0;
    const char* p = data(col, &n);
    return QString::fromUtf8(p, n);
}

} // namespace lapse
