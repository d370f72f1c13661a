// What an evidence pack holds, as data: the scope it answers, the population of grants and requests in it,
// the exceptions an auditor tests first, the random sample and the checkpoint everything is anchored to. The
// collector (EvidenceCollector) derives it from the event log alone, so a pack from the broker's store and
// one from a console's mirror of it agree; the pack writer (EvidencePack) and the report renderer read it.
#pragma once

#include "core/Error.h"
#include "domain/AccessRequest.h"
#include "domain/Grant.h"
#include "domain/Review.h"
#include "domain/Session.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace lapse
{

// Which grants and requests a pack covers: grants whose window started in [fromMs, toMs) and requests created
// in it, on the listed targets and identity kinds (empty: all).
struct EvidenceScope {
    qint64 fromMs = 0;
    qint64 toMs = 0;
    QStringList targets;
    QStringList kinds; // principal kinds: human, service, workload, pipeline, agent
    int sampleSize = 25;
    quint64 seed = 0; // the sample's seed; 0 asks the pack builder to draw one (and print it)

    // Refuses an empty or inverted period, a negative sample, an unknown kind, a blank target.
    Status validate() const;
    // "all", or the targets joined by '+', reduced to [A-Za-z0-9._-].
    QString label() const;
    // lapse-evidence-<label>-<from>-<to>.zip, the dates as yyyyMMdd (UTC; to is exclusive).
    QString fileName() const;
    QJsonObject toJson() const;
};

// One event of a timeline, as the log holds it (without the body).
struct TimelineEntry {
    qint64 seq = 0;
    qint64 tsMs = 0;
    QString type;
    QString actor;
    QString subject;
};

// One grant of the population with everything an auditor tests.
struct GrantRecord {
    Grant grant; // its state at the pack's checkpoint
    AccessRequest request; // the request it came from
    QString kind; // the principal's kind, from the directory ("" when the directory does not know it)
    QString owner;
    qint64 requestedMs = 0;
    qint64 approvedMs = 0;
    QString approvedBy; // approvers joined by ' ', or "policy:break-glass"
    QString ending; // "active", "completed", "revoked", "expired"
    // Revoked grants: from the revocation to the last of its sessions confirmed closed (ms); -1 when it had
    // no session open at the revocation, -2 when one is still not confirmed closed.
    qint64 revocationEffectMs = -1;
    int sessions = 0;
    int unconfirmedSessions = 0; // sessions still open at the checkpoint after the grant ended
    qint64 lingeringMs = 0; // summed over sessions closed (or still open) after the grant ended
    int postExpiryUses = 0; // credential.used_after_end events
    // The seq of each lifecycle event (0: none): the request's creation and approval, the grant's activation,
    // its end (completed, revoked or expired) and its after-the-fact review.
    qint64 createdSeq = 0, approvedSeq = 0, activatedSeq = 0, endedSeq = 0, reviewedSeq = 0;
    QList<qint64> eventSeqs; // every event of the grant, its request and its sessions, in log order
    QList<Session> sessionList; // its sessions as the checkpoint leaves them, by opening
    // Every event of the grant, its request and its sessions, in log order: filled for sampled grants only
    // (the report prints them; grants.csv carries eventSeqs for the rest).
    QList<TimelineEntry> timeline;
};

// One request in scope, whatever became of it.
struct RequestRecord {
    AccessRequest request; // its state at the pack's checkpoint
    QString kind;
    QList<qint64> seqs; // its events, in log order
};

// Something an auditor looks at first.
struct EvidenceException {
    // "break_glass", "lingering_session", "post_expiry_use", "unconfirmed_revocation", "repeated_elevation",
    // "incomplete_record"
    QString category;
    QString subject; // a grant id (a session id for lingering sessions)
    QString principal;
    QString target;
    QString detail; // one line, for people
    qint64 seq = 0; // the event that shows it (0: none single event does)
};

// Everything the collector derived, up to the checkpoint's size.
struct EvidenceData {
    EvidenceScope scope;
    // The checkpoint the pack is anchored to: its signed note verbatim, its size, origin, root and the log
    // key's vkey line.
    QByteArray checkpoint;
    qint64 treeSize = 0;
    QString origin;
    QByteArray rootBase64;
    QString logKeyVkey;

    // The population: every grant, by start time then id (the pack builder streams them into grants.csv and
    // keeps only the sampled ones here); every request, by creation time then id (streamed likewise).
    QList<GrantRecord> grants;
    QList<RequestRecord> requests;
    qint64 grantCount = 0; // the whole population's, whatever grants keeps
    qint64 requestCount = 0;
    QList<EvidenceException> exceptions; // by category, then seq
    QList<int> sample; // indexes into grants, in drawn order
    // Access reviews' decisions (review.decided) on identities and targets in scope, decided in the period or
    // about a period that overlaps it; in log order, each with its seq. Their events are in events.jsonl.
    QList<ReviewDecision> reviews;
    quint64 seed = 0; // the seed the sample was drawn with
    qint64 eventCount = 0; // events of those grants, requests and sessions (what events.jsonl holds)
    qint64 firstSeq = 0, lastSeq = 0; // the seq range they span (0, 0 when none)
    QJsonObject metrics; // the six insight metrics for the scope (computeMetrics' answer)
    QString metricsNote; // says when the metrics cover more than the scope (several targets or kinds)

    // Filled in by the pack builder before the report is rendered.
    qint64 generatedMs = 0;
    QString generatedBy; // who made the pack (a principal id, or the operating-system user for --data)
    QString generator; // "lapse <version>"
    QByteArray dataDigest; // hex SHA-256 of the `sha256sum` listing of every data file (all but the report)
};

} // namespace lapse
