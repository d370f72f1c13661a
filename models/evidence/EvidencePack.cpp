// Writes an evidence pack (QuaZip) from the collector's walk, and verifies one without trusting its maker.
#include "EvidencePack.h"

#include "BufferedFile.h"
#include "EvidenceCollector.h"
#include "core/Clock.h"
#include "core/CsvWriter.h"
#include "domain/Directory.h"
#include "engine/Checkpoint.h"
#include "engine/EventChain.h"
#include "engine/Store.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryFile>
#include <quazip/quazip.h>
#include <quazip/quazipfile.h>
#include <quazip/quazipnewinfo.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <openssl/evp.h>
#include <thread>
#include <unistd.h>

namespace lapse
{

namespace
{
const QString kManifest = QStringLiteral("manifest.json");
const QString kSignature = QStringLiteral("manifest.sig");
const QString kReport = QStringLiteral("report.pdf");
const QString kEvents = QStringLiteral("events.jsonl");
const QString kCheckpoint = QStringLiteral("checkpoint.txt");
const QString kVkey = QStringLiteral("log-key.vkey");
const QString kQuery = QStringLiteral("query.json");
const QString kGrants = QStringLiteral("grants.csv");
const QString kRequests = QStringLiteral("requests.csv");
const QString kReviews = QStringLiteral("reviews.csv");
constexpr const char* kFormat = "lapse-evidence-pack/1";
// What a verifier holds in memory at once. The sizes a zip declares are the sender's word, so nothing is
// allocated from them: the manifest, its signature, the key and the checkpoint are a few kilobytes (the
// manifest names each file once, the proofs by one digest); a proof is 45 bytes a level plus its checkpoint.
// Everything else (the report, the CSV files, events.jsonl) is hashed as it streams.
constexpr qint64 kMaxMetadataEntry = 16LL * 1024 * 1024;
constexpr qint64 kMaxProofEntry = 64LL * 1024;
constexpr qint64 kReadChunk = 1LL << 20;
constexpr qsizetype kMaxEventLine = 4
    << 20; // an event is a few hundred bytes; its fields are bounded far below

// Twelve digits, so the names sort as the seqs do (and as sha256sum's listing sorts them).
QString proofName(qint64 seq)
{
    return QStringLiteral("proofs/%1.tlog-proof").arg(seq, 12, 10, QLatin1Char('0'));
}
const QString kProofsDir = QStringLiteral("proofs/");

// SHA-256 through OpenSSL (its SHA extensions run several times faster than QCryptographicHash here, which
// matters over a pack's hundreds of megabytes); the digest is fetched once per thread.
class Sha256
{
public:
    Sha256()
    {
        thread_local std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> md(
            EVP_MD_fetch(nullptr, "SHA256", nullptr), &EVP_MD_free);
        if (!m_ctx || !md || EVP_DigestInit_ex(m_ctx.get(), md.get(), nullptr) != 1)
            std::abort(); // a digest that cannot be computed must never pass for one that was
    }
    void add(QByteArrayView bytes)
    {
        if (EVP_DigestUpdate(m_ctx.get(), bytes.data(), size_t(bytes.size())) != 1)
            std::abort();
    }
    QByteArray result()
    {
        QByteArray out(32, Qt::Uninitialized);
        unsigned int len = 0;
        if (EVP_DigestFinal_ex(m_ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len) != 1
            || len != 32)
            std::abort();
        return out;
    }

private:
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> m_ctx {EVP_MD_CTX_new(), &EVP_MD_CTX_free};
};

QByteArray sha256(QByteArrayView bytes)
{
    Sha256 h;
    h.add(bytes);
    return h.result();
}

QString iso(qint64 ms)
{
    return ms > 0 ? Clock::toIso(ms) : QString();
}

QString seqs(const QList<qint64>& list)
{
    QStringList out;
    for (qint64 s : list)
        out << QString::number(s);
    return out.join(QLatin1Char(' '));
}

QString joined(const QStringList& list)
{
    return list.join(QLatin1Char(' '));
}

// The zip being written, with the SHA-256 of each data file kept for the manifest.
class PackWriter
{
public:
    PackWriter(const QString& file, qint64 timeMs)
        : m_device(file)
        , m_zip(&m_device)
        , m_file(&m_zip)
        , m_info(QString())
    {
        m_info.dateTime = QDateTime::fromMSecsSinceEpoch(timeMs, Qt::UTC);
        m_info.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
        m_zip.setZip64Enabled(true);
        m_zip.setUtf8Enabled(true);
    }
    bool open() { return m_device.open(QIODevice::WriteOnly) && m_zip.open(QuaZip::mdCreate); }

    // Writes one entry: deflated (level 1 keeps a large pack fast) or stored (already dense).
    Status put(const QString& name, const QByteArray& bytes, bool deflate = true)
    {
        if (const Status s = begin(name, deflate); !s)
            return s;
        if (m_file.write(bytes) != bytes.size())
            return failed(name);
        return end(name, sha256(bytes));
    }
    // Copies a file into one entry, hashing it on the way.
    Status putFile(const QString& name, QIODevice& source)
    {
        if (const Status s = begin(name, true); !s)
            return s;
        Sha256 hash;
        source.seek(0);
        QByteArray chunk;
        while (!(chunk = source.read(1 << 20)).isEmpty()) {
            hash.add(chunk);
            if (m_file.write(chunk) != chunk.size())
                return failed(name);
        }
        return end(name, hash.result());
    }
    Status close()
    {
        m_zip.close();
        if (m_device.isOpen())
            m_device.close();
        if (m_device.failed())
            return makeError(ErrorCode::Internal,
                QStringLiteral("the pack could not be written: %1").arg(m_device.errorString()));
        if (m_zip.getZipError() != 0)
            return makeError(ErrorCode::Internal,
                QStringLiteral("the pack could not be completed (zip error %1)").arg(m_zip.getZipError()));
        return Ok {};
    }
    // "<hex>  <name>\n" for every file written so far, by name: what sha256sum prints.
    QByteArray listing() const
    {
        QByteArray out;
        bool proofsDone = false;
        for (const auto& [name, digest] : m_hashes) {
            if (!proofsDone && name > kProofsDir) {
                out += proofListing();
                proofsDone = true;
            }
            out += digest.toHex() + "  " + name.toUtf8() + '\n';
        }
        if (!proofsDone)
            out += proofListing();
        return out;
    }
    // The same for the proofs alone (written in seq order, so already sorted by name).
    QByteArray proofListing() const
    {
        QByteArray out;
        out.reserve(qsizetype(m_proofs.size()) * 100);
        for (const auto& [seq, digest] : m_proofs)
            out += QByteArray(reinterpret_cast<const char*>(digest.data()), 32).toHex() + "  "
                + proofName(seq).toUtf8() + '\n';
        return out;
    }
    qint64 proofCount() const { return qint64(m_proofs.size()); }
    const std::map<QString, QByteArray>& hashes() const { return m_hashes; }

