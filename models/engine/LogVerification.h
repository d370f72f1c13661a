// A whole store checked as an auditor would, without trusting the process that wrote it: the hash chain, the
// state tables against the events (see StateAudit), and the Merkle tree recomputed from the events' hashes
// against every checkpoint the store kept and one kept elsewhere. A cut, a rewrite or a fork is refused with
// the sizes named.
#pragma once

#include "Checkpoint.h"
#include "core/Error.h"

#include <optional>

namespace lapse
{

class Store;

struct LogVerification {
    qint64 events = 0;
    qint64 stateRows = 0;
    qint64 checkpointsMatched = 0; // kept ones and the outside one
    QByteArray root; // over all events
};

// outside: a checkpoint body kept elsewhere (its signature already checked by the caller). *breakSeq: the
// first event that does not chain, when that is the failure (0 otherwise).
// withState: also audit the state tables (StateAudit), which reads every request and grant again.
Result<LogVerification> verifyLog(const Store& store,
    const std::optional<CheckpointBody>& outside = std::nullopt, qint64* breakSeq = nullptr,
    bool withState = true);

} // namespace lapse
