// Confirms an incident action through the API and the event stream before saying it took effect.
#include "EffectTracker.h"

#include "core/Clock.h"

#include <QDateTime>
#include <QJsonArray>

namespace lapse
{

EffectTracker::EffectTracker(Backend* backend, QObject* parent)
    : QObject(parent)
    , m_backend(backend)
{
}

QString EffectTracker::clockText(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
}

bool EffectTracker::complete() const
{
    if (m_action == Action::None)
        return false;
    if (m_action == Action::Terminate)
        return m_sessionsKnown && m_sessionsOpen.isEmpty();
    return m_grantsConfirmed && m_sessionsKnown && m_sessionsOpen.isEmpty() && m_enforcementPending.isEmpty();
}

void EffectTracker::clear()
{
    ++m_generation;
    m_action = Action::None;
    m_subject.clear();
    m_text.clear();
    emit changed(m_text, false);
}

void EffectTracker::start(Action action, const QString& subject, qint64 atMs)
{
    ++m_generation;
    m_action = action;
    m_subject = subject;
    m_atMs = atMs ? atMs : Clock::now();
    m_grantsExpected = m_grantsEnded = 0;
    m_grantsConfirmed = false;
    m_sessionsKnown = false;
    m_problem.clear();
    m_sessionsOpen.clear();
    m_sessionsClosed.clear();
    m_lastClosedMs = 0;
    m_requestsDenied = 0;
    m_enforcementPending.clear();
    m_enforcementVerified.clear();
    m_enforcementProblem.clear();
    m_closedByTarget = false;
}

void EffectTracker::noteEnforcement(const QString& grantId, const QJsonObject& grant)
{
    const QJsonObject e = grant["enforcement"].toObject();
    const QString state = e["state"].toString();
    if (state == QLatin1String("verified")) {
        m_enforcementPending.remove(grantId);
        m_enforcementVerified.insert(grantId, e);
    } else if (state == QLatin1String("pending") || state == QLatin1String("provisioned")) {
        if (!m_enforcementVerified.contains(grantId))
            m_enforcementPending.insert(grantId);
        if (!e["error"].toString().isEmpty())
            m_enforcementProblem = e["error"].toString();
    }
}

void EffectTracker::trackRevoke(const QString& grantId, const QJsonObject& response)
{
    start(Action::Revoke, grantId, Clock::fromIso(response["ended_at"].toString()));
    render();
    verifyGrants({grantId});
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("grant"), grantId);
    loadSessions(q, {});
}

void EffectTracker::trackTerminate(const QString& sessionId, const QJsonObject& response)
{
    start(Action::Terminate, sessionId, Clock::fromIso(response["terminate_requested_at"].toString()));
    m_sessionsKnown = true;
    if (response["ended_at"].isString()) {
        m_sessionsClosed.insert(sessionId);
        m_lastClosedMs = Clock::fromIso(response["ended_at"].toString());
    } else {
        m_sessionsOpen.insert(sessionId);
    }
    render();
}

void EffectTracker::trackLockout(const QString& principalId, const QJsonObject& response)
{
    start(Action::Lockout, principalId, Clock::fromIso(response["locked_at"].toString()));
    QStringList grants;
    for (const auto& v : response["revoked_grants"].toArray())
        grants << v.toString();
    QSet<QString> sessions;
    for (const auto& v : response["terminated_sessions"].toArray())
        sessions.insert(v.toString());
    m_requestsDenied = response["denied_requests"].toArray().size();
    render();
    verifyGrants(grants);
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("principal"), principalId);
    loadSessions(q, sessions);
}

void EffectTracker::verifyGrants(const QStringList& grantIds)
{
    m_grantsExpected = grantIds.size();
    if (grantIds.isEmpty()) {
        m_grantsConfirmed = true;
        return;
    }
    const quint64 gen = m_generation;
    for (const QString& id : grantIds) {
        if (!m_backend)
            return;
        m_backend->call("GET", QStringLiteral("/v1/grants/%1").arg(id), {}, {},
            [this, gen, guard = QPointer<EffectTracker>(this)](const ApiResult& r) {
                if (!guard || gen != m_generation)
                    return;
                if (!r) {
                    m_problem = tr("could not read the grant back: %1").arg(r.error().message);
                } else if (r->value("status").toString() != QLatin1String("active")) {
                    noteEnforcement(r->value("id").toString(), r.value());
                    ++m_grantsEnded;
                    m_grantsConfirmed = m_grantsEnded == m_grantsExpected;
                } else {
                    m_problem = tr("the broker still reports the grant active");
                }
                render();
            });
    }
}

