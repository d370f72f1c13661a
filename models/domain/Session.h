// A session a resource server opened with a credential; lingering while open after its grant ended.
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace lapse
{

enum class SessionState { Live, Lingering, Ended };
QString sessionStateName(SessionState s);

struct Session {
    QString id;
    QString grantId;
    QString principal;
    QString target;
    QString resourceServer; // who reported it
    QStringList privilegesUsed;
    qint64 openedMs = 0;
    qint64 endedMs = 0; // 0 while open
    qint64 terminateRequestedMs = 0; // when the broker ordered it closed
    QString terminateReason;
    qint64 grantEndedMs = 0; // copied from the grant when it ends; 0 while the grant is active
    // A session the broker saw on a target itself (a PostgreSQL backend): what the target says about it.
    int backendPid = 0;
    QString clientAddr;
    QString applicationName;
    qint64 backendStartMs = 0;
    QString endedHow; // for target sessions: "disconnected" or "terminated" (confirmed by the target)

    bool isOpen() const { return endedMs == 0; }
    SessionState state() const
    {
        if (!isOpen())
            return SessionState::Ended;
        return grantEndedMs ? SessionState::Lingering : SessionState::Live;
    }
    // Milliseconds this session stayed open after its grant ended, up to nowMs while still open.
    qint64 lingeringMs(qint64 nowMs) const;
    QJsonObject toJson(qint64 nowMs) const;
    static Session fromJson(const QJsonObject& o); // the inverse of toJson
};

} // namespace lapse
