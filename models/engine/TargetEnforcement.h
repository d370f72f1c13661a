// What the engine asks of a target it enforces on (a PostgreSQL database): implemented above the engine
// (models/enforcement) and installed with Engine::setEnforcement.
#pragma once

#include "core/Error.h"
#include "domain/Grant.h"
#include "domain/Target.h"

#include <QJsonObject>
#include <QStringList>

namespace lapse
{

// What is still to do on targets, for /metrics, lapsectl status and the console.
struct EnforcementSummary {
    int pending = 0; // ended grants whose end the target has not confirmed yet
    int provisioned = 0; // active grants holding a login
    qint64 verified = 0; // ends confirmed since the broker started
    QStringList unreachable; // "target: why" for each target whose last contact failed
};

class TargetEnforcement
{
public:
    virtual ~TargetEnforcement() = default;
    // Whether this enforcement answers for the target (its kind).
    virtual bool governs(const Target& target) const = 0;
    // Creates the grant's login on the target and commits it there. Called inside the approving transaction,
    // before the store commits: an error fails the approval and nothing is active. Returns what the grant
    // records about it (never the credential).
    virtual Result<QJsonObject> provision(const Target& target, const Grant& grant) = 0;
    // The store did not commit the grant provision() made a login for: take the login away again.
    virtual void abandon(const Target& target, const Grant& grant) = 0;
    // The target half of the requester's credential (user, password, connection string); only the requester
    // is ever handed this. An error when the grant has no login (ended, or lost).
    virtual Result<QJsonObject> credentialFor(const Target& target, const Grant& grant) = 0;
    virtual EnforcementSummary summary() const = 0;
};

} // namespace lapse