void EffectTracker::loadSessions(const QUrlQuery& query, const QSet<QString>& only)
{
    if (!m_backend)
        return;
    const quint64 gen = m_generation;
    m_backend->call("GET", QStringLiteral("/v1/sessions"), {}, query,
        [this, gen, only, guard = QPointer<EffectTracker>(this)](const ApiResult& r) {
            if (!guard || gen != m_generation)
                return;
            if (!r) {
                m_problem = tr("could not list the sessions: %1").arg(r.error().message);
                render();
                return;
            }
            for (const auto& v : r->value("items").toArray()) {
                const QJsonObject s = v.toObject();
                const QString id = s["id"].toString();
                if (!only.isEmpty() && !only.contains(id))
                    continue;
                if (m_sessionsClosed.contains(id))
                    continue; // an event was faster than this answer
                if (s["ended_at"].isString()) {
                    const qint64 ended = Clock::fromIso(s["ended_at"].toString());
                    if (ended >= m_atMs) { // closed because of this action, not before it
                        m_sessionsClosed.insert(id);
                        m_lastClosedMs = qMax(m_lastClosedMs, ended);
                    }
                } else {
                    m_sessionsOpen.insert(id);
                }
            }
            m_sessionsKnown = true;
            render();
        });
}

void EffectTracker::applyEvents(const QList<Event>& events)
{
    if (m_action == Action::None)
        return;
    bool touched = false;
    for (const Event& e : events) {
        if (e.type == QLatin1String("revocation.verified")
            || e.type == QLatin1String("enforcement.pending")) {
            if (m_enforcementPending.contains(e.subject)) {
                noteEnforcement(e.subject, e.bodyJson());
                touched = true;
            }
            continue;
        }
        if (e.type != QLatin1String("session.ended"))
            continue;
        if (m_sessionsOpen.remove(e.subject) || (!m_sessionsKnown && m_action != Action::Terminate)) {
            m_sessionsClosed.insert(e.subject);
            m_lastClosedMs = qMax(m_lastClosedMs, e.tsMs);
            m_closedByTarget = m_closedByTarget || e.actor.startsWith(QLatin1String("target:"));
            touched = true;
        }
    }
    if (touched)
        render();
}

void EffectTracker::render()
{
    const QString at = clockText(m_atMs);
    const int expected = sessionsExpected();
    QString sessions;
    if (!m_sessionsKnown)
        sessions = tr("checking sessions…");
    else if (expected == 0)
        sessions = tr("no open sessions");
    else
        sessions = tr("%1 of %2 sessions confirmed closed").arg(m_sessionsClosed.size()).arg(expected);

    switch (m_action) {
    case Action::None:
        m_text.clear();
        break;
    case Action::Revoke:
        m_text = m_grantsConfirmed
            ? tr("Revoked at %1 — introspection refusing; %2").arg(at, sessions)
            : tr("Revoke recorded at %1 — waiting for the broker to confirm the grant ended…").arg(at);
        break;
    case Action::Terminate:
        m_text = m_sessionsOpen.isEmpty()
            ? (m_closedByTarget
                    ? tr("Session closed at %1, confirmed by the target (termination ordered at %2)")
                    : tr("Session closed at %1 (termination ordered at %2)"))
                  .arg(clockText(m_lastClosedMs), at)
            : tr("Termination ordered at %1 — waiting for the resource server to confirm the session closed")
                  .arg(at);
        break;
    case Action::Lockout:
        m_text = m_grantsConfirmed
            ? tr("%1 locked out at %2 — grants revoked: %3, introspection refusing; %4; new requests refused")
                  .arg(m_subject, at)
                  .arg(m_grantsExpected)
                  .arg(sessions)
            : tr("%1 locked out at %2 — waiting for the broker to confirm its grants ended…")
                  .arg(m_subject, at);
        if (m_requestsDenied > 0)
            m_text += QLatin1Char(' ') + tr("(pending requests denied: %1)").arg(m_requestsDenied);
        break;
    }
    // Enforced targets: only what the target confirmed, never before it is true.
    if (m_grantsConfirmed && (m_action == Action::Revoke || m_action == Action::Lockout)) {
        if (!m_enforcementPending.isEmpty()) {
            m_text += QLatin1String("; ")
                + (m_enforcementProblem.isEmpty()
                        ? tr("enforcement pending on the target…")
                        : tr("enforcement pending on the target: %1").arg(m_enforcementProblem));
        } else if (!m_enforcementVerified.isEmpty()) {
            qint64 refused = 0;
            int gone = 0, atEnd = 0;
            for (const QJsonObject& v : std::as_const(m_enforcementVerified)) {
                refused = qMax(refused, Clock::fromIso(v["login_refused_at"].toString()));
                gone += v["sessions_gone"].toInt();
                atEnd += v["sessions_at_end"].toInt();
            }
            m_text += QLatin1String("; ")
                + tr("verified: login refused at %1, %2 of %3 sessions gone")
                      .arg(clockText(refused))
                      .arg(gone)
                      .arg(atEnd);
        }
    }
    if (!m_problem.isEmpty() && m_action != Action::None)
        m_text += QLatin1String(" — ") + tr("not confirmed: %1").arg(m_problem);
    emit changed(m_text, complete());
}

} // namespace lapse
