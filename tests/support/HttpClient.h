// A blocking HTTP(S) client for integration tests: one call, one reply, with the broker's CA trusted.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QUrl>

namespace lapse::testing
{

struct HttpReply {
    int status = 0; // 0: no HTTP answer (connection or TLS failure)
    QByteArray body;
    QString networkError;
    QJsonObject json() const;
    QString errorCode() const; // error.code of an error body
};

class HttpClient
{
public:
    HttpClient(const QUrl& base, const QString& caFile);
    HttpReply send(const QByteArray& method, const QString& pathAndQuery, const QByteArray& key,
        const QByteArray& body = {}, const QByteArray& contentType = "application/json");
    HttpReply get(const QString& pathAndQuery, const QByteArray& key)
    {
        return send("GET", pathAndQuery, key);
    }
    HttpReply post(const QString& path, const QByteArray& key, const QJsonObject& body);
    HttpReply introspect(const QByteArray& key, const QByteArray& token);

private:
    QUrl m_base;
    QString m_caFile;
    QNetworkAccessManager m_nam;
};

} // namespace lapse::testing
