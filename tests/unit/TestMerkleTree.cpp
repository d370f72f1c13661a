// The RFC 9162 Merkle tree: published vectors, a brute-force reference straight from the RFC's recursive
// definitions, the frontier a writer keeps, and proof cost at a million leaves.
#include "engine/MerkleTree.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSet>
#include <QTest>

#include <cmath>
#include <limits>
#include <map>
#include <utility>
#include <vector>

using namespace lapse;
using namespace lapse::merkle;

// Hashes print as hex when a comparison fails.
template <> char* QTest::toString(const Hash& h)
{
    return qstrdup(toHex(h).constData());
}

namespace
{

Hash hex(const char* text)
{
    return fromHex(QByteArrayView(text)).value_or(Hash {});
}

QByteArray bytes(const char* hexText)
{
    return QByteArray::fromHex(hexText);
}

Hash leafOf(const QByteArray& data)
{
    return leafHash(reinterpret_cast<const unsigned char*>(data.constData()), size_t(data.size()));
}

Hash flipped(Hash h, int bit = 0)
{
    h[size_t(bit / 8) % h.size()] ^= static_cast<unsigned char>(1u << (bit % 8));
    return h;
}

// The eight leaves, the complete-subtree hashes and the roots for sizes 1..8 of transparency-dev/merkle's
// testonly/constants.go (LeafInputs, NodeHashes, RootHashes), commit
// 417fb0c314750d94e53942e9f92e79b6d35915db.
const char* const kLeaves[8]
    = {"", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"};
const char* const kNodes[4][8] = {{"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                                      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                                      "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
                                      "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
                                      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                                      "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
                                      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                                      "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"},
    {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"},
    {"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"},
    {"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"}};
const char* const kRoots[9] = {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

int nodeCount(int level)
{
    return 8 >> level;
}

// Reads the published node hashes of the 8-leaf tree.
Result<Hash> readVectors(int level, qint64 index)
{
    if (level < 0 || level > 3 || index < 0 || index >= nodeCount(level))
        return makeError(ErrorCode::NotFound, QStringLiteral("no node %1/%2").arg(level).arg(index));
    return hex(kNodes[level][index]);
}

// RFC 9162 section 2.1 taken literally, over an in-memory list of leaf hashes. MTH is memoised so that
// every (m, n) pair up to a few hundred leaves stays cheap; the recursion itself is the RFC's.
class Reference
{
public:
    explicit Reference(std::vector<Hash> leaves)
        : m_leaves(std::move(leaves))
    {
    }

    qint64 size() const { return qint64(m_leaves.size()); }
    const Hash& leaf(qint64 i) const { return m_leaves[size_t(i)]; }

    static qint64 split(qint64 n)
    {
        qint64 k = 1;
        while (k * 2 < n)
            k *= 2;
        return k;
    }

    // MTH(D[lo:hi])
    Hash mth(qint64 lo, qint64 hi)
    {
        if (hi == lo)
            return emptyRoot();
        if (hi - lo == 1)
            return m_leaves[size_t(lo)];
        const auto key = std::make_pair(lo, hi);
        const auto it = m_memo.find(key);
        if (it != m_memo.end())
            return it->second;
        const qint64 k = split(hi - lo);
        const Hash h = nodeHash(mth(lo, lo + k), mth(lo + k, hi));
        m_memo.emplace(key, h);
        return h;
    }

    // PATH(m, D[lo:hi])
    QList<Hash> path(qint64 m, qint64 lo, qint64 hi)
    {
        if (hi - lo == 1)
            return {};
        const qint64 k = split(hi - lo);
        if (m < k)
            return path(m, lo, lo + k) << mth(lo + k, hi);
        return path(m - k, lo + k, hi) << mth(lo, lo + k);
    }

    // SUBPROOF(m, D[lo:hi], b)
    QList<Hash> subproof(qint64 m, qint64 lo, qint64 hi, bool b)
    {
        const qint64 n = hi - lo;
        if (m == n)
            return b ? QList<Hash>() : QList<Hash> {mth(lo, hi)};
        const qint64 k = split(n);
        if (m <= k)
            return subproof(m, lo, lo + k, b) << mth(lo + k, hi);
        return subproof(m - k, lo + k, hi, false) << mth(lo, lo + k);
    }

private:
    std::vector<Hash> m_leaves;
    std::map<std::pair<qint64, qint64>, Hash> m_memo;
};

// Leaf i of the synthetic logs: the 32 bytes an event hash would spell, here a counter.
Hash counterLeaf(qint64 i)
{
    unsigned char data[32] = {};
    for (int b = 0; b < 8; ++b)
        data[31 - b] = static_cast<unsigned char>(i >> (8 * b));
    return leafHash(data, sizeof data);
}

std::vector<Hash> counterLeaves(qint64 n)
{
    std::vector<Hash> out;
    for (qint64 i = 0; i < n; ++i)
        out.push_back(counterLeaf(i));
    return out;
}

// A store of complete aligned subtrees for a reference tree, as the real store would hold them, with the
// reader's contract checked on every call: nothing beyond the tree asked about, nothing read twice per call.
class CheckedStore
{
public:
    explicit CheckedStore(Reference& ref)
        : m_ref(ref)
    {
    }

    // A reader for one call about a tree of `size` leaves.
    HashReader reader(qint64 size)
    {
        m_size = size;
        m_seen.clear();
        m_reads = 0;
        return [this](int level, qint64 index) -> Result<Hash> {
            ++m_reads;
            if (level < 0 || level > 62 || index < 0 || ((index + 1) << level) > m_size) {
                m_violations << QStringLiteral("read %1/%2 beyond size %3").arg(level).arg(index).arg(m_size);
                return makeError(ErrorCode::Internal, QStringLiteral("beyond the tree"));
            }
            if (m_seen.contains(qMakePair(level, index)))
                m_violations << QStringLiteral("read %1/%2 twice").arg(level).arg(index);
            m_seen.insert(qMakePair(level, index));
            return m_ref.mth(index << level, (index + 1) << level);
        };
    }

    int reads() const { return m_reads; }
    const QStringList& violations() const { return m_violations; }

private:
    Reference& m_ref;
    qint64 m_size = 0;
    int m_reads = 0;
    QSet<QPair<int, qint64>> m_seen;
    QStringList m_violations;
};

QList<Hash> hashesFromJson(const QJsonValue& value, bool* ok)
{
    QList<Hash> out;
    for (const auto& v : value.toArray()) {
        const auto h = fromBase64(v.toString().toLatin1());
        if (!h)
            *ok = false;
        else
            out << *h;
    }
    return out;
}

} // namespace

class TestMerkleTree : public QObject
{
    Q_OBJECT

private slots:
    void hashing();
    void encodings_data();
    void encodings();
    void publishedVectors();
    void publishedInclusion_data();
    void publishedInclusion();
    void publishedConsistency_data();
    void publishedConsistency();
    void publishedProbes_data();
    void publishedProbes();
    void rootsMatchReference();
    void inclusionMatchesReference();
    void consistencyMatchesReference();
    void frontierMatchesReference();
    void badArguments();
    void readerErrorsPropagate();
    void batchReader();
    void millionLeaves();
    void readsAtTenMillion();
};

void TestMerkleTree::hashing()
{
    QCOMPARE(
        toHex(emptyRoot()), QByteArray("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    for (int i = 0; i < 8; ++i)
        QCOMPARE(toHex(leafOf(bytes(kLeaves[i]))), QByteArray(kNodes[0][i]));
    for (int level = 1; level <= 3; ++level) {
        for (int i = 0; i < nodeCount(level); ++i) {
            const Hash h = nodeHash(hex(kNodes[level - 1][2 * i]), hex(kNodes[level - 1][2 * i + 1]));
            QCOMPARE(toHex(h), QByteArray(kNodes[level][i]));
        }
    }
    // The prefixes keep a leaf from passing as a node: the same 64 bytes hash differently as each.
    const Hash a = hex(kNodes[0][0]);
    const Hash b = hex(kNodes[0][1]);
    QByteArray both = QByteArray(reinterpret_cast<const char*>(a.data()), 32)
        + QByteArray(reinterpret_cast<const char*>(b.data()), 32);
    QVERIFY(leafOf(both) != nodeHash(a, b));
}

void TestMerkleTree::encodings_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("isBase64");
    QTest::addColumn<bool>("valid");
    const QByteArray root8 = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328";
    const QByteArray root8b64 = QByteArray::fromHex(root8).toBase64();
    QTest::newRow("hex") << root8 << false << true;
    QTest::newRow("hex upper") << root8.toUpper() << false << true;
    QTest::newRow("hex short") << root8.left(62) << false << false;
    QTest::newRow("hex long") << root8 + "00" << false << false;
    QTest::newRow("hex foreign char") << QByteArray(root8).replace(10, 1, "g") << false << false;
    QTest::newRow("hex empty") << QByteArray() << false << false;
    QTest::newRow("base64") << root8b64 << true << true;
    QTest::newRow("base64 unpadded") << root8b64.chopped(1) << true << false;
    QTest::newRow("base64 url alphabet")
        << QByteArray("XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz-Nw7_RgQyg=") << true << false;
    QTest::newRow("base64 31 bytes") << QByteArray(31, 'x').toBase64() << true << false;
    QTest::newRow("base64 33 bytes") << QByteArray(33, 'x').toBase64() << true << false;
    QTest::newRow("base64 stray bits")
        << QByteArray("XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyh=") << true << false;
    QTest::newRow("base64 whitespace") << QByteArray(" ") + root8b64.chopped(1) << true << false;
    QTest::newRow("base64 empty") << QByteArray() << true << false;
}

void TestMerkleTree::encodings()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, isBase64);
    QFETCH(bool, valid);
    const auto h = isBase64 ? fromBase64(text) : fromHex(text);
    QCOMPARE(h.has_value(), valid);
    if (valid) {
        QCOMPARE(*h, hex(kRoots[8]));
        QCOMPARE(isBase64 ? toBase64(*h) : toHex(*h), isBase64 ? text : text.toLower());
    }
}

void TestMerkleTree::publishedVectors()
{
    for (qint64 size = 0; size <= 8; ++size) {
        auto root = rootAt(size, readVectors);
        QVERIFY2(root.ok(), qPrintable(QString::number(size)));
        QCOMPARE(toHex(*root), QByteArray(kRoots[size]));
    }
    Frontier f;
    QCOMPARE(f.root(), emptyRoot());
    for (int i = 0; i < 8; ++i) {
        f.append(leafOf(bytes(kLeaves[i])), [](int level, qint64 index, const Hash& h) {
            QCOMPARE(toHex(h), QByteArray(kNodes[level][index]));
        });
        QCOMPARE(toHex(f.root()), QByteArray(kRoots[i + 1]));
    }
}

// transparency-dev/merkle cmd/proofgen/main.go (inclusionProofs; its leaf numbers are 1-based),
// commit 417fb0c314750d94e53942e9f92e79b6d35915db.
void TestMerkleTree::publishedInclusion_data()
{
    QTest::addColumn<qint64>("index");
    QTest::addColumn<qint64>("size");
    QTest::addColumn<QStringList>("proof");
    QTest::newRow("leaf 1 of 1") << qint64(0) << qint64(1) << QStringList();
    QTest::newRow("leaf 1 of 8") << qint64(0) << qint64(8)
                                 << QStringList {
                                        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                                        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                                        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"};
    QTest::newRow("leaf 6 of 8") << qint64(5) << qint64(8)
                                 << QStringList {
                                        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                                        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"};
    QTest::newRow("leaf 3 of 3") << qint64(
        2) << qint64(3) << QStringList {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"};
    QTest::newRow("leaf 2 of 5") << qint64(1) << qint64(5)
                                 << QStringList {
                                        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                                        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                                        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"};
}

void TestMerkleTree::publishedInclusion()
{
    QFETCH(qint64, index);
    QFETCH(qint64, size);
    QFETCH(QStringList, proof);
    QList<Hash> expected;
    for (const auto& p : proof)
        expected << hex(p.toLatin1().constData());
    auto got = inclusionProof(index, size, readVectors);
    QVERIFY(got.ok());
    QCOMPARE(*got, expected);
    QVERIFY(verifyInclusion(index, size, hex(kNodes[0][index]), expected, hex(kRoots[size])));
}

// transparency-dev/merkle cmd/proofgen/main.go (consistencyProofs), commit 417fb0c3.
void TestMerkleTree::publishedConsistency_data()
{
    QTest::addColumn<qint64>("from");
    QTest::addColumn<qint64>("to");
    QTest::addColumn<QStringList>("proof");
    QTest::newRow("1 to 1") << qint64(1) << qint64(1) << QStringList();
    QTest::newRow("1 to 8") << qint64(1) << qint64(8)
                            << QStringList {
                                   "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                                   "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                                   "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"};
    QTest::newRow("6 to 8") << qint64(6) << qint64(8)
                            << QStringList {
                                   "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                                   "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                                   "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"};
    QTest::newRow("2 to 5") << qint64(2) << qint64(5)
                            << QStringList {
                                   "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                                   "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"};
    QTest::newRow("6 to 7") << qint64(6) << qint64(7)
                            << QStringList {
                                   "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                                   "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                                   "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"};
}

void TestMerkleTree::publishedConsistency()
{
    QFETCH(qint64, from);
    QFETCH(qint64, to);
    QFETCH(QStringList, proof);
    QList<Hash> expected;
    for (const auto& p : proof)
        expected << hex(p.toLatin1().constData());
    // The 8-leaf vectors only hold complete subtrees of the 8-leaf tree; a 7-leaf tree's reader may not be
    // asked for more than its own, which readVectors cannot tell, so check the bound here.
    const HashReader bounded = [to](int level, qint64 index) -> Result<Hash> {
        if (((index + 1) << level) > to)
            return makeError(ErrorCode::Internal, QStringLiteral("beyond the tree"));
        return readVectors(level, index);
    };
    auto got = consistencyProof(from, to, bounded);
    QVERIFY(got.ok());
    QCOMPARE(*got, expected);
    QVERIFY(verifyConsistency(from, to, hex(kRoots[from]), hex(kRoots[to]), expected));
    QVERIFY(!verifyConsistency(from, to, flipped(hex(kRoots[from])), hex(kRoots[to]), expected));
    QVERIFY(!verifyConsistency(from, to, hex(kRoots[from]), flipped(hex(kRoots[to])), expected));
}

void TestMerkleTree::publishedProbes_data()
{
    QTest::addColumn<QString>("path");
    const QString dir = QStringLiteral(LAPSE_SOURCE_DIR "/tests/unit/data/merkle");
    QDirIterator it(dir, {QStringLiteral("*.json")}, QDir::Files, QDirIterator::Subdirectories);
    QStringList files;
    while (it.hasNext())
        files << it.next();
    files.sort();
    QVERIFY2(
        files.size() == 196, qPrintable(QStringLiteral("%1 probe files in %2").arg(files.size()).arg(dir)));
    for (const auto& f : files)
        QTest::newRow(qPrintable(f.mid(dir.size() + 1))) << f;
}

void TestMerkleTree::publishedProbes()
{
    QFETCH(QString, path);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject probe = QJsonDocument::fromJson(file.readAll()).object();
    QVERIFY(probe.contains(QStringLiteral("wantErr")));
    const bool wantErr = probe.value(QStringLiteral("wantErr")).toBool();
    // Go's probes use uint64 sizes and byte slices of any length; a size past qint64 or a hash that is not
    // 32 bytes cannot even be put to Lapse's verifier, which is a refusal by construction.
    bool parsed = true;
    const QList<Hash> proof = hashesFromJson(probe.value(QStringLiteral("proof")), &parsed);
    auto hashField = [&](const char* name) {
        const auto h = fromBase64(probe.value(QLatin1String(name)).toString().toLatin1());
        if (!h)
            parsed = false;
        return h.value_or(Hash {});
    };
    auto sizeField = [&](const char* name) {
        const QJsonValue v = probe.value(QLatin1String(name));
        if (v.toDouble() >= 9223372036854775807.0)
            parsed = false;
        return v.toInteger(-1);
    };
    bool accepted = false;
    if (probe.contains(QStringLiteral("leafIdx"))) {
        const qint64 index = sizeField("leafIdx");
        const qint64 size = sizeField("treeSize");
        const Hash leaf = hashField("leafHash");
        const Hash root = hashField("root");
        accepted = parsed && verifyInclusion(index, size, leaf, proof, root);
    } else {
        const qint64 from = sizeField("size1");
        const qint64 to = sizeField("size2");
        const Hash root1 = hashField("root1");
        const Hash root2 = hashField("root2");
        accepted = parsed && verifyConsistency(from, to, root1, root2, proof);
    }
    if (!parsed && !wantErr)
        QSKIP("an accepting case with a hash that is not 32 bytes has no form in this API");
    QCOMPARE(accepted, !wantErr);
}

void TestMerkleTree::rootsMatchReference()
{
    Reference ref(counterLeaves(300));
    CheckedStore store(ref);
    for (qint64 size = 1; size <= 300; ++size) {
        auto root = rootAt(size, store.reader(size));
        QVERIFY(root.ok());
        if (*root != ref.mth(0, size))
            QFAIL(qPrintable(QStringLiteral("root of %1 leaves differs").arg(size)));
        QCOMPARE(store.reads(), qPopulationCount(quint64(size)));
    }
    QCOMPARE(store.violations(), QStringList());
}

void TestMerkleTree::inclusionMatchesReference()
{
    Reference ref(counterLeaves(301));
    CheckedStore store(ref);
    const Hash stranger = counterLeaf(1000);
    for (qint64 size = 1; size <= 300; ++size) {
        const Hash root = ref.mth(0, size);
        const Hash rootBelow = ref.mth(0, size - 1);
        const Hash rootAbove = ref.mth(0, size + 1);
        for (qint64 i = 0; i < size; ++i) {
            const QString where = QStringLiteral("leaf %1 of %2").arg(i).arg(size);
            auto proof = inclusionProof(i, size, store.reader(size));
            QVERIFY(proof.ok());
            if (*proof != ref.path(i, 0, size))
                QFAIL(qPrintable(where + QStringLiteral(": proof differs from PATH")));
            if (store.reads() > 2 * std::log2(double(size)))
                QFAIL(qPrintable(where + QStringLiteral(": %1 reads").arg(store.reads())));
            const QList<Hash>& p = *proof;
            const Hash leaf = ref.leaf(i);
            bool ok = verifyInclusion(i, size, leaf, p, root);
            // Each of these claims is false, so each must be refused.
            bool refused = !verifyInclusion(i, size, stranger, p, root)
                && !verifyInclusion(i, size, flipped(leaf, 255), p, root)
                && !verifyInclusion(i, size, leaf, p, flipped(root))
                && (i + 1 >= size || !verifyInclusion(i + 1, size, leaf, p, root))
                && (i == 0 || !verifyInclusion(i - 1, size, leaf, p, root))
                && !verifyInclusion(i, size + 1, leaf, p, rootAbove)
                && (i + 1 >= size || !verifyInclusion(i, size - 1, leaf, p, rootBelow))
                && !verifyInclusion(i, size, leaf, QList<Hash>(p) << root, root)
                && !verifyInclusion(i, size, leaf, QList<Hash>(p) << stranger, root)
                && !verifyInclusion(i, size, leaf, QList<Hash> {stranger} + p, root)
                && (p.isEmpty() || !verifyInclusion(i, size, leaf, p.mid(0, p.size() - 1), root))
                && (p.isEmpty() || !verifyInclusion(i, size, leaf, p.mid(1), root));
            for (qsizetype k = 0; k < p.size() && refused; ++k) {
                QList<Hash> changed = p;
                changed[k] = flipped(changed[k], int(k));
                refused = !verifyInclusion(i, size, leaf, changed, root);
            }
            if (!ok || !refused)
                QFAIL(qPrintable(where
                    + (ok ? QStringLiteral(": a false claim verified")
                          : QStringLiteral(": does not verify"))));
        }
    }
    QCOMPARE(store.violations(), QStringList());
}

void TestMerkleTree::consistencyMatchesReference()
{
    Reference ref(counterLeaves(300));
    CheckedStore store(ref);
    for (qint64 to = 1; to <= 300; ++to) {
        const Hash toRoot = ref.mth(0, to);
        for (qint64 from = 1; from <= to; ++from) {
            const QString where = QStringLiteral("from %1 to %2").arg(from).arg(to);
            const Hash fromRoot = ref.mth(0, from);
            auto proof = consistencyProof(from, to, store.reader(to));
            QVERIFY(proof.ok());
            const QList<Hash>& p = *proof;
            if (p != ref.subproof(from, 0, to, true))
                QFAIL(qPrintable(where + QStringLiteral(": proof differs from PROOF")));
            if (store.reads() > 2 * std::log2(double(to)))
                QFAIL(qPrintable(where + QStringLiteral(": %1 reads").arg(store.reads())));
            const bool ok = verifyConsistency(from, to, fromRoot, toRoot, p);
            bool refused = !verifyConsistency(from, to, flipped(fromRoot), toRoot, p)
                && !verifyConsistency(from, to, fromRoot, flipped(toRoot), p)
                && !verifyConsistency(from, to, fromRoot, toRoot, QList<Hash>(p) << toRoot)
                && (p.isEmpty() || !verifyConsistency(from, to, fromRoot, toRoot, p.mid(0, p.size() - 1)))
                && (from == to || !verifyConsistency(from + 1, to, ref.mth(0, from + 1), toRoot, p))
                && (from == 1 || !verifyConsistency(from - 1, to, ref.mth(0, from - 1), toRoot, p));
            for (qsizetype k = 0; k < p.size() && refused; ++k) {
                QList<Hash> changed = p;
                changed[k] = flipped(changed[k], int(k));
                refused = !verifyConsistency(from, to, fromRoot, toRoot, changed);
            }
            if (!ok || !refused)
                QFAIL(qPrintable(where
                    + (ok ? QStringLiteral(": a false claim verified")
                          : QStringLiteral(": does not verify"))));
        }
    }
    QCOMPARE(store.violations(), QStringList());
}

void TestMerkleTree::frontierMatchesReference()
{
    const qint64 n = 1000;
    Reference ref(counterLeaves(n));
    std::map<std::pair<int, qint64>, Hash> stored;
    std::vector<Frontier> snapshots {Frontier()};
    Frontier f;
    QCOMPARE(f.root(), emptyRoot());
    for (qint64 i = 0; i < n; ++i) {
        int lastLevel = 0;
        f.append(ref.leaf(i), [&](int level, qint64 index, const Hash& h) {
            // Only subtrees this leaf completes, lowest first, each reported once.
            QVERIFY(level > lastLevel);
            lastLevel = level;
            QCOMPARE((index + 1) << level, i + 1);
            QVERIFY(stored.emplace(std::make_pair(level, index), h).second);
        });
        QCOMPARE(f.size(), i + 1);
        if (f.root() != ref.mth(0, i + 1))
            QFAIL(qPrintable(QStringLiteral("frontier root at %1 differs").arg(i + 1)));
        snapshots.push_back(f);
    }

    // Exactly the complete aligned subtrees at level >= 1, with the reference's hashes.
    size_t expected = 0;
    for (int level = 1; (qint64(1) << level) <= n; ++level) {
        for (qint64 index = 0; ((index + 1) << level) <= n; ++index) {
            ++expected;
            const auto it = stored.find({level, index});
            QVERIFY2(
                it != stored.end(), qPrintable(QStringLiteral("%1/%2 not stored").arg(level).arg(index)));
            QCOMPARE(it->second, ref.mth(index << level, (index + 1) << level));
        }
    }
    QCOMPARE(stored.size(), expected);
    QCOMPARE(expected, size_t(994));

    // Reloading from those hashes (leaf hashes computed on demand) gives back the same frontier, at every
    // size.
    for (qint64 size = 0; size <= n; ++size) {
        int reads = 0;
        auto loaded = Frontier::load(size, [&](int level, qint64 index) -> Result<Hash> {
            ++reads;
            if (((index + 1) << level) > size)
                return makeError(ErrorCode::Internal, QStringLiteral("beyond the tree"));
            if (level == 0)
                return ref.leaf(index);
            return stored.at({level, index});
        });
        QVERIFY(loaded.ok());
        QVERIFY2(*loaded == snapshots[size_t(size)], qPrintable(QString::number(size)));
        QCOMPARE(loaded->root(), snapshots[size_t(size)].root());
        QCOMPARE(reads, qPopulationCount(quint64(size)));
    }
}

void TestMerkleTree::badArguments()
{
    Reference ref(counterLeaves(8));
    CheckedStore store(ref);
    const HashReader read = store.reader(8);
    const qint64 big = std::numeric_limits<qint64>::max();
    const qint64 small = std::numeric_limits<qint64>::min();
    const std::pair<qint64, qint64> badInclusions[]
        = {{0, 0}, {8, 8}, {9, 8}, {-1, 8}, {0, -1}, {small, 8}, {0, small}, {big, 8}};
    for (const auto& [index, size] : badInclusions) {
        auto proof = inclusionProof(index, size, read);
        QVERIFY(!proof.ok());
        QCOMPARE(proof.error().code, ErrorCode::Invalid);
        QVERIFY(!verifyInclusion(index, size, ref.leaf(0), {}, ref.mth(0, 8)));
    }
    const std::pair<qint64, qint64> badConsistencies[]
        = {{0, 8}, {0, 0}, {9, 8}, {-1, 8}, {-1, -1}, {small, 8}, {big, 8}};
    for (const auto& [from, to] : badConsistencies) {
        auto proof = consistencyProof(from, to, read);
        QVERIFY(!proof.ok());
        QCOMPARE(proof.error().code, ErrorCode::Invalid);
        QVERIFY(!verifyConsistency(from, to, ref.mth(0, 8), ref.mth(0, 8), {}));
    }
    // An empty tree has no leaves and extends nothing worth proving.
    QVERIFY(!verifyConsistency(0, 0, emptyRoot(), emptyRoot(), {}));
    QVERIFY(!verifyConsistency(0, 8, emptyRoot(), ref.mth(0, 8), {}));
    QVERIFY(!rootAt(-1, read).ok());
    QVERIFY(!Frontier::load(-1, read).ok());
    QCOMPARE(*rootAt(0, read), emptyRoot());
    QCOMPARE(Frontier::load(0, read)->size(), qint64(0));
    // Proofs far too long for their tree, and sizes at the edge of the type, are refused without reading past
    // the proof or overflowing.
    QList<Hash> longProof(100, ref.leaf(1));
    QVERIFY(!verifyInclusion(0, 8, ref.leaf(0), longProof, ref.mth(0, 8)));
    QVERIFY(!verifyInclusion(big - 1, big, ref.leaf(0), longProof, ref.mth(0, 8)));
    QVERIFY(!verifyConsistency(3, 8, ref.mth(0, 3), ref.mth(0, 8), longProof));
    QVERIFY(!verifyConsistency(big - 1, big, ref.mth(0, 3), ref.mth(0, 8), longProof));
    QCOMPARE(store.violations(), QStringList());
}

void TestMerkleTree::readerErrorsPropagate()
{
    Reference ref(counterLeaves(300));
    // A store that fails on one particular node: every call that needs it reports the store's error.
    const std::pair<int, qint64> badNodes[] = {{0, 299}, {3, 20}, {8, 0}, {2, 74}};
    for (const auto& bad : badNodes) {
        const int badLevel = bad.first;
        const qint64 badIndex = bad.second;
        int failures = 0;
        const HashReader read = [&](int level, qint64 index) -> Result<Hash> {
            if (level == badLevel && index == badIndex) {
                ++failures;
                return makeError(ErrorCode::Unavailable, QStringLiteral("disk on fire"));
            }
            return ref.mth(index << level, (index + 1) << level);
        };
        const QString where = QStringLiteral("%1/%2").arg(badLevel).arg(badIndex);
        // 300 = 256 + 32 + 8 + 4: the root reads 8/0, 5/8, 3/36 and 2/74 and nothing inside them.
        auto root = rootAt(300, read);
        const bool rootNeedsIt = (badLevel == 8 && badIndex == 0) || (badLevel == 2 && badIndex == 74);
        QCOMPARE(root.ok(), !rootNeedsIt);
        if (!root.ok()) {
            QCOMPARE(root.error().code, ErrorCode::Unavailable);
            QCOMPARE(root.error().message, QStringLiteral("disk on fire"));
        }
        QCOMPARE(Frontier::load(300, read).ok(), !rootNeedsIt);
        // Some proof at this size must need the node; every proof that read it failed with the store's error.
        int failedProofs = 0;
        for (qint64 i = 0; i < 300; ++i) {
            const int before = failures;
            auto p = inclusionProof(i, 300, read);
            QCOMPARE(p.ok(), failures == before);
            if (!p.ok()) {
                ++failedProofs;
                QCOMPARE(p.error().code, ErrorCode::Unavailable);
            }
            const int beforeC = failures;
            auto c = consistencyProof(i + 1, 300, read);
            QCOMPARE(c.ok(), failures == beforeC);
        }
        QVERIFY2(failedProofs > 0, qPrintable(where));
    }
}

void TestMerkleTree::batchReader()
{
    Reference ref(counterLeaves(200));
    int calls = 0;
    qint64 treeSize = 0;
    QStringList problems;
    const HashBatchReader readMany = [&](const QList<NodeId>& nodes) -> Result<QList<Hash>> {
        ++calls;
        QList<Hash> out;
        QSet<QPair<int, qint64>> seen;
        for (const auto& n : nodes) {
            if (n.level < 0 || n.index < 0 || ((n.index + 1) << n.level) > treeSize)
                problems << QStringLiteral("%1/%2 beyond %3").arg(n.level).arg(n.index).arg(treeSize);
            if (seen.contains(qMakePair(n.level, n.index)))
                problems << QStringLiteral("%1/%2 asked twice").arg(n.level).arg(n.index);
            seen.insert(qMakePair(n.level, n.index));
            out << ref.mth(n.index << n.level, (n.index + 1) << n.level);
        }
        return out;
    };
    // The same answers as the point reader's (checked against the reference), from one batch per call.
    for (qint64 size = 0; size <= 200; ++size) {
        treeSize = size;
        calls = 0;
        auto root = rootAt(size, readMany);
        QVERIFY(root.ok());
        QCOMPARE(*root, ref.mth(0, size));
        QCOMPARE(calls, size > 0 ? 1 : 0);
        auto loaded = Frontier::load(size, readMany);
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->size(), size);
        QCOMPARE(loaded->root(), ref.mth(0, size));
        for (qint64 i = 0; i < size; ++i) {
            calls = 0;
            auto p = inclusionProof(i, size, readMany);
            QVERIFY(p.ok());
            if (*p != ref.path(i, 0, size))
                QFAIL(qPrintable(QStringLiteral("inclusion %1 of %2 differs").arg(i).arg(size)));
            QCOMPARE(calls, size > 1 ? 1 : 0);
            calls = 0;
            auto c = consistencyProof(i + 1, size, readMany);
            QVERIFY(c.ok());
            if (*c != ref.subproof(i + 1, 0, size, true))
                QFAIL(qPrintable(QStringLiteral("consistency %1 to %2 differs").arg(i + 1).arg(size)));
            QCOMPARE(calls, c->isEmpty() ? 0 : 1);
        }
    }
    QCOMPARE(problems, QStringList());

    // A failing store, or one that answers with the wrong number of hashes, gives an error, never a proof.
    treeSize = 200;
    const HashBatchReader failing = [](const QList<NodeId>&) -> Result<QList<Hash>> {
        return makeError(ErrorCode::Unavailable, QStringLiteral("disk on fire"));
    };
    const HashBatchReader shortAnswer = [&](const QList<NodeId>& nodes) -> Result<QList<Hash>> {
        QList<Hash> all = readMany(nodes).value();
        all.removeLast();
        return all;
    };
    const std::pair<HashBatchReader, ErrorCode> stores[]
        = {{failing, ErrorCode::Unavailable}, {shortAnswer, ErrorCode::Internal}};
    for (const auto& [store, code] : stores) {
        QCOMPARE(rootAt(200, store).error().code, code);
        QCOMPARE(Frontier::load(200, store).error().code, code);
        QCOMPARE(inclusionProof(5, 200, store).error().code, code);
        QCOMPARE(consistencyProof(3, 200, store).error().code, code);
    }
    // Bad arguments are refused before the store is asked anything.
    calls = 0;
    QCOMPARE(inclusionProof(5, 5, readMany).error().code, ErrorCode::Invalid);
    QCOMPARE(consistencyProof(6, 5, readMany).error().code, ErrorCode::Invalid);
    QCOMPARE(rootAt(-1, readMany).error().code, ErrorCode::Invalid);
    QCOMPARE(calls, 0);
}

void TestMerkleTree::millionLeaves()
{
    const qint64 n = 1 << 20;
    QRandomGenerator rng(20260603);
    // Checkpoints: random sizes whose roots the frontier reports as it grows, plus the full tree.
    std::map<qint64, Hash> roots;
    for (int i = 0; i < 40; ++i)
        roots[1 + qint64(rng.bounded(quint64(n)))] = Hash {};
    roots[n] = Hash {};

    // level -> hashes by index: what the store keeps. Leaf hashes come from the counter on demand.
    std::vector<std::vector<Hash>> levels(21);
    Frontier f;
    bool inOrder = true;
    QElapsedTimer timer;
    timer.start();
    for (qint64 i = 0; i < n; ++i) {
        f.append(counterLeaf(i), [&](int level, qint64 index, const Hash& h) {
            auto& row = levels[size_t(level)];
            inOrder = inOrder && qint64(row.size()) == index; // each level stored in order, none skipped
            row.push_back(h);
        });
        const auto it = roots.find(i + 1);
        if (it != roots.end())
            it->second = f.root();
    }
    const qint64 appendMs = timer.elapsed();
    QVERIFY(inOrder);
    for (int level = 1; level <= 20; ++level)
        QCOMPARE(qint64(levels[size_t(level)].size()), n >> level);

    qint64 treeSize = n;
    qint64 reads = 0;
    const HashReader read = [&](int level, qint64 index) -> Result<Hash> {
        ++reads;
        if (((index + 1) << level) > treeSize)
            return makeError(ErrorCode::Internal, QStringLiteral("beyond the tree"));
        if (level == 0)
            return counterLeaf(index);
        return levels[size_t(level)][size_t(index)];
    };

    for (const auto& [size, root] : roots) {
        treeSize = size;
        auto got = rootAt(size, read);
        QVERIFY(got.ok());
        QCOMPARE(*got, root);
        auto loaded = Frontier::load(size, read);
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->root(), root);
    }

    // Random inclusion proofs in every checkpoint, counting the reads each one costs.
    qint64 proofs = 0;
    qint64 maxReads = 0;
    qint64 readsAtFull = 0;
    qint64 proofsAtFull = 0;
    timer.restart();
    for (const auto& [size, root] : roots) {
        treeSize = size;
        for (int k = 0; k < 200; ++k) {
            const qint64 index = qint64(rng.bounded(quint64(size)));
            reads = 0;
            auto p = inclusionProof(index, size, read);
            QVERIFY(p.ok());
            QVERIFY(reads <= 2 * std::log2(double(size)));
            maxReads = std::max(maxReads, reads);
            if (size == n) {
                readsAtFull += reads;
                ++proofsAtFull;
            }
            ++proofs;
            QVERIFY(verifyInclusion(index, size, counterLeaf(index), *p, root));
            QVERIFY(!verifyInclusion(index, size, counterLeaf(index + 1), *p, root));
        }
    }
    const double usPerInclusion = double(timer.nsecsElapsed()) / 1000.0 / double(proofs);

    // At the writer's current size the frontier answers the ragged right part from memory: the same proofs,
    // at most one read per level.
    treeSize = n - 12345;
    auto atSize = Frontier::load(treeSize, read);
    QVERIFY(atSize.ok());
    const HashReader edgeFirst = atSize->reader(read);
    qint64 maxEdgeReads = 0;
    for (int k = 0; k < 500; ++k) {
        const qint64 index = qint64(rng.bounded(quint64(treeSize)));
        reads = 0;
        auto direct = inclusionProof(index, treeSize, read);
        QVERIFY(direct.ok());
        const qint64 directReads = reads;
        reads = 0;
        auto viaEdge = inclusionProof(index, treeSize, edgeFirst);
        QVERIFY(viaEdge.ok());
        QCOMPARE(*viaEdge, *direct);
        QVERIFY(reads <= directReads);
        QVERIFY(reads <= std::ceil(std::log2(double(treeSize))));
        maxEdgeReads = std::max(maxEdgeReads, reads);
        reads = 0;
        auto c = consistencyProof(1 + qint64(rng.bounded(quint64(treeSize))), treeSize, edgeFirst);
        QVERIFY(c.ok());
        QVERIFY(reads <= std::ceil(std::log2(double(treeSize))));
    }

    // Consistency between every pair of checkpoints.
    int pairs = 0;
    for (auto a = roots.begin(); a != roots.end(); ++a) {
        for (auto b = a; b != roots.end(); ++b) {
            treeSize = b->first;
            reads = 0;
            auto p = consistencyProof(a->first, b->first, read);
            QVERIFY(p.ok());
            QVERIFY(reads <= 2 * std::log2(double(b->first)));
            QVERIFY(verifyConsistency(a->first, b->first, a->second, b->second, *p));
            if (a != b)
                QVERIFY(!verifyConsistency(a->first, b->first, b->second, b->second, *p));
            ++pairs;
        }
    }
    qInfo(
        "1M leaves: append %lld ms; %lld inclusion proofs, %.1f us each with verification (in-memory reads); "
        "reads per proof at 2^20: mean %.1f, max %lld over all sizes, max %lld with the frontier's reader; "
        "%d consistency pairs",
        appendMs, proofs, usPerInclusion, double(readsAtFull) / double(proofsAtFull), maxReads, maxEdgeReads,
        pairs);
}

// Which nodes a proof reads depends only on the sizes, so the read count at ten million leaves needs no
// store: a reader that answers placeholders counts them. Each read costs the real store 2-3 us.
void TestMerkleTree::readsAtTenMillion()
{
    QRandomGenerator rng(10000000);
    int reads = 0;
    const HashReader counting = [&reads](int, qint64) -> Result<Hash> {
        ++reads;
        return Hash {};
    };
    int maxInclusion = 0;
    int maxConsistency = 0;
    qint64 totalInclusion = 0;
    const int samples = 2000;
    QElapsedTimer timer;
    qint64 computeNs = 0;
    for (int k = 0; k < samples; ++k) {
        const qint64 size = 10000000 + qint64(rng.bounded(1000000));
        const qint64 index = qint64(rng.bounded(quint64(size)));
        reads = 0;
        timer.start();
        QVERIFY(inclusionProof(index, size, counting).ok());
        computeNs += timer.nsecsElapsed();
        QVERIFY(reads <= 2 * std::log2(double(size)));
        maxInclusion = std::max(maxInclusion, reads);
        totalInclusion += reads;
        reads = 0;
        QVERIFY(consistencyProof(1 + qint64(rng.bounded(quint64(size))), size, counting).ok());
        QVERIFY(reads <= 2 * std::log2(double(size)));
        maxConsistency = std::max(maxConsistency, reads);
    }
    // At 3 us a read the worst inclusion proof stays well under 200 us.
    QVERIFY(maxInclusion * 3 < 150);

    // With the writer's frontier answering the right edge, proofs at its size read one hash per level at
    // most.
    const qint64 current = 10000000 + qint64(rng.bounded(1000000));
    auto edge = Frontier::load(current, counting);
    QVERIFY(edge.ok());
    const HashReader edgeFirst = edge->reader(counting);
    int maxEdge = 0;
    qint64 totalEdge = 0;
    for (int k = 0; k < samples; ++k) {
        reads = 0;
        QVERIFY(inclusionProof(qint64(rng.bounded(quint64(current))), current, edgeFirst).ok());
        QVERIFY(reads <= std::ceil(std::log2(double(current))));
        maxEdge = std::max(maxEdge, reads);
        totalEdge += reads;
    }
    qInfo(
        "10M-11M leaves: inclusion reads mean %.1f, max %d (2*log2 = %.1f), with the frontier's reader "
        "mean %.1f, max %d; consistency reads max %d; %.1f us of computation per inclusion proof besides the "
        "reads",
        double(totalInclusion) / samples, maxInclusion, 2 * std::log2(1e7), double(totalEdge) / samples,
        maxEdge, maxConsistency, double(computeNs) / 1000.0 / samples);
}

QTEST_GUILESS_MAIN(TestMerkleTree)
#include "TestMerkleTree.moc"
