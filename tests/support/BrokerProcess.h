// A real lapse-broker for tests and benchmarks: its own data directory, TLS certificate and loopback port.
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>
#include <memory>

namespace lapse::testing
{

class BrokerProcess
{
public:
    struct Options {
        bool tls = true;
        QString directoryFile; // empty: resources/directory.example.json
        QString dataDir; // empty: a fresh temporary directory, removed with this object
        int workers
            = -1; // HTTP threads (--workers); -1: LAPSE_BROKER_WORKERS if set, else the broker's default
        QStringList extraArgs; // given to every start, e.g. --notifications FILE
    };

    BrokerProcess();
    explicit BrokerProcess(Options options);
    ~BrokerProcess();

    // Starts the broker and waits until it listens. The port is chosen once and kept across restarts.
    bool start(QString* error = nullptr);
    void stop(); // SIGTERM, then wait
    void kill9(); // SIGKILL: no chance to flush or clean up
    bool isRunning() const;
    qint64 pid() const { return m_process ? m_process->processId() : 0; }

    // Takes effect at the next start().
    void setWorkers(int workers) { m_options.workers = workers; }
    // The port to listen on from the next start() (one a load balancer already names); 0: any free one.
    void setPort(quint16 port) { m_port = port; }
    int workers() const { return m_options.workers; }

    // `lapse-broker keys create`; works whether or not the broker is running.
    QByteArray createKey(const QString& principal, QString* error = nullptr);

    QUrl url() const; // https://127.0.0.1:PORT (or http:// without TLS)
    quint16 port() const { return m_port; }
    QString caFile() const { return m_certFile; } // the self-signed certificate, to trust as a CA
    QString keyFile() const { return m_keyFile; } // its key; write both before start() to bring your own
    QString dataDir() const { return m_dataDir; }
    QString directoryFile() const { return m_options.directoryFile; }
    QByteArray output() const { return m_output; }

    // build/bin/<name>, from LAPSE_BUILD_DIR (set by CTest) or next to the running executable.
    static QString binary(const QString& name);
    // The source tree's resources/ directory.
    static QString sourceFile(const QString& relativePath);
    // A self-signed certificate for 127.0.0.1/localhost (openssl CLI); returns false with a reason.
    static bool makeCertificate(const QString& certFile, const QString& keyFile, QString* error);
    static quint16 freeLoopbackPort();

private:
    Options m_options;
    std::unique_ptr<QTemporaryDir> m_tmp;
    QString m_dataDir;
    QString m_certFile;
    QString m_keyFile;
    quint16 m_port = 0;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_output;
};

} // namespace lapse::testing
