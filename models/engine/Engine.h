// The grant engine: the lifecycle of requests, grants and sessions over one store, one writer path.
#pragma once

#include "IntrospectionSnapshot.h"
#include "KeyRing.h"
#include "NotificationStatus.h"
#include "Policy.h"
#include "Store.h"
#include "TargetEnforcement.h"
#include "TransparencyLog.h"
#include "core/Error.h"
#include "domain/Directory.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTimer>
#include <functional>
#include <memory>
#include <vector>

namespace lapse
{

struct EngineConfig {
    QString dataDir; // store file, signing keys
    Directory directory;
    QString issuer = QStringLiteral("lapse-broker");
    int sweepIntervalMs = 1000; // 0: no timer; call sweep() and cutCheckpointIfDue() yourself (tests)
    // Names the log in its signed checkpoints: an explicit origin replaces the one kept in the data
    // directory; defaultLogOrigin names a new log. cutCheckpoints: false for a process that only reads the
    // store.
    QString logOrigin;
    QString defaultLogOrigin = QStringLiteral("localhost/lapse");
    bool cutCheckpoints = true;
    // Whether this broker does the work that must happen once (the timer's expiry sweep, cutting checkpoints)
    // from the start; brokers sharing a store take turns under a lease (setExclusiveWork).
    bool exclusiveWork = true;
    // Opens the store for the data directory; unset: SQLite at dataDir/lapse.db. Tests hand in a failing
    // store.
    std::function<Result<std::unique_ptr<Store>>(const QString& dataDir)> openStore;
};

struct Decision {
    AccessRequest request;
    std::optional<Grant> grant; // set once quorum is reached
};

struct LockoutOutcome {
    LockoutRecord lockout;
    QList<Grant> revoked;
    QList<Session> terminated;
    QList<AccessRequest> denied;
};

// What an approver should know about a requester when deciding.
struct RequesterContext {
    int elevations30d = 0; // grants of this target to this principal in the last 30 days
    std::optional<Grant> lastGrant; // the previous grant on this target
    bool lastGrantUsed = false; // whether any session was opened with it
    QList<Grant> activeGrants; // everything the principal holds now
    bool lockedOut = false;
    QJsonObject toJson() const;
};

struct EngineCounters {
    qint64 introspections = 0;
    qint64 introspectionsActive = 0;
    qint64 postExpiryUses = 0;
    qint64 requestsCreated = 0;
    qint64 requestsRejected = 0;
    qint64 grantsIssued = 0;
    qint64 grantsByRule = 0; // of grantsIssued, approved by a directory rule
    qint64 revocations = 0;
};

class Engine : public QObject
{
    Q_OBJECT
public:
    ~Engine() override;
    static Result<std::unique_ptr<Engine>> open(EngineConfig config);

    const Directory& directory() const { return m_directory; }
    Store& store() { return *m_store; }
    const Store& store() const { return *m_store; }
    KeyRing& keys() { return *m_keys; }
    QString dataDir() const { return m_dataDir; }
    // Includes the introspections answered from the snapshot on other threads.
    EngineCounters counters() const;
    // What other threads may answer without this one; see IntrospectionSnapshot.
    const IntrospectionSnapshot& snapshot() const { return m_snapshot; }

    // --- authentication ---
    // Resolves an API key ("lapse_..."): nullptr when unknown. The key itself is never stored.
    const Principal* authenticate(const QByteArray& apiKey);
    Result<QByteArray> createApiKey(const QString& principalId, const QString& label = {});
    bool isLockedOut(const QString& principalId) const;

