// A webhook receiver for tests and benchmarks: a small HTTP/1.1 server on 127.0.0.1, on a thread of its own
// (so it answers while the test's thread is busy in the engine), that records each delivery and checks its
// signature with its own HMAC. It can go down and come back on the same port, and hold its answers.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QString>
#include <QThread>

class QTcpServer;
class QTcpSocket;

namespace lapse::test
{

struct ReceivedDelivery {
    QString deliveryId; // X-Lapse-Delivery
    QByteArray signature; // X-Lapse-Signature
    QByteArray contentType;
    QByteArray body;
    qint64 seq = 0; // from the body
    bool signatureValid = false; // against the receiver's own HMAC-SHA256 of the body
};

class WebhookReceiver : public QObject
{
    Q_OBJECT
public:
    explicit WebhookReceiver(QByteArray secret);
    ~WebhookReceiver() override;

    bool start(); // listens on 127.0.0.1, any port; false when it cannot
    quint16 port() const { return m_port; }
    // Adds to the receiver thread's nice value, for a benchmark that stands it in for a receiver on another
    // machine: its CPU then goes to the process under test only when that has none to use.
    void setNice(int increment);
    QString url() const;
    // Closes the listening socket and every connection: deliveries fail until comeBack().
    void goDown();
    bool comeBack(); // listens on the same port again
    // While holding, requests are read and recorded but not answered; release() answers them all (200).
    void setHolding(bool holding);
    void release();

    QList<ReceivedDelivery> deliveries() const; // every request, in the order it arrived
    int answered() const; // requests answered 200
    int held() const; // requests read and waiting for an answer

private:
    // On the receiver's thread.
    void doListen(quint16 port, bool* ok);
    void doClose();
    void onConnection();
    void onReadable(QTcpSocket* socket);
    void answer(QTcpSocket* socket);

    QByteArray m_secret;
    QThread m_thread;
    QTcpServer* m_server = nullptr; // lives on m_thread
    quint16 m_port = 0;
    bool m_holding = false; // m_thread's
    QList<QTcpSocket*> m_waiting; // m_thread's: connections whose request is held
    QHash<QTcpSocket*, QByteArray> m_buffers; // m_thread's
    mutable QMutex m_mutex;
    QList<ReceivedDelivery> m_deliveries;
    int m_answered = 0;
    int m_dropped = 0; // held requests whose connection closed unanswered
};

} // namespace lapse::test
