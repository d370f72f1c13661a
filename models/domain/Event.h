// One entry of the append-only, hash-chained event log.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace lapse
{

struct Event {
    qint64 seq = 0;
    qint64 tsMs = 0;
    QString type; // "request.created", "grant.revoked", ...
    QString actor; // principal id, or "policy" / "timer"
    QString subject; // the id the event is about
    QByteArray body; // compact JSON, hashed exactly as stored
    QByteArray hash; // hex SHA-256 over the previous hash and this event's content

    QJsonObject bodyJson() const;
    QJsonObject toJson() const;
    static Event fromJson(const QJsonObject& o);
};

} // namespace lapse
