// The delivery body and its one human line, per event type, from the event's own JSON body.
#include "WebhookMessage.h"

#include "core/Clock.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>

namespace lapse
{

namespace
{
QString str(const QJsonObject& o, const char* key)
{
    return o.value(QLatin1String(key)).toString();
}

QString list(const QJsonObject& o, const char* key)
{
    QStringList out;
    for (const QJsonValue& v : o.value(QLatin1String(key)).toArray())
        out << v.toString();
    return out.join(QStringLiteral(", "));
}

// ": why" when there is a why.
QString because(const QString& reason)
{
    return reason.isEmpty() ? QString() : QStringLiteral(": ") + reason;
}
} // namespace

WebhookMessage::WebhookMessage(const QString& sinkId, const Event& event)
    : m_deliveryId(QStringLiteral("%1-%2").arg(sinkId).arg(event.seq))
{
    const QJsonObject o {{"delivery", m_deliveryId}, {"seq", event.seq}, {"type", event.type},
        {"at", Clock::toIso(event.tsMs)}, {"event", event.toJson()}, {"text", textFor(event)}};
    m_body = QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray WebhookMessage::sign(const QByteArray& secret, const QByteArray& body)
{
    return "sha256=" + QMessageAuthenticationCode::hash(body, secret, QCryptographicHash::Sha256).toHex();
}

QString WebhookMessage::textFor(const Event& event)
{
    const QJsonObject b = event.bodyJson();
    const QString& t = event.type;
    const QString& by = event.actor;
    if (t.startsWith(QLatin1String("request."))) {
        const QString who = str(b, "requester"), target = str(b, "target"), id = event.subject;
        if (t == QLatin1String("request.created"))
            return tr("%1 requested %2 on %3 for %4 s (request %5)%6")
                .arg(who, list(b, "privileges"), target)
                .arg(b.value(QLatin1String("ttl_seconds")).toInt())
                .arg(id, because(str(b, "reason")));
        if (t == QLatin1String("request.approved"))
            return tr("%1 approved %2's request %3 on %4").arg(by, who, id, target);
        if (t == QLatin1String("request.approval_recorded"))
            return tr("%1 approved %2's request %3 on %4 (%5 of %6 approvals)")
                .arg(by, who, id, target)
                .arg(b.value(QLatin1String("approvals")).toArray().size())
                .arg(b.value(QLatin1String("approvals_required")).toInt());
        if (t == QLatin1String("request.denied"))
            return tr("%1 denied %2's request %3 on %4%5")
                .arg(by, who, id, target, because(str(b, "deny_reason")));
        if (t == QLatin1String("request.expired"))
            return tr("%1's request %2 on %3 expired unreviewed").arg(who, id, target);
    }
    if (t.startsWith(QLatin1String("grant.")) || t == QLatin1String("enforcement.pending")
        || t == QLatin1String("revocation.verified")) {
        // grant.reviewed wraps the grant with the reviewer's note.
        const QString note = str(b, "note");
        const QJsonObject g
            = b.value(QLatin1String("grant")).isObject() ? b.value(QLatin1String("grant")).toObject() : b;
        const QString who = str(g, "principal"), target = str(g, "target"), id = event.subject;
        const QString reason = str(g, "end_reason");
        if (t == QLatin1String("grant.activated"))
            return tr("%1's grant %2 on %3 is active until %4 (%5)%6")
                .arg(who, id, target, str(g, "expires_at"), list(g, "privileges"),
                    g.value(QLatin1String("break_glass")).toBool() ? tr(", break-glass") : QString());
        if (t == QLatin1String("grant.revoked"))
            return tr("%1's grant %2 on %3 was revoked by %4%5").arg(who, id, target, by, because(reason));
        if (t == QLatin1String("grant.completed"))
            return tr("%1 completed grant %2 on %3").arg(who, id, target);
        if (t == QLatin1String("grant.expired"))
            return tr("%1's grant %2 on %3 expired").arg(who, id, target);
        if (t == QLatin1String("grant.reviewed"))
            return tr("%1 reviewed %2's break-glass grant %3 on %4%5")
                .arg(by, who, id, target, because(note));
        if (t == QLatin1String("enforcement.pending"))
            return tr("%1 has not confirmed the end of %2's grant %3 yet").arg(target, who, id);
        if (t == QLatin1String("revocation.verified"))
            return tr("%1 refused %2's login for grant %3: the end is verified").arg(target, who, id);
    }
    if (t.startsWith(QLatin1String("session."))) {
        const QString who = str(b, "principal"), target = str(b, "target"), id = event.subject;
        if (t == QLatin1String("session.opened"))
            return tr("%1 opened session %2 on %3 via %4").arg(who, id, target, str(b, "resource_server"));
        if (t == QLatin1String("session.ended"))
            return tr("%1's session %2 on %3 ended").arg(who, id, target);
        if (t == QLatin1String("session.terminate_requested"))
            return tr("%1's session %2 on %3 is to be terminated%4")
                .arg(who, id, target, because(str(b, "terminate_reason")));
    }
    if (t == QLatin1String("principal.locked_out"))
        return tr("%1 locked out %2%3").arg(by, event.subject, because(str(b, "reason")));
    if (t == QLatin1String("principal.unlocked"))
        return tr("%1 unlocked %2").arg(by, event.subject);
    if (t == QLatin1String("credential.used_after_end"))
        return tr("%1's credential for grant %2 on %3 was presented to %4 after the grant ended")
            .arg(str(b, "principal"), event.subject, str(b, "target"), by);
    if (t == QLatin1String("review.decided"))
        return tr("%1 decided the access review of %2 on %3 (%4): %5%6")
            .arg(by, str(b, "identity"), str(b, "target"), list(b, "privileges"), str(b, "outcome"),
                because(str(b, "comment")));
    return tr("%1 %2 by %3").arg(t, event.subject, by);
}

} // namespace lapse
