// The notify decision for one new request, through Policy's own approval checks.
#include "ApproverAlerts.h"

#include "engine/Policy.h"

#include <QHash>
#include <QSet>

namespace lapse
{

Status ApproverAlerts::shouldNotify(const AccessRequest& request) const
{
    if (!isReady())
        return makeError(ErrorCode::Unavailable, QStringLiteral("who the console acts as is not known yet"));
    if (m_muted.contains(request.target))
        return makeError(ErrorCode::Forbidden,
            QStringLiteral("notifications for target %1 are muted").arg(request.target));
    const Principal* me = m_directory->principal(m_approver);
    if (!me)
        return makeError(ErrorCode::Forbidden, QStringLiteral("%1 is not in the directory").arg(m_approver));
    if (const Status s = Policy::requireRole(*me, Role::Approver, false); !s)
        return s;
    const Target* target = m_directory->target(request.target);
    if (!target)
        return makeError(
            ErrorCode::NotFound, QStringLiteral("target %1 is not in the directory").arg(request.target));
    return Policy::checkApproval(*me, m_directory->principal(request.requester), request, *target, {});
}

QList<AccessRequest> ApproverAlerts::newRequests(const QList<Event>& events)
{
    // A request a rule approves, or a break-glass, is created pending and decided in the same write: only
    // its latest state in the batch counts. Only the bodies of requests created here are read.
    QList<QString> created;
    QSet<QString> createdIds;
    for (const Event& e : events)
        if (e.type == QLatin1String("request.created") && !e.subject.isEmpty()
            && !createdIds.contains(e.subject)) {
            created << e.subject;
            createdIds.insert(e.subject);
        }
    if (created.isEmpty())
        return {};
    QHash<QString, const Event*> latest;
    for (const Event& e : events)
        if (createdIds.contains(e.subject) && e.type.startsWith(QLatin1String("request.")))
            latest.insert(e.subject, &e);
    QList<AccessRequest> out;
    for (const QString& id : std::as_const(created)) {
        const AccessRequest r = AccessRequest::fromJson(latest.value(id)->bodyJson());
        if (r.id == id && r.status == RequestStatus::Pending)
            out << r;
    }
    return out;
}

} // namespace lapse
