// Fuzz target: the event page codecs a mirror reads (JSON, and CBOR for GET /v1/events?format=cbor). The same
// bytes go to both decoders; a page that decodes must encode again and decode to the same events and head, so
// a mirror that re-serves a page serves what it was given.
#include "api/EventPages.h"

#include <QByteArray>
#include <QJsonDocument>
#include <cstdint>
#include <cstdlib>

using namespace lapse;

namespace
{
bool sameEvents(const QList<Event>& a, const QList<Event>& b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i)
        if (a[i].seq != b[i].seq || a[i].tsMs != b[i].tsMs || a[i].type != b[i].type
            || a[i].actor != b[i].actor || a[i].subject != b[i].subject || a[i].body != b[i].body
            || a[i].hash != b[i].hash)
            return false;
    return true;
}

// page through CBOR, and through JSON text when it came from JSON: each must give it back exactly. A body
// from CBOR may be any bytes, which JSON (text) cannot carry; the log's bodies are always compact JSON.
void roundTrip(const EventPage& page, bool viaJson)
{
    const auto fromCbor = eventPageFromCbor(eventPageCbor(page.items, page.lastSeq));
    if (!fromCbor || !sameEvents(fromCbor->items, page.items) || fromCbor->lastSeq != page.lastSeq)
        std::abort();
    if (!viaJson)
        return;
    const QByteArray json
        = QJsonDocument(eventPageJson(page.items, page.lastSeq)).toJson(QJsonDocument::Compact);
    const auto fromJson = eventPageFromJson(QJsonDocument::fromJson(json).object());
    if (!fromJson || !sameEvents(fromJson->items, page.items) || fromJson->lastSeq != page.lastSeq)
        std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    if (const auto page = eventPageFromCbor(bytes))
        roundTrip(page.value(), false);
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &pe);
    if (pe.error == QJsonParseError::NoError && doc.isObject())
        if (const auto page = eventPageFromJson(doc.object()))
            roundTrip(page.value(), true);
    return 0;
}