    Status putProof(qint64 seq, const QByteArray& bytes)
    {
        const QString name = proofName(seq);
        if (const Status s = begin(name, false); !s)
            return s;
        if (m_file.write(bytes) != bytes.size())
            return failed(name);
        m_file.close();
        if (m_file.getZipError() != 0)
            return failed(name);
        merkle::Hash digest;
        const QByteArray raw = sha256(bytes);
        std::copy(raw.begin(), raw.end(), digest.begin());
        m_proofs.emplace_back(seq, digest);
        return Ok {};
    }

private:
    // One QuaZipFile and one entry description for the whole pack: a pack has an entry per event.
    Status begin(const QString& name, bool deflate)
    {
        m_info.name = name;
        if (!m_file.open(QIODevice::WriteOnly, m_info, nullptr, 0, deflate ? Z_DEFLATED : 0, deflate ? 1 : 0))
            return failed(name);
        return Ok {};
    }
    Status end(const QString& name, const QByteArray& digest)
    {
        m_file.close();
        if (m_file.getZipError() != 0)
            return failed(name);
        m_hashes[name] = digest;
        return Ok {};
    }
    Status failed(const QString& name)
    {
        return makeError(ErrorCode::Internal,
            QStringLiteral("cannot write %1 into the pack (zip error %2)")
                .arg(name)
                .arg(m_zip.getZipError()));
    }

