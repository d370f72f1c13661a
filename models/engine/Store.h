// What the engine, the API, the mirror and the insights need from persistence: one writer path that keeps
// the event log, the state it changes and the insight rollups in one transaction, and the reads they answer
// from. SqliteStore implements it; any other store must pass the same contract
// (tests/unit/TestStoreContract).
#pragma once

#include "InsightRows.h"
#include "MerkleTree.h"
#include "core/Error.h"
#include "domain/AccessRequest.h"
#include "domain/Event.h"
#include "domain/Grant.h"
#include "domain/Review.h"
#include "domain/Session.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <functional>
#include <optional>
#include <tuple>

namespace lapse
{

class Directory;

struct RequestFilter {
    std::optional<RequestStatus> status;
    QString requester; // empty: everyone
    QString afterId; // page after this id (ids sort by creation)
    int limit = 100;
};

struct GrantFilter {
    std::optional<GrantStatus> status;
    QString principal;
    QString target;
    std::optional<bool> breakGlassUnreviewed;
    bool enforcementPending = false; // ended grants whose enforced target has not confirmed the end yet
    std::optional<qint64> startsFromMs; // windows that started at or after this time
    QString afterId;
    int limit = 100;
};

struct SessionFilter {
    std::optional<SessionState> state; // live, lingering or ended
    QString grantId;
    QString principal;
    int limit = 1000;
};

struct LockoutRecord {
    QString principal;
    bool active = false;
    qint64 lockedMs = 0;
    qint64 notBeforeMs = 0; // credentials issued before this are dead, even after unlock
    QString reason;
    QString by;
};

// Called for each event a chain walk verified, in order: its seq and its Merkle leaf hash (RFC 9162: SHA-256
// of 0x00 and the 32 bytes its hash spells), computed beside the chain's own hashing.
using EventHashVisitor = std::function<void(qint64 seq, const merkle::Hash& leafHash)>;

// An event to append: type, actor, subject, body.
using NewEvent = std::tuple<QString, QString, QString, QJsonObject>;

class Store
{
public:
    virtual ~Store() = default;

    // Where it lives, for messages: a file path or a connection URL without secrets.
    virtual QString location() const = 0;
    // Whether other writers (other brokers on one database) commit to it at any time: the engine then follows
    // their commits (Engine::followStore) and answers nothing from memory that a later commit may have taken
    // away. lastSeq() outside the writer's transaction is then the committed head, read from the store.
    virtual bool sharedWithOtherWriters() const { return false; }
    // The head as last committed by any writer, read from the store now; an error when it cannot be read.
    virtual Result<qint64> committedHead() const { return lastSeq(); }

    // --- the one writer path (one thread at a time: the engine's, or the mirror's) ---
    // Every write below happens inside begin() ... commit(); nothing is visible to readers, or durable,
    // before commit() returns Ok. A failed commit() has rolled back. rollback() restores the chain head of
    // begin().
    virtual Status begin() = 0;
    virtual Status commit() = 0;
    virtual void rollback() = 0;
    // Appends an event after the head and chains it; the rollups take it in the same transaction.
    virtual Result<Event> append(const QString& type, const QString& actor, const QString& subject,
        const QJsonObject& body, qint64 tsMs)
        = 0;
    // Appends a batch in order; compactBodies[i] is events[i]'s body already serialised (compact JSON).
    virtual Result<QList<Event>> appendMany(
        const QList<NewEvent>& events, const QList<QByteArray>& compactBodies, qint64 tsMs)
        = 0;
    // Appends events exactly as another log holds them (a mirror's copy): they must follow the head in
    // sequence and chain onto it, bodies and hashes kept byte for byte. On a break *breakSeq names the first
    // event that does not chain (0 for any other error) and nothing of the run may be committed.
    virtual Status appendVerbatimMany(const QList<Event>& events, qint64* breakSeq) = 0;
    virtual Status putRequest(const AccessRequest& r) = 0;
    virtual Status putGrant(const Grant& g) = 0;
    virtual Status putSession(const Session& s) = 0;
    virtual Status putLockout(const LockoutRecord& l) = 0;
    virtual Status putApiKey(
        const QByteArray& keyHash, const QString& principal, qint64 createdMs, const QString& label)
        = 0;
    // The principals table the console joins against (its own transaction; not part of the event log).
    virtual Status syncPrincipals(const Directory& directory) = 0;

