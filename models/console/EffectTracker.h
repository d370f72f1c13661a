// Follows an incident action (revoke, terminate, lockout) until the backend confirms it took effect.
#pragma once

#include "backend/Backend.h"

#include <QHash>
#include <QJsonObject>
#include <QPointer>
#include <QSet>

namespace lapse
{

// The console shows this tracker's text after each action. It only ever states what the backend has
// confirmed: the grant's status read back through the API, and sessions closed as reported by events.
class EffectTracker : public QObject
{
    Q_OBJECT
public:
    enum class Action { None, Revoke, Terminate, Lockout };

    explicit EffectTracker(Backend* backend, QObject* parent = nullptr);

    // Call after the backend acknowledged the action, with its response body.
    void trackRevoke(const QString& grantId, const QJsonObject& response);
    void trackTerminate(const QString& sessionId, const QJsonObject& response);
    void trackLockout(const QString& principalId, const QJsonObject& response);
    void clear();

    Action action() const { return m_action; }
    QString subject() const { return m_subject; }
    QString text() const { return m_text; }
    int sessionsExpected() const { return m_sessionsOpen.size() + m_sessionsClosed.size(); }
    // Everything the action promised is confirmed.
    bool complete() const;

public slots:
    void applyEvents(const QList<lapse::Event>& events);

signals:
    void changed(const QString& text, bool complete);

private:
    void start(Action action, const QString& subject, qint64 atMs);
    void verifyGrants(const QStringList& grantIds);
    void loadSessions(const QUrlQuery& query, const QSet<QString>& only);
    void render();
    static QString clockText(qint64 ms);

    QPointer<Backend> m_backend;
    Action m_action = Action::None;
    QString m_subject;
    quint64 m_generation = 0; // answers to an older action are dropped
    qint64 m_atMs = 0;
    int m_grantsExpected = 0;
    int m_grantsEnded = 0;
    bool m_grantsConfirmed = false;
    bool m_sessionsKnown = false;
    QString m_problem;
    QSet<QString> m_sessionsOpen;
    QSet<QString> m_sessionsClosed;
    qint64 m_lastClosedMs = 0;
    int m_requestsDenied = 0;
    QString m_text;
    // Grants on enforced targets (PostgreSQL): pending until the target refused a login with the credential.
    QSet<QString> m_enforcementPending;
    QHash<QString, QJsonObject> m_enforcementVerified; // grant id -> its revocation.verified detail
    QString m_enforcementProblem; // the target's last reason it is not confirmed yet
    bool m_closedByTarget = false; // a terminated session's end came from the target itself
    void noteEnforcement(const QString& grantId, const QJsonObject& grant);
};

} // namespace lapse