    // --- lifecycle (all writes; each is durable before it returns) ---
    Result<Decision> submitRequest(const Principal& actor, const RequestInput& in);
    Result<Decision> approve(const Principal& actor, const QString& requestId, const ApproveInput& in);
    Result<AccessRequest> deny(const Principal& actor, const QString& requestId, const QString& reason);
    Result<Grant> revoke(const Principal& actor, const QString& grantId, const QString& reason);
    Result<Grant> complete(const Principal& actor, const QString& grantId);
    Result<Grant> review(const Principal& actor, const QString& grantId, const QString& note);
    // An access review's decision on a repeated elevation (identity, target, privileges, outcome, comment,
    // the period): taken by the target's owner, the identity's owner, or an admin, never by the identity.
    // Recorded as review.decided; the grants it covers in the period are counted from the store.
    Result<ReviewDecision> decideReview(const Principal& actor, ReviewDecision d);
    Result<Session> openSession(
        const Principal& actor, const QByteArray& token, const QStringList& privilegesUsed);
    Result<Session> endSession(
        const Principal& actor, const QString& sessionId, const QStringList& privilegesUsed);
    Result<Session> terminateSession(const Principal& actor, const QString& sessionId, const QString& reason);
    Result<LockoutOutcome> lockout(const Principal& actor, const QString& principalId, const QString& reason);
    Result<LockoutRecord> unlock(const Principal& actor, const QString& principalId);
    Status rotateSigningKey(const Principal& actor);
    // Expires pending requests and grants that are due. Returns how many things it ended.
    int sweep();
    // On a store other brokers write too: applies what they committed since this engine last looked (the
    // grants and lockouts their events changed, read back from the store) and publishes their events as
    // eventsFollowed. Cheap when nothing changed (one read of the head). Called before every write and every
    // introspection, and whenever the store says it was written (LISTEN/NOTIFY); a no-op on a store of one.
    Status followStore();
    // The error of a write that found, once it held the store's head, that another broker had committed since
    // its caller read what it decided on: nothing was written, and running the same call again decides on
    // what is current (ApiService does, a few times).
    static bool isStoreMovedOn(const Error& e);
    // Brokers sharing one store: whether this one holds the lease for the work that must happen once (the
    // timer's sweep and cutting checkpoints). Taking it sweeps and cuts at once what is due.
    void setExclusiveWork(bool mine);
    bool exclusiveWork() const { return m_exclusiveWork; }
    // On a shared store: takes the store's head now, after applying what others committed, so that what the
    // caller reads before it writes is exactly what its write commits onto (the next write() uses this
    // transaction). releaseHead() lets it go if nothing was written. No-ops on a store of one.
    Status holdHead();
    void releaseHead();
    qint64 appliedSeq() const { return m_appliedSeq; }

    // --- the log as outsiders check it (see TransparencyLog) ---
    TransparencyLog& log() { return *m_log; }
    QString logVkey() const { return m_log->vkey(); } // public
    // The latest checkpoint (size, signed note), or the one cut at size; any authenticated caller.
    Result<std::pair<qint64, QByteArray>> checkpoint(
        const Principal& actor, std::optional<qint64> size) const;
    // Cuts a checkpoint of the head now (auditor, admin); the existing one if the head has one.
    Result<std::pair<qint64, QByteArray>> cutCheckpoint(const Principal& actor);
    // The C2SP tlog-proof of event seq against the checkpoint at size (default: the latest); auditor, admin,
    // resource server.
    Result<QByteArray> inclusionProof(const Principal& actor, qint64 seq, std::optional<qint64> size) const;
    Result<QList<merkle::Hash>> consistencyProof(const Principal& actor, qint64 from, qint64 to) const;
    // A new log key (admin); recorded as log.key_rotated, then a checkpoint signed by the old and the new
    // key.
    Result<std::pair<qint64, QByteArray>> rotateLogKey(const Principal& actor);
    // The timer's turn: a checkpoint when 60 s passed since the last cut and the log grew.
    void cutCheckpointIfDue();
    // Signs an evidence pack's manifest.json with the log key (auditor, admin), for a pack built elsewhere (a
    // console's mirror): the manifest must be one line of JSON in the pack format, anchored to a checkpoint
    // this log kept. Recorded as evidence.attested (who, the manifest's SHA-256, the checkpoint), so every
    // signature the key gives a pack is in the log. Returns the 64-byte Ed25519 signature and its event.
    Result<std::pair<QByteArray, Event>> attestEvidence(const Principal& actor, const QByteArray& manifest);

    // --- credentials ---
    // RFC 7662 answer: {"active":false} for anything not live, minted here and valid for the caller.
    Result<QJsonObject> introspect(const Principal& actor, const QByteArray& token);
    // The credential of an approved request: only its requester may read it.
    Result<QJsonObject> credential(const Principal& actor, const QString& requestId);
    QJsonObject jwks() const;

    // --- reads ---
    Result<AccessRequest> request(const Principal& actor, const QString& id) const;
    Result<QList<AccessRequest>> requests(const Principal& actor, RequestFilter f) const;
    // The same list as stored JSON (id, compact JSON), under the same read rule.
    Result<QList<std::pair<QString, QByteArray>>> requestsJson(const Principal& actor, RequestFilter f) const;
    Result<Grant> grant(const Principal& actor, const QString& id) const;
    Result<QList<Grant>> grants(const Principal& actor, GrantFilter f) const;
    Result<QList<Session>> sessions(const Principal& actor, const SessionFilter& f) const;
    Result<RequesterContext> requesterContext(const Principal& actor, const QString& requestId) const;
    Result<QList<Event>> events(const Principal& actor, qint64 afterSeq, int limit) const;
    QList<LockoutRecord> lockouts() const;
    int activeGrantCount() const { return m_activeGrants.size(); }

