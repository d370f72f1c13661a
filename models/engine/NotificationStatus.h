// Where outgoing notifications stand, for /metrics: implemented above the engine (models/notify) and
// installed with Engine::setNotifications, as TargetEnforcement is for enforcement.
#pragma once

#include <QList>
#include <QString>

namespace lapse
{

// One notification sink (a webhook) as the dispatcher sees it.
struct NotificationSinkStatus {
    QString id;
    qint64 delivered = 0; // deliveries answered 2xx since the process started
    qint64 failures = 0; // attempts that failed (no answer, timeout, non-2xx) since the process started
    qint64 cursor = 0; // the last event seq the sink is done with (delivered, or not one it takes)
};

class NotificationStatus
{
public:
    virtual ~NotificationStatus() = default;
    // Safe to call from any thread: the engine's thread reads it while the dispatcher's thread moves it on.
    virtual QList<NotificationSinkStatus> sinkStatus() const = 0;
};

} // namespace lapse