    // --- reads (any thread) ---
    virtual std::optional<AccessRequest> request(const QString& id) const = 0;
    virtual std::optional<Grant> grant(const QString& id) const = 0;
    virtual std::optional<Session> session(const QString& id) const = 0;
    virtual QList<AccessRequest> requests(const RequestFilter& f) const = 0;
    // The same rows as stored JSON (id, compact JSON as the API returns it), for pages that need no decoding.
    virtual QList<std::pair<QString, QByteArray>> requestsJson(const RequestFilter& f) const = 0;
    // Pending requests whose review deadline is at or before nowMs, oldest first.
    virtual Result<QList<AccessRequest>> pendingRequestsDue(qint64 nowMs, int limit) const = 0;
    virtual QList<Grant> grants(const GrantFilter& f) const = 0;
    virtual QList<Session> sessions(const SessionFilter& f) const = 0;
    virtual QList<LockoutRecord> lockouts() const = 0;
    virtual QString principalForApiKey(const QByteArray& keyHash) const = 0; // empty if unknown
    virtual QList<Event> events(qint64 afterSeq, int limit) const = 0;
    virtual qint64 lastSeq() const = 0;
    virtual QByteArray headHash() const = 0;
    // Grants of principal on target that started at or after sinceMs.
    virtual int grantCountSince(const QString& principal, const QString& target, qint64 sinceMs) const = 0;
    // Walks the whole log in order and stops at the first break; returns the number of events verified.
    // each: called for every verified event, in order (the tree is recomputed from it, see verifyLog()).
    virtual Result<qint64> verifyChain(QString* breakReason, qint64* breakSeq,
        const std::function<void(qint64)>& progress = {}, const EventHashVisitor& each = {}) const = 0;

    // --- the Merkle tree over the log (RFC 9162) and its signed checkpoints ---
    // Leaf i is the 32 bytes event i+1's hash spells. The tree follows every append in the same transaction.
    // The root over the first lastSeq() events, as the writer sees them.
    virtual merkle::Hash treeRoot() const = 0;
    // A reader of the stored subtree hashes for the calling thread (level 0: leaf hashes), for proofs and
    // roots at earlier sizes; use it on that thread only and drop it when done.
    virtual merkle::HashReader treeReader() const = 0;
    // Keeps a signed checkpoint of the tree at size (inside the writer's transaction). A second, different
    // checkpoint for a size that has one is refused (Conflict); the same one again is accepted.
    virtual Status putCheckpoint(qint64 size, const QByteArray& note, qint64 tsMs) = 0;
    virtual std::optional<QByteArray> checkpoint(qint64 size) const = 0;
    // The checkpoint of the largest size kept, if any.
    virtual std::optional<std::pair<qint64, QByteArray>> latestCheckpoint() const = 0;
    // Every kept checkpoint's size, in order.
    virtual QList<qint64> checkpointSizes() const = 0;

    // --- the insight rollups (any thread) ---
    // The last event seq the stored rollups include (behind lastSeq(): a store this build never opened).
    virtual qint64 insightsIndexedSeq() const = 0;
    // The hourly sums for hours [hourFrom, hourTo), one cell per day and group.
    virtual Status insightHours(qint64 hourFrom, qint64 hourTo, const QString& target,
        const std::function<void(const InsightCell&)>& row) const = 0;
    // One cell per grant that started in the scope (day = the day it started).
    virtual Status insightGrants(
        const InsightScope& scope, const std::function<void(const InsightCell&)>& row) const = 0;
    virtual Status lingeringGrants(
        const InsightScope& scope, const std::function<void(const LingeringGrant&)>& row) const = 0;
    virtual Status revokedGrants(
        const InsightScope& scope, const std::function<void(const RevokedGrant&)>& row) const = 0;
    // Grants a directory rule approved for principal on target whose windows started at or after sinceMs
    // (a rule's daily budget).
    virtual int ruleGrantCount(
        const QString& rule, const QString& principal, const QString& target, qint64 sinceMs) const = 0;
    // Access reviews' decisions (review.decided events) in log order; on one target, or all when empty.
    virtual QList<ReviewDecision> reviewDecisions(const QString& target) const = 0;
    // Grants on enforced targets that started in the scope, with their verified end's lag.
    virtual Status enforcedGrants(
        const InsightScope& scope, const std::function<void(const EnforcedGrant&)>& row) const = 0;
    // Start times ordered by group (principal, target, privileges), then time.
    virtual Status grantStarts(
        const InsightScope& scope, const std::function<void(const GrantStart&)>& row) const = 0;
};

} // namespace lapse
