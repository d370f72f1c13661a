// RFC 9162 Merkle tree over the event log: roots, inclusion and consistency proofs, and their verification.
#include "MerkleTree.h"

#include <QtAlgorithms>

#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace lapse::merkle
{

namespace
{

// SHA-256 over up to two pieces. The digest is fetched once per thread and the context reused: OpenSSL 3's
// implicit fetch on every one-shot call costs more than hashing the 65 bytes of a node.
Hash sha256(
    const unsigned char* a, std::size_t aSize, const unsigned char* b = nullptr, std::size_t bSize = 0)
{
    thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(
        EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    thread_local std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> md(
        EVP_MD_fetch(nullptr, "SHA256", nullptr), &EVP_MD_free);
    Hash out;
    unsigned int len = 0;
    if (!ctx || !md || EVP_DigestInit_ex(ctx.get(), md.get(), nullptr) != 1
        || EVP_DigestUpdate(ctx.get(), a, aSize) != 1
        || (bSize > 0 && EVP_DigestUpdate(ctx.get(), b, bSize) != 1)
        || EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 || len != out.size())
        std::abort(); // a tree that cannot be hashed must never be signed or served
    return out;
}

// Largest power of two strictly below n (n >= 2): where RFC 9162 splits a range of n leaves.
qint64 splitPoint(qint64 n)
{
    return qint64(1) << (63 - qCountLeadingZeroBits(quint64(n - 1)));
}

Error rangeError(QString message)
{
    return makeError(ErrorCode::Invalid, std::move(message));
}

// MTH of leaves [lo, hi), lo aligned to the largest power of two in hi - lo (which holds for every range the
// RFC's recursive split produces). The range is the concatenation of complete aligned blocks, one per set
// bit of its length, largest first; their hashes fold right to left exactly as the split nests them.
Result<Hash> rangeHash(qint64 lo, qint64 hi, const HashReader& read)
{
    Hash blocks[64];
    int count = 0;
    for (int level = 62; level >= 0; --level) {
        const qint64 width = qint64(1) << level;
        if (((hi - lo) & width) == 0)
            continue;
        auto h = read(level, lo >> level);
        if (!h)
            return h.error();
        blocks[count++] = *h;
        lo += width;
    }
    if (count == 0)
        return emptyRoot();
    Hash acc = blocks[count - 1];
    for (int i = count - 2; i >= 0; --i)
        acc = nodeHash(blocks[i], acc);
    return acc;
}

// Runs `run` (an algorithm over a HashReader) against a batch reader: a dry run with placeholder hashes lists
// the nodes it reads (that list depends only on the sizes), one batch read fetches them, and the real run is
// served from the answer in the same order. The dry run costs a few dozen hashes, far less than a read.
template <typename T, typename Run> Result<T> runBatched(const Run& run, const HashBatchReader& readMany)
{
    QList<NodeId> nodes;
    Result<T> planned = run([&nodes](int level, qint64 index) -> Result<Hash> {
        nodes.append(NodeId {level, index});
        return Hash {};
    });
    if (!planned || nodes.isEmpty())
        return planned; // bad arguments, or nothing to read (the result needs no stored hash)
    auto hashes = readMany(nodes);
    if (!hashes)
        return hashes.error();
    if (hashes->size() != nodes.size())
        return makeError(ErrorCode::Internal,
            QStringLiteral("the store returned %1 hashes for %2 tree nodes")
                .arg(hashes->size())
                .arg(nodes.size()));
    qsizetype next = 0;
    return run([&](int level, qint64 index) -> Result<Hash> {
        if (next >= nodes.size() || !(nodes[next] == NodeId {level, index}))
            return makeError(
                ErrorCode::Internal, QStringLiteral("tree node %1/%2 was not planned").arg(level).arg(index));
        return hashes->at(next++);
    });
}

} // namespace

Hash leafHash(const unsigned char* leaf, std::size_t size)
{
    static const unsigned char prefix = 0x00;
    return sha256(&prefix, 1, leaf, size);
}

Hash nodeHash(const Hash& left, const Hash& right)
{
    unsigned char buf[1 + 2 * 32];
    buf[0] = 0x01;
    std::memcpy(buf + 1, left.data(), 32);
    std::memcpy(buf + 33, right.data(), 32);
    return sha256(buf, sizeof buf);
}

Hash emptyRoot()
{
    return sha256(nullptr, 0);
}

QByteArray toBase64(const Hash& hash)
{
    return QByteArray::fromRawData(reinterpret_cast<const char*>(hash.data()), qsizetype(hash.size()))
        .toBase64();
}

std::optional<Hash> fromBase64(QByteArrayView text)
{
    // Only the one canonical spelling: 44 chars with its padding, no whitespace, no stray trailing bits.
    if (text.size() != 44)
        return std::nullopt;
    const auto decoded
        = QByteArray::fromBase64Encoding(text.toByteArray(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() != 32)
        return std::nullopt;
    Hash out;
    std::memcpy(out.data(), decoded.decoded.constData(), out.size());
    if (toBase64(out) != text)
        return std::nullopt;
    return out;
}

QByteArray toHex(const Hash& hash)
{
    return QByteArray::fromRawData(reinterpret_cast<const char*>(hash.data()), qsizetype(hash.size()))
        .toHex();
}

std::optional<Hash> fromHex(QByteArrayView text)
{
    if (text.size() != 64)
        return std::nullopt;
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    };
    Hash out;
    for (int i = 0; i < 32; ++i) {
        const int hi = nibble(text[2 * i]);
        const int lo = nibble(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        out[i] = static_cast<unsigned char>(hi << 4 | lo);
    }
    return out;
}

Result<Hash> rootAt(qint64 size, const HashReader& read)
{
    if (size < 0)
        return rangeError(QStringLiteral("tree size %1 is negative").arg(size));
    if (size == 0)
        return emptyRoot();
    return rangeHash(0, size, read);
}

Result<Hash> rootAt(qint64 size, const HashBatchReader& read)
{
    return runBatched<Hash>([size](const HashReader& r) { return rootAt(size, r); }, read);
}

Result<QList<Hash>> inclusionProof(qint64 index, qint64 size, const HashReader& read)
{
    if (size <= 0 || index < 0 || index >= size)
        return rangeError(QStringLiteral("leaf %1 is not in a tree of %2 leaves").arg(index).arg(size));
    // Walk the RFC's split from the root down to the leaf, taking the subtree not followed at each step.
    // The left part of a split is always one complete aligned subtree (one read); only the first right part
    // passed by can be ragged, and below it every subtree is complete. So reads <= 2*log2(size).
    QList<Hash> path;
    qint64 lo = 0;
    qint64 hi = size;
    while (hi - lo > 1) {
        const qint64 k = splitPoint(hi - lo);
        auto sibling = index < lo + k ? rangeHash(lo + k, hi, read) : rangeHash(lo, lo + k, read);
        if (!sibling)
            return sibling.error();
        path.append(*sibling);
        if (index < lo + k)
            hi = lo + k;
        else
            lo += k;
    }
    std::reverse(path.begin(), path.end()); // PATH lists the leaf's sibling first
    return path;
}

Result<QList<Hash>> inclusionProof(qint64 index, qint64 size, const HashBatchReader& read)
{
    return runBatched<QList<Hash>>(
        [index, size](const HashReader& r) { return inclusionProof(index, size, r); }, read);
}

Result<QList<Hash>> consistencyProof(qint64 from, qint64 to, const HashReader& read)
{
    if (from <= 0 || to < from)
        return rangeError(QStringLiteral("no consistency proof from %1 to %2 leaves").arg(from).arg(to));
    // SUBPROOF unrolled: follow the split towards the old tree's right edge, taking the part not followed.
    // `known` is the RFC's flag b: whether the range is still the whole old tree, whose root the verifier
    // has.
    QList<Hash> path;
    qint64 lo = 0;
    qint64 hi = to;
    bool known = true;
    while (hi != from) {
        const qint64 k = splitPoint(hi - lo);
        const bool left = from <= lo + k;
        auto sibling = left ? rangeHash(lo + k, hi, read) : rangeHash(lo, lo + k, read);
        if (!sibling)
            return sibling.error();
        path.append(*sibling);
        if (left) {
            hi = lo + k;
        } else {
            lo += k;
            known = false;
        }
    }
    if (!known) {
        auto last = rangeHash(lo, hi, read);
        if (!last)
            return last.error();
        path.append(*last);
    }
    std::reverse(path.begin(), path.end());
    return path;
}

Result<QList<Hash>> consistencyProof(qint64 from, qint64 to, const HashBatchReader& read)
{
    return runBatched<QList<Hash>>(
        [from, to](const HashReader& r) { return consistencyProof(from, to, r); }, read);
}

bool verifyInclusion(
    qint64 index, qint64 size, const Hash& leafHash, const QList<Hash>& proof, const Hash& root)
{
    if (index < 0 || size <= 0 || index >= size)
        return false;
    // RFC 9162 2.1.3.2, step by step: fn walks up from the leaf, sn along the tree's right edge.
    qint64 fn = index;
    qint64 sn = size - 1;
    Hash r = leafHash;
    for (const Hash& p : proof) {
        if (sn == 0)
            return false; // more proof than tree
        if ((fn & 1) || fn == sn) {
            r = nodeHash(p, r);
            if (!(fn & 1)) {
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = nodeHash(r, p);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && r == root;
}

bool verifyConsistency(
    qint64 from, qint64 to, const Hash& fromRoot, const Hash& toRoot, const QList<Hash>& proof)
{
    if (from <= 0 || to < from)
        return false;
    if (from == to)
        return proof.isEmpty() && fromRoot == toRoot;
    if (proof.isEmpty())
        return false;
    // RFC 9162 2.1.4.2. When the old tree is a complete subtree its root is the proof's implicit first hash.
    const bool seeded = (from & (from - 1)) == 0;
    qint64 fn = from - 1;
    qint64 sn = to - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    Hash fr = seeded ? fromRoot : proof.first();
    Hash sr = fr;
    for (qsizetype i = seeded ? 0 : 1; i < proof.size(); ++i) {
        const Hash& c = proof[i];
        if (sn == 0)
            return false;
        if ((fn & 1) || fn == sn) {
            fr = nodeHash(c, fr);
            sr = nodeHash(c, sr);
            if (!(fn & 1)) {
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = nodeHash(sr, c);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && fr == fromRoot && sr == toRoot;
}

void Frontier::append(const Hash& leafHash, const StoredFn& stored)
{
    // The new leaf is leaf m_size. Each trailing one bit of m_size is a complete subtree on the edge that the
    // leaf's subtree now pairs with, one level higher each time.
    const qint64 n = m_size;
    Hash h = leafHash;
    int level = 0;
    while ((n >> level) & 1) {
        h = nodeHash(m_edge.back(), h);
        m_edge.pop_back();
        ++level;
        if (stored)
            stored(level, n >> level, h);
    }
    m_edge.push_back(h);
    ++m_size;
}

Hash Frontier::root() const
{
    if (m_edge.empty())
        return emptyRoot();
    Hash acc = m_edge.back();
    for (auto it = m_edge.rbegin() + 1; it != m_edge.rend(); ++it)
        acc = nodeHash(*it, acc);
    return acc;
}

HashReader Frontier::reader(HashReader stored) const
{
    return
        [edge = m_edge, size = m_size, stored = std::move(stored)](int level, qint64 index) -> Result<Hash> {
            // The edge subtrees, largest first, are the set bits of the size; subtree i starts where i-1
            // ends.
            qint64 lo = 0;
            size_t i = 0;
            for (int l = 62; l >= 0; --l) {
                const qint64 width = qint64(1) << l;
                if ((size & width) == 0)
                    continue;
                if (l == level && (lo >> l) == index)
                    return edge[i];
                lo += width;
                ++i;
            }
            return stored(level, index);
        };
}

Result<Frontier> Frontier::load(qint64 size, const HashReader& read)
{
    if (size < 0)
        return rangeError(QStringLiteral("tree size %1 is negative").arg(size));
    Frontier f;
    qint64 lo = 0;
    for (int level = 62; level >= 0; --level) {
        const qint64 width = qint64(1) << level;
        if ((size & width) == 0)
            continue;
        auto h = read(level, lo >> level);
        if (!h)
            return h.error();
        f.m_edge.push_back(*h);
        lo += width;
    }
    f.m_size = size;
    return f;
}

Result<Frontier> Frontier::load(qint64 size, const HashBatchReader& read)
{
    return runBatched<Frontier>([size](const HashReader& r) { return load(size, r); }, read);
}

} // namespace lapse::merkle
