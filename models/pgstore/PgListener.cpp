// LISTEN/NOTIFY for brokers sharing one PostgreSQL store.
#include "PgListener.h"

#include "PgSql.h"

#include <QSocketNotifier>
#include <libpq-fe.h>

namespace lapse
{

PgListener::PgListener(QByteArray conninfo, QObject* parent)
    : QObject(parent)
    , m_conninfo(std::move(conninfo))
{
    m_retry.setInterval(500);
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, [this] {
        if (const Status s = subscribe(); !s)
            m_retry.start();
        else
            emit committed(); // whatever was committed while the connection was down
    });
}

PgListener::~PgListener()
{
    delete m_notifier;
}

Result<std::unique_ptr<PgListener>> PgListener::start(const QString& conninfo, QObject* parent)
{
    std::unique_ptr<PgListener> l(new PgListener(conninfo.toUtf8(), parent));
    if (const Status s = l->subscribe(); !s)
        return s.error();
    return l;
}

Status PgListener::subscribe()
{
    delete m_notifier;
    m_notifier = nullptr;
    m_connection.reset();
    auto c = pg::Connection::open(m_conninfo);
    if (!c)
        return c.error();
    m_connection = std::move(c).value();
    if (const Status s = m_connection->run((QByteArray("LISTEN ") + kChannel).constData()); !s) {
        m_connection.reset();
        return s;
    }
    const int fd = PQsocket(m_connection->handle());
    if (fd < 0) {
        m_connection.reset();
        return makeError(ErrorCode::Unavailable, QStringLiteral("postgresql: the listener has no socket"));
    }
    m_notifier = new QSocketNotifier(qintptr(fd), QSocketNotifier::Read);
    connect(m_notifier, &QSocketNotifier::activated, this, &PgListener::onReadable);
    return Ok {};
}

void PgListener::onReadable()
{
    PGconn* c = m_connection->handle();
    if (PQconsumeInput(c) != 1 || PQstatus(c) != CONNECTION_OK) {
        drop(m_connection->lastError());
        return;
    }
    bool any = false;
    while (PGnotify* n = PQnotifies(c)) {
        any = true;
        PQfreemem(n);
    }
    if (any)
        emit committed();
}

void PgListener::drop(const QString& why)
{
    if (m_notifier) {
        m_notifier->setEnabled(false);
        m_notifier->deleteLater();
        m_notifier = nullptr;
    }
    emit connectionLost(why);
    m_retry.start();
}

} // namespace lapse
