// The event page codecs: JSON through QJsonDocument's types, CBOR through Qt's stream reader and writer.
#include "EventPages.h"

#include <QCborStreamReader>
#include <QCborStreamWriter>
#include <QJsonArray>

namespace lapse
{

QJsonObject eventPageJson(const QList<Event>& events, qint64 lastSeq)
{
    QJsonArray items;
    for (const auto& e : events)
        items.append(e.toJson());
    return QJsonObject {{"items", items}, {"last_seq", lastSeq},
        {"next_after", events.isEmpty() ? QJsonValue() : QJsonValue(events.last().seq)}};
}

Result<EventPage> eventPageFromJson(const QJsonObject& page)
{
    const QJsonValue items = page.value(QLatin1String("items"));
    if (!items.isArray())
        return makeError(ErrorCode::Malformed, QStringLiteral("an event page without items"));
    EventPage out;
    const QJsonArray list = items.toArray();
    out.items.reserve(list.size());
    for (const auto& v : list)
        out.items << Event::fromJson(v.toObject());
    out.lastSeq = page.value(QLatin1String("last_seq")).toInteger();
    return out;
}

QByteArray eventPageCbor(const QList<Event>& events, qint64 lastSeq)
{
    qsizetype size = 64;
    for (const auto& e : events)
        size += e.body.size() + e.hash.size() + 96;
    QByteArray out;
    out.reserve(size);
    QCborStreamWriter w(&out);
    w.startMap(3);
    w.append(QLatin1String("items"));
    w.startArray(quint64(events.size()));
    for (const Event& e : events) {
        w.startArray(7);
        w.append(e.seq);
        w.append(e.tsMs);
        w.append(e.type);
        w.append(e.actor);
        w.append(e.subject);
        w.append(e.body);
        // The hash is Latin-1 text (hex from our own log); written as such, a page read from elsewhere with
        // other characters in it still encodes as valid UTF-8 (ASCII goes out unchanged, just as fast).
        w.append(QLatin1String(e.hash));
        w.endArray();
    }
    w.endArray();
    w.append(QLatin1String("last_seq"));
    w.append(lastSeq);
    w.append(QLatin1String("next_after"));
    if (events.isEmpty())
        w.appendNull();
    else
        w.append(events.last().seq);
    w.endMap();
    return out;
}

namespace
{
Error malformedPage(const QString& why)
{
    return makeError(ErrorCode::Malformed, QStringLiteral("malformed CBOR event page: %1").arg(why));
}

// The next value whole (the reader hands strings over in chunks).
template <typename T>
bool readWhole(QCborStreamReader& r, T* out, QCborStreamReader::StringResult<T> (QCborStreamReader::*read)())
{
    out->clear();
    for (auto chunk = (r.*read)(); chunk.status == QCborStreamReader::Ok; chunk = (r.*read)())
        *out += chunk.data;
    return r.lastError() == QCborError::NoError;
}

bool readText(QCborStreamReader& r, QString* out)
{
    return r.isString() && readWhole(r, out, &QCborStreamReader::readString);
}

bool readBytes(QCborStreamReader& r, QByteArray* out)
{
    return r.isByteArray() && readWhole(r, out, &QCborStreamReader::readByteArray);
}

bool readInteger(QCborStreamReader& r, qint64* out)
{
    if (!r.isInteger())
        return false;
    *out = r.toInteger();
    return r.next();
}

bool readEvent(QCborStreamReader& r, Event* e)
{
    if (!r.isArray() || !r.enterContainer())
        return false;
    QString hash;
    if (!readInteger(r, &e->seq) || !readInteger(r, &e->tsMs) || !readText(r, &e->type)
        || !readText(r, &e->actor) || !readText(r, &e->subject) || !readBytes(r, &e->body)
        || !readText(r, &hash) || r.hasNext())
        return false;
    e->hash = hash.toLatin1();
    return r.leaveContainer();
}
} // namespace

Result<EventPage> eventPageFromCbor(const QByteArray& cbor)
{
    QCborStreamReader r(cbor);
    if (!r.isMap() || !r.enterContainer())
        return malformedPage(QStringLiteral("not a map"));
    EventPage out;
    bool sawItems = false;
    while (r.hasNext()) {
        QString key;
        if (!readText(r, &key))
            return malformedPage(QStringLiteral("a key that is not text"));
        if (key == QLatin1String("items")) {
            if (!r.isArray())
                return malformedPage(QStringLiteral("items is not an array"));
            if (r.isLengthKnown() && r.length() <= quint64(1'000'000))
                out.items.reserve(qsizetype(r.length()));
            if (!r.enterContainer())
                return malformedPage(QStringLiteral("items cannot be read"));
            while (r.hasNext()) {
                Event e;
                if (!readEvent(r, &e))
                    return malformedPage(
                        QStringLiteral("item %1 is not [seq, ts_ms, type, actor, subject, body, hash]")
                            .arg(out.items.size()));
                out.items << std::move(e);
            }
            if (!r.leaveContainer())
                return malformedPage(QStringLiteral("items cannot be read"));
            sawItems = true;
        } else if (key == QLatin1String("last_seq")) {
            if (!readInteger(r, &out.lastSeq))
                return malformedPage(QStringLiteral("last_seq is not an integer"));
        } else if (!r.next()) { // next_after, and anything added later
            return malformedPage(QStringLiteral("a value cannot be read"));
        }
    }
    if (!r.leaveContainer() || r.lastError() != QCborError::NoError)
        return malformedPage(r.lastError().toString());
    if (r.currentOffset() != cbor.size())
        return malformedPage(QStringLiteral("bytes after the page"));
    if (!sawItems)
        return malformedPage(QStringLiteral("no items"));
    return out;
}

} // namespace lapse
