// An approved request turned into access with a window: active until completed, revoked or expired.
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <optional>

namespace lapse
{

enum class GrantStatus { Active, Completed, Revoked, Expired };
QString grantStatusName(GrantStatus s);
bool grantStatusFromName(const QString& name, GrantStatus* out);

struct Grant {
    QString id; // also the credential's jti
    QString requestId;
    QString principal;
    QString target;
    QStringList privileges; // approved
    QStringList requestedPrivileges;
    std::optional<QStringList> minPrivileges;
    int ttlSeconds = 0;
    QStringList approvers; // empty for break-glass
    QString policy; // "approval", "break-glass", or "rule" (approved by the rule named below)
    QString rule; // the directory rule that approved it, and that rule's digest (hex SHA-256)
    QString ruleDigest;
    bool breakGlass = false;
    bool reviewed = false; // break-glass grants are reviewed after the fact
    QString task;
    QString ticket;
    QString reason;
    QString keyId;
    GrantStatus status = GrantStatus::Active;
    qint64 startsMs = 0;
    qint64 expiresMs = 0;
    qint64 endedMs = 0;
    QString endedBy;
    QString endReason;
    // Targets the broker enforces on (kind postgresql): "provisioned" while the login role exists for an
    // active grant, "pending" from the grant's end until the target confirmed it, "verified" once a login
    // with the credential was refused; empty for other targets. The detail says when and how (never the
    // credential itself).
    QString enforcement;
    QJsonObject enforcementDetail;

    bool isActiveAt(qint64 nowMs) const
    {
        return status == GrantStatus::Active && nowMs >= startsMs && nowMs < expiresMs;
    }
    // When access actually stopped (end of window or early end); 0 while active.
    QJsonObject toJson() const;
    static Grant fromJson(const QJsonObject& o); // the inverse of toJson
};

} // namespace lapse
