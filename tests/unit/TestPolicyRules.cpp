// Policy rules from the directory: parsed strictly, each condition on and off, hours across a daylight-saving
// change, budgets across a local midnight, and what an auto-approved grant looks like in the log, the
// insights and its credential.
#include "engine/Policy.h"

#include "EngineFixture.h"
#include "ReferenceMetrics.h"
#include "metrics/Metrics.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace lapse;
using namespace lapse::test;

// JSON text written as is: the preprocessor quotes it (raw string literals trip moc's scanner).
#define J(...) #__VA_ARGS__

namespace
{
QJsonObject json(const char* text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

Rule rule(const char* text)
{
    auto r = Rule::fromJson(json(text));
    if (!r)
        qFatal("fixture rule refused: %s", qPrintable(r.error().message));
    return r.value();
}

// makeDirectory() with these rules added.
Directory withRules(std::initializer_list<const char*> rules)
{
    Directory d = makeDirectory();
    for (const char* text : rules)
        d.addRule(rule(text));
    return d;
}

qint64 utc(const char* iso)
{
    bool ok = false;
    const qint64 ms = Clock::fromIso(QString::fromLatin1(iso), &ok);
    if (!ok)
        qFatal("bad time %s", iso);
    return ms;
}

// svc-ci (a service owned by alice) may get billing-db read for up to 600 s, with a ticket, in office
// hours in Berlin, three times a local day.
const char* kBatch = J({
    "id" : "ci-read",
    "requesters" : {"ids" : ["svc-ci"]},
    "target" : "billing-db",
    "privileges" : ["read"],
    "max_ttl_seconds" : 600,
    "ticket_pattern" : "FIN-[0-9]+",
    "hours" : {
        "time_zone" : "Europe/Berlin",
        "days" : [ "mon", "tue", "wed", "thu", "fri" ],
        "from" : "08:00",
        "to" : "18:00"
    },
    "budget" : {"per_identity_per_day" : 3},
    "effect" : "approve"
});

RequestInput batchRequest()
{
    RequestInput in;
    in.target = QStringLiteral("billing-db");
    in.privileges = QStringList {QStringLiteral("read")};
    in.task = QStringLiteral("nightly invoices");
    in.reason = QStringLiteral("scheduled batch");
    in.ticket = QStringLiteral("FIN-2291");
    in.ttlSeconds = 600;
    return in;
}

const qint64 kTuesdayNoonBerlin = utc("2026-12-01T11:00:00Z");
} // namespace

class TestPolicyRules : public QObject
{
    Q_OBJECT

private slots:
    void refusesBadRules_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("reason");
        const auto row = [](const char* name, const char* text, const char* reason) {
            QTest::newRow(name) << QByteArray(text) << QString::fromLatin1(reason);
        };
        row("unknown key", J({
            "id" : "r",
            "requesters" : {"ids" : ["a"]},
            "target" : "t",
            "privileges" : ["p"],
            "max_ttl_seconds" : 60,
            "effect" : "approve",
            "approvers" : 2
        }),
            "unknown key 'approvers'");
        row("no effect", J({"id" : "r", "requesters" : {"ids" : ["a"]}, "target" : "t"}), "effect must be");
        row("nobody", J({
            "id" : "r",
            "requesters" : {},
            "target" : "t",
            "privileges" : ["p"],
            "max_ttl_seconds" : 60,
            "effect" : "approve"
        }),
            "names nobody");
        row("bad kind", J({
            "id" : "r",
            "requesters" : {"kinds" : ["robot"]},
            "target" : "t",
            "privileges" : ["p"],
            "max_ttl_seconds" : 60,
            "effect" : "approve"
        }),
            "unknown requester kind 'robot'");
        row("approve without privileges", J({
            "id" : "r",
            "requesters" : {"ids" : ["a"]},
            "target" : "t",
            "max_ttl_seconds" : 60,
            "effect" : "approve"
        }),
            "privileges it may approve");
        row("approve without ttl", J({
            "id" : "r",
            "requesters" : {"ids" : ["a"]},
            "target" : "t",
            "privileges" : ["p"],
            "effect" : "approve"
        }),
            "max_ttl_seconds");
        row("require without approvals",
            J({"id" : "r", "requesters" : {"ids" : ["a"]}, "target" : "t", "effect" : "require"}),
            "approvals must be");
        row("budget on require", J({
            "id" : "r",
            "requesters" : {"ids" : ["a"]},
            "target" : "t",
            "effect" : "require",
            "approvals" : 2,
            "budget" : {"per_identity_per_day" : 2}
        }),
            "budget belongs to an approve rule");
        row("bad zone", J({
            "id" : "r",
            "requesters" : {"ids" : ["a"]},
            "target" : "t",
            "privileges" : ["p"],
            "max_ttl_seconds" : 60,
            "effect" : "approve",
            "hours" : {"time_zone" : "Mars/Olympus", "days" : ["mon"], "from" : "08:00", "to" : "18:00"}
        }),
            "unknown time zone 'Mars/Olympus'");
        row("bad day", J({
            "id" : "r",
            "requesters" : {"ids" : ["a"]},
            "target" : "t",
            "privileges" : ["p"],
            "max_ttl_seconds" : 60,
            "effect" : "approve",
            "hours" : {"time_zone" : "UTC", "days" : ["monday"], "from" : "08:00", "to" : "18:00"}
        }),
            "unknown day 'monday'");
        row("bad time", J({
            "id" : "r",
            "requesters" : {"ids" : ["a"]},
            "target" : "t",
            "privileges" : ["p"],
            "max_ttl_seconds" : 60,
            "effect" : "approve",
            "hours" : {"time_zone" : "UTC", "days" : ["mon"], "from" : "8am", "to" : "18:00"}
        }),
            "HH:MM");
        row("empty span", J({
            "id" : "r",
            "requesters" : {"ids" : ["a"]},
            "target" : "t",
            "privileges" : ["p"],
            "max_ttl_seconds" : 60,
            "effect" : "approve",
            "hours" : {"time_zone" : "UTC", "days" : ["mon"], "from" : "08:00", "to" : "08:00"}
        }),
            "empty span");
        row("zero budget", J({
            "id" : "r",
            "requesters" : {"ids" : ["a"]},
            "target" : "t",
            "privileges" : ["p"],
            "max_ttl_seconds" : 60,
            "effect" : "approve",
            "budget" : {"per_identity_per_day" : 0}
        }),
            "per_identity_per_day must be");
        row("bad pattern", J({
            "id" : "r",
            "requesters" : {"ids" : ["a"]},
            "target" : "t",
            "privileges" : ["p"],
            "max_ttl_seconds" : 60,
            "effect" : "approve",
            "ticket_pattern" : "FIN-[0-9"
        }),
            "ticket_pattern is not a valid");
        row("reserved id", J({
            "id" : "break-glass",
            "requesters" : {"ids" : ["a"]},
            "target" : "t",
            "privileges" : ["p"],
            "max_ttl_seconds" : 60,
            "effect" : "approve"
        }),
            "reserved");
    }

