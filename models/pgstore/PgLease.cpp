// A lease among brokers sharing one PostgreSQL store.
#include "PgLease.h"

#include "PgSql.h"

#include <QCryptographicHash>
#include <QtEndian>

namespace lapse
{

PgLease::PgLease(const QString& conninfo, const QString& name, int intervalMs, QObject* parent)
    : QObject(parent)
    , m_conninfo(conninfo.toUtf8())
{
    // A 64-bit key of its own from the name, so leases for different work never share a lock.
    const QByteArray digest
        = QCryptographicHash::hash("lapse-lease:" + name.toUtf8(), QCryptographicHash::Sha256);
    m_key = qFromBigEndian<qint64>(digest.constData());
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &PgLease::tick);
}

PgLease::~PgLease() = default; // closing the connection releases the lock

void PgLease::start()
{
    tick();
    m_timer.start();
}

void PgLease::tick()
{
    if (!m_connection) {
        auto c = pg::Connection::open(m_conninfo);
        if (!c)
            return; // not reachable: try again next time (a holder in this state has already let go)
        m_connection = std::move(c).value();
        // The server notices a silent peer in about 3 s and ends its session, which frees the lock.
        if (!m_connection->run("SET tcp_keepalives_idle = 1; SET tcp_keepalives_interval = 1;"
                               " SET tcp_keepalives_count = 2; SET tcp_user_timeout = 3000")) {
            m_connection.reset();
            return;
        }
    }
    if (m_held) {
        if (const auto alive = m_connection->exec("SELECT 1"); !alive)
            drop(alive.error().message);
        return;
    }
    const auto got = m_connection->exec("SELECT pg_try_advisory_lock($1)", pg::Params().int64(m_key));
    if (!got) {
        m_connection.reset();
        return;
    }
    if (got.value().utf8(0, 0) == "t") {
        m_held = true;
        emit acquired();
    }
}

void PgLease::drop(const QString& why)
{
    m_held = false;
    m_connection.reset(); // whatever the server still thinks, this session is gone
    emit lost(why);
}

} // namespace lapse
