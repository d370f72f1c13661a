#include "RemoteBackend.h"

#include "engine/EventChain.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QSslCertificate>

namespace lapse
{

namespace
{
constexpr int kMaxBackoffMs = 30000;
} // namespace

RemoteBackend::RemoteBackend(
    const QUrl& base, const QByteArray& apiKey, const QString& caFile, QObject* parent)
    : Backend(parent)
    , m_base(base)
    , m_apiKey(apiKey)
    , m_ssl(QSslConfiguration::defaultConfiguration())
{
    if (!caFile.isEmpty()) {
        const auto cas = QSslCertificate::fromPath(caFile);
        if (cas.isEmpty())
            QTimer::singleShot(
                0, this, [this, caFile] { emit problem(tr("no PEM certificate in %1").arg(caFile)); });
        m_ssl.addCaCertificates(cas);
    }
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &RemoteBackend::poll);
}

RemoteBackend::~RemoteBackend()
{
    m_following = false;
    if (m_poll)
        m_poll->abort();
    dropPrefetch();
}

QNetworkReply* RemoteBackend::send(const QByteArray& method, const QString& path, const QUrlQuery& query,
    const QByteArray& body, int timeoutMs)
{
    QUrl url = m_base;
    url.setPath(path);
    url.setQuery(query);
    QNetworkRequest req(url);
    req.setSslConfiguration(m_ssl);
    req.setRawHeader("Authorization", "Bearer " + m_apiKey);
    if (method == "POST")
        req.setRawHeader("Content-Type", "application/json");
    req.setTransferTimeout(timeoutMs);
    // Never follow redirects: a key must not be replayed to another origin.
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    return m_nam.sendCustomRequest(req, method, body);
}

ApiResult RemoteBackend::resultOf(QNetworkReply* reply)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 0) {
        QString why = reply->errorString();
        if (reply->error() == QNetworkReply::SslHandshakeFailedError)
            why = tr("the broker's TLS certificate is not trusted (%1); give its CA with --ca").arg(why);
        else if (reply->error() == QNetworkReply::OperationCanceledError)
            why = tr("no answer in time");
        return makeError(ErrorCode::Unavailable, tr("broker unreachable: %1").arg(why));
    }
    const QJsonObject json = QJsonDocument::fromJson(reply->readAll()).object();
    if (status >= 400) {
        const QJsonObject err = json[QLatin1String("error")].toObject();
        return makeError(Error::codeFromName(err[QLatin1String("code")].toString())
                             .value_or(Error::codeFromHttpStatus(status)),
            err[QLatin1String("message")].toString(tr("HTTP %1").arg(status)));
    }
    if (status >= 300)
        return makeError(ErrorCode::Unavailable,
            tr("the broker answered a redirect (HTTP %1); use its final URL").arg(status));
    return json;
}

Result<EventPage> RemoteBackend::pageOf(QNetworkReply* reply)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 200
        && reply->header(QNetworkRequest::ContentTypeHeader)
               .toString()
               .startsWith(QLatin1String("application/cbor")))
        return eventPageFromCbor(reply->readAll());
    const ApiResult r = resultOf(reply);
    if (!r)
        return r.error();
    return eventPageFromJson(r.value());
}

bool RemoteBackend::plainHttpRefused() const
{
    // The key travels in every request: plain HTTP only where it cannot leave the machine.
    if (m_base.scheme() == QLatin1String("https"))
        return false;
    const QHostAddress host(
        m_base.host() == QLatin1String("localhost") ? QStringLiteral("127.0.0.1") : m_base.host());
    return m_base.scheme() != QLatin1String("http") || host.isNull() || !host.isLoopback();
}

