// The rules: roles, separation of duties, narrowing only, TTL caps, quorum, reasons and tickets, break-glass.
#include "Policy.h"

#include <QDateTime>
#include <QSet>

namespace lapse::Policy
{

namespace
{
Error forbidden(const QString& m)
{
    return makeError(ErrorCode::Forbidden, m);
}
Error invalid(const QString& m)
{
    return makeError(ErrorCode::Invalid, m);
}
Error conflict(const QString& m)
{
    return makeError(ErrorCode::Conflict, m);
}

bool isSubset(const QStringList& a, const QStringList& b)
{
    for (const auto& x : a)
        if (!b.contains(x))
            return false;
    return true;
}

Status checkPrivilegeList(const QStringList& list, const QString& field)
{
    if (list.size() > kMaxPrivileges)
        return invalid(QStringLiteral("%1 lists more than %2 privileges").arg(field).arg(kMaxPrivileges));
    if (QSet<QString>(list.begin(), list.end()).size() != list.size())
        return invalid(QStringLiteral("%1 lists a privilege twice").arg(field));
    return Ok {};
}
} // namespace

Status requireRole(const Principal& actor, Role role, bool actorLockedOut)
{
    return requireAnyRole(actor, {role}, actorLockedOut);
}

Status requireAnyRole(const Principal& actor, std::initializer_list<Role> roles, bool actorLockedOut)
{
    if (actorLockedOut)
        return forbidden(QStringLiteral("%1 is locked out").arg(actor.id));
    QStringList names;
    for (Role r : roles) {
        if (actor.hasRole(r))
            return Ok {};
        names << roleName(r);
    }
    return forbidden(
        QStringLiteral("%1 lacks the %2 role").arg(actor.id, names.join(QStringLiteral(" or "))));
}

Status checkRequest(const Principal& requester, const Target* target, const RequestInput& in, bool lockedOut)
{
    if (const Status s = requireRole(requester, Role::Requester, lockedOut); !s)
        return s;
    if (!target)
        return invalid(QStringLiteral("unknown target '%1'").arg(in.target));
    if (in.privileges.isEmpty())
        return invalid(QStringLiteral("privileges: name at least one privilege"));
    if (const Status s = checkPrivilegeList(in.privileges, QStringLiteral("privileges")); !s)
        return s;
    for (const auto& p : in.privileges)
        if (!target->privileges.contains(p))
            return invalid(QStringLiteral("target %1 has no privilege '%2' (it offers: %3)")
                               .arg(target->id, p, target->privileges.join(QStringLiteral(", "))));
    if (in.minPrivileges) {
        if (const Status s = checkPrivilegeList(*in.minPrivileges, QStringLiteral("min_privileges")); !s)
            return s;
        if (!isSubset(*in.minPrivileges, in.privileges))
            return invalid(QStringLiteral("min_privileges must be within the requested privileges"));
    }
    if (in.reason.trimmed().isEmpty())
        return invalid(QStringLiteral("reason is required"));
    for (const auto& [text, field, max] : {std::tuple {&in.task, "task", kMaxTextLength},
             std::tuple {&in.reason, "reason", kMaxTextLength}, std::tuple {&in.ticket, "ticket", 200}})
        if (const Status s = checkOneLine(*text, QLatin1String(field), max); !s)
            return s;
    if (target->requireTicket && in.ticket.trimmed().isEmpty())
        return invalid(QStringLiteral("target %1 requires a ticket").arg(target->id));
    if (in.ttlSeconds <= 0)
        return invalid(QStringLiteral("ttl_seconds must be positive"));
    if (in.breakGlass) {
        if (!target->breakGlassAllowed)
            return invalid(QStringLiteral("target %1 does not allow break-glass access").arg(target->id));
        if (in.ttlSeconds > target->breakGlassMaxTtlSeconds)
            return invalid(QStringLiteral("break-glass on %1 is capped at %2 seconds")
                               .arg(target->id)
                               .arg(target->breakGlassMaxTtlSeconds));
    } else if (in.ttlSeconds > target->maxTtlSeconds) {
        return invalid(QStringLiteral("ttl_seconds %1 is over the cap of %2 for %3")
                           .arg(in.ttlSeconds)
                           .arg(target->maxTtlSeconds)
                           .arg(target->id));
    }
    return Ok {};
}

Status checkApproval(const Principal& approver, const Principal* requester, const AccessRequest& r,
    const Target& target, const ApproveInput& in)
{
    if (r.status != RequestStatus::Pending)
        return conflict(
            QStringLiteral("request %1 is %2, not pending").arg(r.id, requestStatusName(r.status)));
    if (approver.id == r.requester)
        return forbidden(
            QStringLiteral("separation of duties: %1 cannot approve their own request").arg(approver.id));
    // A non-human requester acts for its owner: the owner approving would be self-approval by proxy.
    if (!requester)
        return forbidden(QStringLiteral("requester %1 is no longer in the directory").arg(r.requester));
    if (!requester->isHuman() && requester->owner == approver.id)
        return forbidden(QStringLiteral("separation of duties: %1 owns %2 and cannot approve its request")
                             .arg(approver.id, r.requester));
    for (const auto& a : r.approvals)
        if (a.approver == approver.id)
            return conflict(QStringLiteral("%1 has already approved request %2").arg(approver.id, r.id));
    if (in.privileges) {
        if (in.privileges->isEmpty())
            return invalid(QStringLiteral("privileges: approve at least one privilege, or deny"));
        if (const Status s = checkPrivilegeList(*in.privileges, QStringLiteral("privileges")); !s)
            return s;
        for (const auto& p : *in.privileges)
            if (!r.privileges.contains(p))
                return invalid(QStringLiteral("approvers may only narrow: '%1' was not requested").arg(p));
    }
    if (in.ttlSeconds) {
        if (*in.ttlSeconds <= 0)
            return invalid(QStringLiteral("ttl_seconds must be positive"));
        if (*in.ttlSeconds > r.ttlSeconds)
            return invalid(
                QStringLiteral("approvers may only shorten: %1 s is longer than the requested %2 s")
                    .arg(*in.ttlSeconds)
                    .arg(r.ttlSeconds));
        if (*in.ttlSeconds > target.maxTtlSeconds)
            return invalid(QStringLiteral("ttl_seconds %1 is over the cap of %2 for %3")
                               .arg(*in.ttlSeconds)
                               .arg(target.maxTtlSeconds)
                               .arg(target.id));
    }
    return checkOneLine(in.comment, QStringLiteral("comment"));
}

Status checkOneLine(const QString& text, const QString& field, int maxLength)
{
    if (text.size() > maxLength)
        return invalid(QStringLiteral("%1 is too long (at most %2 characters)").arg(field).arg(maxLength));
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text.at(i).unicode();
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
            return invalid(QStringLiteral("%1 holds a control character (U+%2 at position %3): one line of "
                                          "printable text is expected")
                               .arg(field)
                               .arg(uint(c), 4, 16, QLatin1Char('0'))
                               .arg(i + 1));
        if (QChar::isHighSurrogate(c) && i + 1 < text.size()
            && QChar::isLowSurrogate(text.at(i + 1).unicode())) {
            ++i;
            continue;
        }
        if (QChar::isSurrogate(c))
            return invalid(QStringLiteral("%1 is not valid Unicode (a lone surrogate at position %2)")
                               .arg(field)
                               .arg(i + 1));
    }
    return Ok {};
}

