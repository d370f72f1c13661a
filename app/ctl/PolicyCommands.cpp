// lapsectl policy test|lint: what the directory's rules would decide, read from the file alone (no broker,
// no store).
#include "Commands.h"

#include "core/Clock.h"
#include "domain/Directory.h"
#include "engine/Policy.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <cstdio>

namespace lapse::ctl
{

namespace
{
struct PolicyError {
    int exitCode;
    QString message;
};

void line(const QString& text)
{
    std::printf("%s\n", qPrintable(printable(text)));
}

void printJson(const QJsonObject& o)
{
    std::fputs(QJsonDocument(o).toJson(QJsonDocument::Indented).constData(), stdout);
}

Directory loadDirectory(Context& c)
{
    if (!c.options.isSet("directory"))
        throw PolicyError {Usage, QStringLiteral("policy needs --directory FILE")};
    auto d = Directory::load(c.options.value("directory"));
    if (!d)
        throw PolicyError {Rejected, d.error().message};
    return d.value();
}

// --request: JSON text, or @FILE.
QJsonObject requestJson(Context& c)
{
    if (!c.options.isSet("request"))
        throw PolicyError {Usage, QStringLiteral("policy test needs --request JSON (or --request @FILE)")};
    QByteArray text = c.options.value("request").toUtf8();
    if (text.startsWith('@')) {
        QFile f(QString::fromUtf8(text.mid(1)));
        if (!f.open(QIODevice::ReadOnly))
            throw PolicyError {Usage, QStringLiteral("cannot read %1").arg(f.fileName())};
        text = f.readAll();
    }
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &pe);
    if (!doc.isObject())
        throw PolicyError {
            Rejected, QStringLiteral("--request is not a JSON object: %1").arg(pe.errorString())};
    const QJsonObject o = doc.object();
    static const QStringList known {QStringLiteral("requester"), QStringLiteral("target"),
        QStringLiteral("privileges"), QStringLiteral("min_privileges"), QStringLiteral("task"),
        QStringLiteral("reason"), QStringLiteral("ticket"), QStringLiteral("ttl_seconds"),
        QStringLiteral("break_glass"), QStringLiteral("at")};
    for (auto it = o.constBegin(); it != o.constEnd(); ++it)
        if (!known.contains(it.key()))
            throw PolicyError {Rejected,
                QStringLiteral("--request: unknown key '%1' (known: %2)")
                    .arg(it.key(), known.join(QStringLiteral(", ")))};
    return o;
}

QStringList strings(const QJsonValue& v)
{
    QStringList out;
    for (const auto& x : v.toArray())
        out << x.toString();
    return out;
}

int policyTest(Context& c)
{
    const Directory d = loadDirectory(c);
    const QJsonObject o = requestJson(c);
    const QString requesterId = o.value(QLatin1String("requester")).toString();
    const Principal* requester = d.principal(requesterId);
    if (!requester)
        throw PolicyError {
            Rejected, QStringLiteral("requester '%1' is not in the directory").arg(requesterId)};
    RequestInput in;
    in.target = o.value(QLatin1String("target")).toString();
    in.privileges = strings(o.value(QLatin1String("privileges")));
    if (o.value(QLatin1String("min_privileges")).isArray())
        in.minPrivileges = strings(o.value(QLatin1String("min_privileges")));
    in.task = o.value(QLatin1String("task")).toString();
    in.reason = o.value(QLatin1String("reason")).toString(QStringLiteral("policy test"));
    in.ticket = o.value(QLatin1String("ticket")).toString();
    in.ttlSeconds = o.value(QLatin1String("ttl_seconds")).toInt(900);
    in.breakGlass = o.value(QLatin1String("break_glass")).toBool();
    qint64 at = Clock::now();
    if (o.contains(QLatin1String("at"))) {
        bool ok = false;
        at = Clock::fromIso(o.value(QLatin1String("at")).toString(), &ok);
        if (!ok)
            throw PolicyError {Rejected, QStringLiteral("--request: \"at\" is not an ISO 8601 UTC time")};
    }
    const Target* target = d.target(in.target);
    // What the broker checks first: a request it would refuse never reaches the rules.
    if (const Status s = Policy::checkRequest(*requester, target, in, false); !s)
        throw PolicyError {
            Rejected, QStringLiteral("the broker would refuse this request: %1").arg(s.error().message)};
    const RuleVerdict v = Policy::evaluateRules(d.rules(), *requester, *target, in, at, false, {});
    const QString decision = v.approvedBy ? QStringLiteral("approve") : QStringLiteral("people");
    if (c.json) {
        QJsonArray checks;
        for (const auto& rc : v.checks)
            checks.append(QJsonObject {
                {"rule", rc.rule}, {"effect", rc.effect}, {"applies", rc.applies}, {"why", rc.why}});
        QJsonObject out {{"decision", decision}, {"summary", v.summary},
            {"approvals_required", v.approvalsRequired}, {"checks", checks}, {"at", Clock::toIso(at)}};
        if (v.approvedBy) {
            out.insert(QStringLiteral("rule"), v.approvedBy->id);
            out.insert(QStringLiteral("digest"), v.approvedBy->digest);
            out.insert(QStringLiteral("ttl_seconds"), v.ttlSeconds);
        } else if (v.raisedBy) {
            out.insert(QStringLiteral("rule"), v.raisedBy->id);
            out.insert(QStringLiteral("digest"), v.raisedBy->digest);
        }
        printJson(out);
        return Ok;
    }
    line(QStringLiteral("request: %1 (%2%3) asks %4 [%5] for %6 s at %7")
             .arg(requester->id, kindName(requester->kind),
                 requester->isHuman() ? QString() : QStringLiteral(", owned by %1").arg(requester->owner),
                 target->id, in.privileges.join(QLatin1Char(',')))
             .arg(in.ttlSeconds)
             .arg(Clock::toIso(at)));
    if (v.checks.isEmpty())
        line(QStringLiteral("no rule names target %1").arg(target->id));
    for (const auto& rc : v.checks)
        line(QStringLiteral("rule %1 (%2): %3 - %4")
                 .arg(rc.rule, rc.effect,
                     rc.applies ? QStringLiteral("applies") : QStringLiteral("does not apply"), rc.why));
    line(QStringLiteral("decision: %1").arg(v.summary));
    return Ok;
}

int policyLint(Context& c)
{
    const Directory d = loadDirectory(c);
    QStringList warnings;
    for (const Rule& r : d.rules()) {
        // A rule nobody it covers may use is a mistake the broker cannot see at start.
        int requesters = 0;
        for (const auto& p : d.principals())
            if (r.covers(p) && p.hasRole(Role::Requester))
                ++requesters;
        if (requesters == 0)
            warnings << QStringLiteral(
                "rule %1 covers no principal with the requester role: it never applies")
                            .arg(r.id);
        if (r.effect == Rule::Effect::Approve && r.requesterKinds.contains(QLatin1String("human")))
            warnings
                << QStringLiteral("rule %1 approves every human by kind: name the people instead").arg(r.id);
        if (r.effect == Rule::Effect::Approve && r.budgetPerDay == 0)
            warnings << QStringLiteral(
                "rule %1 has no daily budget: a runaway caller gets every grant it asks for")
                            .arg(r.id);
    }
    if (c.json) {
        printJson(QJsonObject {{"directory", c.options.value("directory")}, {"valid", true},
            {"principals", int(d.principals().size())}, {"targets", int(d.targets().size())},
            {"rules", int(d.rules().size())}, {"warnings", QJsonArray::fromStringList(warnings)}});
        return Ok;
    }
    for (const auto& w : std::as_const(warnings))
        line(QStringLiteral("warning: %1").arg(w));
    line(QStringLiteral("%1: valid (%2 principals, %3 targets, %4 rules, %5 warnings)")
             .arg(QFileInfo(c.options.value("directory")).fileName())
             .arg(d.principals().size())
             .arg(d.targets().size())
             .arg(d.rules().size())
             .arg(warnings.size()));
    return Ok;
}
} // namespace

int cmdPolicy(Context& c)
{
    try {
        const QString what = c.args.value(0);
        if (what == QLatin1String("test"))
            return policyTest(c);
        if (what == QLatin1String("lint"))
            return policyLint(c);
        throw PolicyError {Usage, QStringLiteral("unknown policy command '%1' (test, lint)").arg(what)};
    } catch (const PolicyError& e) {
        std::fprintf(stderr, "lapsectl: %s\n", qPrintable(printable(e.message.simplified())));
        return e.exitCode;
    }
}

} // namespace lapse::ctl