    // For benchmarks and the event-append path of imports: appends raw events in one transaction.
    Status appendBatch(const QList<NewEvent>& events);

    // --- enforcement on targets (see TargetEnforcement; models/enforcement drives these) ---
    // Installs what provisions logins on enforced targets (not owned; nullptr removes it). Without one, a
    // grant on such a target cannot be approved: it would hold no login, or one nobody takes away.
    void setEnforcement(TargetEnforcement* enforcement) { m_enforcement = enforcement; }
    TargetEnforcement* enforcement() const { return m_enforcement; }
    // A session the target itself shows (a backend of the grant's login): recorded as session.opened by
    // "target:<id>". Lingering from the start when the grant has already ended.
    Result<Session> recordTargetSession(const Session& seen);
    // Sessions gone from the target (how: "disconnected" or "terminated"), in one transaction: a scan after a
    // revoke sees every backend gone together. Sessions already ended or unknown are skipped; returns the
    // ones recorded.
    Result<QList<Session>> recordTargetSessionsEnded(
        const QList<std::pair<QString, QString>>& sessionsAndHow, qint64 endedMs);
    // Where enforcement of an ended grant stands: state "pending" (the target could not be reached or did
    // not confirm yet; detail says why) as enforcement.pending, or "verified" (a login with the credential
    // was refused) as revocation.verified.
    Result<Grant> recordEnforcement(const QString& grantId, const QString& state, const QJsonObject& detail);

    // --- outgoing notifications (models/notify drives them from the log; the engine only reports them) ---
    // Installs what /metrics asks about webhook deliveries (not owned; nullptr removes it).
    void setNotifications(const NotificationStatus* notifications) { m_notifications = notifications; }
    const NotificationStatus* notifications() const { return m_notifications; }

signals:
    // Emitted after the commit that made them durable, in order.
    void eventsAppended(const QList<lapse::Event>& events);
    // Events other brokers committed to a shared store, in order, once this engine has applied them (see
    // followStore). Streams and webhooks follow both signals; work this broker does for its own decisions
    // (enforcement on targets) follows eventsAppended only.
    void eventsFollowed(const QList<lapse::Event>& events);

private:
    Engine() = default;
    // Runs body inside one transaction; events it appends are published only after the commit.
    template <typename T> Result<T> write(const std::function<Result<T>()>& body);
    Result<Event> appendEvent(
        const QString& type, const QString& actor, const QString& subject, const QJsonObject& body);
    Status applyCommitted(qint64 head); // followStore's work, up to head
    Status endGrant(Grant& g, GrantStatus status, const QString& actor, const QString& reason, qint64 nowMs,
        QList<Session>* terminated = nullptr);
    Status expireRequest(AccessRequest& r, qint64 nowMs);
    // policy: "approval", "break-glass", or "rule" with the rule that approved.
    Result<Grant> activate(AccessRequest& r, const ApprovalOutcome& outcome, const QString& policy,
        qint64 nowMs, const Rule* rule = nullptr);
    QJsonObject claimsFor(const Grant& g) const;
    QString newId(const char* prefix) const;
    bool lockedOut(const QString& id) const;

    struct TokenInfo {
        QJsonObject claims;
        QString grantId;
        qint64 expMs = 0;
        qint64 iatMs = 0;
    };
    const TokenInfo* verifiedToken(const QByteArray& token);

    QString m_dataDir;
    QString m_issuer;
    Directory m_directory;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<KeyRing> m_keys;
    std::unique_ptr<TransparencyLog> m_log;
    bool m_cutCheckpoints = true;
    QTimer m_sweepTimer;
    QHash<QString, Grant> m_activeGrants; // every active grant: the introspection hot path never reads SQL
    QHash<QString, LockoutRecord> m_lockouts;
    QHash<QByteArray, QString> m_apiKeys; // sha256 hex -> principal, filled on first use
    QHash<QByteArray, TokenInfo> m_tokens; // verified tokens, bounded; a signature is checked once
    QList<Event> m_txEvents;
    std::vector<std::function<void()>> m_afterCommit;
    std::vector<std::function<void()>>
        m_onAbort; // undoes outside effects when the transaction does not commit
    TargetEnforcement* m_enforcement = nullptr;
    const NotificationStatus* m_notifications = nullptr;
    bool m_inWrite = false;
    bool m_shared = false; // the store has other writers
    bool m_exclusiveWork = true; // see setExclusiveWork
    bool m_holdingHead = false; // holdHead() opened the store's transaction; the next write() uses it
    qint64 m_appliedSeq = 0; // every event up to here is in the in-memory state
    EngineCounters m_counters;
    IntrospectionSnapshot m_snapshot;
};

} // namespace lapse
