// A Store that fails chosen operations on purpose (in the spirit of KeePassXC's FailDevice), passing
// everything else to a real store underneath: error paths are tested against the real thing, not a mock.
#pragma once

#include "engine/Store.h"

#include <QHash>
#include <memory>

namespace lapse::test
{

class FailingStore final : public Store
{
public:
    enum class Op {
        Begin,
        Append,
        AppendMany,
        AppendVerbatim,
        PutRequest,
        PutGrant,
        PutSession,
        PutLockout,
        PutApiKey,
        Commit,
        PendingRequestsDue,
        PutCheckpoint,
        InsightReads,
    };

    explicit FailingStore(std::unique_ptr<Store> inner)
        : m_inner(std::move(inner))
    {
    }

    // The call of op after `after` successful ones fails, and so does every later one until clear().
    void failOn(Op op, int after = 0) { m_failAfter[op] = m_calls.value(op) + after; }
    void clear() { m_failAfter.clear(); }
    int calls(Op op) const { return m_calls.value(op); }
    int failures() const { return m_failures; }
    Store& inner() { return *m_inner; }

    QString location() const override { return m_inner->location(); }
    Status begin() override;
    Status commit() override;
    void rollback() override { m_inner->rollback(); }
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
    Status syncPrincipals(const Directory& directory) override { return m_inner->syncPrincipals(directory); }

    std::optional<AccessRequest> request(const QString& id) const override { return m_inner->request(id); }
    std::optional<Grant> grant(const QString& id) const override { return m_inner->grant(id); }
    std::optional<Session> session(const QString& id) const override { return m_inner->session(id); }
    QList<AccessRequest> requests(const RequestFilter& f) const override { return m_inner->requests(f); }
    QList<std::pair<QString, QByteArray>> requestsJson(const RequestFilter& f) const override
    {
        return m_inner->requestsJson(f);
    }
    Result<QList<AccessRequest>> pendingRequestsDue(qint64 nowMs, int limit) const override;
    QList<Grant> grants(const GrantFilter& f) const override { return m_inner->grants(f); }
    QList<Session> sessions(const SessionFilter& f) const override { return m_inner->sessions(f); }
    QList<LockoutRecord> lockouts() const override { return m_inner->lockouts(); }
    QString principalForApiKey(const QByteArray& keyHash) const override
    {
        return m_inner->principalForApiKey(keyHash);
    }
    QList<Event> events(qint64 afterSeq, int limit) const override
    {
        return m_inner->events(afterSeq, limit);
    }
    qint64 lastSeq() const override { return m_inner->lastSeq(); }
    QByteArray headHash() const override { return m_inner->headHash(); }
    int grantCountSince(const QString& principal, const QString& target, qint64 sinceMs) const override
    {
        return m_inner->grantCountSince(principal, target, sinceMs);
    }
    Result<qint64> verifyChain(QString* breakReason, qint64* breakSeq,
        const std::function<void(qint64)>& progress = {}, const EventHashVisitor& each = {}) const override
    {
        return m_inner->verifyChain(breakReason, breakSeq, progress, each);
    }

    merkle::Hash treeRoot() const override { return m_inner->treeRoot(); }
    merkle::HashReader treeReader() const override { return m_inner->treeReader(); }
    Status putCheckpoint(qint64 size, const QByteArray& note, qint64 tsMs) override;
    std::optional<QByteArray> checkpoint(qint64 size) const override { return m_inner->checkpoint(size); }
    std::optional<std::pair<qint64, QByteArray>> latestCheckpoint() const override
    {
        return m_inner->latestCheckpoint();
    }
    QList<qint64> checkpointSizes() const override { return m_inner->checkpointSizes(); }

    qint64 insightsIndexedSeq() const override { return m_inner->insightsIndexedSeq(); }
    Status insightHours(qint64 hourFrom, qint64 hourTo, const QString& target,
        const std::function<void(const InsightCell&)>& row) const override;
    Status insightGrants(
        const InsightScope& scope, const std::function<void(const InsightCell&)>& row) const override;
    Status lingeringGrants(
        const InsightScope& scope, const std::function<void(const LingeringGrant&)>& row) const override;
    int ruleGrantCount(
        const QString& rule, const QString& principal, const QString& target, qint64 sinceMs) const override
    {
        return m_inner->ruleGrantCount(rule, principal, target, sinceMs);
    }
    QList<ReviewDecision> reviewDecisions(const QString& target) const override
    {
        return m_inner->reviewDecisions(target);
    }
    Status enforcedGrants(
        const InsightScope& scope, const std::function<void(const EnforcedGrant&)>& row) const override;
    Status revokedGrants(
        const InsightScope& scope, const std::function<void(const RevokedGrant&)>& row) const override;
    Status grantStarts(
        const InsightScope& scope, const std::function<void(const GrantStart&)>& row) const override;

private:
    // Counts the call; an error when this call is to fail.
    std::optional<Error> fault(Op op) const;

    std::unique_ptr<Store> m_inner;
    mutable QHash<Op, int> m_calls;
    QHash<Op, int> m_failAfter;
    mutable int m_failures = 0;
};

} // namespace lapse::test