void RemoteBackend::call(const QByteArray& method, const QString& path, const QJsonObject& body,
    const QUrlQuery& query, ApiCallback done)
{
    if (plainHttpRefused()) {
        QTimer::singleShot(0, this, [done = std::move(done), url = m_base.toString()] {
            done(makeError(ErrorCode::Invalid,
                tr("refusing %1: use https://, plain http only to a loopback address").arg(url)));
        });
        return;
    }
    if (!m_reachable && m_state != ConnectionState::Live && m_following) {
        // Known down: fail now rather than park a decision behind a timeout. Never queued.
        QTimer::singleShot(0, this, [done = std::move(done)] {
            done(makeError(ErrorCode::Unavailable, tr("broker unreachable; reconnecting")));
        });
        return;
    }
    QNetworkReply* reply = send(method, path, query,
        body.isEmpty() && method != "POST" ? QByteArray()
                                           : QJsonDocument(body).toJson(QJsonDocument::Compact),
        m_timeoutMs);
    connect(reply, &QNetworkReply::finished, this, [this, reply, done = std::move(done)] {
        reply->deleteLater();
        const ApiResult r = resultOf(reply);
        if (!r && r.error().code == ErrorCode::Unavailable)
            m_reachable = false;
        else
            m_reachable = true;
        done(r);
    });
}

void RemoteBackend::callText(
    const QByteArray& method, const QString& path, const QUrlQuery& query, TextCallback done)
{
    if (plainHttpRefused()) {
        QTimer::singleShot(0, this, [done = std::move(done), url = m_base.toString()] {
            done(makeError(ErrorCode::Invalid,
                tr("refusing %1: use https://, plain http only to a loopback address").arg(url)));
        });
        return;
    }
    QNetworkReply* reply
        = send(method, path, query, method == "POST" ? QByteArray("{}") : QByteArray(), m_timeoutMs);
    connect(reply, &QNetworkReply::finished, this, [reply, done = std::move(done)] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 200
            && reply->header(QNetworkRequest::ContentTypeHeader)
                   .toString()
                   .startsWith(QLatin1String("text/plain"))) {
            done(reply->readAll());
            return;
        }
        const ApiResult r = resultOf(reply);
        done(r ? Result<QByteArray>(
                 makeError(ErrorCode::Internal, tr("the broker answered JSON where text was expected")))
               : Result<QByteArray>(r.error()));
    });
}

void RemoteBackend::setState(ConnectionState s)
{
    if (m_state == s)
        return;
    m_state = s;
    emit stateChanged(s);
}

void RemoteBackend::follow(qint64 afterSeq)
{
    m_following = true;
    m_lastSeq = afterSeq;
    m_lastHash = afterSeq == 0 ? EventChain::genesisHash() : QByteArray();
    m_backoffMs = 500;
    setState(ConnectionState::Connecting);
    poll();
}

void RemoteBackend::stop()
{
    m_following = false;
    m_retry.stop();
    if (m_poll)
        m_poll->abort();
    if (m_poll) { // it had finished already and waits to be handled: it never will be now
        m_poll->deleteLater();
        m_poll.clear();
    }
    dropPrefetch();
    setState(ConnectionState::Offline);
}

QNetworkReply* RemoteBackend::requestPage(qint64 after)
{
    // The same fields as JSON without escaping every body into a string and parsing it back.
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("after"), QString::number(after));
    q.addQueryItem(QStringLiteral("limit"), QString::number(m_catchUpPage));
    q.addQueryItem(QStringLiteral("format"), QStringLiteral("cbor"));
    return send("GET", QStringLiteral("/v1/events"), q, {}, m_timeoutMs);
}

void RemoteBackend::dropPrefetch()
{
    if (m_prefetch) {
        m_prefetch->abort();
        m_prefetch->deleteLater();
    }
    m_prefetch.clear();
    m_prefetchAfter = -1;
}

