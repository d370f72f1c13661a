#include "HttpClient.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTimer>
#include <QUrlQuery>

namespace lapse::testing
{

QJsonObject HttpReply::json() const
{
    return QJsonDocument::fromJson(body).object();
}

QString HttpReply::errorCode() const
{
    return json().value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString();
}

HttpClient::HttpClient(const QUrl& base, const QString& caFile)
    : m_base(base)
    , m_caFile(caFile)
{
}

HttpReply HttpClient::send(const QByteArray& method, const QString& pathAndQuery, const QByteArray& key,
    const QByteArray& body, const QByteArray& contentType)
{
    QNetworkRequest req(m_base.resolved(QUrl(pathAndQuery)));
    if (!m_caFile.isEmpty()) {
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.setCaCertificates(QSslCertificate::fromPath(m_caFile));
        req.setSslConfiguration(ssl);
    }
    if (!key.isEmpty())
        req.setRawHeader("Authorization", "Bearer " + key);
    if (!body.isEmpty() || method == "POST")
        req.setRawHeader("Content-Type", contentType);
    req.setTransferTimeout(30000);
    QNetworkReply* reply = m_nam.sendCustomRequest(req, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    HttpReply out;
    out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    out.body = reply->readAll();
    if (reply->error() != QNetworkReply::NoError && out.status == 0)
        out.networkError = reply->errorString();
    reply->deleteLater();
    return out;
}

HttpReply HttpClient::post(const QString& path, const QByteArray& key, const QJsonObject& body)
{
    return send("POST", path, key, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

HttpReply HttpClient::introspect(const QByteArray& key, const QByteArray& token)
{
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("token"), QString::fromLatin1(token));
    return send("POST", QStringLiteral("/v1/introspect"), key, form.toString(QUrl::FullyEncoded).toLatin1(),
        "application/x-www-form-urlencoded");
}

} // namespace lapse::testing
