// How lapsectl reaches API v1: a broker over HTTPS, or a store read in-process through the same ApiService.
#pragma once

#include "api/ApiService.h"

#include <QUrl>

#include <memory>

namespace lapse
{
class Engine;
class RemoteBackend;
struct Principal;

class Transport
{
public:
    virtual ~Transport() = default;
    // One blocking call. A transport failure is answered as a 503 error body, so callers see one shape.
    virtual ApiResponse call(const QByteArray& method, const QString& path, const QUrlQuery& query = {},
        const QByteArray& body = {}, const QByteArray& contentType = "application/json")
        = 0;
    // The same for an operation that answers text (checkpoints, proofs, the log key): the body verbatim.
    virtual ApiResponse callText(const QByteArray& method, const QString& path, const QUrlQuery& query = {})
    {
        return call(method, path, query);
    }
    virtual QString describe() const = 0;
};

// HTTPS (or loopback HTTP) to a lapse-broker, through the console's RemoteBackend: one HTTP client, one
// TLS policy (always verified; caFile adds trusted CAs), one mapping of errors.
class HttpTransport final : public Transport
{
public:
    HttpTransport(const QUrl& base, const QByteArray& apiKey, const QString& caFile, int timeoutMs);
    ~HttpTransport() override;
    ApiResponse call(const QByteArray& method, const QString& path, const QUrlQuery& query,
        const QByteArray& body, const QByteArray& contentType) override;
    ApiResponse callText(const QByteArray& method, const QString& path, const QUrlQuery& query) override;
    QString describe() const override;

private:
    std::unique_ptr<RemoteBackend> m_backend;
};

// A store read directly (--data): read-only, as a local auditor. Changes go through a broker, whose caches
// and sessions must see them.
class StoreTransport final : public Transport
{
public:
    static Result<std::unique_ptr<StoreTransport>> open(const QString& dataDir, const QString& directoryFile);
    ~StoreTransport() override;
    ApiResponse call(const QByteArray& method, const QString& path, const QUrlQuery& query,
        const QByteArray& body, const QByteArray& contentType) override;
    QString describe() const override { return m_dataDir; }

private:
    StoreTransport() = default;
    QString m_dataDir;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<ApiService> m_api;
    std::unique_ptr<Principal> m_reader;
};

} // namespace lapse
