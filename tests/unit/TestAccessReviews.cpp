// Access reviews of repeated elevations: who may decide, what is refused, what review.decided records, the
// candidates with their latest decision, and the decisions as a mirror of the log sees them.
#include "EngineFixture.h"
#include "metrics/Metrics.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace lapse;
using namespace lapse::test;

namespace
{
ReviewDecision decision(const QString& outcome = QStringLiteral("convert-to-rule"))
{
    ReviewDecision d;
    d.identity = QStringLiteral("svc-ci");
    d.target = QStringLiteral("billing-db");
    d.privileges = QStringList {QStringLiteral("read")};
    d.outcome = outcome;
    d.comment = QStringLiteral("the nightly batch asks every night: a rule with a budget");
    return d;
}

constexpr qint64 kHourMs = 3'600'000;

// svc-ci got billing-db read six times, an hour apart: a redesign candidate at the default threshold (5).
void repeat(EngineFixture& f, int times)
{
    for (int i = 0; i < times; ++i) {
        LAPSE_VERIFY_OK(f.grantFor(QStringLiteral("svc-ci"), QStringLiteral("billing-db")));
        f.clock().set(f.now() + kHourMs);
    }
}
} // namespace

class TestAccessReviews : public QObject
{
    Q_OBJECT

private slots:
    void ownersDecideAndTheDecisionIsAnEvent()
    {
        EngineFixture f;
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        const qint64 from = f.now();
        repeat(f, 6);
        ReviewDecision in = decision();
        in.fromMs = from;
        // carol owns billing-db.
        const auto d = f.engine().decideReview(f.who(QStringLiteral("carol")), in);
        LAPSE_VERIFY_OK(d);
        QCOMPARE(d->reviewer, QStringLiteral("carol"));
        QCOMPARE(d->grants, 6);
        QCOMPARE(d->toMs, f.now());
        const QList<Event> events = f.eventsOfType(QStringLiteral("review.decided"));
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.first().seq, d->seq);
        QCOMPARE(events.first().actor, QStringLiteral("carol"));
        QCOMPARE(events.first().subject, QStringLiteral("svc-ci/billing-db"));
        const QJsonObject body = events.first().bodyJson();
        QCOMPARE(body["outcome"].toString(), QStringLiteral("convert-to-rule"));
        QCOMPARE(body["comment"].toString(), in.comment);
        QCOMPARE(body["grants"].toInt(), 6);
        QCOMPARE(body["from"].toString(), Clock::toIso(from));

        // The store's decisions, read back, also after a restart.
        QCOMPARE(f.engine().store().reviewDecisions({}).size(), 1);
        f.close();
        QVERIFY(f.reopen());
        const QList<ReviewDecision> stored = f.engine().store().reviewDecisions(QStringLiteral("billing-db"));
        QCOMPARE(stored.size(), 1);
        QCOMPARE(stored.first().seq, d->seq);
        QCOMPARE(stored.first().outcome, QStringLiteral("convert-to-rule"));
        QVERIFY(f.engine().store().reviewDecisions(QStringLiteral("prod-k8s")).isEmpty());