    BufferedFile m_device;
    QuaZip m_zip;
    QuaZipFile m_file;
    QuaZipNewInfo m_info;
    std::map<QString, QByteArray> m_hashes; // name -> raw SHA-256, every file but the proofs
    std::vector<std::pair<qint64, merkle::Hash>> m_proofs; // seq -> SHA-256 of its proof file
};

void grantsCsvHeader(CsvWriter& csv)
{
    csv.writeRow(QStringList {"grant_id", "request_id", "principal", "kind", "owner", "target",
        "requested_privileges", "approved_privileges", "minimum_privileges", "excess_privileges", "task",
        "reason", "ticket", "requested_at", "approved_at", "approved_by", "break_glass", "reviewed",
        "starts_at", "expires_at", "ended_at", "ending", "ended_by", "end_reason", "revocation_effect_ms",
        "sessions", "sessions_unconfirmed", "lingering_seconds", "post_expiry_uses", "created_seq",
        "approved_seq", "activated_seq", "ended_seq", "reviewed_seq", "event_seqs"});
}

void grantsCsvRow(CsvWriter& csv, const GrantRecord& r)
{
    {
        const Grant& g = r.grant;
        QStringList excess;
        if (g.minPrivileges)
            for (const QString& p : g.privileges)
                if (!g.minPrivileges->contains(p))
                    excess << p;
        const bool ended = g.status != GrantStatus::Active;
        csv.writeRow(QVariantList {g.id, g.requestId, g.principal, r.kind, r.owner, g.target,
            joined(g.requestedPrivileges), joined(g.privileges),
            g.minPrivileges ? joined(*g.minPrivileges) : QString(),
            g.minPrivileges ? joined(excess) : QString(), g.task, g.reason, g.ticket, iso(r.requestedMs),
            iso(r.approvedMs), r.approvedBy, g.breakGlass ? "yes" : "no",
            g.breakGlass ? (g.reviewed ? "yes" : "no") : "", iso(g.startsMs), iso(g.expiresMs),
            ended ? iso(g.endedMs ? g.endedMs : g.expiresMs) : QString(), r.ending, g.endedBy, g.endReason,
            r.revocationEffectMs >= 0
                ? QVariant(r.revocationEffectMs)
                : QVariant(r.revocationEffectMs == -2 ? QStringLiteral("unconfirmed") : QString()),
            r.sessions, r.unconfirmedSessions, double(r.lingeringMs) / 1000.0, r.postExpiryUses, r.createdSeq,
            r.approvedSeq, r.activatedSeq, r.endedSeq, r.reviewedSeq, seqs(r.eventSeqs)});
    }
}

// reviews.csv: the access reviews' decisions in scope, as the log records them.
QByteArray reviewsCsv(const EvidenceData& d, const Directory& directory)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    CsvWriter csv(&buffer);
    csv.writeRow(QStringList {"seq", "decided_at", "reviewer", "identity", "kind", "target", "privileges",
        "outcome", "comment", "period_from", "period_to", "grants_in_period"});
    for (const ReviewDecision& r : d.reviews) {
        const Principal* p = directory.principal(r.identity);
        csv.writeRow(
            QVariantList {r.seq, iso(r.atMs), r.reviewer, r.identity, p ? kindName(p->kind) : QString(),
                r.target, joined(r.privileges), r.outcome, r.comment, iso(r.fromMs), iso(r.toMs), r.grants});
    }
    return buffer.data();
}

void requestsCsvHeader(CsvWriter& csv)
{
    csv.writeRow(QStringList {"request_id", "requester", "kind", "target", "requested_privileges",
        "minimum_privileges", "task", "reason", "ticket", "ttl_seconds", "break_glass", "status",
        "created_at", "review_deadline", "decided_at", "decided_by", "deny_reason", "approvals",
        "approvals_required", "grant_id", "event_seqs"});
}

void requestsCsvRow(CsvWriter& csv, const RequestRecord& rec)
{
    {
        const AccessRequest& r = rec.request;
        QStringList approvals;
        for (const Approval& a : r.approvals)
            approvals << QStringLiteral("%1@%2").arg(a.approver, iso(a.atMs));
        csv.writeRow(QVariantList {r.id, r.requester, rec.kind, r.target, joined(r.privileges),
            r.minPrivileges ? joined(*r.minPrivileges) : QString(), r.task, r.reason, r.ticket, r.ttlSeconds,
            r.breakGlass ? "yes" : "no", requestStatusName(r.status), iso(r.createdMs), iso(r.expiresMs),
            iso(r.decidedMs), r.decidedBy, r.denyReason, joined(approvals), r.approvalsRequired, r.grantId,
            seqs(rec.seqs)});
    }
}

QByteArray queryJson(const EvidenceData& d, const QByteArray& checkpointSha, qint64 storeHead, qint64 proofs)
{
    qint64 counts[6] = {};
    static const QStringList kCategories {QStringLiteral("break_glass"), QStringLiteral("lingering_session"),
        QStringLiteral("post_expiry_use"), QStringLiteral("unconfirmed_revocation"),
        QStringLiteral("repeated_elevation"), QStringLiteral("incomplete_record")};
    for (const EvidenceException& x : d.exceptions)
        if (const auto i = kCategories.indexOf(x.category); i >= 0)
            ++counts[i];
    QJsonObject exceptions;
    for (int i = 0; i < kCategories.size(); ++i)
        exceptions.insert(kCategories[i], counts[i]);
    QJsonArray sample;
    for (int i : d.sample)
        sample.append(d.grants[i].grant.id);
    const QJsonObject o {
        {"format", QString::fromLatin1(kFormat)},
        {"scope", d.scope.toJson()},
        {"generator", d.generator},
        {"generated_at", Clock::toIso(d.generatedMs)},
        {"generated_by", d.generatedBy},
        {"log",
            QJsonObject {{"origin", d.origin}, {"tree_size", d.treeSize},
                {"root", QString::fromLatin1(d.rootBase64)},
                {"checkpoint_sha256", QString::fromLatin1(checkpointSha.toHex())},
                {"store_head_seq", storeHead},
                {"read",
                    QStringLiteral("every event from seq 1 to tree_size was read; the rows are the state "
                                   "those events leave")}}},
        {"events",
            QJsonObject {{"first_seq", d.firstSeq}, {"last_seq", d.lastSeq}, {"count", d.eventCount},
                {"proofs", proofs}}},
        {"rows",
            QJsonObject {{"grants", d.grantCount}, {"requests", d.requestCount},
                {"reviews", d.reviews.size()}, {"exceptions", d.exceptions.size()},
                {"exceptions_by_category", exceptions}}},
        {"sample",
            QJsonObject {{"size", d.sample.size()}, {"seed", QString::number(d.seed)}, {"grants", sample},
                {"method",
                    QStringLiteral(
                        "std::mt19937_64 seeded with the seed; grants ordered as in grants.csv; for "
                        "i = 0..size-1 swap position i with i + (next() mod (n - i)); the first size "
                        "positions")}}},
        {"metrics_note", d.metricsNote},
    };
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

// A pack's manifest: compact JSON on one line (no newline anywhere), so its signature can never be read as a
// signed note's. Every file but the proofs by its SHA-256; the proofs (one per event, up to millions) by the
// SHA-256 of their sha256sum listing, so the manifest stays small enough to be signed remotely. Written by
// QJsonDocument (keys sorted): the console sends it to POST /v1/evidence/attest as a JSON object, and the
// broker signs the bytes it receives, so only this form is signed as written.
QByteArray manifestJson(const EvidenceData& d, const std::map<QString, QByteArray>& hashes, qint64 proofs,
    const QByteArray& proofListing)
{
    QJsonObject files;
    for (const auto& [name, digest] : hashes)
        files.insert(name, QString::fromLatin1(digest.toHex()));
    const QJsonObject m {
        {"format", QString::fromLatin1(kFormat)},
        {"checkpoint",
            QJsonObject {
                {"origin", d.origin}, {"size", d.treeSize}, {"root", QString::fromLatin1(d.rootBase64)}}},
        {"data_digest", QString::fromLatin1(d.dataDigest)},
        {"proofs",
            QJsonObject {
                {"count", proofs}, {"listing_sha256", QString::fromLatin1(sha256(proofListing).toHex())}}},
        {"files", files},
    };
    return QJsonDocument(m).toJson(QJsonDocument::Compact);
}
} // namespace

Result<EvidenceSummary> buildEvidencePack(
    const Store& store, const Directory& directory, const EvidenceBuild& b)
{
    if (b.outFile.isEmpty())
        return makeError(ErrorCode::Invalid, QStringLiteral("no file to write the pack to"));
    if (!b.renderReport || !b.signManifest)
        return makeError(
            ErrorCode::Internal, QStringLiteral("the pack needs a report renderer and a signer"));
    const qint64 now = Clock::now();
    // Written under a temporary name beside the target and renamed over it once complete: a failed or
    // cancelled pack leaves nothing, and an existing file is replaced only by a whole pack.
    QTemporaryFile file(QFileInfo(b.outFile).absoluteFilePath() + QStringLiteral(".part-XXXXXX"));
    if (!file.open())
        return makeError(ErrorCode::Invalid,
            QStringLiteral("cannot write beside %1: %2").arg(b.outFile, file.errorString()));
    const QString partName = file.fileName();
    file.close(); // QuaZip opens it by name; the QTemporaryFile still removes it unless told otherwise
    PackWriter zip(partName, now);
    if (!zip.open())
        return makeError(ErrorCode::Internal, QStringLiteral("cannot start the zip %1").arg(b.outFile));
    QTemporaryFile events(
        QFileInfo(b.outFile).absolutePath() + QStringLiteral("/.lapse-evidence-events-XXXXXX"));
    if (!events.open())
        return makeError(
            ErrorCode::Internal, QStringLiteral("cannot write a temporary file beside %1").arg(b.outFile));

    // The walk hands each event and its proof to a second thread, which writes the line into the temporary
    // file and the proof into the zip: the two halves of the work take about as long as each other. Batches
    // keep the hand-over cheap, and at most four wait, so memory stays flat.
    const QByteArray checkpoint = store.latestCheckpoint().value_or(std::pair<qint64, QByteArray> {}).second;
    struct Item {
        Event event;
        QByteArray prevHash;
        QList<merkle::Hash> proof;
    };
    struct Pipe {
        std::mutex mutex;
        std::condition_variable changed;
        std::deque<std::vector<Item>> batches;
        bool closing = false;
        Status error = Ok {};
        std::atomic_bool failed {false};
        qint64 written = 0;
    } pipe;
    std::thread writer([&pipe, &events, &zip, &checkpoint] {
        for (;;) {
            std::vector<Item> batch;
            {
                std::unique_lock lock(pipe.mutex);
                pipe.changed.wait(lock, [&] { return pipe.closing || !pipe.batches.empty(); });
                if (pipe.batches.empty())
                    return;
                batch = std::move(pipe.batches.front());
                pipe.batches.pop_front();
                pipe.changed.notify_all();
            }
            if (pipe.failed)
                continue; // drain: the walk stops at its next hand-over
            for (const Item& item : batch) {
                const QByteArray line = evidenceEventLine(item.event, item.prevHash) + '\n';
                Status s = Ok {};
                if (events.write(line) != line.size())
                    s = makeError(ErrorCode::Internal,
                        QStringLiteral("cannot write the events: %1").arg(events.errorString()));
                if (s) {
                    TlogProof proof;
                    proof.index = item.event.seq - 1;
                    for (const merkle::Hash& h : item.proof)
                        proof.hashes << QByteArray(reinterpret_cast<const char*>(h.data()), int(h.size()));
                    proof.checkpoint = checkpoint;
                    s = zip.putProof(item.event.seq, proof.serialize());
                }
                if (!s) {
                    std::lock_guard lock(pipe.mutex);
                    pipe.error = s;
                    pipe.failed = true;
                    break;
                }
                ++pipe.written;
            }
        }
    });
    std::vector<Item> batch;
    const auto handOver = [&]() -> Status {
        std::unique_lock lock(pipe.mutex);
        pipe.changed.wait(lock, [&] { return pipe.failed || pipe.batches.size() < 4; });
        if (pipe.failed)
            return pipe.error;
        pipe.batches.push_back(std::move(batch));
        batch = {};
        pipe.changed.notify_all();
        return Ok {};
    };
    const auto closePipe = [&]() -> Status {
        const Status last = batch.empty() ? Status(Ok {}) : handOver();
        {
            std::lock_guard lock(pipe.mutex);
            pipe.closing = true;
            pipe.changed.notify_all();
        }
        writer.join();
        return !last ? last : pipe.error;
    };
    const auto sink = [&](const EvidenceEvent& ev) -> Status {
        batch.push_back(Item {*ev.event, ev.prevHash, ev.proof});
        return batch.size() >= 512 ? handOver() : Status(Ok {});
    };
    // The population's rows go straight into temporary files as they are built, so memory holds only the
    // sampled grants.
    const QString dir = QFileInfo(b.outFile).absolutePath();
    QTemporaryFile grantRows(dir + QStringLiteral("/.lapse-evidence-grants-XXXXXX"));
    QTemporaryFile requestRows(dir + QStringLiteral("/.lapse-evidence-requests-XXXXXX"));
    if (!grantRows.open() || !requestRows.open())
        return makeError(
            ErrorCode::Internal, QStringLiteral("cannot write a temporary file beside %1").arg(b.outFile));
    CsvWriter grantCsv(&grantRows), requestCsv(&requestRows);
    grantsCsvHeader(grantCsv);
    requestsCsvHeader(requestCsv);
    EvidenceRowSinks rows;
    rows.grant = [&grantCsv](const GrantRecord& r) {
        grantsCsvRow(grantCsv, r);
        return grantCsv.status();
    };
    rows.request = [&requestCsv](const RequestRecord& r) {
        requestsCsvRow(requestCsv, r);
        return requestCsv.status();
    };
    auto collected
        = collectEvidenceWith(store, directory, b.scope, b.logKey, sink, b.progress, b.cancel, rows);
    const Status piped = closePipe();
    if (!collected)
        return collected.error();
    if (!piped)
        return piped.error();
    EvidenceData d = std::move(collected).value();
    const qint64 proofs = pipe.written;
    if (checkpoint != d.checkpoint)
        return makeError(ErrorCode::Conflict,
            QStringLiteral("a new checkpoint was kept while the pack was made; try again"));
    const auto stage = [&](int percent, const QString& what) {
        if (b.progress)
            b.progress(percent, what);
    };
    const auto stopped = [&] { return b.cancel && b.cancel->load(); };

    stage(91, QString::fromLatin1(QT_TRANSLATE_NOOP("lapse::EvidencePack", "writing the files")));
    d.generatedMs = now;
    d.generatedBy = b.generatedBy;
    d.generator
        = QStringLiteral("lapse %1")
              .arg(QCoreApplication::applicationVersion().isEmpty() ? QStringLiteral(LAPSE_VERSION_STRING)
                                                                    : QCoreApplication::applicationVersion());
    for (auto* rowsFile : {&grantRows, &requestRows})
        if (!rowsFile->flush())
            return makeError(ErrorCode::Internal,
                QStringLiteral("cannot write the rows: %1").arg(rowsFile->errorString()));
    if (const Status s = zip.putFile(kGrants, grantRows); !s)
        return s.error();
    if (const Status s = zip.putFile(kRequests, requestRows); !s)
        return s.error();
    for (const auto& [name, bytes] :
        {std::pair {kCheckpoint, d.checkpoint}, std::pair {kVkey, d.logKeyVkey.toUtf8() + '\n'},
            std::pair {kQuery, queryJson(d, sha256(d.checkpoint), store.lastSeq(), proofs)},
            std::pair {kReviews, reviewsCsv(d, directory)}})
        if (const Status s = zip.put(name, bytes); !s)
            return s.error();
    if (!events.flush())
        return makeError(
            ErrorCode::Internal, QStringLiteral("cannot write the events: %1").arg(events.errorString()));
    if (const Status s = zip.putFile(kEvents, events); !s)
        return s.error();
    events.close();
    if (stopped())
        return makeError(ErrorCode::Cancelled, QStringLiteral("the evidence pack was cancelled"));

    d.dataDigest = sha256(zip.listing()).toHex();
    stage(94, QString::fromLatin1(QT_TRANSLATE_NOOP("lapse::EvidencePack", "rendering the report")));
    const auto report = b.renderReport(d);
    if (!report)
        return makeError(report.error().code, QStringLiteral("the report: %1").arg(report.error().message));
    if (const Status s = zip.put(kReport, report.value()); !s)
        return s.error();
    if (stopped())
        return makeError(ErrorCode::Cancelled, QStringLiteral("the evidence pack was cancelled"));

    stage(97, QString::fromLatin1(QT_TRANSLATE_NOOP("lapse::EvidencePack", "signing the manifest")));
    const QByteArray manifest = manifestJson(d, zip.hashes(), zip.proofCount(), zip.proofListing());
    const auto signature = b.signManifest(manifest);
    if (!signature)
        return makeError(signature.error().code,
            QStringLiteral("the manifest could not be signed: %1").arg(signature.error().message));
    if (!b.logKey.verify(manifest, signature.value()))
        return makeError(ErrorCode::Invalid,
            QStringLiteral("the manifest's signature does not verify with the log key %1")
                .arg(b.logKey.vkey()));
    if (const Status s = zip.put(kManifest, manifest); !s)
        return s.error();
    if (const Status s = zip.put(kSignature, signature.value(), false); !s)
        return s.error();
    if (const Status s = zip.close(); !s)
        return s.error();
    if (stopped())
        return makeError(ErrorCode::Cancelled, QStringLiteral("the evidence pack was cancelled"));
    QFile written(partName);
    if (!written.open(QIODevice::ReadWrite) || ::fsync(written.handle()) != 0)
        return makeError(ErrorCode::Internal, QStringLiteral("cannot write %1 to disk").arg(partName));
    written.close();
    written.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
    if (::rename(QFile::encodeName(partName).constData(), QFile::encodeName(b.outFile).constData()) != 0)
        return makeError(ErrorCode::Internal,
            QStringLiteral("cannot rename the pack to %1: %2")
                .arg(b.outFile, QString::fromLocal8Bit(std::strerror(errno))));
    file.setAutoRemove(false);
    stage(100, QString::fromLatin1(QT_TRANSLATE_NOOP("lapse::EvidencePack", "done")));

    EvidenceSummary sum;
    sum.file = QFileInfo(b.outFile).absoluteFilePath();
    sum.grants = d.grantCount;
    sum.requests = d.requestCount;
    sum.events = d.eventCount;
    sum.exceptions = d.exceptions.size();
    sum.sample = d.sample.size();
    sum.seed = d.seed;
    sum.treeSize = d.treeSize;
    sum.manifestSha256 = sha256(manifest).toHex();
    sum.bytes = QFileInfo(b.outFile).size();
    return sum;
}

// --- verification ---

namespace
{
// Reads the open entry whole when it holds at most `limit` bytes, in chunks, so that a size the zip only
// claims never decides an allocation. False when it is larger or cannot be inflated to its end.
enum class EntryRead { Ok, TooLarge, Damaged };
EntryRead readOpenEntry(QuaZipFile& f, qint64 limit, QByteArray* out)
{
    out->clear();
    if (f.usize() < 0 || f.usize() > limit)
        return EntryRead::TooLarge;
    for (;;) {
        const qsizetype at = out->size();
        const qint64 room
            = limit + 1 - at; // one byte past the limit tells "too large" from "exactly the limit"
        if (room <= 0)
            return EntryRead::TooLarge;
        out->resize(at + qsizetype(std::min(kReadChunk, room)));
        const qint64 got = f.read(out->data() + at, out->size() - at);
        if (got < 0)
            return EntryRead::Damaged;
        out->resize(at + qsizetype(got));
        if (got == 0)
            break;
    }
    if (out->size() > limit)
        return EntryRead::TooLarge;
    return f.getZipError() == 0 && qint64(out->size()) == f.usize() ? EntryRead::Ok : EntryRead::Damaged;
}

// Hashes the open entry as it streams; an empty result when it cannot be inflated to its end.
QByteArray hashOpenEntry(QuaZipFile& f, QByteArray* buffer)
{
    Sha256 hash;
    qint64 total = 0;
    buffer->resize(qsizetype(kReadChunk));
    for (;;) {
        const qint64 got = f.read(buffer->data(), buffer->size());
        if (got < 0)
            return QByteArray();
        if (got == 0)
            break;
        hash.add(QByteArrayView(buffer->constData(), qsizetype(got)));
        total += got;
    }
    if (f.getZipError() != 0 || total != f.usize())
        return QByteArray();
    return hash.result();
}

// Reads one of the pack's small entries (manifest, signature, key, checkpoint) whole.
Result<QByteArray> readEntry(QuaZip& zip, const QString& name)
{
    if (!zip.setCurrentFile(name))
        return makeError(ErrorCode::NotFound, QStringLiteral("%1 is missing").arg(name));
    QuaZipFile f(&zip);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Malformed, QStringLiteral("%1 cannot be read").arg(name));
    QByteArray bytes;
    const EntryRead read = readOpenEntry(f, kMaxMetadataEntry, &bytes);
    f.close();
    if (read == EntryRead::TooLarge)
        return makeError(ErrorCode::TooLarge, QStringLiteral("%1 is too large").arg(name));
    if (read != EntryRead::Ok || f.getZipError() != 0)
        return makeError(ErrorCode::Malformed,
            QStringLiteral("%1 is damaged (zip error %2)").arg(name).arg(f.getZipError()));
    return bytes;
}

// Inclusion proofs of leaves met mostly in order: the RFC 9162 2.1.3.2 walk, stopping as soon as it reaches a
// node already proven to lead to the root. For a fixed tree size, the walk's level and index (fn) name one
// node of the tree, so meeting the hash a verified walk had there proves the rest of the way.
class InclusionChecker
{
public:
    InclusionChecker(qint64 size, const merkle::Hash& root)
        : m_size(size)
        , m_root(root)
    {
    }
    bool verify(qint64 index, const merkle::Hash& leaf, const QList<QByteArray>& proof)
    {
        if (index < 0 || index >= m_size)
            return false;
        qint64 fn = index, sn = m_size - 1;
        merkle::Hash r = leaf;
        int level = 0;
        std::vector<Node> path;
        const auto note = [&] {
            if (int(path.size()) <= level)
                path.resize(size_t(level) + 1);
            path[size_t(level)] = Node {true, fn, r};
        };
        const auto known = [&] {
            return level < int(m_known.size()) && m_known[size_t(level)].set
                && m_known[size_t(level)].fn == fn && m_known[size_t(level)].hash == r;
        };
        for (const QByteArray& p : proof) {
            if (known())
                return adopt(path);
            note();
            if (sn == 0 || p.size() != 32)
                return false;
            merkle::Hash ph;
            std::copy(p.begin(), p.end(), ph.begin());
            if ((fn & 1) || fn == sn) {
                r = merkle::nodeHash(ph, r);
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                    ++level;
                }
            } else {
                r = merkle::nodeHash(r, ph);
            }
            fn >>= 1;
            sn >>= 1;
            ++level;
        }
        if (known())
            return adopt(path);
        if (sn != 0 || r != m_root)
            return false;
        note();
        return adopt(path);
    }

private:
    struct Node {
        bool set = false;
        qint64 fn = 0;
        merkle::Hash hash {};
    };
    bool adopt(const std::vector<Node>& path)
    {
        if (m_known.size() < path.size())
            m_known.resize(path.size());
        for (size_t i = 0; i < path.size(); ++i)
            if (path[i].set)
                m_known[i] = path[i];
        return true;
    }

