// An identity that can act: a human, or a non-human one (service, workload, agent) with an owning human.
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace lapse
{

enum class PrincipalKind { Human, Service, Workload, Agent, Pipeline };

enum class Role : unsigned {
    Requester = 1u << 0,
    Approver = 1u << 1,
    Responder = 1u << 2,
    Auditor = 1u << 3,
    Admin = 1u << 4,
    ResourceServer = 1u << 5,
};

QString kindName(PrincipalKind kind);
bool kindFromName(const QString& name, PrincipalKind* out);
QString roleName(Role role);
bool roleFromName(const QString& name, Role* out);

struct Principal {
    QString id;
    PrincipalKind kind = PrincipalKind::Human;
    QString displayName;
    QString owner; // the owning human; required for every non-human principal
    QString spiffeId; // spiffe://trust-domain/path, workloads and agents
    QString oidcSubject; // an OIDC "sub", for workloads federated through an IdP
    unsigned roles = 0;
    // Resource servers: the targets whose credentials they may introspect and open sessions with.
    // Empty means every target.
    QStringList serves;

    bool isHuman() const { return kind == PrincipalKind::Human; }
    bool hasRole(Role r) const { return roles & unsigned(r); }
    QStringList roleNames() const;
    bool servesTarget(const QString& target) const { return serves.isEmpty() || serves.contains(target); }
    // The credential subject: the SPIFFE ID where there is one, else the principal id.
    QString subject() const { return spiffeId.isEmpty() ? id : spiffeId; }
    QJsonObject toJson() const;
};

} // namespace lapse
