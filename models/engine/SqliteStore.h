// The SQLite store: WAL, synchronous=FULL (a commit is on disk when it returns), one writer path, current
// state beside the event that changed it, and the insight rollups in the same transaction.
#pragma once

#include "Store.h"

#include <QHash>
#include <QJsonObject>
#include <QSqlDatabase>
#include <memory>
#include <optional>

struct sqlite3;

namespace lapse
{

class InsightsIndex;
class SqliteInsightsStorage;
class SqlStatement;

class SqliteStore final : public Store
{
public:
    ~SqliteStore() override;
    struct Options {
        // false only to measure what the tree costs (bench_engine): the store then keeps no tree and cuts no
        // checkpoint, and the next ordinary open builds the tree from the log.
        bool merkleTree = true;
    };
    // Opens the file for writing, creating and migrating it, and brings the rollups and the tree up to date.
    static Result<std::unique_ptr<SqliteStore>> open(const QString& path, Options options);
    static Result<std::unique_ptr<SqliteStore>> open(const QString& path) { return open(path, Options {}); }
    // Opens an existing store to read only (a console beside the process that writes it): no migration, every
    // write refused.
    static Result<std::unique_ptr<SqliteStore>> openReadOnly(const QString& path);
    // Walks the log of any SQLite store on db, in order; stops at the first break. Safe on any thread.
    static Result<qint64> verifyChain(QSqlDatabase db, QString* breakReason, qint64* breakSeq,
        const std::function<void(qint64)>& progress = {}, const EventHashVisitor& each = {});

    QString path() const { return m_path; }
    // A connection for the calling thread (SQLite connections must not cross threads), for SQLite-only tools.
    QSqlDatabase connection() const;

    QString location() const override { return m_path; }
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
    // Read-only, the head is read from the file each time: the process that writes it moves it on.
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

private:
    SqliteStore();
    Status openFile(const QString& path, bool readOnly);
    Status migrate();
    Status backfillInsights(); // rollups for events written before they existed
    Status readHead();
    sqlite3* writer();
    sqlite3* reader() const; // the calling thread's connection
    Status insertEvent(const Event& e);
    Status addLeaf(const QByteArray& hexHash); // the tree takes the event, in the open transaction
    Status saveTreeSize();
    Status loadTree(); // the frontier at the head (another writer moved it)
    Status backfillTree(); // the tree for events written before it existed
    // The next event after the head, hashed onto it (the head itself moves only once the event is written).
    Event chained(const QString& type, const QString& actor, const QString& subject, const QByteArray& body,
        qint64 tsMs) const;
    QString m_path;
    QString m_connPrefix;
    bool m_readOnly = false;
    bool m_keepTree = true;
    qint64 m_headSeq = 0;
    QByteArray m_headHash;
    qint64 m_txHeadSeq = 0; // head before the open transaction, restored on rollback
    QByteArray m_txHeadHash;
    bool m_inTx = false;
    qint64 m_committedSeq = 0; // head after our last commit: a different head at begin() means another writer
    sqlite3* m_writer = nullptr;
    sqlite3* m_insightsReader = nullptr; // the rollups' own read connection: they may read beside the writer
    std::unique_ptr<SqlStatement> m_insertEvent;
    std::unique_ptr<SqlStatement> m_insertNode;
    merkle::Frontier m_tree; // the tree's right edge at the head
    merkle::Frontier m_txTree; // ... before the open transaction, restored on rollback
    std::unique_ptr<InsightsIndex> m_insights;
    // The rollups' rows: read back on m_insightsReader, written on the writer connection (which follows
    // writer()).
    std::unique_ptr<SqliteInsightsStorage> m_insightsReads, m_insightsWrites;
    // Where each enforced grant's enforcement stands, from the events as they are appended (engine or mirror
    // alike), written with the rollups at commit: grant id -> its row.
    struct EnforcedRow {
        QString principal, target, state;
        qint64 startMs = 0;
        std::optional<qint64> lagMs;
    };
    QHash<QString, EnforcedRow> m_enforced;
    // review.decided events appended in the open transaction: seq and body, written at commit.
    QList<std::pair<qint64, QByteArray>> m_reviews;
    void noteReview(qint64 seq, const QString& type, const QByteArray& body);
    Status flushReviews();
    void noteEnforcement(const QString& type, const QJsonObject& body); // on the indexing thread, in order
    Status flushEnforcement();
};

} // namespace lapse
