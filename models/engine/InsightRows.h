// The rows a store's insight rollups answer with: what each grant adds to the metrics, and the few per-grant
// facts the metrics read beside the sums. Store-neutral, so every Store implementation answers in these.
#pragma once

#include <QString>
#include <QStringList>
#include <optional>

namespace lapse
{

// What one grant adds to the rollups. Every field sums, except window (the largest count of grants of the
// same identity, target and privileges within the default repeat window, ending at this grant: a maximum).
struct GrantContribution {
    qint64 grants = 0, breakGlass = 0, withMinimum = 0, excess = 0, narrowed = 0, withUsage = 0, unused = 0;
    qint64 ended = 0, ttlSeconds = 0, usedMs = 0, completed = 0, expired = 0, revoked = 0;
    qint64 recordComplete = 0; // task, reason, approver or policy, expiry (the owner is checked per identity)
    qint64 lingering = 0, lingeringMs = 0; // sessions closed after their grant ended
    qint64 uses = 0; // credential presented after its grant ended
    qint64 revocations = 0, unconfirmed = 0; // revoked; of those, with sessions still not confirmed closed
    qint64 window = 0;

    GrantContribution& operator+=(const GrantContribution& o);
    GrantContribution operator-(const GrantContribution& o) const;
};

// A group's contribution on one day (UTC days since the epoch): identity, target, privilege set (the approved
// privileges, sorted and space-separated).
struct InsightCell {
    qint64 day = 0;
    QString principal, target, privileges;
    GrantContribution contribution;
};

// A grant with sessions still open after it ended.
struct LingeringGrant {
    QString grantId, principal, target;
    qint64 startMs = 0, endedMs = 0;
    QStringList sessions;
};

// A revoked grant: when its last session open at the revoke was confirmed closed (nullopt: never confirmed).
struct RevokedGrant {
    QString principal;
    std::optional<qint64> effectMs;
};

// A grant on an enforced target (postgresql): whether it ended, and from its end to the login refused once
// verified (nullopt: not verified yet).
struct EnforcedGrant {
    QString principal;
    bool ended = false;
    std::optional<qint64> lagMs;
};

// When a grant of a group started.
struct GrantStart {
    QString principal, target, privileges;
    qint64 startMs = 0;
};

// Grants whose window started in [fromMs, toMs), on one target or all (empty).
struct InsightScope {
    qint64 fromMs = 0, toMs = 0;
    QString target;
};

} // namespace lapse
