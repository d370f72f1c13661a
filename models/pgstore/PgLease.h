// A lease for work that must happen once among brokers sharing one PostgreSQL store: a session advisory lock
// on a connection of its own. It is held while that connection lives: a broker that dies (its socket closed,
// or silent for about 3 s: the server's keepalives and user timeout are set on this session) lets it go, and
// another broker, trying every second, takes it over. The holder checks its connection every second and gives
// the lease up the moment the check fails.
#pragma once

#include "core/Error.h"

#include <QObject>
#include <QTimer>
#include <memory>

namespace lapse
{

namespace pg
{
class Connection;
}

class PgLease : public QObject
{
    Q_OBJECT

public:
    // name: what the lease is for (its lock key is derived from it); intervalMs: how often to try or check.
    PgLease(const QString& conninfo, const QString& name, int intervalMs = 1000, QObject* parent = nullptr);
    ~PgLease() override;
    void start(); // tries at once, then every interval
    bool held() const { return m_held; }

signals:
    void acquired();
    void lost(const QString& why);

private:
    void tick();
    void drop(const QString& why);

    QByteArray m_conninfo;
    qint64 m_key;
    std::unique_ptr<pg::Connection> m_connection;
    QTimer m_timer;
    bool m_held = false;
};

} // namespace lapse
