// RFC 9162 Merkle tree over the event log: roots, inclusion and consistency proofs, and their verification.
#pragma once

#include "core/Error.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <array>
#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

// Leaf i (0-based) of the tree is the 32 bytes the hex hash of event seq i+1 spells. The store keeps the hash
// of every complete, aligned subtree at level >= 1 (level L, index n covers leaves [n*2^L, (n+1)*2^L)); the
// algorithms here read those through a callback, so they know nothing of how or where they are stored.
namespace lapse::merkle
{

using Hash = std::array<unsigned char, 32>;

Hash leafHash(const unsigned char* leaf, std::size_t size); // SHA-256(0x00 || leaf)
Hash nodeHash(const Hash& left, const Hash& right); // SHA-256(0x01 || left || right)
Hash emptyRoot(); // SHA-256(""), the root of the tree with no leaves

QByteArray toBase64(const Hash& hash); // standard base64 (RFC 4648 section 4), padded
std::optional<Hash> fromBase64(QByteArrayView text); // strict: exactly 32 bytes, padded, standard alphabet
QByteArray toHex(const Hash& hash); // 64 lowercase hex chars
std::optional<Hash> fromHex(QByteArrayView text); // the event hash form: exactly 64 hex chars

// The hash of the complete aligned subtree at (level, index); level 0 is a leaf hash. Returns an error when
// the store cannot read it. Never called for a subtree that reaches beyond the tree being asked about.
using HashReader = std::function<Result<Hash>(int level, qint64 index)>;

// A complete aligned subtree: level L, index n covers leaves [n*2^L, (n+1)*2^L).
struct NodeId {
    int level = 0;
    qint64 index = 0;
    bool operator==(const NodeId& other) const { return level == other.level && index == other.index; }
};

// Batch form of HashReader: the hashes of `nodes`, in that order, each node listed once. Each call below
// that takes one asks it at most once, so a store can answer a whole proof with one query. Which nodes a
// call reads depends only on its sizes, so the list is worked out before any hash is read.
using HashBatchReader = std::function<Result<QList<Hash>>(const QList<NodeId>& nodes)>;

// MTH of the first `size` leaves (emptyRoot() for 0): one read per set bit of `size`.
Result<Hash> rootAt(qint64 size, const HashReader& read);
Result<Hash> rootAt(qint64 size, const HashBatchReader& read);

// RFC 9162 2.1.3.1 PATH(index, D[size]), leaf to root: at most 2*log2(size) reads, none read twice.
Result<QList<Hash>> inclusionProof(qint64 index, qint64 size, const HashReader& read);
Result<QList<Hash>> inclusionProof(qint64 index, qint64 size, const HashBatchReader& read);

// RFC 9162 2.1.4.1 PROOF(from, D[to]) for 0 < from <= to (empty when from == to): at most 2*log2(to) reads.
Result<QList<Hash>> consistencyProof(qint64 from, qint64 to, const HashReader& read);
Result<QList<Hash>> consistencyProof(qint64 from, qint64 to, const HashBatchReader& read);

// RFC 9162 2.1.3.2: whether `proof` shows the leaf with `leafHash` at `index` in the tree of `size` with
// `root`.
bool verifyInclusion(
    qint64 index, qint64 size, const Hash& leafHash, const QList<Hash>& proof, const Hash& root);

// RFC 9162 2.1.4.2: whether `proof` shows the tree of size `from` with `fromRoot` is a prefix of the tree of
// size `to` with `toRoot`. For from == to the proof must be empty and the roots equal; from == 0 is refused,
// as every tree extends the empty one and a proof of it says nothing.
bool verifyConsistency(
    qint64 from, qint64 to, const Hash& fromRoot, const Hash& toRoot, const QList<Hash>& proof);

// The tree's right edge: the hash of each maximal complete aligned subtree, one per set bit of the size,
// largest first. The writer keeps it in memory, so appending a leaf and taking the root read nothing.
class Frontier
{
public:
    using StoredFn = std::function<void(int level, qint64 index, const Hash& hash)>;

    qint64 size() const { return m_size; }

    // Appends one leaf hash. Calls `stored` for every complete aligned subtree at level >= 1 this leaf
    // completes, lowest level first: exactly the hashes the store must persist with the event.
    void append(const Hash& leafHash, const StoredFn& stored);

    Hash root() const; // MTH of all leaves appended; emptyRoot() when there are none

    // A reader that answers this frontier's subtrees from memory and asks `stored` for the rest. The ragged
    // right part of a proof at this size is made of exactly these subtrees, so proofs at the writer's current
    // size read about log2(size) hashes instead of up to twice that. Correct for any size: a complete
    // subtree's hash never changes.
    HashReader reader(HashReader stored) const;

    // Rebuilds the frontier of a tree of `size` leaves from stored hashes: one read per set bit of `size`.
    static Result<Frontier> load(qint64 size, const HashReader& read);
    static Result<Frontier> load(qint64 size, const HashBatchReader& read);

    bool operator==(const Frontier& other) const { return m_size == other.m_size && m_edge == other.m_edge; }

private:
    qint64 m_size = 0;
    std::vector<Hash> m_edge; // largest subtree first; m_edge.size() == popcount(m_size)
};

} // namespace lapse::merkle
