// Which new requests the person at the console is told about: the ones they may decide, on targets they have
// not muted. The rules of who may decide are Policy's; this only asks it.
#pragma once

#include "core/Error.h"
#include "domain/AccessRequest.h"
#include "domain/Directory.h"
#include "domain/Event.h"

#include <QList>
#include <QSet>
#include <QString>
#include <optional>

namespace lapse
{

class ApproverAlerts
{
public:
    void setDirectory(const Directory& directory) { m_directory = directory; }
    void setApprover(const QString& principalId) { m_approver = principalId; }
    void setMutedTargets(const QSet<QString>& targets) { m_muted = targets; }
    QString approver() const { return m_approver; }
    QSet<QString> mutedTargets() const { return m_muted; }
    // Who the console acts as and the directory are both known; until then nobody is told anything.
    bool isReady() const { return m_directory.has_value() && !m_approver.isEmpty(); }

    // Ok when the approver should hear of this request; otherwise why not. Fails closed: an approver, target
    // or requester the directory does not know is a no. Not their own request, not one of a non-human
    // identity they own, not one they approved already, only with the approver role, only while pending.
    Status shouldNotify(const AccessRequest& request) const;

    // The requests created in these events that are pending, in the order they came.
    static QList<AccessRequest> newRequests(const QList<Event>& events);

private:
    std::optional<Directory> m_directory;
    QString m_approver;
    QSet<QString> m_muted;
};

} // namespace lapse
