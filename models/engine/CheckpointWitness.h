// What a witness keeps and checks: the latest checkpoint it accepted, and the log keys it trusts. A new
// checkpoint is accepted only when a trusted key signed it and it is consistent with the kept one (RFC 9162
// consistency proof; the same root at the same size). Anything else is a fork, a cut or a rewrite, refused
// with both sizes named. Used by `lapsectl log watch`, the console's mirror and offline verification alike.
#pragma once

#include "Checkpoint.h"
#include "MerkleTree.h"
#include "SignedNote.h"
#include "core/Error.h"

#include <QJsonObject>

namespace lapse
{

class CheckpointWitness
{
public:
    // Trusting these keys (vkey lines); nothing kept yet.
    static Result<CheckpointWitness> trusting(const QStringList& vkeys);
    // The state a witness saved (toJson()); refused when malformed.
    static Result<CheckpointWitness> fromJson(const QJsonObject& state);
    QJsonObject toJson() const;

    qint64 size() const { return m_size; }
    QByteArray root() const { return m_root; }
    QByteArray note() const { return m_note; }
    QString origin() const { return m_origin; }
    QStringList trustedVkeys() const;

    // Checks a note's signature against the trusted keys and parses its checkpoint body.
    Result<CheckpointBody> open(const QByteArray& note) const;
    // Trusts another key because `note` (a checkpoint of this log) is signed by a trusted key and by it.
    Status learnKey(const QByteArray& note, const QString& vkey);
    // Accepts `note` as the latest checkpoint. proof: the consistency proof from size() to its size (unused
    // when nothing is kept yet, or the sizes are equal). Refused: unsigned, another origin, smaller than the
    // kept one (a cut), the same size with another root (a fork), or a proof that does not verify (a
    // rewrite).
    Status accept(const QByteArray& note, const QList<merkle::Hash>& proof);

private:
    QList<NoteVerifier> m_trusted;
    QString m_origin;
    qint64 m_size = 0;
    QByteArray m_root;
    QByteArray m_note;
};

} // namespace lapse
