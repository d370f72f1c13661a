// verifyLog: the tree is rebuilt beside the chain walk, from the hashes it has just verified.
#include "LogVerification.h"

#include "MerkleTree.h"
#include "SignedNote.h"
#include "StateAudit.h"
#include "Store.h"

#include <QHash>

namespace lapse
{

namespace
{
Error inconsistent(const QString& what)
{
    return makeError(ErrorCode::Conflict, QStringLiteral("log inconsistent: %1").arg(what));
}

QByteArray bytes(const merkle::Hash& h)
{
    return QByteArray(reinterpret_cast<const char*>(h.data()), int(h.size()));
}
} // namespace

Result<LogVerification> verifyLog(
    const Store& store, const std::optional<CheckpointBody>& outside, qint64* breakSeq, bool withState)
{
    if (breakSeq)
        *breakSeq = 0;
    const qint64 size = store.lastSeq();
    // The roots the tree must have, by size: every checkpoint the store kept, and the outside one.
    QHash<qint64, QByteArray> expected;
    for (const qint64 kept : store.checkpointSizes()) {
        const auto note = store.checkpoint(kept);
        auto parsed
            = note ? SignedNote::parse(*note) : Result<SignedNote>(makeError(ErrorCode::NotFound, QString()));
        auto body = parsed ? CheckpointBody::parse(parsed->text) : Result<CheckpointBody>(parsed.error());
        if (!body || body->size != kept)
            return makeError(
                ErrorCode::Conflict, QStringLiteral("the checkpoint kept at size %1 is malformed").arg(kept));
        if (kept > size)
            return inconsistent(
                QStringLiteral("the store holds %1 events but kept a checkpoint at size %2: the log was cut")
                    .arg(size)
                    .arg(kept));
        expected.insert(kept, body->root);
    }
    if (outside) {
        if (outside->size > size)
            return inconsistent(
                QStringLiteral("the store holds %1 events but the checkpoint is at size %2: the log was cut")
                    .arg(size)
                    .arg(outside->size));
        if (expected.contains(outside->size) && expected.value(outside->size) != outside->root)
            return inconsistent(
                QStringLiteral("two checkpoints at size %1 and %1 with different roots: the log forked")
                    .arg(outside->size));
        expected.insert(outside->size, outside->root);
    }

    merkle::Frontier tree;
    LogVerification out;
    std::optional<Error> mismatch;
    QString reason;
    qint64 broken = 0;
    const auto chain = store.verifyChain(&reason, &broken, {}, [&](qint64, const merkle::Hash& leaf) {
        if (mismatch)
            return;
        tree.append(leaf, [](int, qint64, const merkle::Hash&) {});
        const auto it = expected.constFind(tree.size());
        if (it == expected.cend())
            return;
        const QByteArray root = bytes(tree.root());
        if (root != *it)
            mismatch = inconsistent(
                QStringLiteral("the tree over the first %1 events has root %2, the checkpoint at "
                               "size %1 says %3: the log was rewritten")
                    .arg(tree.size())
                    .arg(QString::fromLatin1(root.toBase64()), QString::fromLatin1(it->toBase64())));
        else
            ++out.checkpointsMatched;
    });
    if (!chain) {
        if (breakSeq)
            *breakSeq = broken;
        return chain.error();
    }
    if (mismatch)
        return *mismatch;
    out.events = chain.value();
    if (withState) {
        const auto state = auditState(store);
        if (!state)
            return state.error();
        out.stateRows = state.value();
    }
    out.root = bytes(tree.root());
    return out;
}

} // namespace lapse
