// A lapse-broker over HTTPS: the same Backend contract as the embedded engine. TLS is always verified; the
// event log is followed by long-polling, checked for gaps and for the hash chain, and resumed after outages.
#pragma once

#include "Backend.h"
#include "api/EventPages.h"

#include <QNetworkAccessManager>
#include <QPointer>
#include <QSslConfiguration>
#include <QTimer>
#include <QUrl>

class QNetworkReply;

namespace lapse
{

class RemoteBackend final : public Backend
{
    Q_OBJECT
public:
    // caFile: extra CA certificates (PEM) to trust; empty: the system's. A bad file is reported by problem().
    RemoteBackend(
        const QUrl& base, const QByteArray& apiKey, const QString& caFile, QObject* parent = nullptr);
    ~RemoteBackend() override;

    void callText(
        const QByteArray& method, const QString& path, const QUrlQuery& query, TextCallback done) override;
    void call(const QByteArray& method, const QString& path, const QJsonObject& body, const QUrlQuery& query,
        ApiCallback done) override;
    void follow(qint64 afterSeq) override;
    void stop() override;
    ConnectionState state() const override { return m_state; }
    qint64 lastSeq() const override { return m_lastSeq; }
    QString describe() const override { return m_base.toString(QUrl::RemoveUserInfo); }

    void setRequestTimeoutMs(int ms) { m_timeoutMs = ms; }
    void setLongPollSeconds(int s) { m_waitSeconds = s; }
    // Events per page while catching up (1..10000, the API's limit); smaller pages only serve tests.
    void setCatchUpPageSize(int n) { m_catchUpPage = qBound(1, n, 10000); }

private:
    QNetworkReply* send(const QByteArray& method, const QString& path, const QUrlQuery& query,
        const QByteArray& body, int timeoutMs);
    static ApiResult resultOf(QNetworkReply* reply);
    bool plainHttpRefused() const;
    void poll();
    void onPollFinished(QNetworkReply* reply);
    QNetworkReply* requestPage(qint64 after); // a catch-up page: the largest, in CBOR
    void dropPrefetch();
    static Result<EventPage> pageOf(QNetworkReply* reply); // JSON or CBOR, as the broker answered
    void onPage(const Result<EventPage>& page);
    void setState(ConnectionState s);
    void retryLater(const QString& why);

    QUrl m_base;
    QByteArray m_apiKey;
    QSslConfiguration m_ssl;
    QNetworkAccessManager m_nam;
    ConnectionState m_state = ConnectionState::Offline;
    bool m_following = false;
    qint64 m_lastSeq = 0;
    QByteArray m_lastHash; // hash of event m_lastSeq; empty until known
    QPointer<QNetworkReply> m_poll;
    // While catching up, the page after the one in flight is already asked for (a log's sequence numbers have
    // no holes): the broker reads it while this side writes.
    QPointer<QNetworkReply> m_prefetch;
    qint64 m_prefetchAfter = -1;
    QTimer m_retry;
    int m_backoffMs = 500;
    int m_timeoutMs = 15000;
    int m_waitSeconds = 25;
    int m_catchUpPage = 10000;
    bool m_reachable = true; // false after a transport failure, until a call succeeds again
};

} // namespace lapse
