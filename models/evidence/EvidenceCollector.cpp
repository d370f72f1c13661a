// The two walks over the event log that give an evidence pack its data, its events and their proofs.
#include "EvidenceCollector.h"

#include "core/Clock.h"
#include "domain/Directory.h"
#include "engine/Checkpoint.h"
#include "engine/Store.h"
#include "metrics/Metrics.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSet>
#include <algorithm>
#include <array>
#include <numeric>
#include <random>

namespace lapse
{

namespace
{
constexpr int kPage = 5000;
// Subtrees below this level are folded from the 16 leaves of the block being walked; those at it and above
// are kept in memory (about one hash in eight leaves), so proofs read nothing from the store.
constexpr int kBlockLevel = 4;
constexpr qint64 kBlock = qint64(1) << kBlockLevel;

Error cancelled()
{
    return Error {ErrorCode::Cancelled, QStringLiteral("the evidence pack was cancelled")};
}

QJsonObject parseObject(const QByteArray& body)
{
    return QJsonDocument::fromJson(body).object();
}

struct RequestInfo {
    QString requester, target;
    qint64 createdMs = 0;
    qint64 createdSeq = 0, approvedSeq = 0, lastSeq = 0;
    QList<qint64> seqs;
};

struct GrantInfo {
    QString requestId, principal, target;
    qint64 startsMs = 0;
    qint64 activatedSeq = 0, endedSeq = 0, reviewedSeq = 0, stateSeq = 0;
    QString reviewedBy;
    qint64 reviewedMs = 0;
    QList<qint64> seqs; // the grant's own events
    QList<qint64> useSeqs; // credential.used_after_end
    QStringList sessions;
};

struct SessionInfo {
    QString grantId;
    qint64 endedSeq = 0, lastSeq = 0;
    QList<qint64> seqs;
};

// What the second walk decodes at a seq.
enum class Decode : quint8 { Request, Grant, ReviewedGrant, Session, Use };

// The Merkle tree of the walked prefix: complete subtrees at kBlockLevel and above, and the leaves of the
// current block.
class WalkTree
{
public:
    void beginBlock(qint64 block)
    {
        m_block = block;
        m_leaves.clear();
        m_cache.fill(std::nullopt);
    }
    // Appends the next leaf; at the end of a block, folds it into the kept levels.
    void add(const merkle::Hash& leaf, bool keepLevels)
    {
        m_leaves.push_back(leaf);
        m_cache.fill(std::nullopt);
        if (!keepLevels || qsizetype(m_leaves.size()) != kBlock)
            return;
        merkle::Hash h = subtree(m_leaves, m_block, kBlockLevel, m_block);
        for (int level = kBlockLevel;; ++level) {
            if (qsizetype(m_levels.size()) <= level - kBlockLevel)
                m_levels.emplace_back();
            auto& row = m_levels[size_t(level - kBlockLevel)];
            row.push_back(h);
            if (row.size() % 2)
                break;
            h = merkle::nodeHash(row[row.size() - 2], row.back());
        }
    }
    // Keeps the current block as the tree's last one: when it is incomplete, its subtrees are on the right
    // edge of every proof at this size, whichever block is being walked.
    void keepAsTail()
    {
        m_tailBlock = m_block;
        m_tail = m_leaves;
        m_tailCache.fill(std::nullopt);
    }

    // The same for a whole proof at once (one call, no Result per node).
    merkle::HashBatchReader batchReader() const
    {
        return [this](const QList<merkle::NodeId>& nodes) -> Result<QList<merkle::Hash>> {
            QList<merkle::Hash> out;
            out.reserve(nodes.size());
            for (const merkle::NodeId& n : nodes) {
                const int level = n.level;
                const qint64 index = n.index;
                const qint64 block = (index << level) >> kBlockLevel;
                if (level >= kBlockLevel) {
                    const size_t l = size_t(level - kBlockLevel);
                    if (l >= m_levels.size() || index >= qint64(m_levels[l].size()))
                        return missing(level, index);
                    out << m_levels[l][size_t(index)];
                } else if (block == m_block) {
                    out << subtree(m_leaves, m_block, level, index, m_cache);
                } else if (block == m_tailBlock) {
                    out << subtree(m_tail, m_tailBlock, level, index, m_tailCache);
                } else {
                    return missing(level, index);
                }
            }
            return out;
        };
    }

