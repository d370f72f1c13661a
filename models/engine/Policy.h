// Every access decision in one place. Pure functions over values: the engine and the API only ask.
#pragma once

#include "core/Error.h"
#include "domain/AccessRequest.h"
#include "domain/Principal.h"
#include "domain/Rule.h"
#include "domain/Target.h"

#include <QStringList>
#include <functional>
#include <optional>

namespace lapse
{

struct RequestInput {
    QString target;
    QStringList privileges;
    std::optional<QStringList> minPrivileges;
    QString task;
    QString reason;
    QString ticket;
    int ttlSeconds = 0;
    bool breakGlass = false;
};

struct ApproveInput {
    std::optional<QStringList> privileges; // narrower than requested, or as requested
    std::optional<int> ttlSeconds; // shorter than requested, or as requested
    QString comment;
};

// What a grant would be if the approvals so far were final.
struct ApprovalOutcome {
    QStringList privileges;
    int ttlSeconds = 0;
};

// One rule's view of a request: whether it applies, and why or why not, in one line.
struct RuleCheck {
    QString rule;
    QString effect;
    bool applies = false;
    QString why;
};

// What the directory's rules decide for a request.
struct RuleVerdict {
    const Rule* approvedBy = nullptr; // granted at once by this approve rule
    const Rule* raisedBy = nullptr; // the require rule asking the most approvals, when one applies
    int approvalsRequired = 1; // what a person-decided request needs (the target's, or more)
    int ttlSeconds = 0; // approvedBy: the TTL granted (the request's, within the rule's cap)
    QList<RuleCheck> checks; // the rules for the request's target, in the directory's order
    QString summary;
};

// Auto-approved grants a rule gave the requester since dayStartMs; checks a budget.
using RuleUsage = std::function<int(const Rule& rule, qint64 dayStartMs)>;

namespace Policy
{

constexpr int kMaxTextLength = 2000;
constexpr int kMaxPrivileges = 64;

// One line of text a person typed (task, reason, ticket, comment, note, label): refused (422, naming field)
// when it holds a C0 or C1 control character (NUL, tab, line breaks, ESC, DEL, U+0080..U+009F ...) or a
// lone surrogate, or is longer than maxLength. Such text ends up in terminals, spreadsheets and the log.
Status checkOneLine(const QString& text, const QString& field, int maxLength = kMaxTextLength);

// The caller holds the role, and is not locked out.
Status requireRole(const Principal& actor, Role role, bool actorLockedOut);
Status requireAnyRole(const Principal& actor, std::initializer_list<Role> roles, bool actorLockedOut);

// A new request is well-formed and within the target's rules.
Status checkRequest(const Principal& requester, const Target* target, const RequestInput& in, bool lockedOut);

// approver may approve this request with these narrowing choices. Separation of duties lives here.
Status checkApproval(const Principal& approver, const Principal* requester, const AccessRequest& r,
    const Target& target, const ApproveInput& in);
Status checkDenial(const Principal& approver, const AccessRequest& r, const QString& reason);

// The rules for one well-formed request (checkRequest passed). Break-glass and locked-out requesters are
// never approved by a rule; a require rule that applies sets every approve rule aside; otherwise the first
// approve rule that applies decides. usage may be empty: budgets are then not checked, and the checks say so.
RuleVerdict evaluateRules(const QList<Rule>& rules, const Principal& requester, const Target& target,
    const RequestInput& in, qint64 nowMs, bool lockedOut, const RuleUsage& usage);

// Folds the approvals (each may narrow) into the grant: intersection of privileges, shortest TTL.
Result<ApprovalOutcome> combine(const AccessRequest& r, const Target& target);

// Who may read a request (requester, its owner, or an approver/responder/auditor/admin).
bool canRead(const Principal& actor, const Principal* requester, const QString& requesterId);
// Who may end a grant early by completing it: the holder, or the owner of a non-human holder.
bool canComplete(const Principal& actor, const Principal* holder, const QString& holderId);

} // namespace Policy
} // namespace lapse
