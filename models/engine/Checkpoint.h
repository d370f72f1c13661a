// The text formats auditors read: a tlog checkpoint body (c2sp.org/tlog-checkpoint) and a tlog-proof
// (c2sp.org/tlog-proof@v1) that carries an inclusion proof and the signed checkpoint it is relative to.
#pragma once

#include "core/Error.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace lapse
{

// "<origin>\n<tree size>\n<base64 root hash>\n", then optional non-empty extension lines.
struct CheckpointBody {
    QString origin;
    qint64 size = 0;
    QByteArray root; // 32 bytes: the RFC 9162 root of the first `size` leaves
    QStringList extensions;

    // The note text to sign. Meaningful only for a body validate() accepts.
    QByteArray text() const;
    // The rules parse() applies, for a body built in code: origin non-empty and one line, size >= 0, a
    // 32-byte root, extension lines non-empty and one line each.
    Status validate() const;
    // Strict: valid note text, at least three lines, a non-empty origin, a size in decimal without sign or
    // leading zeros that fits in 63 bits, and the root as exactly 32 bytes of canonical standard base64.
    static Result<CheckpointBody> parse(const QByteArray& text);

    bool operator==(const CheckpointBody& o) const
    {
        return origin == o.origin && size == o.size && root == o.root && extensions == o.extensions;
    }
};

// A proof that entry `index` is in the tree a signed checkpoint commits to.
struct TlogProof {
    qint64 index = 0;
    QList<QByteArray> hashes; // 32 bytes each, from the leaf's sibling up to the root's child
    QByteArray extra; // opaque, unauthenticated; empty means the line is absent
    QByteArray checkpoint; // the signed note, verbatim

    // "c2sp.org/tlog-proof@v1\n[extra <b64>\n]index <n>\n<hash>\n...\n\n<checkpoint>".
    QByteArray serialize() const;
    // Strict: the exact first line, an optional "extra" line with non-empty canonical base64, "index <n>"
    // without leading zeros, at most 63 hash lines of 32 bytes, a blank line, then a checkpoint that parses
    // as a signed note. Signatures are not checked here: that needs the caller's trusted keys.
    static Result<TlogProof> parse(const QByteArray& proof);
    // The same, except that a checkpoint equal byte for byte to knownCheckpoint — one the caller has parsed
    // and verified — is not parsed again (nor the index bounded by its size: the caller does that). For
    // reading many proofs against one checkpoint.
    static Result<TlogProof> parse(const QByteArray& proof, const QByteArray& knownCheckpoint);

    bool operator==(const TlogProof& o) const
    {
        return index == o.index && hashes == o.hashes && extra == o.extra && checkpoint == o.checkpoint;
    }
};

} // namespace lapse