    merkle::HashReader reader() const
    {
        return [this](int level, qint64 index) -> Result<merkle::Hash> {
            if (level >= kBlockLevel) {
                const size_t l = size_t(level - kBlockLevel);
                if (l < m_levels.size() && index < qint64(m_levels[l].size()))
                    return m_levels[l][size_t(index)];
            } else if (((index << level) >> kBlockLevel) == m_block) {
                return subtree(m_leaves, m_block, level, index, m_cache);
            } else if (((index << level) >> kBlockLevel) == m_tailBlock) {
                return subtree(m_tail, m_tailBlock, level, index, m_tailCache);
            }
            return makeError(ErrorCode::Internal,
                QStringLiteral("the evidence tree has no subtree at level %1 index %2")
                    .arg(level)
                    .arg(index));
        };
    }

private:
    static Error missing(int level, qint64 index)
    {
        return Error {ErrorCode::Internal,
            QStringLiteral("the evidence tree has no subtree at level %1 index %2").arg(level).arg(index)};
    }

    // The subtrees inside a block (levels 1 to 3: 8 + 4 + 2 of them), each hashed once while the block stays.
    using BlockCache = std::array<std::optional<merkle::Hash>, 14>;

    static merkle::Hash subtree(
        const std::vector<merkle::Hash>& leaves, qint64 block, int level, qint64 index)
    {
        const qint64 first = (index << level) - block * kBlock;
        if (level == 0)
            return leaves[size_t(first)];
        return merkle::nodeHash(
            subtree(leaves, block, level - 1, 2 * index), subtree(leaves, block, level - 1, 2 * index + 1));
    }
    static merkle::Hash subtree(
        const std::vector<merkle::Hash>& leaves, qint64 block, int level, qint64 index, BlockCache& cache)
    {
        if (level == 0)
            return leaves[size_t((index << level) - block * kBlock)];
        static constexpr int kBase[] = {0, 0, 8, 12};
        auto& slot = cache[size_t(kBase[level] + (index - (block << (kBlockLevel - level))))];
        if (!slot)
            slot = merkle::nodeHash(subtree(leaves, block, level - 1, 2 * index, cache),
                subtree(leaves, block, level - 1, 2 * index + 1, cache));
        return *slot;
    }

    qint64 m_block = 0;
    std::vector<merkle::Hash> m_leaves;
    mutable BlockCache m_cache;
    qint64 m_tailBlock = -1;
    std::vector<merkle::Hash> m_tail;
    mutable BlockCache m_tailCache;
    std::vector<std::vector<merkle::Hash>> m_levels; // [level - kBlockLevel][index]
};

bool inList(const QStringList& list, const QString& value)
{
    return list.isEmpty() || list.contains(value);
}

QString joined(const QStringList& l)
{
    return l.join(QLatin1Char(' '));
}
} // namespace

namespace
{
// Appends text as a JSON string (RFC 8259): quotes, backslashes and control characters escaped, UTF-8 kept.
void appendJsonString(QByteArray& out, QByteArrayView utf8)
{
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    const char* run = utf8.data();
    const char* const end = utf8.data() + utf8.size();
    for (const char* p = run; p != end; ++p) {
        const unsigned char c = static_cast<unsigned char>(*p);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(run, p - run);
        run = p + 1;
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        }
    }
    out.append(run, end - run);
    out += '"';
}
} // namespace

QByteArray evidenceEventLine(const Event& e, const QByteArray& prevHash)
{
    // Written directly (the same members as Event::toJson, keys sorted as QJsonDocument would): a pack holds
    // up to millions of these lines, and a QJsonObject per line cost more than everything else per event.
    QByteArray out;
    out.reserve(e.body.size() + e.body.size() / 8 + 320);
    out += "{\"actor\":";
    appendJsonString(out, e.actor.toUtf8());
    out += ",\"body\":";
    appendJsonString(out, e.body);
    out += ",\"hash\":";
    appendJsonString(out, e.hash);
    out += ",\"prev_hash\":";
    appendJsonString(out, prevHash);
    out += ",\"seq\":" + QByteArray::number(e.seq) + ",\"subject\":";
    appendJsonString(out, e.subject.toUtf8());
    out += ",\"ts\":";
    appendJsonString(out, Clock::toIso(e.tsMs).toLatin1());
    out += ",\"ts_ms\":" + QByteArray::number(e.tsMs) + ",\"type\":";
    appendJsonString(out, e.type.toUtf8());
    out += '}';
    return out;
}

