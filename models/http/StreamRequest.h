// What a /v1/stream upgrade asks for, checked the same way by the engine's frontend and the worker threads.
#pragma once

#include <QAbstractHttpServer>
#include <QString>
#include <QUrl>
#include <QUrlQuery>
#include <QWebSocket>
#include <functional>
#include <memory>
#include <optional>

namespace lapse
{

struct StreamRequest {
    QString refusal; // non-empty: close with this reason
    std::optional<qint64> after; // none: from the log's head
};

inline StreamRequest parseStreamRequest(const QUrl& url)
{
    if (url.path() != QLatin1String("/v1/stream"))
        return {QStringLiteral("no such stream; use /v1/stream?after=SEQ"), std::nullopt};
    const QUrlQuery query(url);
    if (!query.hasQueryItem(QStringLiteral("after")))
        return {};
    bool ok = true;
    const qint64 after = query.queryItemValue(QStringLiteral("after")).toLongLong(&ok);
    if (!ok || after < 0)
        return {QStringLiteral("after must be a sequence number"), std::nullopt};
    return {QString(), after};
}

// Qt 6.4 completes the upgrade before the request is seen: a refused stream is closed with a policy-violation
// code and the reason, before any event is sent.
inline void refuseStream(QWebSocket* ws, const QString& why)
{
    ws->close(QWebSocketProtocol::CloseCodePolicyViolated, why);
    ws->deleteLater();
}

// Takes every WebSocket connection `server` has pending, refuses those that do not ask for /v1/stream
// properly, and hands the others to `accept` with what they asked for; the caller checks the key.
inline void acceptStreams(QAbstractHttpServer& server,
    const std::function<void(std::unique_ptr<QWebSocket>, const StreamRequest&)>& accept)
{
    while (server.hasPendingWebSocketConnections()) {
        std::unique_ptr<QWebSocket> socket = server.nextPendingWebSocketConnection();
        const StreamRequest asked = parseStreamRequest(socket->requestUrl());
        if (!asked.refusal.isEmpty()) {
            refuseStream(socket.release(), asked.refusal);
            continue;
        }
        accept(std::move(socket), asked);
    }
}

} // namespace lapse
