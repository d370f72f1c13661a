// FailingStore: each operation counts its calls and fails once its turn has come.
#include "FailingStore.h"

namespace lapse::test
{

std::optional<Error> FailingStore::fault(Op op) const
{
    const int call = m_calls.value(op);
    m_calls[op] = call + 1;
    const auto it = m_failAfter.constFind(op);
    if (it == m_failAfter.cend() || call < *it)
        return std::nullopt;
    ++m_failures;
    return makeError(
        ErrorCode::Internal, QStringLiteral("store: injected failure (operation %1)").arg(int(op)));
}

Status FailingStore::begin()
{
    if (auto e = fault(Op::Begin))
        return *e;
    return m_inner->begin();
}

Status FailingStore::commit()
{
    // As a real store does when its COMMIT fails: nothing of the transaction remains.
    if (auto e = fault(Op::Commit)) {
        m_inner->rollback();
        return *e;
    }
    return m_inner->commit();
}

Result<Event> FailingStore::append(
    const QString& type, const QString& actor, const QString& subject, const QJsonObject& body, qint64 tsMs)
{
    if (auto e = fault(Op::Append))
        return *e;
    return m_inner->append(type, actor, subject, body, tsMs);
}

Result<QList<Event>> FailingStore::appendMany(
    const QList<NewEvent>& events, const QList<QByteArray>& compactBodies, qint64 tsMs)
{
    if (auto e = fault(Op::AppendMany))
        return *e;
    return m_inner->appendMany(events, compactBodies, tsMs);
}

Status FailingStore::appendVerbatimMany(const QList<Event>& events, qint64* breakSeq)
{
    if (auto e = fault(Op::AppendVerbatim)) {
        *breakSeq = 0;
        return *e;
    }
    return m_inner->appendVerbatimMany(events, breakSeq);
}

Status FailingStore::putRequest(const AccessRequest& r)
{
    if (auto e = fault(Op::PutRequest))
        return *e;
    return m_inner->putRequest(r);
}

Status FailingStore::putGrant(const Grant& g)
{
    if (auto e = fault(Op::PutGrant))
        return *e;
    return m_inner->putGrant(g);
}

Status FailingStore::putSession(const Session& s)
{
    if (auto e = fault(Op::PutSession))
        return *e;
    return m_inner->putSession(s);
}

Status FailingStore::putLockout(const LockoutRecord& l)
{
    if (auto e = fault(Op::PutLockout))
        return *e;
    return m_inner->putLockout(l);
}

Status FailingStore::putApiKey(
    const QByteArray& keyHash, const QString& principal, qint64 createdMs, const QString& label)
{
    if (auto e = fault(Op::PutApiKey))
        return *e;
    return m_inner->putApiKey(keyHash, principal, createdMs, label);
}

Status FailingStore::putCheckpoint(qint64 size, const QByteArray& note, qint64 tsMs)
{
    if (auto e = fault(Op::PutCheckpoint))
        return *e;
    return m_inner->putCheckpoint(size, note, tsMs);
}

Result<QList<AccessRequest>> FailingStore::pendingRequestsDue(qint64 nowMs, int limit) const
{
    if (auto e = fault(Op::PendingRequestsDue))
        return *e;
    return m_inner->pendingRequestsDue(nowMs, limit);
}

Status FailingStore::insightHours(qint64 hourFrom, qint64 hourTo, const QString& target,
    const std::function<void(const InsightCell&)>& row) const
{
    if (auto e = fault(Op::InsightReads))
        return *e;
    return m_inner->insightHours(hourFrom, hourTo, target, row);
}

Status FailingStore::insightGrants(
    const InsightScope& scope, const std::function<void(const InsightCell&)>& row) const
{
    if (auto e = fault(Op::InsightReads))
        return *e;
    return m_inner->insightGrants(scope, row);
}

Status FailingStore::lingeringGrants(
    const InsightScope& scope, const std::function<void(const LingeringGrant&)>& row) const
{
    if (auto e = fault(Op::InsightReads))
        return *e;
    return m_inner->lingeringGrants(scope, row);
}

Status FailingStore::revokedGrants(
    const InsightScope& scope, const std::function<void(const RevokedGrant&)>& row) const
{
    if (auto e = fault(Op::InsightReads))
        return *e;
    return m_inner->revokedGrants(scope, row);
}

Status FailingStore::enforcedGrants(
    const InsightScope& scope, const std::function<void(const EnforcedGrant&)>& row) const
{
    if (auto e = fault(Op::InsightReads))
        return *e;
    return m_inner->enforcedGrants(scope, row);
}

Status FailingStore::grantStarts(
    const InsightScope& scope, const std::function<void(const GrantStart&)>& row) const
{
    if (auto e = fault(Op::InsightReads))
        return *e;
    return m_inner->grantStarts(scope, row);
}

} // namespace lapse::test
