// Pages of the event log as the API serves them. JSON is the contract; CBOR (GET /v1/events?format=cbor)
// holds the same fields without text escaping, for a mirror catching up on a long log: the body travels as
// the exact bytes that were hashed.
#pragma once

#include "core/Error.h"
#include "domain/Event.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>

namespace lapse
{

struct EventPage {
    QList<Event> items;
    qint64 lastSeq = 0; // the log's head when the page was read
};

// {"items":[{...event...}], "last_seq": N, "next_after": seq or null}
QJsonObject eventPageJson(const QList<Event>& events, qint64 lastSeq);
Result<EventPage> eventPageFromJson(const QJsonObject& page);

// A map {"items": [[seq, ts_ms, type, actor, subject, body (bytes), hash], ...], "last_seq": N,
// "next_after": seq or null}.
QByteArray eventPageCbor(const QList<Event>& events, qint64 lastSeq);
// Refuses anything but that shape (wrong types, a short item, trailing bytes) with Malformed.
Result<EventPage> eventPageFromCbor(const QByteArray& cbor);

} // namespace lapse
