// A resource that access is requested for, with its policy knobs.
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace lapse
{

struct Target {
    QString id;
    QString kind; // "token", "database", "ssh", "cloud-role", ...
    QString description;
    QString owner; // the human accountable for the target
    QStringList privileges; // everything a grant on this target could ever hold
    int maxTtlSeconds = 3600;
    int approvalsRequired = 1;
    bool requireTicket = false;
    bool breakGlassAllowed = false;
    int breakGlassMaxTtlSeconds = 900;
    int pendingTimeoutSeconds = 24 * 3600;

    QJsonObject toJson() const;
};

} // namespace lapse