    qint64 m_size;
    merkle::Hash m_root;
    std::vector<Node> m_known; // by level: the nodes of proven paths
};

EvidenceVerdict fail(const QString& why)
{
    return EvidenceVerdict {false, QStringLiteral("FAILED: %1").arg(why)};
}
} // namespace

EvidenceVerdict verifyEvidencePack(const QString& file, const NoteVerifier& trusted)
{
    // Read through a memory map: the zip reader seeks and reads a few bytes at a time, a million entries
    // over.
    QFile packFile(file);
    if (!packFile.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1: %2").arg(file, packFile.errorString()));
    const qint64 packSize = packFile.size();
    uchar* mapped = packSize > 0 ? packFile.map(0, packSize) : nullptr;
    QByteArray packBytes
        = mapped ? QByteArray::fromRawData(reinterpret_cast<const char*>(mapped), packSize) : QByteArray();
    QBuffer packBuffer(&packBytes);
    packBuffer.open(QIODevice::ReadOnly | QIODevice::Unbuffered); // a memory map needs no second buffer
    QuaZip zip(&packBuffer);
    if (!mapped || !zip.open(QuaZip::mdUnzip))
        return fail(QStringLiteral("%1 is not a readable zip file").arg(file));
    zip.setFileNameCodec("UTF-8");

    // The manifest, its signature and the key.
    const auto manifest = readEntry(zip, kManifest);
    if (!manifest)
        return fail(manifest.error().message);
    const auto signature = readEntry(zip, kSignature);
    if (!signature)
        return fail(signature.error().message);
    const auto vkeyFile = readEntry(zip, kVkey);
    if (!vkeyFile)
        return fail(vkeyFile.error().message);
    const auto packKey = NoteVerifier::fromVkey(QString::fromUtf8(vkeyFile.value()).trimmed());
    if (!packKey)
        return fail(QStringLiteral("log-key.vkey is not a verifier key: %1").arg(packKey.error().message));
    NoteVerifier key = packKey.value();
    if (!trusted.isNull()) {
        if (trusted != key)
            return fail(
                QStringLiteral("log-key.vkey is %1, not the pinned key %2").arg(key.vkey(), trusted.vkey()));
        key = trusted;
    }
    if (!key.verify(manifest.value(), signature.value()))
        return fail(QStringLiteral("manifest.sig is not a signature of manifest.json by %1").arg(key.vkey()));
    if (manifest.value().contains('\n'))
        return fail(QStringLiteral("manifest.json is not one line"));
    QJsonParseError err;
    const QJsonObject m = QJsonDocument::fromJson(manifest.value(), &err).object();
    if (err.error != QJsonParseError::NoError
        || m.value(QLatin1String("format")).toString() != QLatin1String(kFormat))
        return fail(QStringLiteral("manifest.json is not a %1 manifest").arg(QLatin1String(kFormat)));
    const QJsonObject files = m.value(QLatin1String("files")).toObject();

    // The checkpoint.
    const auto checkpoint = readEntry(zip, kCheckpoint);
    if (!checkpoint)
        return fail(checkpoint.error().message);
    if (const auto v = verifyNote(checkpoint.value(), {key}); !v)
        return fail(QStringLiteral("checkpoint.txt: %1").arg(v.error().message));
    const auto note = SignedNote::parse(checkpoint.value());
    const auto body = note ? CheckpointBody::parse(note.value().text) : Result<CheckpointBody>(note.error());
    if (!body)
        return fail(QStringLiteral("checkpoint.txt: %1").arg(body.error().message));
    const qint64 size = body.value().size;
    merkle::Hash root;
    std::copy(body.value().root.begin(), body.value().root.end(), root.begin());
    const QJsonObject mc = m.value(QLatin1String("checkpoint")).toObject();
    if (mc.value(QLatin1String("size")).toInteger() != size
        || mc.value(QLatin1String("root")).toString().toLatin1() != body.value().root.toBase64()
        || mc.value(QLatin1String("origin")).toString() != body.value().origin)
        return fail(QStringLiteral("manifest.json names another checkpoint than checkpoint.txt"));

    // events.jsonl is read on a second thread while this one reads the proofs: each event's hash recomputed
    // and its leaf published in seq order; a proof waits for its event's leaf. The leaves live in a vector
    // reserved for the manifest's count of proofs, so reading the published part needs no lock.
    const qint64 expected
        = m.value(QLatin1String("proofs")).toObject().value(QLatin1String("count")).toInteger();
    // Each proof is an entry of its own, so the zip's central directory (whose entries take room in the file)
    // bounds the count before anything is reserved for it.
    if (expected < 0 || expected > qint64(zip.getEntriesCount()))
        return fail(QStringLiteral("manifest.json counts %1 proofs; the zip holds %2 entries")
                        .arg(expected)
                        .arg(zip.getEntriesCount()));
    struct Leaves {
        std::vector<std::pair<qint64, merkle::Hash>> items;
        std::atomic<qsizetype> published {0};
        std::mutex mutex;
        std::condition_variable changed;
        bool done = false;
        QString error;
        std::atomic_bool stop {false};
    } leaves;
    leaves.items.reserve(size_t(expected));
    const QByteArray eventsDigest = files.value(kEvents).toString().toLatin1();
    std::thread reader([&leaves, &packBytes, eventsDigest, size, expected] {
        const auto finish = [&](const QString& error) {
            std::lock_guard lock(leaves.mutex);
            leaves.published.store(qsizetype(leaves.items.size()), std::memory_order_release);
            leaves.error = error;
            leaves.done = true;
            leaves.changed.notify_all();
        };
        QBuffer device(&packBytes);
        device.open(QIODevice::ReadOnly | QIODevice::Unbuffered);
        QuaZip own(&device);
        if (!own.open(QuaZip::mdUnzip) || !own.setCurrentFile(kEvents))
            return finish(QStringLiteral("events.jsonl is missing"));
        QuaZipFile f(&own);
        if (!f.open(QIODevice::ReadOnly))
            return finish(QStringLiteral("events.jsonl cannot be read"));
        Sha256 hash;
        qint64 lastSeq = 0;
        QByteArray buffer;
        for (bool atEnd = false; !atEnd;) {
            if (leaves.stop)
                return finish(QString());
            const QByteArray chunk = f.read(4 << 20);
            atEnd = chunk.isEmpty();
            hash.add(chunk);
            buffer += chunk;
            qsizetype from = 0;
            for (qsizetype nl; (nl = buffer.indexOf('\n', from)) >= 0; from = nl + 1) {
                QJsonParseError lineErr;
                const QJsonObject o = QJsonDocument::fromJson(buffer.mid(from, nl - from), &lineErr).object();
                const qint64 line = qint64(leaves.items.size()) + 1;
                if (lineErr.error != QJsonParseError::NoError)
                    return finish(QStringLiteral("events.jsonl: line %1 is not JSON").arg(line));
                const Event e = Event::fromJson(o);
                const QByteArray prev = o.value(QLatin1String("prev_hash")).toString().toLatin1();
                if (e.seq <= lastSeq || e.seq > size)
                    return finish(
                        QStringLiteral("events.jsonl: event %1 is out of order or beyond the checkpoint")
                            .arg(e.seq));
                lastSeq = e.seq;
                if (EventChain::hash(prev, e) != e.hash)
                    return finish(QStringLiteral("event %1: its hash does not match its content").arg(e.seq));
                const auto h = merkle::fromHex(e.hash);
                if (!h)
                    return finish(QStringLiteral("event %1: no valid hash").arg(e.seq));
                if (qint64(leaves.items.size()) == expected)
                    return finish(
                        QStringLiteral("events.jsonl holds more events than the manifest has proofs"));
                leaves.items.emplace_back(e.seq, merkle::leafHash(h->data(), h->size()));
                if (leaves.items.size() % 256 == 0) {
                    std::lock_guard lock(leaves.mutex);
                    leaves.published.store(qsizetype(leaves.items.size()), std::memory_order_release);
                    leaves.changed.notify_all();
                }
            }
            buffer.remove(0, from);
            if (buffer.size() > kMaxEventLine)
                return finish(QStringLiteral("events.jsonl: line %1 is longer than %2 bytes")
                                  .arg(qint64(leaves.items.size()) + 1)
                                  .arg(kMaxEventLine));
        }
        f.close();
        if (f.getZipError() != 0)
            return finish(QStringLiteral("events.jsonl is damaged"));
        if (!buffer.isEmpty())
            return finish(QStringLiteral("events.jsonl does not end with a line break"));
        if (hash.result().toHex() != eventsDigest)
            return finish(QStringLiteral("events.jsonl does not match the manifest"));
        finish(QString());
    });
    // The position of seq's leaf, once the reader has got that far; -1 when events.jsonl does not hold it.
    const auto leafAt = [&leaves](qint64 seq) -> qsizetype {
        for (;;) {
            const qsizetype n = leaves.published.load(std::memory_order_acquire);
            const auto end = leaves.items.begin() + n;
            const auto it = std::lower_bound(leaves.items.begin(), end, seq,
                [](const std::pair<qint64, merkle::Hash>& item, qint64 s) { return item.first < s; });
            if (it != end && it->first == seq)
                return it - leaves.items.begin();
            if (n > 0 && leaves.items[size_t(n - 1)].first > seq)
                return -1; // the leaves are in seq order: it was passed
            std::unique_lock lock(leaves.mutex);
            if (leaves.published.load() != n)
                continue; // more came meanwhile
            if (leaves.done)
                return -1;
            leaves.changed.wait(lock, [&] { return leaves.done || leaves.published.load() != n; });
        }
    };
    // Stops the reader; its failure, if any, comes first (it is about events before the proofs of them).
    const auto joinReader = [&](const QString& mine) -> EvidenceVerdict {
        if (!mine.isEmpty())
            leaves.stop = true;
        reader.join();
        if (!leaves.error.isEmpty())
            return fail(leaves.error);
        return fail(mine);
    };
    std::vector<char> proven(size_t(expected), 0);
    InclusionChecker inclusion(size, root);
    QSet<QString> seen {kManifest, kSignature, kEvents};
    std::vector<std::pair<qint64, merkle::Hash>> proofDigests; // seq, SHA-256 of its proof file
    QuaZipFile f(&zip); // one reader for every entry: a pack has one per event
    QByteArray bytes;
    for (bool more = zip.goToFirstFile(); more; more = zip.goToNextFile()) {
        const QString name = zip.getCurrentFileName();
        if (name == kManifest || name == kSignature || name == kEvents)
            continue;
        const bool isProof = name.startsWith(kProofsDir);
        if (!isProof) {
            if (seen.contains(name))
                return joinReader(QStringLiteral("%1 is in the pack twice").arg(name));
            seen.insert(name);
            if (!files.contains(name))
                return joinReader(QStringLiteral("%1 is not in the manifest").arg(name));
        }
        if (!f.open(QIODevice::ReadOnly))
            return joinReader(QStringLiteral("%1 cannot be read").arg(name));
        if (!isProof) {
            const QByteArray digest = hashOpenEntry(f, &bytes);
            f.close();
            if (digest.isEmpty() || f.getZipError() != 0)
                return joinReader(QStringLiteral("%1 is damaged").arg(name));
            if (digest.toHex() != files.value(name).toString().toLatin1())
                return joinReader(QStringLiteral("%1 does not match the manifest").arg(name));
            continue;
        }
        const EntryRead read = readOpenEntry(f, kMaxProofEntry, &bytes);
        f.close();
        if (read == EntryRead::TooLarge)
            return joinReader(QStringLiteral("%1 is too large for a proof").arg(name));
        if (read != EntryRead::Ok || f.getZipError() != 0)
            return joinReader(QStringLiteral("%1 is damaged").arg(name));
        const QByteArray digest = sha256(bytes);
        bool ok = false;
        const qint64 seq = name.mid(kProofsDir.size()).chopped(11).toLongLong(&ok);
        if (!ok || proofName(seq) != name)
            return joinReader(QStringLiteral("%1 is not named after an event").arg(name));
        const qsizetype at = leafAt(seq);
        if (at < 0)
            return joinReader(QStringLiteral("%1 proves an event events.jsonl does not hold").arg(name));
        if (proven[size_t(at)])
            return joinReader(QStringLiteral("%1 is in the pack twice").arg(name));
        proven[size_t(at)] = 1;
        const auto proof = TlogProof::parse(bytes, checkpoint.value());
        if (!proof)
            return joinReader(QStringLiteral("%1: %2").arg(name, proof.error().message));
        if (proof.value().index != seq - 1 || proof.value().checkpoint != checkpoint.value())
            return joinReader(QStringLiteral("%1 is for another entry or checkpoint").arg(name));
        if (!inclusion.verify(seq - 1, leaves.items[size_t(at)].second, proof.value().hashes))
            return joinReader(
                QStringLiteral("event %1 is not in the log the checkpoint signs (%2)").arg(seq).arg(name));
        merkle::Hash raw;
        std::copy(digest.begin(), digest.end(), raw.begin());
        proofDigests.emplace_back(seq, raw);
    }
    if (zip.getZipError() != 0)
        return joinReader(QStringLiteral("the zip is damaged (error %1)").arg(zip.getZipError()));
    for (auto it = files.constBegin(); it != files.constEnd(); ++it)
        if (!seen.contains(it.key()))
            return joinReader(QStringLiteral("%1 is missing").arg(it.key()));
    reader.join();
    if (!leaves.error.isEmpty())
        return fail(leaves.error);
    const qint64 eventCount = qint64(leaves.items.size());
    if (qint64(proofDigests.size()) != eventCount) {
        for (size_t i = 0; i < leaves.items.size(); ++i)
            if (!proven[i])
                return fail(QStringLiteral("event %1 has no proof (%2 is missing)")
                                .arg(leaves.items[i].first)
                                .arg(proofName(leaves.items[i].first)));
        return fail(QStringLiteral("%1 events but %2 proofs").arg(eventCount).arg(proofDigests.size()));
    }
    // The proofs' listing, then the digest the report's cover prints: the sha256sum listing of every file but
    // the report and the manifest.
    std::sort(proofDigests.begin(), proofDigests.end()); // by seq: by name, the names being zero-padded
    QByteArray proofListing;
    proofListing.reserve(qsizetype(proofDigests.size()) * 100);
    for (const auto& [seq, digest] : proofDigests)
        proofListing += QByteArray(reinterpret_cast<const char*>(digest.data()), 32).toHex() + "  "
            + proofName(seq).toUtf8() + '\n';
    const QJsonObject mp = m.value(QLatin1String("proofs")).toObject();
    if (mp.value(QLatin1String("count")).toInteger() != qint64(proofDigests.size())
        || sha256(proofListing).toHex() != mp.value(QLatin1String("listing_sha256")).toString().toLatin1())
        return fail(QStringLiteral("the proofs do not match the manifest's listing of them"));
    QStringList names = files.keys();
    names.sort();
    QByteArray listing;
    bool proofsDone = false;
    for (const QString& name : names) {
        if (name == kReport)
            continue;
        if (!proofsDone && name > kProofsDir) {
            listing += proofListing;
            proofsDone = true;
        }
        listing += files.value(name).toString().toLatin1() + "  " + name.toUtf8() + '\n';
    }
    if (!proofsDone)
        listing += proofListing;
    if (sha256(listing).toHex() != m.value(QLatin1String("data_digest")).toString().toLatin1())
        return fail(QStringLiteral("manifest.json's data_digest does not match its files"));
    return EvidenceVerdict {true,
        QStringLiteral(
            "verified: %1 files, %2 events each with its inclusion proof, checkpoint %3 of %4 and the "
            "manifest signed by %5 (%6)")
            .arg(files.size() + proofDigests.size() + 2)
            .arg(eventCount)
            .arg(size)
            .arg(body.value().origin, key.vkey(),
                trusted.isNull() ? QStringLiteral("the key in the pack: pin it with --log-key")
                                 : QStringLiteral("pinned"))};
}

} // namespace lapse