Status checkDenial(const Principal& approver, const AccessRequest& r, const QString& reason)
{
    Q_UNUSED(approver);
    if (r.status != RequestStatus::Pending)
        return conflict(
            QStringLiteral("request %1 is %2, not pending").arg(r.id, requestStatusName(r.status)));
    if (reason.trimmed().isEmpty())
        return invalid(QStringLiteral("a reason is required to deny"));
    return checkOneLine(reason, QStringLiteral("reason"));
}

Result<ApprovalOutcome> combine(const AccessRequest& r, const Target& target)
{
    ApprovalOutcome out;
    out.privileges = r.privileges;
    out.ttlSeconds = qMin(r.ttlSeconds, r.breakGlass ? target.breakGlassMaxTtlSeconds : target.maxTtlSeconds);
    for (const auto& a : r.approvals) {
        QStringList kept;
        for (const auto& p : out.privileges)
            if (a.privileges.contains(p))
                kept << p;
        out.privileges = kept;
        if (a.ttlSeconds > 0)
            out.ttlSeconds = qMin(out.ttlSeconds, a.ttlSeconds);
    }
    if (out.privileges.isEmpty())
        return invalid(QStringLiteral("the approvals share no privilege: nothing would be granted"));
    return out;
}

RuleVerdict evaluateRules(const QList<Rule>& rules, const Principal& requester, const Target& target,
    const RequestInput& in, qint64 nowMs, bool lockedOut, const RuleUsage& usage)
{
    RuleVerdict v;
    v.approvalsRequired = in.breakGlass ? 0 : target.approvalsRequired;
    const Rule* approve = nullptr;
    for (const Rule& rule : rules) {
        if (rule.target != target.id)
            continue;
        RuleCheck c;
        c.rule = rule.id;
        c.effect = rule.effectName();
        QStringList why;
        if (!rule.covers(requester))
            why << QStringLiteral("does not cover %1 (%2; it covers %3)")
                       .arg(requester.id, kindName(requester.kind), rule.coverage());
        const bool isApprove = rule.effect == Rule::Effect::Approve;
        if (isApprove) {
            QStringList beyond;
            for (const auto& p : in.privileges)
                if (!rule.privileges.contains(p))
                    beyond << p;
            if (!beyond.isEmpty())
                why << QStringLiteral("asks for %1, beyond what it may approve (%2)")
                           .arg(
                               beyond.join(QStringLiteral(", ")), rule.privileges.join(QStringLiteral(", ")));
        } else if (!rule.privileges.isEmpty()) {
            bool touches = false;
            for (const auto& p : in.privileges)
                touches = touches || rule.privileges.contains(p);
            if (!touches)
                why << QStringLiteral("governs %1, none of which is asked for")
                           .arg(rule.privileges.join(QStringLiteral(", ")));
        }
        if (!rule.ticketPattern.isEmpty() && !rule.ticketRe.match(in.ticket.trimmed()).hasMatch())
            why << (in.ticket.trimmed().isEmpty()
                    ? QStringLiteral("needs a ticket matching %1").arg(rule.ticketPattern)
                    : QStringLiteral("ticket '%1' does not match %2")
                          .arg(in.ticket.trimmed(), rule.ticketPattern));
        if (rule.hours && !rule.hours->contains(nowMs))
            why << QStringLiteral("outside its hours (%1; now %2 there)")
                       .arg(rule.hours->describe(),
                           QDateTime::fromMSecsSinceEpoch(nowMs, rule.hours->zone)
                               .toString(QStringLiteral("ddd HH:mm")));
        if (isApprove && in.breakGlass)
            why << QStringLiteral("break-glass is never approved by a rule");
        if (isApprove && lockedOut)
            why << QStringLiteral("%1 is locked out").arg(requester.id);
        if (isApprove && rule.budgetPerDay > 0 && why.isEmpty()) {
            if (!usage) {
                c.why = QStringLiteral("budget %1 a day not checked (no store)").arg(rule.budgetPerDay);
            } else {
                const int used = usage(rule, rule.budgetDayStartMs(nowMs));
                if (used >= rule.budgetPerDay)
                    why << QStringLiteral("daily budget spent (%1 of %2 today)")
                               .arg(used)
                               .arg(rule.budgetPerDay);
                else
                    c.why = QStringLiteral("%1 of its %2 a day used").arg(used).arg(rule.budgetPerDay);
            }
        }
        c.applies = why.isEmpty();
        if (!c.applies) {
            c.why = why.join(QStringLiteral("; "));
        } else if (isApprove) {
            const int ttl = qMin(in.ttlSeconds, rule.maxTtlSeconds);
            const QString granted = ttl < in.ttlSeconds
                ? QStringLiteral("would grant %1 for %2 s (capped from %3 s)")
                      .arg(in.privileges.join(QStringLiteral(", ")))
                      .arg(ttl)
                      .arg(in.ttlSeconds)
                : QStringLiteral("would grant %1 for %2 s")
                      .arg(in.privileges.join(QStringLiteral(", ")))
                      .arg(ttl);
            c.why = c.why.isEmpty() ? granted : QStringLiteral("%1; %2").arg(granted, c.why);
            if (!approve) {
                approve = &rule;
                v.ttlSeconds = ttl;
            }
        } else {
            c.why = QStringLiteral("requires %1 approvals").arg(rule.approvals);
            if (!in.breakGlass && rule.approvals > v.approvalsRequired) {
                v.approvalsRequired = rule.approvals;
                v.raisedBy = &rule;
            }
            if (!v.raisedBy && !in.breakGlass)
                v.raisedBy = &rule;
        }
        v.checks << c;
    }
    if (in.breakGlass) {
        v.summary = QStringLiteral(
            "break-glass: active at once, flagged and reviewed after the fact; no rule decides it");
    } else if (v.raisedBy) {
        v.summary = QStringLiteral("needs %1 approval(s) from people: rule %2 requires %3")
                        .arg(v.approvalsRequired)
                        .arg(v.raisedBy->id)
                        .arg(v.raisedBy->approvals);
        if (approve)
            v.summary += QStringLiteral(", so approve rule %1 is set aside").arg(approve->id);
    } else if (approve) {
        v.approvedBy = approve;
        v.summary = QStringLiteral("approved by rule %1 (digest %2): %3 for %4 s")
                        .arg(approve->id, approve->digest.left(16), in.privileges.join(QStringLiteral(", ")))
                        .arg(v.ttlSeconds);
    } else {
        v.summary = QStringLiteral("no rule approves it: it waits for %1 approval(s) from people")
                        .arg(v.approvalsRequired);
    }
    return v;
}

bool canRead(const Principal& actor, const Principal* requester, const QString& requesterId)
{
    if (actor.id == requesterId)
        return true;
    if (requester && !requester->isHuman() && requester->owner == actor.id)
        return true;
    return actor.hasRole(Role::Approver) || actor.hasRole(Role::Responder) || actor.hasRole(Role::Auditor)
        || actor.hasRole(Role::Admin);
}

bool canComplete(const Principal& actor, const Principal* holder, const QString& holderId)
{
    return actor.id == holderId || (holder && !holder->isHuman() && holder->owner == actor.id);
}

} // namespace lapse::Policy
