// The demo workload produces every situation the console and the insights must show, through the engine's
// normal API, without tripping over its own policy.
#include "EngineFixture.h"
#include "demo/DemoWorkload.h"
#include "domain/Directory.h"
#include "engine/Engine.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace lapse;

class TestDemoWorkload : public QObject
{
    Q_OBJECT

    static int scalar(Engine& e, const QString& sql)
    {
        QSqlQuery q(lapse::test::storeDb(e.store()));
        if (!q.exec(sql) || !q.next())
            return -1;
        return q.value(0).toInt();
    }

private slots:
    void seededHistoryAndLiveTicks()
    {
        QTemporaryDir dir;
        auto directory
            = Directory::load(QStringLiteral(LAPSE_SOURCE_DIR "/resources/directory.example.json"));
        QVERIFY(directory.ok());
        EngineConfig cfg;
        cfg.dataDir = dir.path();
        cfg.directory = std::move(directory).value();
        cfg.sweepIntervalMs = 0;
        auto engine = Engine::open(std::move(cfg));
        QVERIFY(engine.ok());
        Engine& e = *engine.value();

        ManualClock clock(QDateTime::currentMSecsSinceEpoch());
        Clock::setInstance(&clock);
        DemoWorkload demo(e, 7);
        demo.seedHistory(3);
        QCOMPARE(&Clock::instance(), static_cast<const Clock*>(&clock)); // the caller's clock is back
        const int pendingAfterSeed
            = scalar(e, QStringLiteral("SELECT count(*) FROM requests WHERE status='pending'"));
        QVERIFY2(pendingAfterSeed >= 12, qPrintable(QString::number(pendingAfterSeed)));

        for (int i = 0; i < 200; ++i) {
            clock.advance(15'000);
            demo.tick();
        }
        Clock::setInstance(nullptr);
        const auto& s = demo.stats();
        QVERIFY2(s.failures == 0, qPrintable(s.failureMessages.join(QStringLiteral("; "))));
        QVERIFY(s.requests > 150);
        QVERIFY(s.approvals > 100);
        QVERIFY(s.denials > 0);
        QVERIFY(s.breakGlass > 0);
        QVERIFY(s.sessions > 50);
        QVERIFY(s.lingering > 0);
        QVERIFY(s.postExpiryUses > 0);
        QVERIFY(s.completions > 0);
        QVERIFY(s.revocations > 0);
        // Two owners reviewed a repeated elevation each.
        QCOMPARE(scalar(e, QStringLiteral("SELECT count(*) FROM events WHERE type='review.decided'")), 2);
        // The example directory's billing-batch rule approved some asks at once, within its daily budget.
        QVERIFY(s.byRule > 0);
        QCOMPARE(scalar(e,
                     QStringLiteral("SELECT count(*) FROM events WHERE type='request.approved'"
                                    " AND actor='policy:billing-batch'")),
            int(s.byRule));

        // The store agrees with what the workload says it did.
        QVERIFY(
            scalar(e, QStringLiteral("SELECT count(*) FROM events WHERE type='credential.used_after_end'"))
            > 0);
        QVERIFY(scalar(e, QStringLiteral("SELECT count(*) FROM grants WHERE break_glass=1")) > 0);
        QVERIFY(scalar(e, QStringLiteral("SELECT count(*) FROM requests WHERE status='denied'")) > 0);
        // Repeated elevations: one pipeline got the same deploy grant on the same target many times.
        QVERIFY(scalar(e,
                    QStringLiteral(
                        "SELECT max(n) FROM (SELECT count(*) AS n FROM grants WHERE principal='ci-deploy'"
                        " AND target='ci-runners' GROUP BY principal, target)"))
            >= 5);
        // Sessions that stayed open after their grant ended.
        QVERIFY(scalar(e,
                    QStringLiteral("SELECT count(*) FROM events WHERE type='session.ended'"
                                   " AND json_extract(CAST(body AS TEXT), '$.grant_ended_at') IS NOT NULL"
                                   " AND json_extract(CAST(body AS TEXT), '$.ended_at') > "
                                   "json_extract(CAST(body AS TEXT), '$.grant_ended_at')"))
            > 0);
        // The live queue is kept for the person at the console.
        QVERIFY(scalar(e, QStringLiteral("SELECT count(*) FROM requests WHERE status='pending'")) >= 12);

        QString reason;
        qint64 breakSeq = 0;
        const auto verified = SqliteStore::verifyChain(lapse::test::storeDb(e.store()), &reason, &breakSeq);
        QVERIFY2(verified.ok(), qPrintable(reason));
        QCOMPARE(verified.value(), e.store().lastSeq());
    }
};

QTEST_GUILESS_MAIN(TestDemoWorkload)
#include "TestDemoWorkload.moc"
