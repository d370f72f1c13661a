// The log as outsiders check it: signed checkpoints (C2SP tlog-checkpoint) of the Merkle tree the store
// keeps, cut by rule (every 10,000 events, and 60 s after the last cut while events arrive) or on demand,
// signed by the log key (separate from the credential keys); inclusion proofs (C2SP tlog-proof) and
// consistency proofs (RFC 9162) from the stored tree.
#pragma once

#include "LogKey.h"
#include "MerkleTree.h"
#include "core/Error.h"

#include <QByteArray>
#include <QString>
#include <memory>

namespace lapse
{

class Store;

class TransparencyLog
{
public:
    static constexpr qint64 kCutEveryEvents = 10'000;
    static constexpr qint64 kCutAfterMs = 60'000;

    // origin names the log in its checkpoints and its key. It is kept in DIR/keys/log-origin: an explicit
    // origin replaces the kept one; without one the kept one stays, and fallback names a new log.
    static Result<std::unique_ptr<TransparencyLog>> open(
        const QString& dataDir, const QString& origin, const QString& fallback, Store& store);

    QString origin() const { return m_origin; }
    // The verifier key line of the current log key: <name>+<hex key id>+<base64(0x01 || key)>.
    QString vkey() const;
    LogKey& key() { return *m_key; }

    // After events were committed: a checkpoint at every multiple of 10,000 the log passed. Own transactions.
    Status afterAppend(qint64 nowMs);
    // The timer's turn: the head, when it has grown and 60 s passed since the last cut.
    Status cutIfDue(qint64 nowMs);
    // On demand: the head's checkpoint, cut now unless it exists. withPreviousKey: signed by the retired key
    // too (the cut right after a rotation, so a witness that trusts the old key learns the new one).
    Result<std::pair<qint64, QByteArray>> cutNow(qint64 nowMs, bool withPreviousKey = false);

    // The C2SP tlog-proof of event seq (1-based) against the checkpoint kept at size.
    Result<QByteArray> inclusionProof(qint64 seq, qint64 size) const;
    // RFC 9162 consistency proof between two tree sizes (0 < from <= to <= the log's size).
    Result<QList<merkle::Hash>> consistencyProof(qint64 from, qint64 to) const;

private:
    TransparencyLog(Store& store)
        : m_store(store)
    {
    }
    Status cut(qint64 size, qint64 nowMs, bool withPreviousKey);

    Store& m_store;
    QString m_origin;
    std::unique_ptr<LogKey> m_key;
    qint64 m_lastCutSize = 0;
    qint64 m_lastCutMs = 0;
};

} // namespace lapse
