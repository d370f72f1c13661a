// A request for access and the approvals it has gathered.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace lapse
{

enum class RequestStatus { Pending, Approved, Denied, Expired };
QString requestStatusName(RequestStatus s);
bool requestStatusFromName(const QString& name, RequestStatus* out);

struct Approval {
    QString approver;
    QStringList privileges;
    int ttlSeconds = 0;
    QString comment;
    qint64 atMs = 0;
    QJsonObject toJson() const;
    static Approval fromJson(const QJsonObject& o);
};

struct AccessRequest {
    QString id;
    QString requester;
    QString target;
    QStringList privileges; // requested
    std::optional<QStringList> minPrivileges; // what the task needs, when declared
    QString task;
    QString reason;
    QString ticket;
    int ttlSeconds = 0;
    bool breakGlass = false;
    RequestStatus status = RequestStatus::Pending;
    qint64 createdMs = 0;
    qint64 expiresMs = 0; // a pending request expires unreviewed at this time
    qint64 decidedMs = 0;
    QString decidedBy; // last approver, the denier, or "policy:..." for automatic decisions
    QString denyReason;
    QString grantId;
    QList<Approval> approvals;
    int approvalsRequired = 1;
    // The policy rule that approved it, or that raised the approvals it needs; with the rule's digest.
    QString rule;
    QString ruleDigest;

    QJsonObject toJson() const;
    static AccessRequest fromJson(const QJsonObject& o); // the inverse of toJson
};

} // namespace lapse
