// Drafting an approve rule from an identity's grants on a target, and replaying the period through it.
#include "RuleDraft.h"

#include "domain/Rule.h"
#include "engine/Policy.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QRegularExpression>
#include <QTimer>
#include <algorithm>
#include <memory>

namespace lapse
{

namespace
{
// A JSON value as compact text; QJsonDocument only writes objects and arrays, so a scalar goes in a list.
QString compact(const QJsonValue& v)
{
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    const QString wrapped = QString::fromUtf8(QJsonDocument(QJsonArray {v}).toJson(QJsonDocument::Compact));
    return wrapped.mid(1, wrapped.size() - 2);
}

// One word for a POSIX shell: as it is when it holds nothing the shell reads, else in single quotes.
QString shellWord(const QString& text)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_./:@%+=,-]+$"));
    if (plain.match(text).hasMatch())
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

// "CHG-" and the kind of rest every ticket shares, as an anchored pattern; empty when they share none. Only
// an obvious prefix counts: letters (and digits after them) ending in a separator.
QString ticketPattern(const QList<const Grant*>& grants)
{
    static const QRegularExpression shape(QStringLiteral("^([A-Za-z][A-Za-z0-9]*[-_#:/])(.+)$"));
    static const QRegularExpression digits(QStringLiteral("^[0-9]+$"));
    QString prefix;
    bool allDigits = true;
    for (const Grant* g : grants) {
        const auto m = shape.match(g->ticket.trimmed());
        if (!m.hasMatch())
            return {};
        if (prefix.isEmpty())
            prefix = m.captured(1);
        else if (m.captured(1) != prefix)
            return {};
        allDigits = allDigits && digits.match(m.captured(2)).hasMatch();
    }
    if (prefix.isEmpty())
        return {};
    // The prefix holds letters, digits and one of -_#:/, none of which a pattern reads specially here.
    return prefix + (allDigits ? QStringLiteral("[0-9]+") : QStringLiteral(".+"));
}

QString privilegeKey(QStringList privileges)
{
    privileges.sort();
    return privileges.join(QLatin1Char(' '));
}
} // namespace

QString RuleDraft::ruleId(const QString& identity, const QString& target)
{
    QString id = identity + QLatin1Char('-') + target;
    static const QRegularExpression notAllowed(QStringLiteral("[^A-Za-z0-9._-]+"));
    id.replace(notAllowed, QStringLiteral("-"));
    if (id.isEmpty() || !id.at(0).isLetterOrNumber() || id.at(0).unicode() > 127)
        id.prepend(QStringLiteral("rule-"));
    return id.left(64);
}

QString RuleDraft::ruleText() const
{
    static const QStringList order {QStringLiteral("id"), QStringLiteral("description"),
        QStringLiteral("requesters"), QStringLiteral("target"), QStringLiteral("privileges"),
        QStringLiteral("max_ttl_seconds"), QStringLiteral("ticket_pattern"), QStringLiteral("hours"),
        QStringLiteral("budget"), QStringLiteral("effect"), QStringLiteral("approvals")};
    QStringList keys;
    for (const auto& k : order)
        if (rule.contains(k))
            keys << k;
    for (auto it = rule.constBegin(); it != rule.constEnd(); ++it)
        if (!keys.contains(it.key()))
            keys << it.key();
    QStringList lines;
    for (const auto& k : std::as_const(keys))
        lines << QStringLiteral("  %1: %2").arg(compact(k), compact(rule.value(k)));
    return QStringLiteral("{\n%1\n}").arg(lines.join(QStringLiteral(",\n")));
}

QString RuleDraft::requestText() const
{
    return compact(request);
}

QString RuleDraft::testCommand(const QString& directoryFile) const
{
    return QStringLiteral("lapsectl policy test --directory %1 --request %2")
        .arg(shellWord(directoryFile), shellWord(requestText()));
}

