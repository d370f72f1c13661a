// TransparencyLog: checkpoints are cut in transactions of their own after the events they cover committed, so
// a checkpoint never names a size the log does not durably have.
#include "TransparencyLog.h"

#include "Checkpoint.h"
#include "SignedNote.h"
#include "Store.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSaveFile>

namespace lapse
{

Result<std::unique_ptr<TransparencyLog>> TransparencyLog::open(
    const QString& dataDir, const QString& origin, const QString& fallback, Store& store)
{
    std::unique_ptr<TransparencyLog> log(new TransparencyLog(store));
    QFile keptFile(dataDir + QStringLiteral("/keys/log-origin"));
    QString kept;
    if (keptFile.open(QIODevice::ReadOnly))
        kept = QString::fromUtf8(keptFile.readAll()).trimmed();
    keptFile.close();
    const QString chosen = !origin.isEmpty() ? origin : !kept.isEmpty() ? kept : fallback;
    static const QRegularExpression kName(QStringLiteral("^[^\\s+]+$"));
    if (!kName.match(chosen).hasMatch())
        return makeError(ErrorCode::Invalid,
            QStringLiteral("the log origin '%1' must be non-empty, without spaces or '+'").arg(chosen));
    if (chosen != kept) {
        QDir().mkpath(dataDir + QStringLiteral("/keys"));
        QSaveFile f(keptFile.fileName());
        if (!f.open(QIODevice::WriteOnly) || f.write(chosen.toUtf8() + '\n') < 0 || !f.commit())
            return makeError(ErrorCode::Internal, QStringLiteral("cannot write %1").arg(keptFile.fileName()));
    }
    log->m_origin = chosen;
    auto key = LogKey::open(dataDir, chosen);
    if (!key)
        return key.error();
    log->m_key = std::move(key).value();
    if (const auto latest = store.latestCheckpoint())
        log->m_lastCutSize = latest->first;
    return log;
}

QString TransparencyLog::vkey() const
{
    return m_key->vkey();
}

Status TransparencyLog::cut(qint64 size, qint64 nowMs, bool withPreviousKey)
{
    if (size <= 0)
        return Ok {};
    Result<merkle::Hash> root = size == m_store.lastSeq() ? Result<merkle::Hash>(m_store.treeRoot())
                                                          : merkle::rootAt(size, m_store.treeReader());
    if (!root)
        return root.error();
    CheckpointBody body;
    body.origin = m_origin;
    body.size = size;
    body.root = QByteArray(reinterpret_cast<const char*>(root->data()), int(root->size()));
    auto note = m_key->signNote(
        body.text(), withPreviousKey ? LogKey::Signers::CurrentAndPrevious : LogKey::Signers::Current);
    if (!note)
        return note.error();
    if (const Status b = m_store.begin(); !b)
        return b;
    if (const Status p = m_store.putCheckpoint(size, note.value(), nowMs); !p) {
        m_store.rollback();
        return p;
    }
    if (const Status c = m_store.commit(); !c)
        return c;
    m_lastCutSize = std::max(m_lastCutSize, size);
    m_lastCutMs = nowMs;
    return Ok {};
}

Status TransparencyLog::afterAppend(qint64 nowMs)
{
    const qint64 head = m_store.lastSeq();
    for (qint64 size = (m_lastCutSize / kCutEveryEvents + 1) * kCutEveryEvents; size <= head;
         size += kCutEveryEvents)
        if (const Status s = cut(size, nowMs, false); !s)
            return s;
    return Ok {};
}

Status TransparencyLog::cutIfDue(qint64 nowMs)
{
    const qint64 head = m_store.lastSeq();
    if (head <= m_lastCutSize || nowMs - m_lastCutMs < kCutAfterMs)
        return Ok {};
    return cut(head, nowMs, false);
}

Result<std::pair<qint64, QByteArray>> TransparencyLog::cutNow(qint64 nowMs, bool withPreviousKey)
{
    const qint64 head = m_store.lastSeq();
    if (head == 0)
        return makeError(
            ErrorCode::NotFound, QStringLiteral("the log is empty: there is nothing to checkpoint"));
    if (!m_store.checkpoint(head))
        if (const Status s = cut(head, nowMs, withPreviousKey); !s)
            return s.error();
    const auto note = m_store.checkpoint(head);
    if (!note)
        return makeError(ErrorCode::Internal, QStringLiteral("the checkpoint at %1 was not kept").arg(head));
    return std::pair {head, *note};
}

Result<QByteArray> TransparencyLog::inclusionProof(qint64 seq, qint64 size) const
{
    if (seq < 1 || seq > size)
        return makeError(ErrorCode::Invalid,
            QStringLiteral("seq must be between 1 and the checkpoint's size %1").arg(size));
    const auto note = m_store.checkpoint(size);
    if (!note)
        return makeError(ErrorCode::NotFound, QStringLiteral("no checkpoint was cut at size %1").arg(size));
    auto hashes = merkle::inclusionProof(seq - 1, size, m_store.treeReader());
    if (!hashes)
        return hashes.error();
    TlogProof proof;
    proof.index = seq - 1;
    for (const merkle::Hash& h : hashes.value())
        proof.hashes << QByteArray(reinterpret_cast<const char*>(h.data()), int(h.size()));
    proof.checkpoint = *note;
    return proof.serialize();
}

Result<QList<merkle::Hash>> TransparencyLog::consistencyProof(qint64 from, qint64 to) const
{
    if (from < 1 || from > to || to > m_store.lastSeq())
        return makeError(ErrorCode::Invalid,
            QStringLiteral("from and to must satisfy 1 <= from <= to <= %1").arg(m_store.lastSeq()));
    return merkle::consistencyProof(from, to, m_store.treeReader());
}

} // namespace lapse
