// A TargetEnforcement without a target: every login "made", nothing to hand out, for tests of what the
// engine, the models and the metrics do with enforced grants (tests/integration/TestPgEnforcement has the
// real one).
#pragma once

#include "domain/Directory.h"
#include "engine/TargetEnforcement.h"

namespace lapse::test
{

struct FakeEnforcement : TargetEnforcement {
    bool governs(const Target& t) const override { return t.isPostgresql(); }
    Result<QJsonObject> provision(const Target&, const Grant&) override { return QJsonObject {}; }
    void abandon(const Target&, const Grant&) override { }
    Result<QJsonObject> credentialFor(const Target&, const Grant&) override { return QJsonObject {}; }
    EnforcementSummary summary() const override { return {}; }
};

// makeDirectory() plus pg-billing, a postgresql target (owner dave; read, write) for FakeEnforcement.
inline Directory directoryWithPostgresTarget(Directory d)
{
    Target pg;
    pg.id = QStringLiteral("pg-billing");
    pg.kind = QStringLiteral("postgresql");
    pg.owner = QStringLiteral("dave");
    pg.privileges = {QStringLiteral("read"), QStringLiteral("write")};
    pg.catalogue = {{QStringLiteral("read"), QStringLiteral("billing_read")},
        {QStringLiteral("write"), QStringLiteral("billing_write")}};
    d.addTarget(pg);
    return d;
}

} // namespace lapse::test
