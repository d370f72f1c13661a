#include "Transport.h"

#include "domain/Directory.h"
#include "engine/Engine.h"

#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSslCertificate>
#include <QSslConfiguration>

namespace lapse
{

HttpTransport::HttpTransport(const QUrl& base, const QByteArray& apiKey, const QString& caFile, int timeoutMs)
    : m_base(base), m_apiKey(apiKey), m_caFile(caFile), m_timeoutMs(timeoutMs),
      m_nam(std::make_unique<QNetworkAccessManager>()) // one per run: keeps the TLS connection alive between calls
{
}

HttpTransport::~HttpTransport() = default;

ApiResponse HttpTransport::call(const QByteArray& method, const QString& path, const QUrlQuery& query,
    const QByteArray& body, const QByteArray& contentType)
{
    QUrl url = m_base;
    url.setPath(path);
    url.setQuery(query);
    QNetworkRequest req(url);
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    if (!m_caFile.isEmpty()) {
        const auto cas = QSslCertificate::fromPath(m_caFile);
        if (cas.isEmpty())
            return ApiResponse::error(makeError(ErrorCode::Invalid, QStringLiteral("no PEM certificate in %1").arg(m_caFile)));
        ssl.addCaCertificates(cas);
    }
    req.setSslConfiguration(ssl);
    if (!m_apiKey.isEmpty())
        req.setRawHeader("Authorization", "Bearer " + m_apiKey);
    if (method == "POST")
        req.setRawHeader("Content-Type", contentType);
    req.setTransferTimeout(m_timeoutMs);
    QNetworkReply* reply = m_nam->sendCustomRequest(req, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 0) {
        QString why = reply->errorString();
        if (reply->error() == QNetworkReply::SslHandshakeFailedError)
            why = QStringLiteral("TLS certificate of %1 not trusted (%2); pass --ca FILE").arg(m_base.host(), why);
        return ApiResponse::error(
            makeError(ErrorCode::Unavailable, QStringLiteral("cannot reach %1: %2").arg(m_base.toString(), why)));
    }
    ApiResponse out;
    out.status = status;
    out.body = reply->readAll();
    out.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    return out;
}

Result<std::unique_ptr<StoreTransport>> StoreTransport::open(const QString& dataDir, const QString& directoryFile)
{
    if (!QFileInfo::exists(QDir(dataDir).filePath(QStringLiteral("lapse.db"))))
        return makeError(ErrorCode::NotFound, QStringLiteral("no store at %1 (lapse.db missing)").arg(dataDir));
    const QString dirFile = directoryFile.isEmpty() ? QDir(dataDir).filePath(QStringLiteral("directory.json")) : directoryFile;
    auto directory = Directory::load(dirFile);
    if (!directory)
        return makeError(directory.error().code,
            QStringLiteral("%1 (give the broker's directory with --directory FILE)").arg(directory.error().message));
    EngineConfig cfg;
    cfg.dataDir = dataDir;
    cfg.directory = std::move(directory).value();
    cfg.sweepIntervalMs = 0; // a reader never expires anything: that is the broker's job
    auto engine = Engine::open(std::move(cfg));
    if (!engine)
        return engine.error();
    std::unique_ptr<StoreTransport> t(new StoreTransport);
    t->m_dataDir = dataDir;
    t->m_engine = std::move(engine).value();
    t->m_api = std::make_unique<ApiService>(*t->m_engine);
    t->m_reader = std::make_unique<Principal>();
    t->m_reader->id = QStringLiteral("lapsectl-local");
    t->m_reader->roles = unsigned(Role::Auditor);
    return t;
}

StoreTransport::~StoreTransport() = default;

ApiResponse StoreTransport::call(const QByteArray& method, const QString& path, const QUrlQuery& query,
    const QByteArray& body, const QByteArray& contentType)
{
    if (method != "GET")
        return ApiResponse::error(makeError(ErrorCode::Forbidden,
            QStringLiteral("--data reads a store; decisions go through a broker (--url) so its caches and sessions see them")));
    ApiRequest req;
    req.method = method;
    req.path = path;
    req.query = query;
    req.body = body;
    req.contentType = contentType;
    return m_api->handleAs(*m_reader, req);
}

} // namespace lapse
