#include "Transport.h"

#include "backend/RemoteBackend.h"
#include "domain/Directory.h"
#include "engine/Engine.h"

#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonDocument>

namespace lapse
{

HttpTransport::HttpTransport(const QUrl& base, const QByteArray& apiKey, const QString& caFile, int timeoutMs)
    : m_backend(std::make_unique<RemoteBackend>(base, apiKey, caFile))
{
    m_backend->setRequestTimeoutMs(timeoutMs);
}

HttpTransport::~HttpTransport() = default;

QString HttpTransport::describe() const
{
    return m_backend->describe();
}

ApiResponse HttpTransport::call(const QByteArray& method, const QString& path, const QUrlQuery& query,
    const QByteArray& body, const QByteArray&)
{
    std::optional<ApiResult> result;
    QEventLoop loop;
    m_backend->call(method, path, body.isEmpty() ? QJsonObject() : QJsonDocument::fromJson(body).object(),
        query, [&](const ApiResult& r) {
            result = r;
            loop.quit();
        });
    if (!result)
        loop.exec();
    return result->ok() ? ApiResponse::json(200, result->value()) : ApiResponse::error(result->error());
}

ApiResponse HttpTransport::callText(const QByteArray& method, const QString& path, const QUrlQuery& query)
{
    std::optional<Result<QByteArray>> result;
    QEventLoop loop;
    m_backend->callText(method, path, query, [&](const Result<QByteArray>& r) {
        result = r;
        loop.quit();
    });
    if (!result)
        loop.exec();
    if (!result->ok())
        return ApiResponse::error(result->error());
    ApiResponse text;
    text.body = result->value();
    text.contentType = "text/plain; charset=utf-8";
    return text;
}

Result<std::unique_ptr<StoreTransport>> StoreTransport::open(
    const QString& dataDir, const QString& directoryFile)
{
    if (!QFileInfo::exists(QDir(dataDir).filePath(QStringLiteral("lapse.db"))))
        return makeError(
            ErrorCode::NotFound, QStringLiteral("no store at %1 (lapse.db missing)").arg(dataDir));
    const QString dirFile
        = directoryFile.isEmpty() ? QDir(dataDir).filePath(QStringLiteral("directory.json")) : directoryFile;
    auto directory = Directory::load(dirFile);
    if (!directory)
        return makeError(directory.error().code,
            QStringLiteral("%1 (give the broker's directory with --directory FILE)")
                .arg(directory.error().message));
    EngineConfig cfg;
    cfg.dataDir = dataDir;
    cfg.directory = std::move(directory).value();
    cfg.sweepIntervalMs = 0; // a reader never expires anything: that is the broker's job
    cfg.cutCheckpoints = false; // nor signs checkpoints
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
            QStringLiteral("--data reads a store; decisions go through a broker (--url) so its caches and "
                           "sessions see them")));
    ApiRequest req;
    req.method = method;
    req.path = path;
    req.query = query;
    req.body = body;
    req.contentType = contentType;
    return m_api->handleAs(*m_reader, req);
}

} // namespace lapse