void RemoteBackend::poll()
{
    if (!m_following || m_poll)
        return;
    if (plainHttpRefused()) {
        emit problem(
            tr("refusing %1: use https://, plain http only to a loopback address").arg(m_base.toString()));
        m_following = false;
        setState(ConnectionState::Offline);
        return;
    }
    // Long-poll only once caught up and live; while catching up, the largest pages come back to back.
    const bool live = m_state == ConnectionState::Live;
    if (m_lastHash.isEmpty()) {
        // Resuming from a sequence number without its hash: fetch that event first to anchor the chain.
        dropPrefetch();
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("after"), QString::number(m_lastSeq - 1));
        q.addQueryItem(QStringLiteral("limit"), QStringLiteral("1"));
        m_poll = send("GET", QStringLiteral("/v1/events"), q, {}, m_timeoutMs);
    } else if (live) {
        dropPrefetch();
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("after"), QString::number(m_lastSeq));
        q.addQueryItem(QStringLiteral("limit"), QStringLiteral("1000"));
        q.addQueryItem(QStringLiteral("wait"), QString::number(m_waitSeconds));
        m_poll = send("GET", QStringLiteral("/v1/events"), q, {}, m_timeoutMs + m_waitSeconds * 1000);
    } else {
        if (m_prefetch && m_prefetchAfter == m_lastSeq) {
            m_poll = m_prefetch; // asked for while the last page was on its way
            m_prefetch.clear();
            m_prefetchAfter = -1;
        } else {
            dropPrefetch();
            m_poll = requestPage(m_lastSeq);
        }
        m_prefetchAfter = m_lastSeq + m_catchUpPage;
        m_prefetch = requestPage(m_prefetchAfter);
    }
    QNetworkReply* reply = m_poll.data();
    if (reply->isFinished())
        QMetaObject::invokeMethod(
            this, [this, reply] { onPollFinished(reply); }, Qt::QueuedConnection);
    else
        connect(reply, &QNetworkReply::finished, this, [this, reply] { onPollFinished(reply); });
}

void RemoteBackend::onPollFinished(QNetworkReply* reply)
{
    if (m_poll.data() != reply)
        return; // aborted by stop(), or already handled
    reply->deleteLater();
    m_poll.clear();
    if (!m_following)
        return;
    onPage(pageOf(reply));
}

void RemoteBackend::retryLater(const QString& why)
{
    setState(ConnectionState::Reconnecting);
    emit problem(tr("%1 — retrying in %2 s").arg(why).arg(m_backoffMs / 1000.0, 0, 'f', 1));
    m_retry.start(m_backoffMs);
    m_backoffMs = qMin(m_backoffMs * 2, kMaxBackoffMs);
}

void RemoteBackend::onPage(const Result<EventPage>& page)
{
    if (!page) {
        m_reachable = page.error().code != ErrorCode::Unavailable;
        if (page.error().code == ErrorCode::Unauthenticated || page.error().code == ErrorCode::Forbidden) {
            // Not a connection problem: retrying would not help. Say so and stop.
            emit problem(tr("the broker refused the event log: %1").arg(page.error().message));
            m_following = false;
            setState(ConnectionState::Offline);
            return;
        }
        retryLater(page.error().message);
        return;
    }
    m_reachable = true;
    m_backoffMs = 500;
    const QList<Event>& items = page->items;
    if (m_lastHash.isEmpty()) {
        const Event anchor = items.isEmpty() ? Event {} : items.first();
        if (anchor.seq != m_lastSeq) {
            emit problem(
                tr("the broker has no event %1 to resume from; its log is shorter than this console's")
                    .arg(m_lastSeq));
            m_following = false;
            setState(ConnectionState::Offline);
            return;
        }
        m_lastHash = anchor.hash;
        poll();
        return;
    }
    QList<Event> fresh;
    fresh.reserve(items.size());
    ChainVerifier verifier(m_lastSeq + 1, m_lastHash);
    for (const Event& e : items) {
        if (!verifier.add(e)) {
            // Deliver what verified, then stop loudly: nothing after a break is ever shown as trusted.
            if (!fresh.isEmpty()) {
                m_lastSeq = fresh.last().seq;
                m_lastHash = fresh.last().hash;
                emit eventsReceived(fresh);
            }
            emit problem(tr("the broker's event log breaks at event %1: %2")
                             .arg(verifier.breakSeq())
                             .arg(verifier.breakReason()));
            m_following = false;
            setState(ConnectionState::Offline);
            return;
        }
        fresh << e;
    }
    if (!fresh.isEmpty()) {
        m_lastSeq = fresh.last().seq;
        m_lastHash = fresh.last().hash;
    }
    const bool caughtUp = page->lastSeq <= m_lastSeq;
    if (caughtUp)
        setState(ConnectionState::Live);
    // The next page is asked for before this one is handed on: the broker reads it while we write this one.
    poll();
    if (!fresh.isEmpty())
        emit eventsReceived(fresh);
}

} // namespace lapse