Result<EvidenceData> collectEvidenceWith(const Store& store, const Directory& directory,
    const EvidenceScope& scope, const NoteVerifier& logKey, const EvidenceEventSink& sink,
    const EvidenceProgress& progress, const std::atomic_bool* cancel, const EvidenceRowSinks& rows)
{
    const auto& grantRow = rows.grant;
    const auto& requestRow = rows.request;
    if (const Status s = scope.validate(); !s)
        return s.error();
    if (logKey.isNull())
        return makeError(ErrorCode::Invalid, QStringLiteral("no log key to check the checkpoint with"));
    const auto stage = [&](int percent, const QString& what) {
        if (progress)
            progress(percent, what);
    };
    const auto stopped = [&] { return cancel && cancel->load(); };

    // The anchor: the latest checkpoint, signed by the log key.
    const auto latest = store.latestCheckpoint();
    if (!latest)
        return makeError(ErrorCode::NotFound,
            QStringLiteral(
                "the store %1 holds no signed checkpoint yet: cut one first (lapsectl log checkpoint "
                "--cut)")
                .arg(store.location()));
    const qint64 treeSize = latest->first; // plain names: lambdas below capture them (C++17)
    const QByteArray note = latest->second;
    if (const auto v = verifyNote(note, {logKey}); !v)
        return makeError(ErrorCode::Invalid,
            QStringLiteral("the store's checkpoint at %1 is not signed by the log key %2: %3")
                .arg(treeSize)
                .arg(logKey.name(), v.error().message));
    const auto parsed = SignedNote::parse(note);
    const auto body
        = parsed ? CheckpointBody::parse(parsed.value().text) : Result<CheckpointBody>(parsed.error());
    if (!body || body.value().size != treeSize)
        return makeError(
            ErrorCode::Invalid, QStringLiteral("the store's checkpoint at %1 does not parse").arg(treeSize));

    EvidenceData d;
    d.scope = scope;
    d.checkpoint = note;
    d.treeSize = treeSize;
    d.origin = body.value().origin;
    d.rootBase64 = body.value().root.toBase64();
    d.logKeyVkey = logKey.vkey();

    // --- first walk: who and what is in scope; the tree, checked against the checkpoint ---
    QHash<QString, RequestInfo> requests;
    QHash<QString, GrantInfo> grants;
    QHash<QString, SessionInfo> sessions;
    QList<ReviewDecision> reviews; // every review.decided, scoped below
    WalkTree tree;
    qint64 checkpointMs = 0;
    QByteArray lastHash;
    for (qint64 after = 0; after < treeSize;) {
        if (stopped())
            return cancelled();
        const QList<Event> page = store.events(after, int(std::min<qint64>(kPage, treeSize - after)));
        if (page.isEmpty())
            return makeError(ErrorCode::Invalid,
                QStringLiteral("the store ends at %1, before its checkpoint's size %2")
                    .arg(after)
                    .arg(treeSize));
        for (const Event& e : page) {
            if (e.seq != after + 1)
                return makeError(ErrorCode::Invalid,
                    QStringLiteral("the store's log skips from %1 to %2").arg(after).arg(e.seq));
            after = e.seq;
            const auto leaf = merkle::fromHex(e.hash);
            if (!leaf)
                return makeError(ErrorCode::Invalid, QStringLiteral("event %1 has no valid hash").arg(e.seq));
            const qint64 index = e.seq - 1;
            if (index % kBlock == 0)
                tree.beginBlock(index / kBlock);
            tree.add(merkle::leafHash(leaf->data(), leaf->size()), true);
            checkpointMs = e.tsMs;
            lastHash = e.hash;

            const QString& t = e.type;
            if (t.startsWith(QLatin1String("request."))) {
                RequestInfo& r = requests[e.subject];
                if (t == QLatin1String("request.created")) {
                    const QJsonObject o = parseObject(e.body);
                    r.requester = o.value(QLatin1String("requester")).toString();
                    r.target = o.value(QLatin1String("target")).toString();
                    r.createdMs = e.tsMs;
                    r.createdSeq = e.seq;
                } else if (t == QLatin1String("request.approved")) {
                    r.approvedSeq = e.seq;
                }
                r.seqs << e.seq;
                r.lastSeq = e.seq;
            } else if (t == QLatin1String("credential.used_after_end")) {
                GrantInfo& g = grants[e.subject];
                g.seqs << e.seq;
                g.useSeqs << e.seq;
            } else if (t.startsWith(QLatin1String("grant."))) {
                GrantInfo& g = grants[e.subject];
                if (t == QLatin1String("grant.activated")) {
                    const Grant parsedGrant = Grant::fromJson(parseObject(e.body));
                    g.requestId = parsedGrant.requestId;
                    g.principal = parsedGrant.principal;
                    g.target = parsedGrant.target;
                    g.startsMs = parsedGrant.startsMs;
                    g.activatedSeq = e.seq;
                } else if (t == QLatin1String("grant.reviewed")) {
                    g.reviewedSeq = e.seq;
                    g.reviewedBy = e.actor;
                    g.reviewedMs = e.tsMs;
                } else if (t == QLatin1String("grant.completed") || t == QLatin1String("grant.revoked")
                    || t == QLatin1String("grant.expired")) {
                    g.endedSeq = e.seq;
                }
                g.seqs << e.seq;
                g.stateSeq = e.seq;
            } else if (t == QLatin1String("review.decided")) {
                ReviewDecision r = ReviewDecision::fromJson(parseObject(e.body));
                r.seq = e.seq;
                if (!r.atMs)
                    r.atMs = e.tsMs;
                reviews << r;
            } else if (t.startsWith(QLatin1String("session."))) {
                SessionInfo& s = sessions[e.subject];
                if (t == QLatin1String("session.opened")) {
                    s.grantId = parseObject(e.body).value(QLatin1String("grant_id")).toString();
                    if (auto it = grants.find(s.grantId); it != grants.end())
                        it->sessions << e.subject;
                } else if (t == QLatin1String("session.ended")) {
                    s.endedSeq = e.seq;
                }
                s.seqs << e.seq;
                s.lastSeq = e.seq;
            }
        }
        stage(int(45 * after / std::max<qint64>(1, treeSize)),
            QString::fromLatin1(QT_TRANSLATE_NOOP("lapse::EvidencePack", "reading the log")));
    }
    tree.keepAsTail();
    {
        const auto root = merkle::rootAt(treeSize, tree.reader());
        if (!root)
            return root.error();
        if (QByteArray(reinterpret_cast<const char*>(root.value().data()), 32) != body.value().root)
            return makeError(ErrorCode::Invalid,
                QStringLiteral(
                    "the store's events do not have the root its checkpoint at %1 signs: the store "
                    "was changed after it was signed")
                    .arg(treeSize));
    }

    // --- who is in scope ---
    const auto kindOf = [&](const QString& principal) {
        const Principal* p = directory.principal(principal);
        return p ? kindName(p->kind) : QString();
    };
    QList<QString> grantIds;
    for (auto it = grants.cbegin(); it != grants.cend(); ++it) {
        const GrantInfo& g = it.value();
        if (g.activatedSeq && g.startsMs >= scope.fromMs && g.startsMs < scope.toMs
            && inList(scope.targets, g.target) && inList(scope.kinds, kindOf(g.principal)))
            grantIds << it.key();
    }
    std::sort(grantIds.begin(), grantIds.end(), [&](const QString& a, const QString& b) {
        const qint64 sa = grants[a].startsMs, sb = grants[b].startsMs;
        return sa != sb ? sa < sb : a < b;
    });
    QList<QString> requestIds;
    for (auto it = requests.cbegin(); it != requests.cend(); ++it) {
        const RequestInfo& r = it.value();
        if (r.createdSeq && r.createdMs >= scope.fromMs && r.createdMs < scope.toMs
            && inList(scope.targets, r.target) && inList(scope.kinds, kindOf(r.requester)))
            requestIds << it.key();
    }
    std::sort(requestIds.begin(), requestIds.end(), [&](const QString& a, const QString& b) {
        const qint64 ca = requests[a].createdMs, cb = requests[b].createdMs;
        return ca != cb ? ca < cb : a < b;
    });

    // The sample, drawn now so the second walk keeps the timelines of the sampled grants only.
    d.seed = scope.seed ? scope.seed : (QRandomGenerator::system()->generate64() | 1);
    {
        std::mt19937_64 rng(d.seed);
        QList<int> order(grantIds.size());
        std::iota(order.begin(), order.end(), 0);
        const int k = std::min<int>(scope.sampleSize, int(order.size()));
        for (int i = 0; i < k; ++i) {
            const quint64 span = quint64(order.size() - i);
            std::swap(order[i], order[i + int(rng() % span)]);
        }
        d.sample = order.mid(0, k);
    }
    QSet<QString> sampled;
    for (int i : d.sample)
        sampled.insert(grantIds[i]);

    // What the second walk hands to the sink, decodes and keeps as timelines.
    std::vector<qint64> wanted;
    QHash<qint64, std::pair<Decode, QString>> decodeAt;
    QSet<qint64> timelineSeqs;
    QSet<QString> packRequests;
    for (const QString& id : grantIds) {
        const GrantInfo& g = grants[id];
        const bool keepTimeline = sampled.contains(id);
        const auto take = [&](const QList<qint64>& seqs) {
            for (qint64 s : seqs) {
                wanted.push_back(s);
                if (keepTimeline)
                    timelineSeqs.insert(s);
            }
        };
        take(g.seqs);
        decodeAt.insert(
            g.stateSeq, {g.stateSeq == g.reviewedSeq ? Decode::ReviewedGrant : Decode::Grant, id});
        for (qint64 u : g.useSeqs)
            decodeAt.insert(u, {Decode::Use, id});
        if (auto r = requests.constFind(g.requestId); r != requests.cend()) {
            if (!packRequests.contains(g.requestId)) {
                packRequests.insert(g.requestId);
                take(r->seqs);
                decodeAt.insert(r->lastSeq, {Decode::Request, g.requestId});
            } else if (keepTimeline) {
                for (qint64 s : r->seqs)
                    timelineSeqs.insert(s);
            }
        }
        for (const QString& sid : g.sessions) {
            const SessionInfo& s = sessions[sid];
            take(s.seqs);
            decodeAt.insert(s.lastSeq, {Decode::Session, sid});
        }
    }
    for (const QString& id : requestIds)
        if (!packRequests.contains(id)) {
            packRequests.insert(id);
            const RequestInfo& r = requests[id];
            for (qint64 s : r.seqs)
                wanted.push_back(s);
            decodeAt.insert(r.lastSeq, {Decode::Request, id});
        }
    // Access reviews of identities and targets in scope: decided in the period, or about one overlapping it.
    for (const ReviewDecision& r : std::as_const(reviews)) {
        const bool decidedIn = r.atMs >= scope.fromMs && r.atMs < scope.toMs;
        const bool about = r.fromMs < scope.toMs && r.toMs > scope.fromMs;
        if ((decidedIn || about) && inList(scope.targets, r.target)
            && inList(scope.kinds, kindOf(r.identity))) {
            d.reviews << r;
            wanted.push_back(r.seq);
        }
    }
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    d.eventCount = qint64(wanted.size());
    d.firstSeq = wanted.empty() ? 0 : wanted.front();
    d.lastSeq = wanted.empty() ? 0 : wanted.back();

    // --- second walk: the final state of what is in scope, and each of its events with its proof ---
    // Final states kept as the log's own compact JSON and decoded one record at a time: decoded, a
    // population's grants, requests and sessions take several times the memory.
    QHash<QString, QByteArray> requestState;
    QHash<QString, QByteArray> grantState; // a grant's JSON, or {"grant": ..., "note": ...} once reviewed
    QHash<QString, QByteArray> sessionState;
    QHash<qint64, QJsonObject> uses;
    QHash<qint64, TimelineEntry> timelineEntries;
    auto next = wanted.cbegin();
    QByteArray prevHash = QByteArray(64, '0');
    struct Pending {
        Event event;
        QByteArray prevHash;
    };
    QList<Pending> pending; // events of the current block that go to the sink once the block is complete
    const auto flush = [&]() -> Status {
        for (const Pending& p : pending) {
            auto proof = merkle::inclusionProof(p.event.seq - 1, treeSize, tree.batchReader());
            if (!proof)
                return proof.error();
            if (const Status s = sink(EvidenceEvent {&p.event, p.prevHash, proof.value()}); !s)
                return s;
        }
        pending.clear();
        return Ok {};
    };
    for (qint64 after = 0; after < treeSize && next != wanted.cend();) {
        if (stopped())
            return cancelled();
        // Jump to the block of the next wanted event: nothing before it is needed.
        const qint64 blockStart = ((*next - 1) / kBlock) * kBlock;
        if (after < blockStart && after % kBlock == 0) {
            if (const QList<Event> before = store.events(blockStart - 1, 1); before.size() == 1)
                prevHash = before.front().hash;
            after = blockStart;
        }
        const QList<Event> page = store.events(after, int(std::min<qint64>(kPage, treeSize - after)));
        if (page.isEmpty())
            return makeError(ErrorCode::Invalid, QStringLiteral("the store ended while it was read"));
        for (const Event& e : page) {
            if (e.seq != after + 1)
                return makeError(ErrorCode::Invalid, QStringLiteral("the store changed while it was read"));
            const qint64 index = e.seq - 1;
            if (index % kBlock == 0) {
                if (sink)
                    if (const Status s = flush(); !s)
                        return s.error();
                tree.beginBlock(index / kBlock);
            }
            after = e.seq;
            const auto leaf = merkle::fromHex(e.hash);
            if (!leaf)
                return makeError(ErrorCode::Invalid, QStringLiteral("event %1 has no valid hash").arg(e.seq));
            tree.add(merkle::leafHash(leaf->data(), leaf->size()), false);
            if (next != wanted.cend() && *next == e.seq) {
                ++next;
                if (sink)
                    pending.push_back({e, prevHash});
                if (timelineSeqs.contains(e.seq))
                    timelineEntries.insert(e.seq, TimelineEntry {e.seq, e.tsMs, e.type, e.actor, e.subject});
                if (auto it = decodeAt.constFind(e.seq); it != decodeAt.cend()) {
                    switch (it->first) {
                    case Decode::Request:
                        requestState.insert(it->second, e.body);
                        break;
                    case Decode::Grant:
                    case Decode::ReviewedGrant:
                        grantState.insert(it->second, e.body);
                        break;
                    case Decode::Session:
                        sessionState.insert(it->second, e.body);
                        break;
                    case Decode::Use:
                        uses.insert(e.seq, parseObject(e.body));
                        break;
                    }
                }
            }
            prevHash = e.hash;
            if (next == wanted.cend() && ((index + 1) % kBlock == 0 || e.seq == treeSize))
                break;
        }
        if (next == wanted.cend()) {
            // Complete the last block so its proofs can be made.
            while ((after % kBlock) != 0 && after < treeSize) {
                const QList<Event> rest
                    = store.events(after, int(std::min<qint64>(kBlock - after % kBlock, treeSize - after)));
                if (rest.isEmpty())
                    return makeError(ErrorCode::Invalid, QStringLiteral("the store ended while it was read"));
                for (const Event& e : rest) {
                    const auto leaf = merkle::fromHex(e.hash);
                    if (!leaf)
                        return makeError(
                            ErrorCode::Invalid, QStringLiteral("event %1 has no valid hash").arg(e.seq));
                    tree.add(merkle::leafHash(leaf->data(), leaf->size()), false);
                    after = e.seq;
                }
            }
        }
        stage(45 + int(45 * after / std::max<qint64>(1, treeSize)),
            QString::fromLatin1(QT_TRANSLATE_NOOP("lapse::EvidencePack", "collecting events and proofs")));
    }
    if (sink)
        if (const Status s = flush(); !s)
            return s.error();
    if (next != wanted.cend())
        return makeError(
            ErrorCode::Internal, QStringLiteral("event %1 of the pack was not found").arg(*next));

    // --- the records ---
    if (!grantRow)
        d.grants.reserve(grantIds.size());
    if (!requestRow)
        d.requests.reserve(requestIds.size());
    QString reviewNote;
    d.grantCount = grantIds.size();
    d.requestCount = requestIds.size();
    QList<int> sampleOrder = d.sample; // positions in grantIds, in drawn order
    QHash<int, int> keptAt; // position in grantIds -> index in d.grants, when rows are streamed
    for (qsizetype position = 0; position < grantIds.size(); ++position) {
        const QString& id = grantIds[position];
        const GrantInfo& info = grants[id];
        GrantRecord rec;
        {
            const QJsonObject o = parseObject(grantState.take(id));
            const bool reviewed
                = o.contains(QLatin1String("note")) && o.value(QLatin1String("grant")).isObject();
            rec.grant = Grant::fromJson(reviewed ? o.value(QLatin1String("grant")).toObject() : o);
            reviewNote = reviewed ? o.value(QLatin1String("note")).toString() : QString();
        }
        rec.request = AccessRequest::fromJson(parseObject(requestState.value(info.requestId)));
        if (const Principal* p = directory.principal(rec.grant.principal)) {
            rec.kind = kindName(p->kind);
            rec.owner = p->owner;
        }
        rec.requestedMs = rec.request.createdMs;
        rec.approvedMs = rec.request.status == RequestStatus::Approved && rec.request.decidedMs
            ? rec.request.decidedMs
            : rec.grant.startsMs;
        if (rec.grant.breakGlass)
            rec.approvedBy = QStringLiteral("policy:break-glass");
        else if (!rec.grant.approvers.isEmpty())
            rec.approvedBy = joined(rec.grant.approvers);
        else
            rec.approvedBy = rec.request.decidedBy;
        rec.ending = grantStatusName(rec.grant.status);
        rec.createdSeq = requests.value(info.requestId).createdSeq;
        rec.approvedSeq = requests.value(info.requestId).approvedSeq;
        rec.activatedSeq = info.activatedSeq;
        rec.endedSeq = info.endedSeq;
        rec.reviewedSeq = info.reviewedSeq;
        QList<qint64> seqs = info.seqs;
        seqs += requests.value(info.requestId).seqs;
        for (const QString& sid : info.sessions) {
            seqs += sessions[sid].seqs;
            rec.sessionList << Session::fromJson(parseObject(sessionState.take(sid)));
        }
        std::sort(seqs.begin(), seqs.end());
        rec.eventSeqs = seqs;
        rec.postExpiryUses = int(info.useSeqs.size());

        const Grant& g = rec.grant;
        const bool ended = g.status != GrantStatus::Active;
        const qint64 endMs = g.endedMs ? g.endedMs : g.expiresMs;
        rec.sessions = int(rec.sessionList.size());
        bool openAtRevocation = false, unconfirmedAtRevocation = false;
        qint64 lastClosed = 0;
        for (const Session& s : rec.sessionList) {
            if (ended && (s.endedMs == 0 || s.endedMs > endMs)) {
                rec.lingeringMs += (s.endedMs ? s.endedMs : checkpointMs) - endMs;
                if (s.endedMs == 0)
                    ++rec.unconfirmedSessions;
                EvidenceException x {QStringLiteral("lingering_session"), s.id, g.principal, g.target,
                    s.endedMs ? QStringLiteral("open %1 s after grant %2 ended")
                                    .arg(double(s.endedMs - endMs) / 1000.0, 0, 'f', 1)
                                    .arg(g.id)
                              : QStringLiteral("still open at the checkpoint, %1 s after grant %2 ended")
                                    .arg(double(checkpointMs - endMs) / 1000.0, 0, 'f', 1)
                                    .arg(g.id),
                    s.endedMs ? sessions[s.id].endedSeq : 0};
                d.exceptions << x;
            }
            if (g.status == GrantStatus::Revoked && s.openedMs <= endMs
                && (s.endedMs == 0 || s.endedMs > endMs)) {
                openAtRevocation = true;
                if (s.endedMs == 0)
                    unconfirmedAtRevocation = true;
                lastClosed = std::max(lastClosed, s.endedMs);
            }
        }
        if (g.status == GrantStatus::Revoked)
            rec.revocationEffectMs = !openAtRevocation ? -1
                : unconfirmedAtRevocation              ? -2
                                                       : lastClosed - endMs;
        if (rec.revocationEffectMs == -2)
            d.exceptions << EvidenceException {QStringLiteral("unconfirmed_revocation"), g.id, g.principal,
                g.target,
                QStringLiteral("revoked %1; sessions still not confirmed closed: %2")
                    .arg(Clock::toIso(endMs))
                    .arg(rec.unconfirmedSessions),
                info.endedSeq};
        if (g.breakGlass)
            d.exceptions << EvidenceException {QStringLiteral("break_glass"), g.id, g.principal, g.target,
                info.reviewedSeq
                    ? QStringLiteral("break-glass; reviewed by %1 at %2%3")
                          .arg(info.reviewedBy, Clock::toIso(info.reviewedMs),
                              reviewNote.isEmpty() ? QString() : QStringLiteral(": ") + reviewNote)
                    : QStringLiteral("break-glass; not reviewed"),
                info.activatedSeq};
        for (qint64 u : info.useSeqs) {
            const QJsonObject o = uses.value(u);
            d.exceptions << EvidenceException {QStringLiteral("post_expiry_use"), g.id, g.principal, g.target,
                QStringLiteral("credential presented to %1 %2 s after the grant ended")
                    .arg(o.value(QLatin1String("presented_to")).toString())
                    .arg(double(o.value(QLatin1String("after_end_ms")).toInteger()) / 1000.0, 0, 'f', 1),
                u};
        }
        QStringList missing;
        if (g.task.trimmed().isEmpty())
            missing << QStringLiteral("task");
        if (g.reason.trimmed().isEmpty())
            missing << QStringLiteral("reason");
        if (rec.approvedBy.isEmpty())
            missing << QStringLiteral("approver or policy");
        if (g.expiresMs <= 0)
            missing << QStringLiteral("expiry");
        if (rec.kind.isEmpty())
            missing << QStringLiteral("identity in the directory");
        else if (rec.kind != QLatin1String("human") && rec.owner.isEmpty())
            missing << QStringLiteral("owner");
        if (!missing.isEmpty())
            d.exceptions << EvidenceException {QStringLiteral("incomplete_record"), g.id, g.principal,
                g.target, QStringLiteral("missing: %1").arg(missing.join(QStringLiteral(", "))),
                info.activatedSeq};
        if (sampled.contains(id))
            for (qint64 s : seqs)
                if (auto it = timelineEntries.constFind(s); it != timelineEntries.cend())
                    rec.timeline << it.value();
        if (grantRow)
            if (const Status s = grantRow(rec); !s)
                return s.error();
        if (!grantRow || sampled.contains(id)) {
            keptAt.insert(int(position), int(d.grants.size()));
            d.grants << std::move(rec);
        }
    }
    if (grantRow) {
        d.sample.clear();
        for (int position : sampleOrder)
            d.sample << keptAt.value(position);
    }
    for (const QString& id : requestIds) {
        RequestRecord rec;
        rec.request = AccessRequest::fromJson(parseObject(requestState.take(id)));
        rec.kind = kindOf(rec.request.requester);
        rec.seqs = requests[id].seqs;
        if (requestRow) {
            if (const Status s = requestRow(rec); !s)
                return s.error();
        } else {
            d.requests << std::move(rec);
        }
    }

    // --- the six metrics, and the repeated elevations among them ---
    MetricsQuery q;
    q.fromMs = scope.fromMs;
    q.toMs = scope.toMs;
    if (scope.targets.size() == 1)
        q.target = scope.targets.front();
    if (scope.kinds.size() == 1)
        q.kind = scope.kinds.front();
    auto metrics = computeMetrics(store, directory, q, checkpointMs);
    if (!metrics)
        return makeError(
            metrics.error().code, QStringLiteral("the metrics: %1").arg(metrics.error().message));
    d.metrics = metrics.value();
    QStringList notes;
    if (scope.targets.size() > 1)
        notes << QStringLiteral(
            "The charts cover every target in the period; the tables and CSV files only %1.")
                     .arg(scope.targets.join(QStringLiteral(", ")));
    if (scope.kinds.size() > 1)
        notes << QStringLiteral("The charts cover every identity kind; the tables and CSV files only %1.")
                     .arg(scope.kinds.join(QStringLiteral(", ")));
    if (store.lastSeq() > treeSize)
        notes << QStringLiteral(
            "The charts include the %1 events logged after the checkpoint; the tables and files "
            "end at it.")
                     .arg(store.lastSeq() - treeSize);
    d.metricsNote = notes.join(QLatin1Char(' '));
    const QJsonArray repeated = d.metrics.value(QLatin1String("elevation_frequency"))
                                    .toObject()
                                    .value(QLatin1String("repeated"))
                                    .toArray();
    for (const QJsonValue& v : repeated) {
        const QJsonObject o = v.toObject();
        const QString who = o.value(QLatin1String("identity")).toString();
        const QString target = o.value(QLatin1String("target")).toString();
        if (!inList(scope.targets, target) || !inList(scope.kinds, kindOf(who)))
            continue;
        QStringList privileges;
        for (const QJsonValue& p : o.value(QLatin1String("privileges")).toArray())
            privileges << p.toString();
        d.exceptions << EvidenceException {QStringLiteral("repeated_elevation"), who, who, target,
            QStringLiteral("%1 grants of %2 on %3 within %4 days: a redesign candidate")
                .arg(o.value(QLatin1String("count")).toInteger())
                .arg(joined(privileges), target)
                .arg(d.metrics.value(QLatin1String("elevation_frequency"))
                         .toObject()
                         .value(QLatin1String("repeat_window_days"))
                         .toDouble()),
            0};
    }
    static const QStringList kOrder {QStringLiteral("break_glass"), QStringLiteral("lingering_session"),
        QStringLiteral("post_expiry_use"), QStringLiteral("unconfirmed_revocation"),
        QStringLiteral("repeated_elevation"), QStringLiteral("incomplete_record")};
    std::stable_sort(
        d.exceptions.begin(), d.exceptions.end(), [](const EvidenceException& a, const EvidenceException& b) {
            const auto ca = kOrder.indexOf(a.category), cb = kOrder.indexOf(b.category);
            return ca != cb ? ca < cb : a.seq < b.seq;
        });
    stage(90, QString::fromLatin1(QT_TRANSLATE_NOOP("lapse::EvidencePack", "collected")));
    return d;
}

Result<EvidenceData> collectEvidence(const Store& store, const Directory& directory,
    const EvidenceScope& scope, const NoteVerifier& logKey, const EvidenceProgress& progress,
    const std::atomic_bool* cancel)
{
    return collectEvidenceWith(store, directory, scope, logKey, {}, progress, cancel, {});
}

} // namespace lapse
