// RuleDraft: the approve rule a redesign candidate's history suggests (privileges, TTL, daily budget, ticket
// pattern), checked against the directory, and the honest count of what it would have approved over the
// period, from a history built by hand.
#include "domain/Directory.h"
#include "domain/Rule.h"
#include "insights/RuleDraft.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace lapse;

namespace
{
qint64 at(int day, int hour)
{
    return QDateTime(QDate(2026, 11, day), QTime(hour, 0), QTimeZone::utc()).toMSecsSinceEpoch();
}

Directory directory()
{
    Directory d;
    Principal alice;
    alice.id = QStringLiteral("alice");
    alice.roles = unsigned(Role::Requester) | unsigned(Role::Approver);
    d.addPrincipal(alice);
    Principal ci;
    ci.id = QStringLiteral("ci-deploy");
    ci.kind = PrincipalKind::Pipeline;
    ci.owner = QStringLiteral("alice");
    ci.roles = unsigned(Role::Requester);
    d.addPrincipal(ci);
    Target runners;
    runners.id = QStringLiteral("ci-runners");
    runners.kind = QStringLiteral("token");
    runners.owner = QStringLiteral("alice");
    runners.privileges = QStringList {"deploy", "restart", "admin"};
    runners.maxTtlSeconds = 1800;
    runners.breakGlassAllowed = true;
    d.addTarget(runners);
    return d;
}

Grant grant(const QString& who, qint64 startsMs, const QStringList& granted, int ttl, const QString& ticket,
    const QStringList& requested = {}, bool breakGlass = false)
{
    static int n = 0;
    Grant g;
    g.id = QStringLiteral("g-%1").arg(++n);
    g.principal = who;
    g.target = QStringLiteral("ci-runners");
    g.privileges = granted;
    g.requestedPrivileges = requested.isEmpty() ? granted : requested;
    g.ttlSeconds = ttl;
    g.ticket = ticket;
    g.task = QStringLiteral("deploy");
    g.reason = QStringLiteral("release");
    g.breakGlass = breakGlass;
    g.policy = breakGlass ? QStringLiteral("break-glass") : QStringLiteral("approval");
    g.startsMs = startsMs;
    g.expiresMs = startsMs + qint64(ttl) * 1000;
    return g;
}

// Three grants on 2 November, two on the 3rd (one asked for admin and was narrowed to deploy), a break-glass
// on the 4th; one before the period and one of another identity, which do not count.
QList<Grant> history()
{
    const QString ci = QStringLiteral("ci-deploy");
    return {
        grant(ci, at(1, 10), {"admin"}, 3000, QStringLiteral("CHG-1")), // before the period
        grant(ci, at(2, 9), {"deploy"}, 600, QStringLiteral("CHG-101")),
        grant(ci, at(2, 11), {"deploy"}, 900, QStringLiteral("CHG-102")),
        grant(ci, at(2, 23), {"deploy", "restart"}, 600, QStringLiteral("CHG-103")),
        grant(ci, at(3, 1), {"deploy"}, 1200, QStringLiteral("CHG-104")),
        grant(ci, at(3, 5), {"deploy"}, 600, QStringLiteral("CHG-105"), {"deploy", "admin"}),
        grant(ci, at(4, 2), {"admin"}, 300, QString(), {}, true),
        grant(QStringLiteral("alice"), at(2, 12), {"admin"}, 900, QStringLiteral("CHG-9")),
    };
}
} // namespace