        // alice owns svc-ci, but is no approver; bob owns agent-7 and may decide on it; adm is an admin.
        LAPSE_VERIFY_ERROR(f.engine().decideReview(f.who(QStringLiteral("alice")), decision()),
            ErrorCode::Forbidden, "lacks the approver or admin role");
        ReviewDecision agent = decision(QStringLiteral("keep-jit"));
        agent.identity = QStringLiteral("agent-7");
        LAPSE_VERIFY_OK(f.engine().decideReview(f.who(QStringLiteral("bob")), agent));
        LAPSE_VERIFY_OK(f.engine().decideReview(
            f.who(QStringLiteral("adm")), decision(QStringLiteral("standing-entitlement"))));
        QCOMPARE(f.engine().store().reviewDecisions({}).size(), 3);
    }

    void refusals_data()
    {
        QTest::addColumn<QString>("who");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("word");
        const int forbidden = int(ErrorCode::Forbidden), invalid = int(ErrorCode::Invalid);
        QTest::newRow("owns neither") << "dave"
                                      << ""
                                      << "" << forbidden << "the owner of billing-db (carol)";
        QTest::newRow("reviews itself") << "dave"
                                        << "identity"
                                        << "dave" << forbidden << "separation of duties";
        QTest::newRow("unknown outcome") << "carol"
                                         << "outcome"
                                         << "ignore" << invalid << "outcome must be one of";
        QTest::newRow("no comment") << "carol"
                                    << "comment"
                                    << "  " << invalid << "comment is required";
        QTest::newRow("control character") << "carol"
                                           << "comment"
                                           << "ok\x1b[2J" << invalid << "control character";
        QTest::newRow("privilege the target lacks") << "carol"
                                                    << "privileges"
                                                    << "root" << invalid << "no privilege 'root'";
        QTest::newRow("unknown identity") << "carol"
                                          << "identity"
                                          << "ghost" << invalid << "not in the directory";
        QTest::newRow("unknown target") << "carol"
                                        << "target"
                                        << "nowhere" << invalid << "not in the directory";
    }

    void refusals()
    {
        QFETCH(QString, who);
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(int, code);
        QFETCH(QString, word);
        EngineFixture f;
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        ReviewDecision d = decision();
        if (field == QLatin1String("identity"))
            d.identity = value;
        else if (field == QLatin1String("outcome"))
            d.outcome = value;
        else if (field == QLatin1String("comment"))
            d.comment = value;
        else if (field == QLatin1String("privileges"))
            d.privileges = QStringList {value};
        else if (field == QLatin1String("target"))
            d.target = value;
        const qint64 before = f.engine().store().lastSeq();
        LAPSE_VERIFY_ERROR(f.engine().decideReview(f.who(who), d), ErrorCode(code), word);
        QCOMPARE(f.engine().store().lastSeq(), before); // nothing written
    }

    // The candidates: who decides, the rule that already covers one, and the latest decision on each.
    void candidatesCarryTheLatestDecision()
    {
        Directory dir = makeDirectory();
        dir.addRule(Rule::fromJson(
            QJsonDocument::fromJson("{\"id\":\"agent-read\",\"requesters\":{\"ids\":[\"agent-7\"]},"
                                    "\"target\":\"billing-db\",\"privileges\":[\"read\",\"write\"],"
                                    "\"max_ttl_seconds\":600,\"effect\":\"approve\"}")
                .object())
                        .value());
        EngineFixture f(dir);
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        repeat(f, 6);
        for (int i = 0; i < 5; ++i) {
            LAPSE_VERIFY_OK(f.submit(QStringLiteral("agent-7"), QStringLiteral("billing-db")));
            f.clock().set(f.now() + kHourMs);
        }
        auto candidates = [&f]() {
            auto list = reviewCandidates(f.engine().store(), f.engine().directory(), {}, f.now());
            if (!list)
                qFatal("%s", qPrintable(list.error().message));
            QHash<QString, QJsonObject> byIdentity;
            for (const auto& v : list.value())
                byIdentity.insert(v.toObject()["identity"].toString(), v.toObject());
            return byIdentity;
        };
        auto c = candidates();
        QCOMPARE(c.size(), 2);
        QCOMPARE(c["svc-ci"]["count"].toInt(), 6);
        QCOMPARE(c["svc-ci"]["kind"].toString(), QStringLiteral("service"));
        QCOMPARE(c["svc-ci"]["decided_by_owners"].toArray(), (QJsonArray {"carol", "alice"}));
        QVERIFY(!c["svc-ci"].contains("rule"));
        QVERIFY(!c["svc-ci"].contains("decision"));
        QCOMPARE(c["agent-7"]["rule"].toString(), QStringLiteral("agent-read"));

        LAPSE_VERIFY_OK(
            f.engine().decideReview(f.who(QStringLiteral("carol")), decision(QStringLiteral("keep-jit"))));
        const auto later = f.engine().decideReview(f.who(QStringLiteral("carol")), decision());
        LAPSE_VERIFY_OK(later);
        c = candidates();
        QCOMPARE(c["svc-ci"]["decision"].toObject()["outcome"].toString(), QStringLiteral("convert-to-rule"));
        QCOMPARE(c["svc-ci"]["decision"].toObject()["seq"].toInteger(), later->seq);
        QVERIFY(!c["agent-7"].contains("decision")); // another identity
    }

    // A mirror appends the log verbatim: it finds the same decisions, and a run it refuses leaves none.
    void aMirrorOfTheLogHasTheSameDecisions()
    {
        EngineFixture f;
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        repeat(f, 5);
        LAPSE_VERIFY_OK(f.engine().decideReview(f.who(QStringLiteral("carol")), decision()));
        const QList<Event> log = f.events();

        QTemporaryDir dir;
        auto mirror = SqliteStore::open(dir.filePath(QStringLiteral("mirror.db")));
        LAPSE_VERIFY_OK(mirror);
        Store& m = *mirror.value();
        // A broken run (the last event's hash altered) is refused whole: no decision is kept from it.
        QList<Event> broken = log;
        broken.last().hash = QByteArray(64, '0');
        qint64 breakSeq = 0;
        LAPSE_VERIFY_OK(m.begin());
        QVERIFY(!m.appendVerbatimMany(broken, &breakSeq).ok());
        m.rollback();
        QVERIFY(m.reviewDecisions({}).isEmpty());

        LAPSE_VERIFY_OK(m.begin());
        LAPSE_VERIFY_OK(m.appendVerbatimMany(log, &breakSeq));
        LAPSE_VERIFY_OK(m.commit());
        const QList<ReviewDecision> mine = f.engine().store().reviewDecisions({});
        const QList<ReviewDecision> theirs = m.reviewDecisions({});
        QCOMPARE(theirs.size(), 1);
        QCOMPARE(theirs.first().seq, mine.first().seq);
        QCOMPARE(theirs.first().toJson(), mine.first().toJson());
    }
};

QTEST_GUILESS_MAIN(TestAccessReviews)
#include "TestAccessReviews.moc"
