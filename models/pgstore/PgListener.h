// Wakes a broker when another one commits to the shared PostgreSQL store: LISTEN on a connection of its own,
// read as its socket becomes readable on the owner's thread. A lost connection is retried every half second;
// each (re)subscription reports a commit too, so the listener catches up on whatever it missed meanwhile.
#pragma once

#include "core/Error.h"

#include <QObject>
#include <QTimer>
#include <memory>

class QSocketNotifier;

namespace lapse
{

namespace pg
{
class Connection;
}

class PgListener : public QObject
{
    Q_OBJECT

public:
    static constexpr const char* kChannel = "lapse_log";
    // Connects and listens now; an error when the first connection fails.
    static Result<std::unique_ptr<PgListener>> start(const QString& conninfo, QObject* parent = nullptr);
    ~PgListener() override;
    bool isConnected() const { return m_notifier != nullptr; }

signals:
    // Something was committed (or may have been, while the connection was down): read the head.
    void committed();
    void connectionLost(const QString& why);

private:
    explicit PgListener(QByteArray conninfo, QObject* parent);
    Status subscribe();
    void onReadable();
    void drop(const QString& why);

    QByteArray m_conninfo;
    std::unique_ptr<pg::Connection> m_connection;
    QSocketNotifier* m_notifier = nullptr;
    QTimer m_retry;
};

} // namespace lapse
