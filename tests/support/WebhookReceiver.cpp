// The receiver's HTTP: just enough of HTTP/1.1 for POSTs with a Content-Length, keep-alive included.
#include "WebhookReceiver.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QMutexLocker>
#include <QTcpServer>
#include <QTcpSocket>
#include <sys/resource.h>
#include <unistd.h>

namespace lapse::test
{

WebhookReceiver::WebhookReceiver(QByteArray secret)
    : m_secret(std::move(secret))
{
    m_thread.setObjectName(QStringLiteral("webhook-receiver"));
    moveToThread(&m_thread);
    m_thread.start();
}

WebhookReceiver::~WebhookReceiver()
{
    QMetaObject::invokeMethod(
        this, [this] { doClose(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

bool WebhookReceiver::start()
{
    bool ok = false;
    QMetaObject::invokeMethod(
        this, [this, &ok] { doListen(0, &ok); }, Qt::BlockingQueuedConnection);
    return ok;
}

QString WebhookReceiver::url() const
{
    return QStringLiteral("http://127.0.0.1:%1/hook").arg(m_port);
}

void WebhookReceiver::goDown()
{
    QMetaObject::invokeMethod(
        this, [this] { doClose(); }, Qt::BlockingQueuedConnection);
}

bool WebhookReceiver::comeBack()
{
    bool ok = false;
    QMetaObject::invokeMethod(
        this, [this, &ok] { doListen(m_port, &ok); }, Qt::BlockingQueuedConnection);
    return ok;
}

void WebhookReceiver::setHolding(bool holding)
{
    QMetaObject::invokeMethod(
        this, [this, holding] { m_holding = holding; }, Qt::BlockingQueuedConnection);
}

void WebhookReceiver::release()
{
    QMetaObject::invokeMethod(
        this,
        [this] {
            const QList<QTcpSocket*> waiting = std::exchange(m_waiting, {});
            for (QTcpSocket* s : waiting)
                answer(s);
        },
        Qt::BlockingQueuedConnection);
}

QList<ReceivedDelivery> WebhookReceiver::deliveries() const
{
    QMutexLocker lock(&m_mutex);
    return m_deliveries;
}

int WebhookReceiver::answered() const
{
    QMutexLocker lock(&m_mutex);
    return m_answered;
}

int WebhookReceiver::held() const
{
    QMutexLocker lock(&m_mutex);
    return int(m_deliveries.size()) - m_answered - m_dropped;
}

void WebhookReceiver::setNice(int increment)
{
    QMetaObject::invokeMethod(
        this,
        [increment] {
            const id_t tid = id_t(::gettid());
            ::setpriority(PRIO_PROCESS, tid, qMin(19, ::getpriority(PRIO_PROCESS, tid) + increment));
        },
        Qt::BlockingQueuedConnection);
}

void WebhookReceiver::doListen(quint16 port, bool* ok)
{
    if (!m_server) {
        m_server = new QTcpServer(this);
        connect(m_server, &QTcpServer::newConnection, this, &WebhookReceiver::onConnection);
    }
    *ok = m_server->listen(QHostAddress::LocalHost, port);
    if (*ok)
        m_port = m_server->serverPort();
}

void WebhookReceiver::doClose()
{
    if (m_server)
        m_server->close();
    // Held requests are never answered: their connections go with the rest.
    {
        QMutexLocker lock(&m_mutex);
        m_dropped += int(m_waiting.size());
    }
    m_waiting.clear();
    const QList<QTcpSocket*> sockets = m_buffers.keys();
    m_buffers.clear();
    for (QTcpSocket* s : sockets) {
        disconnect(s, nullptr, this, nullptr);
        s->abort();
        s->deleteLater();
    }
}

void WebhookReceiver::onConnection()
{
    while (QTcpSocket* s = m_server->nextPendingConnection()) {
        m_buffers.insert(s, {});
        connect(s, &QTcpSocket::readyRead, this, [this, s] { onReadable(s); });
        connect(s, &QTcpSocket::disconnected, this, [this, s] {
            m_buffers.remove(s);
            if (m_waiting.removeAll(s)) {
                QMutexLocker lock(&m_mutex);
                ++m_dropped; // the sender gave up on it
            }
            s->deleteLater();
        });
    }
}

void WebhookReceiver::onReadable(QTcpSocket* socket)
{
    QByteArray& buf = m_buffers[socket];
    buf += socket->readAll();
    for (;;) {
        const qsizetype headerEnd = buf.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        ReceivedDelivery d;
        qsizetype length = 0;
        for (const QByteArray& line : buf.left(headerEnd).split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon < 0)
                continue;
            const QByteArray name = line.left(colon).trimmed().toLower();
            const QByteArray value = line.mid(colon + 1).trimmed();
            if (name == "content-length")
                length = value.toLongLong();
            else if (name == "x-lapse-delivery")
                d.deliveryId = QString::fromUtf8(value);
            else if (name == "x-lapse-signature")
                d.signature = value;
            else if (name == "content-type")
                d.contentType = value;
        }
        if (buf.size() < headerEnd + 4 + length)
            return;
        d.body = buf.mid(headerEnd + 4, length);
        buf.remove(0, headerEnd + 4 + length);
        d.seq = QJsonDocument::fromJson(d.body).object().value(QLatin1String("seq")).toInteger();
        d.signatureValid = d.signature
            == "sha256="
                + QMessageAuthenticationCode::hash(d.body, m_secret, QCryptographicHash::Sha256).toHex();
        {
            QMutexLocker lock(&m_mutex);
            m_deliveries << d;
        }
        if (m_holding)
            m_waiting << socket;
        else
            answer(socket);
    }
}

void WebhookReceiver::answer(QTcpSocket* socket)
{
    socket->write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
    QMutexLocker lock(&m_mutex);
    ++m_answered;
}

} // namespace lapse::test
