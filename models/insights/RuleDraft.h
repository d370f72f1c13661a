// From a redesign candidate to a policy rule: the approve rule its history suggests, and what that rule would
// have decided had it been in the directory over the period.
#pragma once

#include "backend/Backend.h"
#include "core/Error.h"
#include "domain/Directory.h"
#include "domain/Grant.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <functional>

namespace lapse
{

// The period's grants replayed one by one through Policy::evaluateRules with the draft alone, its daily
// budget counted as the replay goes.
struct RuleReplay {
    int grants = 0; // every grant of the identity on the target in the period
    int approved = 0; // the draft would have approved
    int overBudget = 0; // covered, but the day's budget was spent
    int beyondRule = 0; // asked for privileges the draft does not allow
    int breakGlass = 0; // never approved by a rule
    int otherwise = 0; // refused for another reason (a ticket not matching its pattern)
};

struct RuleDraft {
    QJsonObject rule; // as it would stand in the directory's "rules"
    QJsonObject request; // a typical request of the identity, in lapsectl policy test's form
    RuleReplay replay;

    // The rule as indented JSON, its keys in the order a person reads a rule (id first, effect last).
    QString ruleText() const;
    QString requestText() const; // compact JSON
    // The command that checks the rule once it is in the directory file.
    QString testCommand(const QString& directoryFile) const;

    // A rule id for the identity on the target: "<identity>-<target>", within what a rule id may hold.
    static QString ruleId(const QString& identity, const QString& target);

    // grants: the identity's grants on the target; only those that started in [fromMs, toMs) count. The draft
    // parses with Rule::fromJson and passes checkAgainst the directory's target, or this fails with why.
    static Result<RuleDraft> propose(const Directory& directory, const QString& identity,
        const QString& target, const QList<Grant>& grants, qint64 fromMs, qint64 toMs);

    // The same from the backend: its directory, and the identity's grants on the target, page by page. done
    // runs later on context's thread, never inside load(), and not at all once context is gone.
    using Done = std::function<void(const Result<RuleDraft>&)>;
    static void load(Backend* backend, QObject* context, const QString& identity, const QString& target,
        qint64 fromMs, qint64 toMs, Done done);
};

} // namespace lapse
