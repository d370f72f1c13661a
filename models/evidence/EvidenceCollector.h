// Derives an evidence pack's data from the event log alone, in two walks over the log up to the checkpoint:
// the first finds who and what is in scope (and folds the Merkle tree, to check it against the checkpoint),
// the second decodes the final state of what is in scope and hands each of its events, with its inclusion
// proof, to a sink (the pack writer). Internal to the evidence layer; see EvidencePack.h.
#pragma once

#include "EvidenceData.h"
#include "EvidencePack.h"
#include "domain/Event.h"
#include "engine/MerkleTree.h"

namespace lapse
{

// One event of the pack, as the second walk meets it: the event verbatim, the hash of the event before it (so
// its own hash can be recomputed) and its inclusion proof against the checkpoint (leaf to root).
struct EvidenceEvent {
    const Event* event = nullptr;
    QByteArray prevHash;
    QList<merkle::Hash> proof;
};
using EvidenceEventSink = std::function<Status(const EvidenceEvent&)>;

// Where the rows of a population go when they are not to be kept: each grant (by start, then id) and each
// request (by creation, then id) as soon as it is built. With a grant sink, EvidenceData::grants keeps only
// the sampled grants (and sample indexes them); with a request sink, requests stays empty.
struct EvidenceRowSinks {
    std::function<Status(const GrantRecord&)> grant;
    std::function<Status(const RequestRecord&)> request;
};

// collectEvidence(), with each event of the pack given to sink (in log order) during the second walk.
Result<EvidenceData> collectEvidenceWith(const Store& store, const Directory& directory,
    const EvidenceScope& scope, const NoteVerifier& logKey, const EvidenceEventSink& sink,
    const EvidenceProgress& progress, const std::atomic_bool* cancel, const EvidenceRowSinks& rows);

// The line events.jsonl holds for an event: its JSON (Event::toJson) with "prev_hash" added, compact.
QByteArray evidenceEventLine(const Event& e, const QByteArray& prevHash);

} // namespace lapse
