// A policy rule from the directory: who may get what on which target without a person deciding, or with
// more people deciding than the target asks for.
#pragma once

#include "Principal.h"
#include "core/Error.h"

#include <QJsonObject>
#include <QList>
#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <QTimeZone>
#include <optional>

namespace lapse
{

struct Target;

// Days and a span of local time in a named zone. The span may wrap midnight (22:00 to 06:00); the day is the
// one the span starts on.
struct RuleHours {
    QTimeZone zone;
    QList<int> days; // Qt::DayOfWeek, 1 = Monday
    int fromMinute = 0; // minutes after local midnight, inclusive
    int toMinute = 24 * 60; // exclusive

    bool contains(qint64 utcMs) const;
    QString describe() const; // "mon-fri 08:00-18:00 Europe/Berlin"
};

struct Rule {
    enum class Effect { Approve, Require };

    QString id;
    // Who it covers: any of these principal ids, kinds, or owners of non-human principals. At least one list.
    QStringList requesterIds;
    QStringList requesterKinds;
    QStringList requesterOwners;
    QString target;
    QStringList privileges; // the most it may approve (approve) or the privileges it governs (require)
    int maxTtlSeconds = 0; // approve: the granted TTL is capped here
    QString ticketPattern; // anchored; empty: no ticket condition
    QRegularExpression ticketRe;
    std::optional<RuleHours> hours;
    int budgetPerDay
        = 0; // approve: at most this many auto-approved grants per identity per local day; 0: none
    QTimeZone budgetZone; // whose midnight ends a budget day
    Effect effect = Effect::Approve;
    int approvals = 0; // require: the approvals a covered request needs at least

    QJsonObject source; // as the directory gave it; what toJson returns and the digest covers
    QString digest; // hex SHA-256 of the source in compact JSON (keys sorted): recorded with each decision

    // Strict: an unknown key, a bad zone, pattern or range is refused with the rule's id and the reason.
    static Result<Rule> fromJson(const QJsonObject& o);
    QJsonObject toJson() const { return source; }

    // Within the directory: the target exists, the privileges are the target's, the TTL is within its cap.
    Status checkAgainst(const Target* target) const;

    bool covers(const Principal& p) const;
    QString coverage() const; // "ids ci-deploy; kinds pipeline"
    QString effectName() const
    {
        return effect == Effect::Approve ? QStringLiteral("approve") : QStringLiteral("require");
    }
    // The start of the budget day that contains utcMs (local midnight in budgetZone), in UTC milliseconds.
    qint64 budgetDayStartMs(qint64 utcMs) const;
};

} // namespace lapse
