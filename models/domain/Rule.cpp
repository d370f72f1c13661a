// Parsing a policy rule strictly, and the conditions that need no store: who it covers, its hours, its day.
#include "Rule.h"

#include "Target.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace lapse
{

namespace
{
Error bad(const QString& rule, const QString& msg)
{
    return makeError(ErrorCode::Invalid,
        QStringLiteral("rule %1: %2").arg(rule.isEmpty() ? QStringLiteral("(no id)") : rule, msg));
}

const QStringList& dayNames()
{
    static const QStringList names {QStringLiteral("mon"), QStringLiteral("tue"), QStringLiteral("wed"),
        QStringLiteral("thu"), QStringLiteral("fri"), QStringLiteral("sat"), QStringLiteral("sun")};
    return names;
}

// "08:00" -> 480; "24:00" only where allowEnd. -1 when malformed.
int minuteOfDay(const QString& text, bool allowEnd)
{
    static const QRegularExpression re(QStringLiteral("^([01][0-9]|2[0-4]):([0-5][0-9])$"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return -1;
    const int minute = m.captured(1).toInt() * 60 + m.captured(2).toInt();
    if (minute > 24 * 60 || (minute == 24 * 60 && !allowEnd))
        return -1;
    return minute;
}

QString hhmm(int minute)
{
    return QStringLiteral("%1:%2")
        .arg(minute / 60, 2, 10, QLatin1Char('0'))
        .arg(minute % 60, 2, 10, QLatin1Char('0'));
}

Status unknownKeys(const QString& rule, const QString& where, const QJsonObject& o, const QStringList& known)
{
    for (auto it = o.constBegin(); it != o.constEnd(); ++it)
        if (!known.contains(it.key()))
            return bad(rule,
                QStringLiteral("unknown key '%1'%2 (known: %3)")
                    .arg(it.key(), where, known.join(QStringLiteral(", "))));
    return Ok {};
}

// A list of strings, or the reason it is not one.
Result<QStringList> stringList(const QString& rule, const QJsonObject& o, const QString& key)
{
    QStringList out;
    const QJsonValue v = o.value(key);
    if (v.isUndefined())
        return out;
    if (!v.isArray())
        return bad(rule, QStringLiteral("%1 must be a list of strings").arg(key));
    for (const auto& x : v.toArray()) {
        if (!x.isString() || x.toString().isEmpty())
            return bad(rule, QStringLiteral("%1 must be a list of non-empty strings").arg(key));
        out << x.toString();
    }
    return out;
}

Result<QTimeZone> zoneNamed(const QString& rule, const QString& id)
{
    const QTimeZone zone(id.toUtf8());
    if (id.isEmpty() || !zone.isValid())
        return bad(rule,
            QStringLiteral("unknown time zone '%1' (an IANA name such as Europe/Berlin or UTC)").arg(id));
    return zone;
}

// A positive integer within [min, max], or the reason.
Result<int> boundedInt(const QString& rule, const QJsonObject& o, const QString& key, int min, int max)
{
    const QJsonValue v = o.value(key);
    const double d = v.toDouble(-1);
    if (!v.isDouble() || d != double(int(d)) || d < min || d > max)
        return bad(
            rule, QStringLiteral("%1 must be a whole number from %2 to %3").arg(key).arg(min).arg(max));
    return int(d);
}
} // namespace

bool RuleHours::contains(qint64 utcMs) const
{
    const QDateTime local = QDateTime::fromMSecsSinceEpoch(utcMs, zone);
    const int day = local.date().dayOfWeek();
    const int minute = local.time().hour() * 60 + local.time().minute();
    if (fromMinute < toMinute)
        return days.contains(day) && minute >= fromMinute && minute < toMinute;
    // Wraps midnight: the evening of a listed day, or the morning after one.
    const int previous = day == 1 ? 7 : day - 1;
    return (days.contains(day) && minute >= fromMinute) || (days.contains(previous) && minute < toMinute);
}

QString RuleHours::describe() const
{
    QStringList names;
    for (int d : days)
        names << dayNames().value(d - 1);
    return QStringLiteral("%1 %2-%3 %4")
        .arg(names.join(QLatin1Char(',')), hhmm(fromMinute), hhmm(toMinute), QString::fromUtf8(zone.id()));
}

Result<Rule> Rule::fromJson(const QJsonObject& o)
{
    Rule r;
    r.source = o;
    r.id = o.value(QLatin1String("id")).toString();
    static const QRegularExpression idRe(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"));
    if (!idRe.match(r.id).hasMatch())
        return bad(r.id, QStringLiteral("id must be 1-64 letters, digits, '.', '_' or '-'"));
    // These name the decisions that are not rules: a rule by the same name would read as one of them.
    static const QStringList reserved {QStringLiteral("approval"), QStringLiteral("break-glass"),
        QStringLiteral("lockout"), QStringLiteral("pending-timeout")};
    if (reserved.contains(r.id))
        return bad(r.id, QStringLiteral("the id is reserved (%1)").arg(reserved.join(QStringLiteral(", "))));
    if (const Status s = unknownKeys(r.id, QString(), o,
            {QStringLiteral("id"), QStringLiteral("description"), QStringLiteral("requesters"),
                QStringLiteral("target"), QStringLiteral("privileges"), QStringLiteral("max_ttl_seconds"),
                QStringLiteral("ticket_pattern"), QStringLiteral("hours"), QStringLiteral("budget"),
                QStringLiteral("effect"), QStringLiteral("approvals")});
        !s)
        return s.error();

    const QString effect = o.value(QLatin1String("effect")).toString();
    if (effect == QLatin1String("approve"))
        r.effect = Effect::Approve;
    else if (effect == QLatin1String("require"))
        r.effect = Effect::Require;
    else
        return bad(r.id, QStringLiteral("effect must be \"approve\" or \"require\" (got '%1')").arg(effect));

    const QJsonValue who = o.value(QLatin1String("requesters"));
    if (!who.isObject())
        return bad(r.id, QStringLiteral("requesters must be an object with ids, kinds and/or owners"));
    const QJsonObject w = who.toObject();
    if (const Status s = unknownKeys(r.id, QStringLiteral(" in requesters"), w,
            {QStringLiteral("ids"), QStringLiteral("kinds"), QStringLiteral("owners")});
        !s)
        return s.error();
    for (const auto& [list, key] : {std::pair {&r.requesterIds, "ids"},
             std::pair {&r.requesterKinds, "kinds"}, std::pair {&r.requesterOwners, "owners"}}) {
        auto l = stringList(r.id, w, QLatin1String(key));
        if (!l)
            return l.error();
        *list = l.value();
    }
    if (r.requesterIds.isEmpty() && r.requesterKinds.isEmpty() && r.requesterOwners.isEmpty())
        return bad(r.id, QStringLiteral("requesters names nobody: give ids, kinds or owners"));
    for (const auto& k : std::as_const(r.requesterKinds)) {
        PrincipalKind kind;
        if (!kindFromName(k, &kind))
            return bad(r.id, QStringLiteral("unknown requester kind '%1'").arg(k));
    }

    r.target = o.value(QLatin1String("target")).toString();
    if (r.target.isEmpty())
        return bad(r.id, QStringLiteral("target is required"));
    auto privileges = stringList(r.id, o, QStringLiteral("privileges"));
    if (!privileges)
        return privileges.error();
    r.privileges = privileges.value();
    if (r.privileges.removeDuplicates())
        return bad(r.id, QStringLiteral("privileges lists a privilege twice"));

    if (r.effect == Effect::Approve) {
        if (r.privileges.isEmpty())
            return bad(r.id, QStringLiteral("an approve rule names the privileges it may approve at most"));
        auto ttl = boundedInt(r.id, o, QStringLiteral("max_ttl_seconds"), 1, 365 * 24 * 3600);
        if (!ttl)
            return ttl.error();
        r.maxTtlSeconds = ttl.value();
        if (o.contains(QLatin1String("approvals")))
            return bad(r.id, QStringLiteral("approvals belongs to a require rule"));
    } else {
        auto approvals = boundedInt(r.id, o, QStringLiteral("approvals"), 1, 10);
        if (!approvals)
            return approvals.error();
        r.approvals = approvals.value();
        for (const char* key : {"max_ttl_seconds", "budget"})
            if (o.contains(QLatin1String(key)))
                return bad(r.id, QStringLiteral("%1 belongs to an approve rule").arg(QLatin1String(key)));
    }

    if (o.contains(QLatin1String("ticket_pattern"))) {
        r.ticketPattern = o.value(QLatin1String("ticket_pattern")).toString();
        r.ticketRe = QRegularExpression(QRegularExpression::anchoredPattern(r.ticketPattern));
        if (r.ticketPattern.isEmpty() || !r.ticketRe.isValid())
            return bad(r.id,
                QStringLiteral("ticket_pattern is not a valid regular expression: %1")
                    .arg(r.ticketRe.errorString()));
    }

    if (o.contains(QLatin1String("hours"))) {
        const QJsonObject h = o.value(QLatin1String("hours")).toObject();
        if (const Status s = unknownKeys(r.id, QStringLiteral(" in hours"), h,
                {QStringLiteral("time_zone"), QStringLiteral("days"), QStringLiteral("from"),
                    QStringLiteral("to")});
            !s)
            return s.error();
        RuleHours hours;
        auto zone = zoneNamed(r.id, h.value(QLatin1String("time_zone")).toString());
        if (!zone)
            return zone.error();
        hours.zone = zone.value();
        auto days = stringList(r.id, h, QStringLiteral("days"));
        if (!days)
            return days.error();
        if (days.value().isEmpty())
            return bad(r.id, QStringLiteral("hours.days names no day (mon, tue, wed, thu, fri, sat, sun)"));
        for (const auto& d : days.value()) {
            const int index = dayNames().indexOf(d);
            if (index < 0)
                return bad(r.id, QStringLiteral("hours.days: unknown day '%1' (mon ... sun)").arg(d));
            if (!hours.days.contains(index + 1))
                hours.days << index + 1;
        }
        std::sort(hours.days.begin(), hours.days.end());
        hours.fromMinute = minuteOfDay(h.value(QLatin1String("from")).toString(), false);
        hours.toMinute = minuteOfDay(h.value(QLatin1String("to")).toString(), true);
        if (hours.fromMinute < 0 || hours.toMinute < 0)
            return bad(
                r.id, QStringLiteral("hours.from and hours.to are local times HH:MM (to may be 24:00)"));
        if (hours.fromMinute == hours.toMinute)
            return bad(r.id, QStringLiteral("hours.from and hours.to are the same time: an empty span"));
        r.hours = hours;
    }

    r.budgetZone = r.hours ? r.hours->zone : QTimeZone::utc();
    if (o.contains(QLatin1String("budget"))) {
        const QJsonObject b = o.value(QLatin1String("budget")).toObject();
        if (const Status s = unknownKeys(r.id, QStringLiteral(" in budget"), b,
                {QStringLiteral("per_identity_per_day"), QStringLiteral("time_zone")});
            !s)
            return s.error();
        auto n = boundedInt(r.id, b, QStringLiteral("per_identity_per_day"), 1, 1000);
        if (!n)
            return n.error();
        r.budgetPerDay = n.value();
        if (b.contains(QLatin1String("time_zone"))) {
            auto zone = zoneNamed(r.id, b.value(QLatin1String("time_zone")).toString());
            if (!zone)
                return zone.error();
            r.budgetZone = zone.value();
        }
    }
    r.digest = QString::fromLatin1(
        QCryptographicHash::hash(QJsonDocument(o).toJson(QJsonDocument::Compact), QCryptographicHash::Sha256)
            .toHex());
    return r;
}

Status Rule::checkAgainst(const Target* t) const
{
    if (!t)
        return bad(id, QStringLiteral("target '%1' is not in the directory").arg(target));
    for (const auto& p : privileges)
        if (!t->privileges.contains(p))
            return bad(id,
                QStringLiteral("privilege '%1' is not one of target %2's (%3): a rule cannot widen a target")
                    .arg(p, t->id, t->privileges.join(QStringLiteral(", "))));
    if (effect == Effect::Approve && maxTtlSeconds > t->maxTtlSeconds)
        return bad(id,
            QStringLiteral("max_ttl_seconds %1 is over target %2's cap of %3")
                .arg(maxTtlSeconds)
                .arg(t->id)
                .arg(t->maxTtlSeconds));
    return Ok {};
}

bool Rule::covers(const Principal& p) const
{
    return requesterIds.contains(p.id) || requesterKinds.contains(kindName(p.kind))
        || (!p.isHuman() && requesterOwners.contains(p.owner));
}

QString Rule::coverage() const
{
    QStringList parts;
    if (!requesterIds.isEmpty())
        parts << QStringLiteral("ids %1").arg(requesterIds.join(QStringLiteral(", ")));
    if (!requesterKinds.isEmpty())
        parts << QStringLiteral("kinds %1").arg(requesterKinds.join(QStringLiteral(", ")));
    if (!requesterOwners.isEmpty())
        parts << QStringLiteral("owned by %1").arg(requesterOwners.join(QStringLiteral(", ")));
    return parts.join(QStringLiteral("; "));
}

qint64 Rule::budgetDayStartMs(qint64 utcMs) const
{
    const QDateTime local = QDateTime::fromMSecsSinceEpoch(utcMs, budgetZone);
    return QDateTime(local.date(), QTime(0, 0), budgetZone).toMSecsSinceEpoch();
}

} // namespace lapse
