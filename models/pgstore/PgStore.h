// The PostgreSQL store: the same contract as SqliteStore (tests/unit/TestStoreContract) on a shared server,
// so that the log, the state it changes and the rollups survive the loss of the broker's machine. Appends
// take a single head row FOR UPDATE inside the appending transaction: sequence numbers are gap-free and
// become visible in order whoever appends, and a writer that finds the head moved reloads what it keeps in
// memory.
#pragma once

#include "engine/Store.h"

#include <QHash>
#include <QThread>
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace lapse
{

class InsightsIndex;
class PgInsightsStorage;
namespace pg
{
class Connection;
class Params;
} // namespace pg

class PgStore final : public Store
{
public:
    ~PgStore() override;
    // Connects with a libpq connection string or postgresql:// URI (its password from a passfile, see the
    // README), creates or migrates the schema (under an advisory lock, so replicas may start together) and
    // brings the rollups and the tree up to date.
    static Result<std::unique_ptr<PgStore>> open(const QString& conninfo);
    // The number of events and of user tables in the database at conninfo (migrate refuses a non-empty one).
    static Result<qint64> eventCount(const QString& conninfo);

    QString location() const override { return m_location; }
    bool sharedWithOtherWriters() const override { return true; }
    Result<qint64> committedHead() const override;
    Status begin() override;
    Status commit() override;
    void rollback() override;
    Result<Event> append(const QString& type, const QString& actor, const QString& subject,
        const QJsonObject& body, qint64 tsMs) override;
    Result<QList<Event>> appendMany(
        const QList<NewEvent>& events, const QList<QByteArray>& compactBodies, qint64 tsMs) override;
    Status appendVerbatimMany(const QList<Event>& events, qint64* breakSeq) override;
    Status putRequest(const AccessRequest& r) override;
    Status putGrant(const Grant& g) override;
    Status putSession(const Session& s) override;
    Status putLockout(const LockoutRecord& l) override;
    Status putApiKey(
        const QByteArray& keyHash, const QString& principal, qint64 createdMs, const QString& label) override;
    Status syncPrincipals(const Directory& directory) override;

    std::optional<AccessRequest> request(const QString& id) const override;
    std::optional<Grant> grant(const QString& id) const override;
    std::optional<Session> session(const QString& id) const override;
    QList<AccessRequest> requests(const RequestFilter& f) const override;
    QList<std::pair<QString, QByteArray>> requestsJson(const RequestFilter& f) const override;
    Result<QList<AccessRequest>> pendingRequestsDue(qint64 nowMs, int limit) const override;
    QList<Grant> grants(const GrantFilter& f) const override;
    QList<Session> sessions(const SessionFilter& f) const override;
    QList<LockoutRecord> lockouts() const override;
    QString principalForApiKey(const QByteArray& keyHash) const override;
    QList<Event> events(qint64 afterSeq, int limit) const override;
    // The committed head (another replica may have moved it), or the writer's own inside its transaction.
    qint64 lastSeq() const override;
    QByteArray headHash() const override;
    int grantCountSince(const QString& principal, const QString& target, qint64 sinceMs) const override;
    Result<qint64> verifyChain(QString* breakReason, qint64* breakSeq,
        const std::function<void(qint64)>& progress = {}, const EventHashVisitor& each = {}) const override;

    merkle::Hash treeRoot() const override;
    merkle::HashReader treeReader() const override;
    Status putCheckpoint(qint64 size, const QByteArray& note, qint64 tsMs) override;
    std::optional<QByteArray> checkpoint(qint64 size) const override;
    std::optional<std::pair<qint64, QByteArray>> latestCheckpoint() const override;
    QList<qint64> checkpointSizes() const override;

    qint64 insightsIndexedSeq() const override;
    Status insightHours(qint64 hourFrom, qint64 hourTo, const QString& target,
        const std::function<void(const InsightCell&)>& row) const override;
    Status insightGrants(
        const InsightScope& scope, const std::function<void(const InsightCell&)>& row) const override;
    Status lingeringGrants(
        const InsightScope& scope, const std::function<void(const LingeringGrant&)>& row) const override;
    QList<ReviewDecision> reviewDecisions(const QString& target) const override;
    int ruleGrantCount(
        const QString& rule, const QString& principal, const QString& target, qint64 sinceMs) const override;
    Status enforcedGrants(
        const InsightScope& scope, const std::function<void(const EnforcedGrant&)>& row) const override;
    Status revokedGrants(
        const InsightScope& scope, const std::function<void(const RevokedGrant&)>& row) const override;
    Status grantStarts(
        const InsightScope& scope, const std::function<void(const GrantStart&)>& row) const override;

    // A connection for the calling thread's reads: the writer's own inside its transaction (it sees what
    // the transaction wrote), otherwise one from the pool, returned when the pointer is dropped.
    std::shared_ptr<pg::Connection> reading() const;

private:
    PgStore();
    Status migrate();
    Status backfillInsights();
    Status loadTree(qint64 size);
    Status writeEvents(const QList<Event>& events); // COPY, in the open transaction
    Status addLeaves(const QList<Event>& events);
    Status flushNodes();
    Status flushEnforcement();
    Status flushReviews();
    void noteEnforcement(const QString& type, const QJsonObject& body);
    void noteReview(qint64 seq, const QString& type, const QByteArray& body);
    Event chained(const QString& type, const QString& actor, const QString& subject, const QByteArray& body,
        qint64 tsMs) const;
    Status put(const char* what, const char* sql, const pg::Params& p);

    QByteArray m_conninfo;
    QString m_location;
    std::unique_ptr<pg::Connection> m_writer;
    // The thread inside begin() ... commit(), or none: other threads read it (reading(), lastSeq()) to tell
    // whether they are that thread, so it is atomic; only that thread ever finds itself there.
    std::atomic<QThread*> m_writerThread {nullptr};
    bool insideOwnTransaction() const
    {
        return m_writerThread.load(std::memory_order_acquire) == QThread::currentThread();
    }
    mutable std::mutex m_poolMutex;
    mutable std::vector<std::unique_ptr<pg::Connection>> m_pool;
    std::shared_ptr<bool> m_alive; // the pool's lifetime, for leases that outlive a call

    qint64 m_headSeq = 0;
    QByteArray m_headHash;
    qint64 m_txHeadSeq = 0;
    QByteArray m_txHeadHash;
    bool m_inTx = false;
    // The head after our last commit (another at begin() means another writer); read by other threads as a
    // fallback head when the store cannot be read.
    std::atomic<qint64> m_committedSeq {-1};
    merkle::Frontier m_tree;
    merkle::Frontier m_txTree;
    QList<std::tuple<int, qint64, merkle::Hash>> m_nodes; // tree nodes of the open transaction
    std::unique_ptr<InsightsIndex> m_insights;
    std::unique_ptr<PgInsightsStorage> m_insightsReader, m_insightsWriter;
    struct EnforcedRow {
        QString principal, target, state;
        qint64 startMs = 0;
        std::optional<qint64> lagMs;
    };
    QHash<QString, EnforcedRow> m_enforced;
    QList<std::pair<qint64, QByteArray>> m_reviews;
};

} // namespace lapse