class TestRuleDraft : public QObject
{
    Q_OBJECT
private slots:
    void draftsWhatTheHistoryShows()
    {
        const Directory d = directory();
        auto draft = RuleDraft::propose(
            d, QStringLiteral("ci-deploy"), QStringLiteral("ci-runners"), history(), at(2, 0), at(5, 0));
        QVERIFY2(draft.ok(), draft.ok() ? "" : qPrintable(draft.error().message));
        const QJsonObject r = draft->rule;
        QCOMPARE(r.value("id").toString(), QStringLiteral("ci-deploy-ci-runners"));
        QCOMPARE(r.value("requesters").toObject().value("ids").toArray(), QJsonArray {"ci-deploy"});
        QCOMPARE(r.value("target").toString(), QStringLiteral("ci-runners"));
        // The union of what it was granted in the period: admin was only asked for, or granted before the
        // period or in a break-glass, none of which shapes the rule.
        QCOMPARE(r.value("privileges").toArray(), (QJsonArray {"deploy", "restart"}));
        QCOMPARE(r.value("max_ttl_seconds").toInt(), 1200); // the longest observed
        QCOMPARE(r.value("budget").toObject().value("per_identity_per_day").toInt(), 3); // 2 November
        QCOMPARE(r.value("ticket_pattern").toString(), QStringLiteral("CHG-[0-9]+"));
        QCOMPARE(r.value("effect").toString(), QStringLiteral("approve"));

        auto rule = Rule::fromJson(r);
        QVERIFY2(rule.ok(), rule.ok() ? "" : qPrintable(rule.error().message));
        QVERIFY(rule->checkAgainst(d.target(QStringLiteral("ci-runners"))).ok());

        // Replayed: five ordinary grants and one break-glass in the period; four approved, one asked for
        // admin, the break-glass never. The budget is the busiest day's count, so no day runs over it.
        const RuleReplay& p = draft->replay;
        QCOMPARE(p.grants, 6);
        QCOMPARE(p.approved, 4);
        QCOMPARE(p.beyondRule, 1);
        QCOMPARE(p.breakGlass, 1);
        QCOMPARE(p.overBudget, 0);
        QCOMPARE(p.otherwise, 0);

        // A typical request: deploy alone, the set asked for most often, as its latest grant asked it.
        QCOMPARE(draft->request.value("requester").toString(), QStringLiteral("ci-deploy"));
        QCOMPARE(draft->request.value("privileges").toArray(), QJsonArray {"deploy"});
        QCOMPARE(draft->request.value("ttl_seconds").toInt(), 1200);
        QCOMPARE(draft->request.value("ticket").toString(), QStringLiteral("CHG-104"));
    }

    // The target's cap bounds the TTL; the busiest day sets the budget.
    void theCapAndTheBusiestDayShapeTheRule()
    {
        // The target's cap is below the longest TTL seen: the draft takes the cap.
        Directory d = directory();
        Directory capped;
        for (const auto& p : d.principals())
            capped.addPrincipal(p);
        Target t = *d.target(QStringLiteral("ci-runners"));
        t.maxTtlSeconds = 700;
        capped.addTarget(t);
        auto draft = RuleDraft::propose(
            capped, QStringLiteral("ci-deploy"), QStringLiteral("ci-runners"), history(), at(2, 0), at(5, 0));
        QVERIFY(draft.ok());
        QCOMPARE(draft->rule.value("max_ttl_seconds").toInt(), 700);
        QVERIFY(Rule::fromJson(draft->rule)->checkAgainst(capped.target(QStringLiteral("ci-runners"))).ok());
        // Capping the TTL refuses nothing: a rule shortens a longer ask to its cap.
        QCOMPARE(draft->replay.approved, 4);
        QCOMPARE(draft->request.value("ttl_seconds").toInt(), 700);

        // Six grants on one day: the budget is six, and all six are approved.
        QList<Grant> busy;
        for (int h = 0; h < 6; ++h)
            busy << grant(
                QStringLiteral("ci-deploy"), at(10, h), {"deploy"}, 600, QStringLiteral("deploy #%1").arg(h));
        auto six = RuleDraft::propose(
            d, QStringLiteral("ci-deploy"), QStringLiteral("ci-runners"), busy, at(10, 0), at(11, 0));
        QVERIFY(six.ok());
        QCOMPARE(six->rule.value("budget").toObject().value("per_identity_per_day").toInt(), 6);
        QCOMPARE(six->replay.approved, 6);
        // "deploy #1" has no obvious prefix: no ticket condition.
        QVERIFY(!six->rule.contains("ticket_pattern"));
    }

    void ticketsWithoutACommonPrefixGiveNoPattern()
    {
        const QString ci = QStringLiteral("ci-deploy");
        const QList<Grant> mixed {grant(ci, at(2, 9), {"deploy"}, 600, QStringLiteral("CHG-1")),
            grant(ci, at(2, 10), {"deploy"}, 600, QStringLiteral("INC-2"))};
        auto draft
            = RuleDraft::propose(directory(), ci, QStringLiteral("ci-runners"), mixed, at(2, 0), at(3, 0));
        QVERIFY(draft.ok());
        QVERIFY(!draft->rule.contains("ticket_pattern"));
        const QList<Grant> words {grant(ci, at(2, 9), {"deploy"}, 600, QStringLiteral("OPS-12a")),
            grant(ci, at(2, 10), {"deploy"}, 600, QStringLiteral("OPS-7"))};
        auto loose
            = RuleDraft::propose(directory(), ci, QStringLiteral("ci-runners"), words, at(2, 0), at(3, 0));
        QVERIFY(loose.ok());
        QCOMPARE(loose->rule.value("ticket_pattern").toString(), QStringLiteral("OPS-.+"));
        QCOMPARE(loose->replay.approved, 2);
        const QList<Grant> oneWithout {grant(ci, at(2, 9), {"deploy"}, 600, QStringLiteral("OPS-1")),
            grant(ci, at(2, 10), {"deploy"}, 600, QString())};
        auto none = RuleDraft::propose(
            directory(), ci, QStringLiteral("ci-runners"), oneWithout, at(2, 0), at(3, 0));
        QVERIFY(none.ok());
        QVERIFY(!none->rule.contains("ticket_pattern"));
    }

