// The read side re-checks everything that can change after the engine answered: the grant, both lockouts,
// time.
#include "IntrospectionSnapshot.h"

#include "Crypto.h"

namespace lapse
{

std::optional<QByteArray> IntrospectionSnapshot::activeAnswer(
    const QByteArray& apiKey, const QByteArray& token, qint64 nowMs) const
{
    if (!apiKey.startsWith("lapse_") || apiKey.size() > 128)
        return std::nullopt;
    const QByteArray hash = crypto::sha256Hex(apiKey);
    // Loaded before the answer is looked up: whatever the engine applied up to here is in what is read below.
    const qint64 applied = m_appliedSeq.load(std::memory_order_acquire);
    QReadLocker lock(&m_lock);
    const auto key = m_apiKeys.constFind(hash);
    if (key == m_apiKeys.cend())
        return std::nullopt;
    const auto it = m_answers.constFind(token);
    if (it == m_answers.cend() || !it->servedTo.contains(*key))
        return std::nullopt;
    const Answer& a = it->answer;
    if (const auto l = m_lockouts.constFind(*key); l != m_lockouts.cend() && l->active)
        return std::nullopt;
    if (const auto l = m_lockouts.constFind(a.grantPrincipal);
        l != m_lockouts.cend() && (l->active || a.startsMs < l->notBeforeMs))
        return std::nullopt;
    if (nowMs < a.startsMs || nowMs >= a.validUntilMs)
        return std::nullopt; // expiry is the engine's to record
    const QByteArray body = a.body;
    lock.unlock();
    // Another broker may have ended the grant since: the answer stands only if nothing was committed after
    // what the engine applied, read now (after the question came), so no commit that ended access is missed.
    if (m_committedHead && m_committedHead() > applied)
        return std::nullopt;
    m_answered.fetch_add(1, std::memory_order_relaxed);
    return body;
}

void IntrospectionSnapshot::putApiKey(const QByteArray& keyHash, const QString& principal)
{
    QWriteLocker lock(&m_lock);
    m_apiKeys.insert(keyHash, principal);
}

void IntrospectionSnapshot::putAnswer(
    const QByteArray& token, const QString& resourceServer, const Answer& answer)
{
    QWriteLocker lock(&m_lock);
    if (m_answers.size() >= kMaxAnswers) {
        m_answers.clear();
        m_tokensByGrant.clear();
    }
    auto it = m_answers.find(token);
    if (it == m_answers.end()) {
        it = m_answers.insert(token, Entry {answer, {}});
        m_tokensByGrant[answer.grantId].append(token);
    }
    if (!it->servedTo.contains(resourceServer))
        it->servedTo.append(resourceServer);
}

bool IntrospectionSnapshot::hasAnswer(const QByteArray& token, const QString& resourceServer) const
{
    QReadLocker lock(&m_lock);
    const auto it = m_answers.constFind(token);
    return it != m_answers.cend() && it->servedTo.contains(resourceServer);
}

void IntrospectionSnapshot::endGrant(const QString& grantId)
{
    QWriteLocker lock(&m_lock);
    for (const QByteArray& token : m_tokensByGrant.take(grantId))
        m_answers.remove(token);
}

void IntrospectionSnapshot::setLockout(const QString& principal, bool active, qint64 notBeforeMs)
{
    QWriteLocker lock(&m_lock);
    m_lockouts.insert(principal, Lockout {active, notBeforeMs});
}

void IntrospectionSnapshot::clearAnswers()
{
    QWriteLocker lock(&m_lock);
    m_answers.clear();
    m_tokensByGrant.clear();
}

} // namespace lapse