Result<RuleDraft> RuleDraft::propose(const Directory& directory, const QString& identity,
    const QString& target, const QList<Grant>& grants, qint64 fromMs, qint64 toMs)
{
    const Target* t = directory.target(target);
    if (!t)
        return makeError(
            ErrorCode::NotFound, QStringLiteral("target %1 is not in the directory").arg(target));
    const Principal* who = directory.principal(identity);
    if (!who)
        return makeError(
            ErrorCode::NotFound, QStringLiteral("identity %1 is not in the directory").arg(identity));

    QList<const Grant*> period; // in the period, oldest first
    for (const Grant& g : grants)
        if (g.principal == identity && g.target == target && g.startsMs >= fromMs && g.startsMs < toMs)
            period << &g;
    std::stable_sort(period.begin(), period.end(),
        [](const Grant* a, const Grant* b) { return a->startsMs < b->startsMs; });
    // Break-glass grants are never a rule's to give, so they do not shape one.
    QList<const Grant*> shaping;
    for (const Grant* g : std::as_const(period))
        if (!g->breakGlass)
            shaping << g;
    if (shaping.isEmpty())
        return makeError(ErrorCode::NotFound,
            QStringLiteral(
                "%1 has no grant on %2 in the period to draft a rule from (break-glass grants do not "
                "count)")
                .arg(identity, target));

    // The union of what it was granted, in the target's order, never beyond the target's privileges.
    QStringList privileges;
    for (const auto& p : t->privileges)
        for (const Grant* g : std::as_const(shaping))
            if (g->privileges.contains(p)) {
                privileges << p;
                break;
            }
    if (privileges.isEmpty())
        return makeError(ErrorCode::Invalid,
            QStringLiteral("the grants of %1 on %2 hold none of the target's privileges now")
                .arg(identity, target));

    int ttl = 1;
    QHash<qint64, int> perDay; // UTC day -> grants
    for (const Grant* g : std::as_const(shaping)) {
        ttl = std::max(ttl, g->ttlSeconds);
        ++perDay[QDateTime::fromMSecsSinceEpoch(g->startsMs, QTimeZone::utc()).date().toJulianDay()];
    }
    ttl = std::min(ttl, t->maxTtlSeconds);
    int budget = 1;
    for (int n : std::as_const(perDay))
        budget = std::max(budget, n);

    const auto day = [](qint64 ms) {
        return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).date().toString(Qt::ISODate);
    };
    QJsonObject o {
        {"id", ruleId(identity, target)},
        {"description",
            QStringLiteral("Drafted from %1 grants of %2 on %3, %4 to %5")
                .arg(shaping.size())
                .arg(identity, target, day(shaping.first()->startsMs), day(shaping.last()->startsMs))},
        {"requesters", QJsonObject {{"ids", QJsonArray {identity}}}},
        {"target", target},
        {"privileges", QJsonArray::fromStringList(privileges)},
        {"max_ttl_seconds", ttl},
        {"budget", QJsonObject {{"per_identity_per_day", std::min(budget, 1000)}, {"time_zone", "UTC"}}},
        {"effect", "approve"},
    };
    if (const QString pattern = ticketPattern(shaping); !pattern.isEmpty())
        o.insert(QStringLiteral("ticket_pattern"), pattern);

    auto parsed = Rule::fromJson(o);
    if (!parsed)
        return parsed.error();
    if (const Status s = parsed->checkAgainst(t); !s)
        return s.error();
    const Rule& rule = parsed.value();
    const QList<Rule> alone {rule};

    RuleDraft draft;
    draft.rule = o;
    RuleReplay& r = draft.replay;
    r.grants = int(period.size());
    QHash<qint64, int> used; // budget day start -> grants the draft approved that day
    const RuleUsage usage = [&used](const Rule&, qint64 dayStartMs) { return used.value(dayStartMs); };
    QList<const Grant*> approved;
    for (const Grant* g : std::as_const(period)) {
        RequestInput in;
        in.target = target;
        in.privileges = g->requestedPrivileges.isEmpty() ? g->privileges : g->requestedPrivileges;
        in.minPrivileges = g->minPrivileges;
        in.task = g->task;
        in.reason = g->reason;
        in.ticket = g->ticket;
        in.ttlSeconds = std::max(1, g->ttlSeconds);
        in.breakGlass = g->breakGlass;
        const RuleVerdict v = Policy::evaluateRules(alone, *who, *t, in, g->startsMs, false, usage);
        if (v.approvedBy) {
            ++r.approved;
            ++used[rule.budgetDayStartMs(g->startsMs)];
            approved << g;
            continue;
        }
        const bool beyond = std::any_of(in.privileges.cbegin(), in.privileges.cend(),
            [&rule](const QString& p) { return !rule.privileges.contains(p); });
        if (g->breakGlass)
            ++r.breakGlass;
        else if (beyond)
            ++r.beyondRule;
        else if (!rule.ticketPattern.isEmpty() && !rule.ticketRe.match(in.ticket.trimmed()).hasMatch())
            ++r.otherwise;
        else if (used.value(rule.budgetDayStartMs(g->startsMs)) >= rule.budgetPerDay)
            ++r.overBudget;
        else
            ++r.otherwise;
    }

    // A typical request: the privilege set asked for most often among those the draft approves (the latest on
    // a tie), as its most recent grant asked for it.
    const QList<const Grant*>& pool = approved.isEmpty() ? shaping : approved;
    QHash<QString, int> counts;
    for (const Grant* g : pool)
        ++counts[privilegeKey(g->requestedPrivileges.isEmpty() ? g->privileges : g->requestedPrivileges)];
    const Grant* typical = nullptr;
    for (const Grant* g : pool) {
        const QString key
            = privilegeKey(g->requestedPrivileges.isEmpty() ? g->privileges : g->requestedPrivileges);
        if (!typical
            || counts.value(key) >= counts.value(
                   privilegeKey(typical->requestedPrivileges.isEmpty() ? typical->privileges
                                                                       : typical->requestedPrivileges)))
            typical = g;
    }
    const QStringList asked
        = typical->requestedPrivileges.isEmpty() ? typical->privileges : typical->requestedPrivileges;
    draft.request = QJsonObject {{"requester", identity}, {"target", target},
        {"privileges", QJsonArray::fromStringList(asked)},
        {"ttl_seconds", std::min(std::max(1, typical->ttlSeconds), ttl)}};
    if (!typical->ticket.trimmed().isEmpty())
        draft.request.insert(QStringLiteral("ticket"), typical->ticket.trimmed());
    return draft;
}