    void nothingToDraftFromIsSaid()
    {
        const QString ci = QStringLiteral("ci-deploy");
        const QList<Grant> onlyBreakGlass {grant(ci, at(2, 9), {"admin"}, 300, QString(), {}, true)};
        auto draft = RuleDraft::propose(
            directory(), ci, QStringLiteral("ci-runners"), onlyBreakGlass, at(2, 0), at(3, 0));
        QVERIFY(!draft.ok());
        QVERIFY2(
            draft.error().message.contains(QLatin1String("break-glass")), qPrintable(draft.error().message));
        auto gone = RuleDraft::propose(directory(), QStringLiteral("nobody"), QStringLiteral("ci-runners"),
            history(), at(2, 0), at(5, 0));
        QVERIFY(!gone.ok());
        QVERIFY(gone.error().message.contains(QLatin1String("nobody")));
    }

    void textAndCommandReadBack()
    {
        auto draft = RuleDraft::propose(directory(), QStringLiteral("ci-deploy"),
            QStringLiteral("ci-runners"), history(), at(2, 0), at(5, 0));
        QVERIFY(draft.ok());
        const QString text = draft->ruleText();
        QVERIFY(text.startsWith(QLatin1String("{\n  \"id\": \"ci-deploy-ci-runners\",\n")));
        QVERIFY(text.trimmed().endsWith(QLatin1String("\"effect\": \"approve\"\n}")));
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &pe);
        QVERIFY2(doc.isObject(), qPrintable(pe.errorString()));
        QCOMPARE(doc.object(), draft->rule);

        const QString cmd = draft->testCommand(QStringLiteral("/home/ops/my lapse/directory.json"));
        QVERIFY2(cmd.startsWith(QLatin1String(
                     "lapsectl policy test --directory '/home/ops/my lapse/directory.json' --request '{")),
            qPrintable(cmd));
        const qsizetype start = cmd.indexOf(QLatin1String("--request '")) + 11;
        const QJsonDocument request
            = QJsonDocument::fromJson(cmd.mid(start, cmd.size() - start - 1).toUtf8());
        QCOMPARE(request.object(), draft->request);
        // A single quote in the request survives the shell.
        RuleDraft quoted = draft.value();
        quoted.request.insert(QStringLiteral("ticket"), QStringLiteral("it's"));
        QVERIFY(quoted.testCommand(QStringLiteral("d.json")).contains(QLatin1String("it'\\''s")));
        QVERIFY(quoted.testCommand(QStringLiteral("d.json")).contains(QLatin1String("--directory d.json ")));
    }

    void idsStayWithinWhatARuleIdHolds()
    {
        QCOMPARE(RuleDraft::ruleId(QStringLiteral("svc-billing"), QStringLiteral("billing-db")),
            QStringLiteral("svc-billing-billing-db"));
        const QString odd
            = RuleDraft::ruleId(QStringLiteral("alice@example.com"), QStringLiteral("prod:k8s"));
        QCOMPARE(odd, QStringLiteral("alice-example.com-prod-k8s"));
        QVERIFY(RuleDraft::ruleId(QString(70, QLatin1Char('a')), QStringLiteral("t")).size() <= 64);
        for (const QString& id : {odd, RuleDraft::ruleId(QStringLiteral("@x"), QStringLiteral("y"))}) {
            QJsonObject o {{"id", id}, {"requesters", QJsonObject {{"ids", QJsonArray {"x"}}}},
                {"target", "t"}, {"privileges", QJsonArray {"p"}}, {"max_ttl_seconds", 60},
                {"effect", "approve"}};
            QVERIFY2(Rule::fromJson(o).ok(), qPrintable(id));
        }
    }
};

QTEST_GUILESS_MAIN(TestRuleDraft)
#include "TestRuleDraft.moc"
