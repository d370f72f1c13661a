// Evidence packs: one zip an auditor takes away, verifies offline and samples from (README, "Evidence
// packs"). Layout of lapse-evidence-<scope>-<from>-<to>.zip:
//   report.pdf      the people's view (rendered by the caller: ui/EvidenceReport)
//   grants.csv      the population: one row per grant whose window started in the scope
//   requests.csv    every request created in the scope, whatever became of it
//   events.jsonl    every event of those grants, requests and sessions, verbatim with seq and hash
//   proofs/<seq>.tlog-proof  a c2sp.org/tlog-proof@v1 inclusion proof of each of those events
//   checkpoint.txt  the signed checkpoint every proof is relative to; log-key.vkey its verifier key
//   query.json      the scope, the generator, the log size and seq range covered, the row counts
//   manifest.json   SHA-256 of every other file — the proofs (one per event, up to millions) through the
//                   SHA-256 of their sha256sum listing — and data_digest, the SHA-256 of the sha256sum
//                   listing of every file but the report (what the report's cover prints); compact JSON, one
//                   line
//   manifest.sig    its Ed25519 signature by the log key (64 raw bytes)
#pragma once

#include "EvidenceData.h"
#include "core/Error.h"
#include "engine/SignedNote.h"

#include <QByteArray>
#include <QString>
#include <atomic>
#include <functional>

namespace lapse
{

class Directory;
class Store;

// Reports progress (0..100) and what is being done: a stage in English, marked for translation under the
// context "lapse::EvidencePack" so the console can show it translated.
using EvidenceProgress = std::function<void(int percent, const QString& stage)>;

// Derives the pack's data from the store's event log up to its latest checkpoint signed by logKey (refused
// when there is none, or when the store's tree does not have that checkpoint's root). Reads the log twice:
// memory grows with the number of grants, requests and sessions, not with the events. directory gives each
// principal's kind and owner. A set *cancel stops it with ErrorCode::Cancelled.
Result<EvidenceData> collectEvidence(const Store& store, const Directory& directory,
    const EvidenceScope& scope, const NoteVerifier& logKey, const EvidenceProgress& progress = {},
    const std::atomic_bool* cancel = nullptr);

struct EvidenceBuild {
    EvidenceScope scope;
    QString outFile; // the zip to write; written beside it under a temporary name and renamed when complete
    QString generatedBy;
    NoteVerifier logKey;
    // The PDF for the report; runs on the builder's thread (a renderer that needs the GUI thread hops there).
    std::function<Result<QByteArray>(const EvidenceData&)> renderReport;
    // The Ed25519 signature of manifest.json's bytes by the log key (64 bytes): the key itself
    // (LogKey::sign), or the broker's POST /v1/evidence/attest.
    std::function<Result<QByteArray>(const QByteArray& manifest)> signManifest;
    EvidenceProgress progress;
    const std::atomic_bool* cancel = nullptr;
};

struct EvidenceSummary {
    QString file;
    qint64 grants = 0, requests = 0, events = 0, exceptions = 0, sample = 0;
    quint64 seed = 0;
    qint64 treeSize = 0;
    QByteArray manifestSha256; // hex
    qint64 bytes = 0;
};

// Collects, renders, writes and signs the pack. On any failure or a cancel nothing is left at outFile (an
// existing file there is replaced only by a complete pack).
Result<EvidenceSummary> buildEvidencePack(
    const Store& store, const Directory& directory, const EvidenceBuild& b);

// Checks a pack without trusting its maker: every file's SHA-256 against the manifest (and no file missing or
// added), the manifest's signature, the checkpoint's signature, and every event: its line verbatim, its hash
// recomputed, and its inclusion proof against the checkpoint. trusted: the log key to pin; null trusts the
// pack's own log-key.vkey and says so. ok and one line: what was verified, or the first file or event that
// failed.
struct EvidenceVerdict {
    bool ok = false;
    QString line;
};
EvidenceVerdict verifyEvidencePack(const QString& file, const NoteVerifier& trusted = {});

} // namespace lapse