    void refusesBadRules()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, reason);
        const QJsonDocument doc = QJsonDocument::fromJson(text);
        QVERIFY(doc.isObject());
        const auto r = Rule::fromJson(doc.object());
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.startsWith(QLatin1String("rule ")), qPrintable(r.error().message));
        QVERIFY2(r.error().message.contains(reason), qPrintable(r.error().message));
    }

    // A rule never widens a target: more privileges or a longer TTL than the target allows stop the load.
    void refusesRulesBeyondTheirTarget_data()
    {
        QTest::addColumn<QString>("ruleText");
        QTest::addColumn<QString>("reason");
        QTest::newRow("privilege the target lacks") << J({
            "id" : "wide",
            "requesters" : {"ids" : ["svc-ci"]},
            "target" : "billing-db",
            "privileges" : [ "read", "superuser" ],
            "max_ttl_seconds" : 60,
            "effect" : "approve"
        }) << "cannot widen a target";
        QTest::newRow("ttl over the target's cap") << J({
            "id" : "long",
            "requesters" : {"ids" : ["svc-ci"]},
            "target" : "billing-db",
            "privileges" : ["read"],
            "max_ttl_seconds" : 7200,
            "effect" : "approve"
        }) << "over target billing-db's cap of 3600";
        QTest::newRow("unknown target") << J({
            "id" : "lost",
            "requesters" : {"ids" : ["svc-ci"]},
            "target" : "nowhere",
            "privileges" : ["read"],
            "max_ttl_seconds" : 60,
            "effect" : "approve"
        }) << "target 'nowhere' is not in the directory";
        QTest::newRow("unknown requester") << J({
            "id" : "ghost",
            "requesters" : {"ids" : ["nobody"]},
            "target" : "billing-db",
            "privileges" : ["read"],
            "max_ttl_seconds" : 60,
            "effect" : "approve"
        }) << "requester 'nobody' is not in the directory";
        QTest::newRow("owner who is not human") << J({
            "id" : "own",
            "requesters" : {"owners" : ["svc-ci"]},
            "target" : "billing-db",
            "privileges" : ["read"],
            "max_ttl_seconds" : 60,
            "effect" : "approve"
        }) << "owner 'svc-ci' is not a human";
    }

    void refusesRulesBeyondTheirTarget()
    {
        QFETCH(QString, ruleText);
        QFETCH(QString, reason);
        QJsonObject dir = makeDirectory().toJson();
        dir.insert(QStringLiteral("rules"), QJsonArray {QJsonDocument::fromJson(ruleText.toUtf8()).object()});
        const auto d = Directory::fromJson(QJsonDocument(dir).toJson());
        QVERIFY(!d.ok());
        QVERIFY2(d.error().message.contains(reason), qPrintable(d.error().message));
        // Without the rule the same directory loads: the rule alone was the problem.
        dir.remove(QStringLiteral("rules"));
        QVERIFY(Directory::fromJson(QJsonDocument(dir).toJson()).ok());
    }

    void roundTripsThroughTheDirectoryFile()
    {
        const Directory d = withRules({kBatch});
        const auto again = Directory::fromJson(QJsonDocument(d.toJson()).toJson());
        LAPSE_VERIFY_OK(again);
        QCOMPARE(again.value().rules().size(), 1);
        QCOMPARE(again.value().rules().first().digest, d.rules().first().digest);
        QCOMPARE(d.rules().first().digest.size(), 64);
        // The digest covers the rule's content: one changed value, another digest.
        QJsonObject changed = json(kBatch);
        changed.insert(QStringLiteral("max_ttl_seconds"), 300);
        QVERIFY(Rule::fromJson(changed).value().digest != d.rules().first().digest);
    }

    // Each condition on and off, against the one rule, with everything else as the rule wants it.
    void eachCondition_data()
    {
        QTest::addColumn<QString>("requester");
        QTest::addColumn<QStringList>("privileges");
        QTest::addColumn<QString>("ticket");
        QTest::addColumn<qint64>("at");
        QTest::addColumn<int>("usedToday");
        QTest::addColumn<bool>("breakGlass");
        QTest::addColumn<bool>("lockedOut");
        QTest::addColumn<bool>("approved");
        QTest::addColumn<QString>("why");
        const QStringList read {QStringLiteral("read")};
        const qint64 noon = kTuesdayNoonBerlin;
        QTest::newRow("all met") << "svc-ci" << read << "FIN-1" << noon << 0 << false << false << true
                                 << "would grant read for 600 s";
        QTest::newRow("not covered") << "alice" << read << "FIN-1" << noon << 0 << false << false << false
                                     << "does not cover alice";
        QTest::newRow("beyond its privileges") << "svc-ci" << QStringList {"read", "write"} << "FIN-1" << noon
                                               << 0 << false << false << false << "asks for write, beyond";
        QTest::newRow("no ticket") << "svc-ci" << read << "" << noon << 0 << false << false << false
                                   << "needs a ticket matching";
        QTest::newRow("ticket not matching")
            << "svc-ci" << read << "FIN-12x" << noon << 0 << false << false << false << "does not match";
        QTest::newRow("before hours") << "svc-ci" << read << "FIN-1" << utc("2026-12-01T06:59:00Z") << 0
                                      << false << false << false << "outside its hours";
        QTest::newRow("first minute of hours") << "svc-ci" << read << "FIN-1" << utc("2026-12-01T07:00:00Z")
                                               << 0 << false << false << true << "";
        QTest::newRow("last minute of hours") << "svc-ci" << read << "FIN-1" << utc("2026-12-01T16:59:00Z")
                                              << 0 << false << false << true << "";
        QTest::newRow("end of hours") << "svc-ci" << read << "FIN-1" << utc("2026-12-01T17:00:00Z") << 0
                                      << false << false << false << "outside its hours";
        QTest::newRow("saturday") << "svc-ci" << read << "FIN-1" << utc("2026-12-05T11:00:00Z") << 0 << false
                                  << false << false << "outside its hours";
        QTest::newRow("budget left") << "svc-ci" << read << "FIN-1" << noon << 2 << false << false << true
                                     << "2 of its 3 a day used";
        QTest::newRow("budget spent") << "svc-ci" << read << "FIN-1" << noon << 3 << false << false << false
                                      << "daily budget spent (3 of 3 today)";
        QTest::newRow("break-glass") << "svc-ci" << read << "FIN-1" << noon << 0 << true << false << false
                                     << "break-glass is never approved by a rule";
        QTest::newRow("locked out") << "svc-ci" << read << "FIN-1" << noon << 0 << false << true << false
                                    << "locked out";
    }

    void eachCondition()
    {
        QFETCH(QString, requester);
        QFETCH(QStringList, privileges);
        QFETCH(QString, ticket);
        QFETCH(qint64, at);
        QFETCH(int, usedToday);
        QFETCH(bool, breakGlass);
        QFETCH(bool, lockedOut);
        QFETCH(bool, approved);
        QFETCH(QString, why);
        const Directory d = withRules({kBatch});
        RequestInput in = batchRequest();
        in.privileges = privileges;
        in.ticket = ticket;
        in.breakGlass = breakGlass;
        const RuleVerdict v = Policy::evaluateRules(d.rules(), *d.principal(requester),
            *d.target(QStringLiteral("billing-db")), in, at, lockedOut,
            [usedToday](const Rule&, qint64) { return usedToday; });
        QCOMPARE(v.approvedBy != nullptr, approved);
        QCOMPARE(v.checks.size(), 1);
        QCOMPARE(v.checks.first().applies, approved);
        QVERIFY2(v.checks.first().why.contains(why), qPrintable(v.checks.first().why));
        if (approved)
            QCOMPARE(v.ttlSeconds, 600);
    }

    void coversByIdKindAndOwner()
    {
        Directory d = withRules({
            J({
                "id" : "by-kind",
                "requesters" : {"kinds" : ["agent"]},
                "target" : "billing-db",
                "privileges" : ["read"],
                "max_ttl_seconds" : 60,
                "effect" : "approve"
            }),
            J({
                "id" : "by-owner",
                "requesters" : {"owners" : ["alice"]},
                "target" : "billing-db",
                "privileges" : ["read"],
                "max_ttl_seconds" : 60,
                "effect" : "approve"
            }),
        });
        const Target& t = *d.target(QStringLiteral("billing-db"));
        const RequestInput in = batchRequest();
        const auto decide = [&](const char* who) {
            const RuleVerdict v = Policy::evaluateRules(
                d.rules(), *d.principal(QString::fromLatin1(who)), t, in, kTuesdayNoonBerlin, false, {});
            return v.approvedBy ? v.approvedBy->id : QString();
        };
        QCOMPARE(decide("agent-7"), QStringLiteral("by-kind")); // an agent
        QCOMPARE(decide("svc-ci"), QStringLiteral("by-owner")); // owned by alice
        QCOMPARE(decide("alice"), QString()); // alice herself is human: "owners" covers what she owns
        QCOMPARE(decide("dave"), QString());
    }

    // The TTL is capped at the rule's; a require rule sets approve rules aside; order decides among approves.
    void capsOrdersAndRequires()
    {
        Directory d = withRules({
            J({
                "id" : "first",
                "requesters" : {"ids" : ["svc-ci"]},
                "target" : "billing-db",
                "privileges" : ["read"],
                "max_ttl_seconds" : 300,
                "effect" : "approve"
            }),
            J({
                "id" : "second",
                "requesters" : {"ids" : ["svc-ci"]},
                "target" : "billing-db",
                "privileges" : [ "read", "write" ],
                "max_ttl_seconds" : 600,
                "effect" : "approve"
            }),
        });
        const Target& t = *d.target(QStringLiteral("billing-db"));
        RuleVerdict v = Policy::evaluateRules(d.rules(), *d.principal(QStringLiteral("svc-ci")), t,
            batchRequest(), kTuesdayNoonBerlin, false, {});
        QCOMPARE(v.approvedBy->id, QStringLiteral("first"));
        QCOMPARE(v.ttlSeconds, 300);
        QVERIFY2(v.checks.first().why.contains(QLatin1String("capped from 600 s")),
            qPrintable(v.checks.first().why));

        d.addRule(rule(J({
            "id" : "two-people",
            "requesters" : {"kinds" : ["service"]},
            "target" : "billing-db",
            "privileges" : ["read"],
            "effect" : "require",
            "approvals" : 2
        })));
        v = Policy::evaluateRules(d.rules(), *d.principal(QStringLiteral("svc-ci")), t, batchRequest(),
            kTuesdayNoonBerlin, false, {});
        QVERIFY(!v.approvedBy);
        QCOMPARE(v.raisedBy->id, QStringLiteral("two-people"));
        QCOMPARE(v.approvalsRequired, 2);
        QVERIFY2(v.summary.contains(QLatin1String("approve rule first is set aside")), qPrintable(v.summary));

        // A require rule over privileges the request does not touch does not apply.
        Directory w = withRules({J({
            "id" : "ddl-two",
            "requesters" : {"kinds" : ["service"]},
            "target" : "billing-db",
            "privileges" : ["ddl"],
            "effect" : "require",
            "approvals" : 2
        })});
        v = Policy::evaluateRules(w.rules(), *w.principal(QStringLiteral("svc-ci")),
            *w.target(QStringLiteral("billing-db")), batchRequest(), kTuesdayNoonBerlin, false, {});
        QVERIFY(!v.raisedBy);
        QCOMPARE(v.approvalsRequired, 1);
    }

    // Berlin moves its clocks on Sunday 2026-03-29 (02:00 CET -> 03:00 CEST): the same UTC time is 07:30 on
    // the Friday before and 08:30 on the Monday after, so office hours from 08:00 open an hour earlier in
    // UTC.
    void hoursAcrossADaylightSavingChange()
    {
        const Rule r = rule(kBatch);
        QVERIFY(r.hours);
        QVERIFY(!r.hours->contains(utc("2026-03-27T06:30:00Z"))); // Fri 07:30 CET
        QVERIFY(r.hours->contains(utc("2026-03-27T07:00:00Z"))); // Fri 08:00 CET
        QVERIFY(r.hours->contains(utc("2026-03-30T06:30:00Z"))); // Mon 08:30 CEST
        QVERIFY(!r.hours->contains(utc("2026-03-30T05:59:00Z"))); // Mon 07:59 CEST
        QVERIFY(r.hours->contains(utc("2026-03-27T16:30:00Z"))); // Fri 17:30 CET
        QVERIFY(!r.hours->contains(utc("2026-03-30T16:30:00Z"))); // Mon 18:30 CEST
        // And back on Sunday 2026-10-25 (03:00 CEST -> 02:00 CET).
        QVERIFY(!r.hours->contains(utc("2026-10-23T16:30:00Z"))); // Fri 18:30 CEST
        QVERIFY(r.hours->contains(utc("2026-10-26T16:30:00Z"))); // Mon 17:30 CET

        // A night shift across midnight: the evening of a listed day, and the morning after it.
        const Rule night = rule(J({
            "id" : "night",
            "requesters" : {"ids" : ["svc-ci"]},
            "target" : "billing-db",
            "privileges" : ["read"],
            "max_ttl_seconds" : 60,
            "effect" : "approve",
            "hours" : {"time_zone" : "America/New_York", "days" : ["fri"], "from" : "22:00", "to" : "06:00"}
        }));
        QVERIFY(night.hours->contains(utc("2026-11-07T03:30:00Z"))); // Fri 22:30 EST
        QVERIFY(night.hours->contains(utc("2026-11-07T10:30:00Z"))); // Sat 05:30 EST, the morning after
        QVERIFY(!night.hours->contains(utc("2026-11-07T11:30:00Z"))); // Sat 06:30 EST
        QVERIFY(!night.hours->contains(utc("2026-11-08T03:30:00Z"))); // Sat 22:30 EST: not listed
        QVERIFY(!night.hours->contains(utc("2026-11-06T02:30:00Z"))); // Thu 22:30 EDT: not listed
    }

    // Through the engine: auto-approved at once, recorded as the rule's decision with its digest, counted
    // complete, and its credential authenticates.
    void autoApprovalIsRecordedAsTheRules()
    {
        EngineFixture f(withRules({kBatch}));
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        f.clock().set(kTuesdayNoonBerlin);
        RequestInput in = batchRequest();
        in.ttlSeconds = 900; // over the rule's cap, within the target's: granted for 600 s
        const auto d = f.submit(QStringLiteral("svc-ci"), in);
        LAPSE_VERIFY_OK(d);
        QVERIFY(d->grant);
        const Grant& g = *d->grant;
        const QString digest = f.engine().directory().rules().first().digest;
        QCOMPARE(g.policy, QStringLiteral("rule"));
        QCOMPARE(g.rule, QStringLiteral("ci-read"));
        QCOMPARE(g.ruleDigest, digest);
        QCOMPARE(g.ttlSeconds, 600);
        QCOMPARE(g.expiresMs - g.startsMs, 600'000);
        QVERIFY(g.approvers.isEmpty());
        QCOMPARE(d->request.status, RequestStatus::Approved);
        QCOMPARE(d->request.decidedBy, QStringLiteral("policy:ci-read"));

        const QList<Event> approved = f.eventsOfType(QStringLiteral("request.approved"));
        QCOMPARE(approved.size(), 1);
        QCOMPARE(approved.first().actor, QStringLiteral("policy:ci-read"));
        QCOMPARE(approved.first().bodyJson()["rule"].toObject()["digest"].toString(), digest);
        const QList<Event> activated = f.eventsOfType(QStringLiteral("grant.activated"));
        QCOMPARE(activated.first().bodyJson()["rule"].toObject()["id"].toString(), QStringLiteral("ci-read"));
        QCOMPARE(activated.first().bodyJson()["policy"].toString(), QStringLiteral("rule"));

        QVERIFY(f.isActive(QStringLiteral("api-gw"), f.token(g)));
        QCOMPARE(f.engine().counters().grantsByRule, 1);

        // A complete record, in the engine's insights and in the reference computation alike.
        const QJsonObject m
            = computeMetrics(f.engine().store(), f.engine().directory(), {}, f.now() + 1000).value();
        QCOMPARE(m["completeness"].toObject()["grants"].toInt(), 1);
        QCOMPARE(m["completeness"].toObject()["complete"].toInt(), 1);
        const auto ref
            = referenceMetrics(storeDb(f.engine().store()), f.engine().directory(), {}, f.now() + 1000);
        LAPSE_VERIFY_OK(ref);
        QCOMPARE(ref.value()["completeness"], m["completeness"]);
    }

    // Three a Berlin day: the fourth waits for people; after Berlin's midnight (still the same UTC day) the
    // rule approves again, and the count survives a restart because it is read from the store.
    void budgetsAcrossALocalMidnight()
    {
        const char* anyTime = J({
            "id" : "ci-read",
            "requesters" : {"ids" : ["svc-ci"]},
            "target" : "billing-db",
            "privileges" : ["read"],
            "max_ttl_seconds" : 600,
            "budget" : {"per_identity_per_day" : 3, "time_zone" : "Europe/Berlin"},
            "effect" : "approve"
        });
        EngineFixture f(withRules({anyTime}));
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        f.clock().set(utc("2026-12-03T21:00:00Z")); // 22:00 in Berlin
        for (int i = 0; i < 3; ++i) {
            const auto d = f.submit(QStringLiteral("svc-ci"), batchRequest());
            LAPSE_VERIFY_OK(d);
            QVERIFY2(d->grant, "within the budget: approved by the rule");
            f.clock().set(f.now() + 60'000);
        }
        f.clock().set(utc("2026-12-03T22:50:00Z")); // 23:50 in Berlin: the same local day
        auto d = f.submit(QStringLiteral("svc-ci"), batchRequest());
        LAPSE_VERIFY_OK(d);
        QVERIFY(!d->grant);
        QCOMPARE(d->request.status, RequestStatus::Pending);
        QCOMPARE(d->request.rule, QString());
        // A person may still approve it.
        LAPSE_VERIFY_OK(f.approve(QStringLiteral("bob"), d->request.id));

        f.clock().set(utc("2026-12-03T23:05:00Z")); // 00:05 in Berlin, still Dec 3 in UTC
        d = f.submit(QStringLiteral("svc-ci"), batchRequest());
        LAPSE_VERIFY_OK(d);
        QVERIFY2(d->grant, "a new Berlin day: the budget is fresh");

        f.close();
        QVERIFY(f.reopen());
        for (int i = 0; i < 2; ++i) {
            d = f.submit(QStringLiteral("svc-ci"), batchRequest());
            LAPSE_VERIFY_OK(d);
            QVERIFY2(d->grant, "two more of the new day's three");
        }
        d = f.submit(QStringLiteral("svc-ci"), batchRequest());
        LAPSE_VERIFY_OK(d);
        QVERIFY2(!d->grant, "the day's budget, counted across the restart, is spent");
        // The person-approved grant did not count against the rule's budget: 3 + 3 by the rule.
        QCOMPARE(f.rowCount(QStringLiteral("grants")), 7);
    }

    // A store made before rules had no rule column: opening it adds one, and budgets count from then on.
    void aStoreFromBeforeRulesGainsTheColumn()
    {
        EngineFixture f(withRules({J({
            "id" : "ci-read",
            "requesters" : {"ids" : ["svc-ci"]},
            "target" : "billing-db",
            "privileges" : ["read"],
            "max_ttl_seconds" : 600,
            "budget" : {"per_identity_per_day" : 1},
            "effect" : "approve"
        })}));
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        f.clock().set(kTuesdayNoonBerlin);
        LAPSE_VERIFY_OK(f.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db")));
        {
            QSqlQuery q(storeDb(f.engine().store()));
            QVERIFY(q.exec(QStringLiteral("DROP INDEX grants_rule")));
            QVERIFY2(q.exec(QStringLiteral("ALTER TABLE grants DROP COLUMN rule")),
                qPrintable(q.lastError().text()));
        }
        f.close();
        QVERIFY(f.reopen());
        auto d = f.submit(QStringLiteral("svc-ci"), batchRequest());
        LAPSE_VERIFY_OK(d);
        QVERIFY2(d->grant, "the column is back and the rule approves");
        d = f.submit(QStringLiteral("svc-ci"), batchRequest());
        LAPSE_VERIFY_OK(d);
        QVERIFY2(!d->grant, "and its budget of one is counted through it");
        QSqlQuery q(storeDb(f.engine().store()));
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM grants WHERE rule = 'ci-read'")) && q.next());
        QCOMPARE(q.value(0).toInt(), 1);
    }

    // Separation of duties holds under a require rule: the agent's owner still cannot approve, and two
    // different people must.
    void requireRuleKeepsSeparationOfDuties()
    {
        EngineFixture f(withRules({J({
            "id" : "agents-two",
            "requesters" : {"kinds" : ["agent"]},
            "target" : "billing-db",
            "effect" : "require",
            "approvals" : 2
        })}));
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        const auto d
            = f.submit(QStringLiteral("agent-7"), EngineFixture::input(QStringLiteral("billing-db")));
        LAPSE_VERIFY_OK(d);
        QVERIFY(!d->grant);
        QCOMPARE(d->request.approvalsRequired, 2);
        QCOMPARE(d->request.rule, QStringLiteral("agents-two"));
        const QString id = d->request.id;
        LAPSE_VERIFY_ERROR(
            f.approve(QStringLiteral("bob"), id), ErrorCode::Forbidden, "separation of duties");
        auto first = f.approve(QStringLiteral("carol"), id);
        LAPSE_VERIFY_OK(first);
        QVERIFY2(!first->grant, "one of two approvals");
        LAPSE_VERIFY_ERROR(f.approve(QStringLiteral("carol"), id), ErrorCode::Conflict, "already approved");
        auto second = f.approve(QStringLiteral("dave"), id);
        LAPSE_VERIFY_OK(second);
        QVERIFY(second->grant);
        QCOMPARE(second->grant->approvers, (QStringList {"carol", "dave"}));
        QCOMPARE(second->grant->rule, QString()); // people decided; the rule only asked for more of them
    }

    void breakGlassAndLockoutAreNeverAutoApproved()
    {
        EngineFixture f(withRules({J({
            "id" : "vault-read",
            "requesters" : {"ids" : ["alice"]},
            "target" : "vault",
            "privileges" : ["read"],
            "max_ttl_seconds" : 600,
            "effect" : "approve"
        })}));
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        RequestInput in = EngineFixture::input(QStringLiteral("vault"));
        in.breakGlass = true;
        in.ttlSeconds = 300;
        auto d = f.submit(QStringLiteral("alice"), in);
        LAPSE_VERIFY_OK(d);
        QVERIFY(d->grant);
        QCOMPARE(d->grant->policy, QStringLiteral("break-glass"));
        QCOMPARE(d->grant->rule, QString());
        QCOMPARE(d->request.decidedBy, QStringLiteral("policy:break-glass"));

        in.breakGlass = false;
        d = f.submit(QStringLiteral("alice"), in);
        LAPSE_VERIFY_OK(d);
        QCOMPARE(d->grant->rule, QStringLiteral("vault-read"));

        LAPSE_VERIFY_OK(f.engine().lockout(
            f.who(QStringLiteral("rita")), QStringLiteral("alice"), QStringLiteral("phished laptop")));
        LAPSE_VERIFY_ERROR(f.submit(QStringLiteral("alice"), in), ErrorCode::Forbidden, "locked out");
        QCOMPARE(f.engine().counters().grantsByRule, 1);
    }

    // The broker refuses to start on a directory with a bad rule, naming the rule and the reason.
    void invalidRuleStopsTheBroker()
    {
        QTemporaryDir dir;
        QJsonObject d = makeDirectory().toJson();
        d.insert(QStringLiteral("rules"), QJsonArray {json(J({
            "id" : "too-wide",
            "requesters" : {"ids" : ["svc-ci"]},
            "target" : "billing-db",
            "privileges" : [ "read", "root" ],
            "max_ttl_seconds" : 60,
            "effect" : "approve"
        }))});
        QFile file(dir.filePath(QStringLiteral("directory.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(d).toJson());
        file.close();
        QProcess broker;
        broker.start(QCoreApplication::applicationDirPath() + QStringLiteral("/lapse-broker"),
            {QStringLiteral("--data"), dir.filePath(QStringLiteral("data")), QStringLiteral("--directory"),
                file.fileName(), QStringLiteral("--insecure-http"), QStringLiteral("--listen"),
                QStringLiteral("127.0.0.1:0")});
        QVERIFY(broker.waitForFinished(20'000));
        QVERIFY(broker.exitCode() != 0);
        const QString err = QString::fromLocal8Bit(broker.readAllStandardError());
        QVERIFY2(err.contains(QLatin1String("rule too-wide")) && err.contains(QLatin1String("cannot widen")),
            qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestPolicyRules)
#include "TestPolicyRules.moc"
