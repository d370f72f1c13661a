// The hash chain over the event log: how an event's hash is computed and how a whole log is checked.
#pragma once

#include "domain/Event.h"

#include <QByteArray>
#include <QString>

namespace lapse
{

class EventChain
{
public:
    static QByteArray genesisHash(); // 64 '0' characters: the "previous hash" of event 1
    // hex SHA-256 over prevHash and the event's seq, ts, type, actor, subject and body.
    static QByteArray hash(const QByteArray& prevHash, const Event& e);
    // The same over raw UTF-8 fields, for verifying stored rows without decoding them.
    static QByteArray hashRaw(const QByteArray& prevHash, qint64 seq, qint64 tsMs, const QByteArray& type,
        const QByteArray& actor, const QByteArray& subject, const QByteArray& body);
    // The same over raw byte ranges, writing the 64 hex digits to out: no allocation, for bulk walks.
    struct Field {
        const char* data;
        int size;
    };
    static void hashInto(Field prevHash, qint64 seq, qint64 tsMs, Field type, Field actor, Field subject,
        Field body, char out[64]);
};

// Feeds events in order and remembers the first break: an edit, a deletion, an insertion or a reordering.
class ChainVerifier
{
public:
    explicit ChainVerifier(qint64 expectSeq = 1, QByteArray prevHash = EventChain::genesisHash());
    bool add(const Event& e); // false from the first break on
    // As add(), with the event's hash over the previous stored hash already computed (in parallel).
    bool addPrehashed(qint64 seq, const QByteArray& storedHash, const QByteArray& computedHash);
    bool ok() const { return m_breakSeq == 0; }
    qint64 breakSeq() const { return m_breakSeq; }
    QString breakReason() const { return m_reason; }
    qint64 verified() const { return m_count; }
    qint64 nextSeq() const { return m_expect; }
    QByteArray headHash() const { return m_prev; }

private:
    qint64 m_expect;
    QByteArray m_prev;
    qint64 m_count = 0;
    qint64 m_breakSeq = 0;
    QString m_reason;
};

} // namespace lapse
