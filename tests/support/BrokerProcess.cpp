#include "BrokerProcess.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QTcpServer>
#include <QThread>

namespace lapse::testing
{

BrokerProcess::BrokerProcess()
    : BrokerProcess(Options {})
{
}

BrokerProcess::BrokerProcess(Options options)
    : m_options(std::move(options))
{
    m_tmp = std::make_unique<QTemporaryDir>();
    m_dataDir = m_options.dataDir.isEmpty() ? m_tmp->filePath(QStringLiteral("data")) : m_options.dataDir;
    if (m_options.directoryFile.isEmpty())
        m_options.directoryFile = sourceFile(QStringLiteral("resources/directory.example.json"));
    m_certFile = m_tmp->filePath(QStringLiteral("cert.pem"));
    m_keyFile = m_tmp->filePath(QStringLiteral("key.pem"));
}

BrokerProcess::~BrokerProcess()
{
    if (isRunning())
        kill9();
}

QString BrokerProcess::binary(const QString& name)
{
    QString dir = qEnvironmentVariable("LAPSE_BUILD_DIR");
    if (dir.isEmpty()) // tests/benchmarks live in build/bin next to the programs
        return QDir(QCoreApplication::applicationDirPath()).filePath(name);
    return QDir(dir).filePath(QStringLiteral("bin/") + name);
}

QString BrokerProcess::sourceFile(const QString& relativePath)
{
    return QDir(QStringLiteral(LAPSE_SOURCE_DIR)).filePath(relativePath);
}

quint16 BrokerProcess::freeLoopbackPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

bool BrokerProcess::makeCertificate(const QString& certFile, const QString& keyFile, QString* error)
{
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
        {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
            QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
            QStringLiteral("-keyout"), keyFile, QStringLiteral("-out"), certFile, QStringLiteral("-days"),
            QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=localhost"),
            QStringLiteral("-addext"), QStringLiteral("subjectAltName=IP:127.0.0.1,DNS:localhost")});
    if (!openssl.waitForFinished(30000) || openssl.exitStatus() != QProcess::NormalExit
        || openssl.exitCode() != 0) {
        if (error)
            *error = QStringLiteral("openssl req failed: %1")
                         .arg(QString::fromLocal8Bit(openssl.readAllStandardError()));
        return false;
    }
    return true;
}

bool BrokerProcess::start(QString* error)
{
    auto fail = [&](const QString& why) {
        if (error)
            *error = why;
        return false;
    };
    if (isRunning())
        return true;
    if (m_options.tls && !QFileInfo::exists(m_certFile) && !makeCertificate(m_certFile, m_keyFile, error))
        return false;
    // A port picked free can be taken by the time the broker binds; try a few.
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (m_port == 0 || attempt > 0)
            m_port = freeLoopbackPort();
        QStringList args {QStringLiteral("--data"), m_dataDir, QStringLiteral("--directory"),
            m_options.directoryFile, QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(m_port)};
        if (m_options.tls)
            args << QStringLiteral("--tls-cert") << m_certFile << QStringLiteral("--tls-key") << m_keyFile;
        else
            args << QStringLiteral("--insecure-http");
        // LAPSE_BROKER_WORKERS=0 runs a whole suite against the single-threaded broker.
        const QString workers = m_options.workers >= 0 ? QString::number(m_options.workers)
                                                       : qEnvironmentVariable("LAPSE_BROKER_WORKERS");
        if (!workers.isEmpty())
            args << QStringLiteral("--workers") << workers;
        args << m_options.extraArgs;
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        m_output.clear();
        m_process->start(binary(QStringLiteral("lapse-broker")), args);
        if (!m_process->waitForStarted(10000))
            return fail(QStringLiteral("cannot start %1: %2")
                            .arg(binary(QStringLiteral("lapse-broker")), m_process->errorString()));
        // The broker prints one line once it listens, or exits with a reason.
        QDeadlineTimer deadline(20000);
        while (!m_output.contains("listening on") && m_process->state() == QProcess::Running
            && !deadline.hasExpired()) {
            m_process->waitForReadyRead(100);
            m_output += m_process->readAll();
        }
        if (m_output.contains("listening on"))
            return true;
        m_process->waitForFinished(2000);
        m_output += m_process->readAll();
        if (!m_output.contains("cannot listen"))
            return fail(
                QStringLiteral("lapse-broker did not start: %1").arg(QString::fromLocal8Bit(m_output)));
    }
    return fail(QStringLiteral("no free port: %1").arg(QString::fromLocal8Bit(m_output)));
}

void BrokerProcess::stop()
{
    if (!isRunning())
        return;
    m_process->terminate();
    if (!m_process->waitForFinished(10000)) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
    m_output += m_process->readAll();
}

void BrokerProcess::kill9()
{
    if (!isRunning())
        return;
    m_process->kill();
    m_process->waitForFinished(5000);
    m_output += m_process->readAll();
}

bool BrokerProcess::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

QByteArray BrokerProcess::createKey(const QString& principal, QString* error)
{
    QStringList args {QStringLiteral("keys"), QStringLiteral("create"), QStringLiteral("--data"), m_dataDir,
        QStringLiteral("--directory"), m_options.directoryFile, QStringLiteral("--principal"), principal};
    // The key goes into the store the broker serves from.
    const qsizetype store = m_options.extraArgs.indexOf(QStringLiteral("--store"));
    if (store >= 0 && store + 1 < m_options.extraArgs.size())
        args << m_options.extraArgs.mid(store, 2);
    QProcess p;
    p.start(binary(QStringLiteral("lapse-broker")), args);
    if (!p.waitForFinished(30000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        if (error)
            *error = QString::fromLocal8Bit(p.readAllStandardError());
        return {};
    }
    const QList<QByteArray> lines = p.readAllStandardOutput().trimmed().split('\n');
    return lines.isEmpty() ? QByteArray() : lines.last().trimmed();
}

QUrl BrokerProcess::url() const
{
    return QUrl(QStringLiteral("%1://127.0.0.1:%2")
                    .arg(m_options.tls ? QStringLiteral("https") : QStringLiteral("http"))
                    .arg(m_port));
}

} // namespace lapse::testing
