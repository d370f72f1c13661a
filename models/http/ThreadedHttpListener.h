// One listening socket, its connections spread round-robin over HTTP servers on threads of their own.
#pragma once

#include <QAbstractHttpServer>
#include <QSslConfiguration>
#include <QTcpServer>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace lapse
{

// Accepts on the thread it lives on and hands each connection to the next thread, where that thread's own
// server runs the TLS handshake and the HTTP exchange: parsing and encryption scale with the threads, and
// keep-alive connections are spread evenly from the first one on.
class ThreadedHttpListener final : public QTcpServer
{
    Q_OBJECT
public:
    // Called once on each thread; the server it returns lives and dies there.
    using ServerFactory = std::function<std::unique_ptr<QAbstractHttpServer>()>;
    ThreadedHttpListener(int threads, ServerFactory makeServer, std::optional<QSslConfiguration> tls,
        QObject* parent = nullptr);
    ~ThreadedHttpListener() override; // stops and joins the threads

    // Listens, then starts the threads; false (with errorString()) when the address cannot be bound.
    bool start(const QHostAddress& address, quint16 port);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    class Thread;
    int m_threadCount;
    ServerFactory m_makeServer;
    std::optional<QSslConfiguration> m_tls;
    std::vector<std::unique_ptr<Thread>> m_threads;
    size_t m_next = 0;
};

} // namespace lapse
