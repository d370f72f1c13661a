// Threads that each own a QAbstractHttpServer and adopt the connections the listener hands them.
#include "ThreadedHttpListener.h"

#include <QSemaphore>
#include <QSslServer>
#include <QThread>
#include <unistd.h>

namespace lapse
{

namespace
{
// QTcpServer::incomingConnection() is what wraps a descriptor in a (TLS) socket and queues it for the HTTP
// server; adopt() lets the listener's thread hand descriptors in.
class AdoptingTcpServer final : public QTcpServer
{
public:
    void adopt(qintptr descriptor) { incomingConnection(descriptor); }
};
class AdoptingSslServer final : public QSslServer
{
public:
    void adopt(qintptr descriptor) { incomingConnection(descriptor); }
};
} // namespace

class ThreadedHttpListener::Thread final : public QThread
{
public:
    Thread(const ServerFactory& makeServer, const std::optional<QSslConfiguration>& tls, qintptr listening)
        : m_makeServer(makeServer)
        , m_tls(tls)
        , m_listening(listening)
    {
    }
    ~Thread() override
    {
        quit();
        wait();
    }
    void startAndWait()
    {
        start();
        m_ready.acquire();
    }
    void adopt(qintptr descriptor)
    {
        QMetaObject::invokeMethod(
            m_server, [this, descriptor] { m_adopt(descriptor); }, Qt::QueuedConnection);
    }

protected:
    void run() override
    {
        std::unique_ptr<QTcpServer> server;
        if (m_tls) {
            auto ssl = std::make_unique<AdoptingSslServer>();
            ssl->setSslConfiguration(*m_tls);
            m_adopt = [s = ssl.get()](qintptr d) { s->adopt(d); };
            server = std::move(ssl);
        } else {
            auto tcp = std::make_unique<AdoptingTcpServer>();
            m_adopt = [s = tcp.get()](qintptr d) { s->adopt(d); };
            server = std::move(tcp);
        }
        // QAbstractHttpServer::bind() wants a listening server: this one gets a duplicate of the listener's
        // socket, paused, so it never accepts by itself and only adopts what it is handed.
        server->setSocketDescriptor(::dup(int(m_listening)));
        server->pauseAccepting();
        std::unique_ptr<QAbstractHttpServer> http = m_makeServer();
        m_server = server.get();
        http->bind(server.release()); // parented to the HTTP server
        m_ready.release();
        exec();
        http.reset(); // on this thread, with its sockets
    }

private:
    const ServerFactory& m_makeServer;
    const std::optional<QSslConfiguration>& m_tls;
    qintptr m_listening;
    QTcpServer* m_server = nullptr;
    std::function<void(qintptr)> m_adopt;
    QSemaphore m_ready;
};

ThreadedHttpListener::ThreadedHttpListener(
    int threads, ServerFactory makeServer, std::optional<QSslConfiguration> tls, QObject* parent)
    : QTcpServer(parent)
    , m_threadCount(qMax(1, threads))
    , m_makeServer(std::move(makeServer))
    , m_tls(std::move(tls))
{
}

ThreadedHttpListener::~ThreadedHttpListener()
{
    close();
    m_threads.clear();
}

bool ThreadedHttpListener::start(const QHostAddress& address, quint16 port)
{
    if (!listen(address, port))
        return false;
    for (int i = 0; i < m_threadCount; ++i) {
        auto t = std::make_unique<Thread>(m_makeServer, m_tls, socketDescriptor());
        t->setObjectName(QStringLiteral("http-%1").arg(i));
        t->startAndWait();
        m_threads.push_back(std::move(t));
    }
    return true;
}

void ThreadedHttpListener::incomingConnection(qintptr descriptor)
{
    if (m_threads.empty()) {
        ::close(int(descriptor));
        return;
    }
    m_threads[m_next++ % m_threads.size()]->adopt(descriptor);
}

} // namespace lapse
