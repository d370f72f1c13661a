// One webhook delivery: its JSON body (the event verbatim, plus a Slack-compatible "text" line), its id and
// its HMAC-SHA256 signature.
#pragma once

#include "domain/Event.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QString>

namespace lapse
{

class WebhookMessage
{
    Q_DECLARE_TR_FUNCTIONS(WebhookMessage)
public:
    WebhookMessage(const QString& sinkId, const Event& event);

    // "<sink>-<seq>": the same for every attempt of this event to this sink, so a receiver can drop repeats.
    QString deliveryId() const { return m_deliveryId; }
    // {"delivery","seq","type","at","event":{...as the log holds it...},"text"} as compact JSON.
    const QByteArray& body() const { return m_body; }
    // "sha256=<hex HMAC-SHA256(secret, body)>", the X-Lapse-Signature header.
    QByteArray signature(const QByteArray& secret) const { return sign(secret, m_body); }

    static QByteArray sign(const QByteArray& secret, const QByteArray& body);
    // One line a person reads in a chat channel, e.g. "alice's grant g_12 on billing-db was revoked by bob:
    // incident over".
    static QString textFor(const Event& event);

private:
    QString m_deliveryId;
    QByteArray m_body;
};

} // namespace lapse
