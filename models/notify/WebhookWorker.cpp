// Delivery on the worker's thread: at most one request in flight per sink, so each receiver sees its events
// in seq order; the log is the queue, so nothing committed is lost while a receiver is down.
#include "WebhookWorker.h"

#include "WebhookMessage.h"

#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <cerrno>
#include <sys/resource.h>
#include <unistd.h>

namespace lapse
{

WebhookWorker::WebhookWorker(QString dataDir, QList<WebhookSinkConfig> sinks, StoreOpener openReader,
    WebhookOptions options, std::vector<std::shared_ptr<WebhookSinkCounters>> counters)
    : m_dataDir(std::move(dataDir))
    , m_openReader(std::move(openReader))
    , m_options(options)
{
    for (int i = 0; i < sinks.size(); ++i) {
        auto s
            = std::make_unique<Sink>(sinks.at(i), WebhookCursor(m_dataDir, sinks.at(i).id), counters.at(i));
        s->backoffMs = m_options.initialBackoffMs;
        m_sinks.push_back(std::move(s));
    }
}

WebhookWorker::~WebhookWorker()
{
    shutdown();
}

Status WebhookWorker::initialize()
{
    if (m_options.niceIncrement > 0) {
        const id_t tid = id_t(::gettid());
        errno = 0;
        const int nice = ::getpriority(PRIO_PROCESS, tid);
        if (errno == 0)
            ::setpriority(PRIO_PROCESS, tid, qMin(19, nice + m_options.niceIncrement));
    }
    auto reader = m_openReader();
    if (!reader)
        return reader.error();
    m_reader = std::move(reader).value();
    const qint64 head = m_reader->lastSeq();
    for (auto& s : m_sinks) {
        const bool known = QFile::exists(s->cursorFile.path());
        auto cursor = s->cursorFile.read();
        if (!cursor)
            return cursor.error();
        // A sink added to a running log starts at its head: it is told what happens from now on, not replayed
        // the whole history.
        s->cursor = known ? cursor.value() : head;
        if (!known)
            if (const Status w = s->cursorFile.write(s->cursor); !w)
                return w.error();
        s->counters->cursor = s->cursor;
        s->retry = new QTimer(this);
        s->retry->setSingleShot(true);
        Sink* raw = s.get();
        connect(s->retry, &QTimer::timeout, this, [this, raw] { pump(*raw); });
    }
    m_nam = new QNetworkAccessManager(this);
    m_poll = new QTimer(this);
    connect(m_poll, &QTimer::timeout, this, &WebhookWorker::pumpAll);
    m_poll->start(m_options.pollIntervalMs);
    m_save = new QTimer(this);
    m_save->setSingleShot(true);
    connect(m_save, &QTimer::timeout, this, &WebhookWorker::saveDirtyCursors);
    QTimer::singleShot(0, this, &WebhookWorker::pumpAll);
    return Ok {};
}

void WebhookWorker::shutdown()
{
    m_stopping = true;
    for (auto& s : m_sinks) {
        if (s->inFlight) {
            // Not delivered as far as the cursor knows: the next start sends it again, with the same id.
            QNetworkReply* reply = std::exchange(s->inFlight, nullptr);
            disconnect(reply, nullptr, this, nullptr);
            reply->abort();
            delete reply;
        }
        if (s->retry)
            s->retry->stop();
    }
    saveDirtyCursors();
    if (m_poll)
        m_poll->stop();
    if (m_save)
        m_save->stop();
    delete std::exchange(m_nam, nullptr);
    m_reader.reset();
}

void WebhookWorker::requestWake()
{
    if (!m_wakePending.exchange(true))
        QMetaObject::invokeMethod(this, &WebhookWorker::wake, Qt::QueuedConnection);
}

void WebhookWorker::wake()
{
    m_wakePending = false;
    pumpAll();
}

void WebhookWorker::pumpAll()
{
    for (auto& s : m_sinks)
        pump(*s);
}

void WebhookWorker::pump(Sink& s)
{
    if (m_stopping || !m_reader || s.inFlight || s.retry->isActive())
        return;
    for (;;) {
        if (s.queue.isEmpty()) {
            s.queue = m_reader->events(s.cursor, m_options.pageSize);
            if (s.queue.isEmpty())
                return;
        }
        const Event e = s.queue.first();
        if (s.config.takes(e.type)) {
            send(s, e);
            return;
        }
        s.queue.removeFirst();
        cursorMoved(s, e.seq);
    }
}

void WebhookWorker::send(Sink& s, const Event& e)
{
    const WebhookMessage message(s.config.id, e);
    QNetworkRequest request(s.config.url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader(QByteArrayLiteral("X-Lapse-Delivery"), message.deliveryId().toUtf8());
    request.setRawHeader(QByteArrayLiteral("X-Lapse-Signature"), message.signature(s.config.secret));
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("lapse-broker"));
    request.setTransferTimeout(s.config.timeoutSeconds * 1000);
    s.inFlight = m_nam->post(request, message.body());
    QNetworkReply* reply = s.inFlight;
    const qint64 seq = e.seq;
    Sink* raw = &s;
    connect(reply, &QNetworkReply::finished, this, [this, raw, reply, seq] { finished(*raw, reply, seq); });
}

void WebhookWorker::finished(Sink& s, QNetworkReply* reply, qint64 seq)
{
    s.inFlight = nullptr;
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() == QNetworkReply::NoError && status >= 200 && status < 300) {
        if (!s.queue.isEmpty() && s.queue.first().seq == seq)
            s.queue.removeFirst();
        cursorMoved(s, seq);
        ++s.counters->delivered;
        s.backoffMs = m_options.initialBackoffMs;
        emit delivered(s.config.id, seq);
        pump(s);
        return;
    }
    ++s.counters->failures;
    const QString why = status ? QStringLiteral("HTTP %1").arg(status) : reply->errorString();
    // Jitter spreads the retries of many brokers after a receiver's outage: between half and all the backoff.
    const int delay = s.backoffMs / 2 + int(m_jitter.bounded(s.backoffMs / 2 + 1));
    s.backoffMs = qMin(s.backoffMs * 2, m_options.maxBackoffMs);
    s.retry->start(delay);
    emit deliveryFailed(s.config.id, seq, why);
}

void WebhookWorker::cursorMoved(Sink& s, qint64 seq)
{
    s.cursor = seq;
    s.counters->cursor = seq;
    s.cursorDirty = true;
    if (m_save && !m_save->isActive())
        m_save->start(m_options.cursorSaveIntervalMs);
}

void WebhookWorker::saveDirtyCursors()
{
    for (auto& s : m_sinks)
        if (s->cursorDirty)
            saveCursor(*s);
}

void WebhookWorker::saveCursor(Sink& s)
{
    // A cursor that cannot be written only costs a repeat after a restart (same delivery id): delivery goes
    // on.
    if (const Status w = s.cursorFile.write(s.cursor); !w)
        qWarning("webhook %s: %s", qPrintable(s.config.id), qPrintable(w.error().message));
    s.cursorDirty = false;
}

} // namespace lapse