void RuleDraft::load(Backend* backend, QObject* context, const QString& identity, const QString& target,
    qint64 fromMs, qint64 toMs, Done done)
{
    const QPointer<QObject> guard(context);
    if (!backend) {
        QTimer::singleShot(0, context, [done] {
            done(makeError(ErrorCode::Unavailable, QStringLiteral("no backend to read grants from")));
        });
        return;
    }
    struct State {
        Directory directory;
        QList<Grant> grants;
        std::function<void(const QString&)> page;
    };
    auto state = std::make_shared<State>();
    // A page of grants, then the next one after its last id, until the last page.
    // The state holds this function, so it keeps only a weak reference; each call in flight holds a strong
    // one.
    state->page = [=, weak = std::weak_ptr<State>(state)](const QString& after) {
        const std::shared_ptr<State> s = weak.lock();
        if (!s)
            return;
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("principal"), identity);
        q.addQueryItem(QStringLiteral("target"), target);
        q.addQueryItem(QStringLiteral("limit"), QStringLiteral("1000"));
        if (!after.isEmpty())
            q.addQueryItem(QStringLiteral("after"), after);
        backend->call("GET", QStringLiteral("/v1/grants"), {}, q, [=](const ApiResult& r) {
            if (!guard)
                return;
            if (!r) {
                done(makeError(r.error().code,
                    QStringLiteral("the grants of %1 could not be listed: %2")
                        .arg(identity, r.error().message)));
                return;
            }
            for (const auto& v : r.value().value(QLatin1String("items")).toArray())
                s->grants << Grant::fromJson(v.toObject());
            const QString next = r.value().value(QLatin1String("next_after")).toString();
            if (!next.isEmpty()) {
                s->page(next);
                return;
            }
            done(propose(s->directory, identity, target, s->grants, fromMs, toMs));
        });
    };
    backend->loadDirectory([=](Result<Directory> directory) {
        if (!guard)
            return;
        if (!directory) {
            done(directory.error());
            return;
        }
        state->directory = std::move(directory).value();
        state->page(QString());
    });
}

} // namespace lapse
