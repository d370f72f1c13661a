// Introspections the engine already answered active, readable from any thread without the engine's.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QReadWriteLock>
#include <QString>
#include <atomic>
#include <functional>
#include <optional>

namespace lapse
{

// The engine's thread writes; any thread reads. A reader only ever repeats an answer the engine gave, and
// only while nothing the engine knows has taken it away: changes that take access away (a grant ending, a
// lockout, a key rotation) are made here before the engine commits them, changes that give access only after.
// A reader that finds no answer asks the engine, which decides and, when the answer is active, puts it here.
class IntrospectionSnapshot
{
public:
    static constexpr int kMaxAnswers = 200000;

    // --- any thread ---
    // The engine's compact-JSON answer for this caller and token, when it is still active at nowMs; counted.
    std::optional<QByteArray> activeAnswer(
        const QByteArray& apiKey, const QByteArray& token, qint64 nowMs) const;
    // Introspections answered here (each was active): the engine adds them to its counters.
    qint64 answered() const { return m_answered.load(std::memory_order_relaxed); }

    // --- the engine's thread only ---
    // On a store other brokers write too: the committed head, read from the store by any thread. An answer is
    // repeated here only while the engine has applied every commit up to it; otherwise the engine is asked,
    // and it follows the store first. Without it (one writer), answers need no such check.
    void setCommittedHead(std::function<qint64()> committedHead)
    {
        m_committedHead = std::move(committedHead);
    }
    // The last seq the engine has applied (its own commits and what it followed of others').
    void setAppliedSeq(qint64 seq) { m_appliedSeq.store(seq, std::memory_order_release); }
    void putApiKey(const QByteArray& keyHash, const QString& principal);
    struct Answer {
        QString grantId;
        QString grantPrincipal;
        qint64 startsMs = 0;
        qint64 validUntilMs = 0; // the token's exp and the grant's end, whichever is first
        QByteArray body;
    };
    // Records that `resourceServer` was answered `answer` for `token`.
    void putAnswer(const QByteArray& token, const QString& resourceServer, const Answer& answer);
    bool hasAnswer(const QByteArray& token, const QString& resourceServer) const;
    void endGrant(const QString& grantId);
    void setLockout(const QString& principal, bool active, qint64 notBeforeMs);
    void clearAnswers();

private:
    struct Entry {
        Answer answer;
        QList<QString> servedTo; // resource servers the engine answered active for
    };
    struct Lockout {
        bool active = false;
        qint64 notBeforeMs = 0;
    };
    mutable QReadWriteLock m_lock;
    QHash<QByteArray, QString> m_apiKeys; // sha256 hex -> principal
    QHash<QByteArray, Entry> m_answers; // token -> answer
    QHash<QString, QList<QByteArray>> m_tokensByGrant;
    QHash<QString, Lockout> m_lockouts;
    mutable std::atomic<qint64> m_answered {0};
    std::function<qint64()> m_committedHead;
    std::atomic<qint64> m_appliedSeq {0};
};

} // namespace lapse
