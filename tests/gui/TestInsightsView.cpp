// The Insights view shows the numbers of the one metrics implementation, exports them, and a click on an
// identity's bar lists the grants behind it; given a mirror of the log it computes from that, offline too.
#include "EngineFixture.h"
#include "FakeEnforcement.h"
#include "InsightsView.h"
#include "RuleDraftDialog.h"
#include "domain/Rule.h"

#include "SwitchableBackend.h"
#include "backend/EmbeddedBackend.h"
#include "backend/Mirror.h"
#include "metrics/Metrics.h"

#include <QAbstractBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QClipboard>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace lapse;
using namespace lapse::test;

class TestInsightsView : public QObject
{
    Q_OBJECT

    static QJsonObject metricsOf(const Store& store, EngineFixture& f)
    {
        MetricsQuery q;
        q.fromMs = f.now() - 30LL * 86'400'000; // what the view asks for by default
        auto m = computeMetrics(store, f.engine().directory(), q, f.now());
        return m.ok() ? m.value() : QJsonObject {};
    }

private slots:
    // Remote mode: the charts come from the local mirror, not from the broker, and keep working offline.
    void computesFromTheMirrorOffline()
    {
        EngineFixture f;
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        for (int i = 0; i < 2; ++i) {
            QVERIFY(f.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db")).ok());
            f.clock().advance(60'000);
        }
        QTemporaryDir dir;
        auto mirror = Mirror::open(dir.filePath(QStringLiteral("mirror.db")), nullptr);
        QVERIFY2(mirror.ok(), mirror.ok() ? "" : qPrintable(mirror.error().message));
        LAPSE_VERIFY_OK(mirror.value()->append(f.events()));

        SwitchableBackend backend(f.engine(), QStringLiteral("aud"));
        InsightsView view(&backend, mirror.value()->file());
        QVERIFY(view.computesLocally());
        QSignalSpy loaded(&view, &InsightsView::loaded);
        view.refresh();
        QVERIFY(loaded.wait());
        QCOMPARE(view.metrics()["elevation_frequency"].toObject()["grants"].toInt(), 2);
        QCOMPARE(
            view.metrics()["elevation_frequency"], metricsOf(f.engine().store(), f)["elevation_frequency"]);

        // The broker goes away; the mirror still has what it had, plus one more grant it received before.
        QVERIFY(f.grantFor(QStringLiteral("agent-7"), QStringLiteral("billing-db")).ok());
        LAPSE_VERIFY_OK(mirror.value()->append(f.events()));
        backend.setOnline(false);
        view.refresh();
        QVERIFY(loaded.wait());
        QCOMPARE(backend.callsWhileOffline(), 0); // nothing was asked of the broker
        QCOMPARE(view.metrics()["elevation_frequency"].toObject()["grants"].toInt(), 3);
        QVERIFY(view.csv(QStringLiteral("by_identity")).contains(QStringLiteral("agent-7,1\r\n")));
    }

    // Enforced targets add their lag (from a grant's end to its login refused) to the revocation chart.
    void revocationChartShowsTheEnforcedTargetsLag()
    {
        EngineFixture f(directoryWithPostgresTarget(makeDirectory()));
        QVERIFY(f.ok());
        FakeEnforcement enforcement;
        f.engine().setEnforcement(&enforcement);
        for (const char* who : {"alice", "dave", "agent-7"}) {
            auto g = f.grantFor(QString::fromLatin1(who), QStringLiteral("pg-billing"));
            QVERIFY(g.ok());
            QVERIFY(f.engine().revoke(f.who(QStringLiteral("carol")), g->id, QStringLiteral("done")).ok());
            if (QLatin1String(who) != QLatin1String("agent-7"))
                QVERIFY(f.engine()
                            .recordEnforcement(
                                g->id, QStringLiteral("verified"), {{"lag_ms", 250}, {"sessions_gone", 0}})
                            .ok());
        }
        EmbeddedBackend backend(f.engine(), QStringLiteral("aud"));
        InsightsView view(&backend);
        view.resize(1400, 900);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy loaded(&view, &InsightsView::loaded);
        view.refresh();
        QVERIFY(loaded.wait());
        QCOMPARE(view.metrics()["enforcement"].toObject()["pending"].toInt(), 1);
        QVERIFY2(
            view.csv(QStringLiteral("revocation")).contains(QStringLiteral("target_refused_p50,0.25\r\n")),
            qPrintable(view.csv(QStringLiteral("revocation"))));
        bool titled = false;
        for (QChartView* v : view.findChildren<QChartView*>())
            titled = titled
                || v->chart()->title().contains(QStringLiteral(" · targets: 2 ends verified, 1 pending"));
        QVERIFY(titled);
        f.engine().setEnforcement(nullptr);
    }

    void chartsShowTheMetricsAndDrillDown()
    {
        EngineFixture f;
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        // alice: three grants, one revoked with a session that closes 4 s later; the agent of bob: one.
        QList<Grant> grants;
        for (int i = 0; i < 3; ++i) {
            auto g = f.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
            QVERIFY(g.ok());
            grants << g.value();
            f.clock().advance(60'000);
        }
        auto agent = f.grantFor(QStringLiteral("agent-7"), QStringLiteral("billing-db"));
        QVERIFY(agent.ok());
        const Principal& gw = f.who(QStringLiteral("api-gw"));
        auto session = f.engine().openSession(gw, f.token(grants.at(0)), {});
        QVERIFY(session.ok());
        QVERIFY(
            f.engine().revoke(f.who(QStringLiteral("carol")), grants.at(0).id, QStringLiteral("done")).ok());
        f.clock().advance(4'000);
        QVERIFY(f.engine().endSession(gw, session->id, {QStringLiteral("read")}).ok());

        EmbeddedBackend backend(f.engine(), QStringLiteral("aud"));
        InsightsView view(&backend);
        view.resize(1400, 900);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        // Room for five redesign candidates at a common window size, not two.
        auto* candidates = view.findChild<QTableWidget*>(QStringLiteral("redesignCandidates"));
        QVERIFY(candidates);
        QVERIFY2(candidates->viewport()->height() >= 5 * candidates->verticalHeader()->defaultSectionSize(),
            qPrintable(QString::number(candidates->viewport()->height())));
        QSignalSpy loaded(&view, &InsightsView::loaded);
        view.refresh();
        QVERIFY(loaded.wait());

        // The same numbers as the metrics implementation (the view asks for the last 30 days).
        MetricsQuery q;
        q.fromMs = f.now() - 30LL * 86'400'000;
        const auto expected = computeMetrics(f.engine().store(), f.engine().directory(), q, f.now());
        QVERIFY(expected.ok());
        QCOMPARE(view.metrics()["elevation_frequency"], expected->value("elevation_frequency"));
        QCOMPARE(view.metrics()["revocation"], expected->value("revocation"));
        QVERIFY(view.csv(QStringLiteral("by_identity")).contains(QStringLiteral("alice,3\r\n")));
        QVERIFY(view.csv(QStringLiteral("by_identity")).contains(QStringLiteral("agent-7,1\r\n")));
        QVERIFY(view.csv(QStringLiteral("revocation")).contains(QStringLiteral("p99,4\r\n")));
        QVERIFY(view.csv(QStringLiteral("endings")).contains(QStringLiteral("revoked,1\r\n")));
        const QString lingeringCsv = view.csv(QStringLiteral("lingering"));
        QVERIFY2(lingeringCsv.contains(QStringLiteral(",1,0\r\n")),
            qPrintable(lingeringCsv)); // one lingering session today

        // Export: a PNG that is an image, and the CSV as shown.
        QTemporaryDir out;
        QVERIFY(view.exportPng(QStringLiteral("by_identity"), out.filePath(QStringLiteral("c.png"))));
        QVERIFY(!QImage(out.filePath(QStringLiteral("c.png"))).isNull());
        QVERIFY(view.exportCsv(QStringLiteral("width"), out.filePath(QStringLiteral("w.csv"))));
        QFile csv(out.filePath(QStringLiteral("w.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(csv.readAll()), view.csv(QStringLiteral("width")));
        QVERIFY(view.csv(QStringLiteral("width")).startsWith(QStringLiteral("measure,value\r\n")));
        // A file that cannot be written is refused and leaves nothing behind; an unknown chart too.
        QVERIFY(!view.exportCsv(QStringLiteral("width"), out.filePath(QStringLiteral("missing/w.csv"))));
        QVERIFY(!QFile::exists(out.filePath(QStringLiteral("missing/w.csv"))));
        QVERIFY(!view.exportCsv(QStringLiteral("no-such-chart"), out.filePath(QStringLiteral("n.csv"))));
        QVERIFY(!QFile::exists(out.filePath(QStringLiteral("n.csv"))));

        // Click alice's bar (the longest, drawn at the top) and get her grants.
        QChartView* chartView = view.chartView(QStringLiteral("by_identity"));
        QChart* chart = chartView->chart();
        auto* series = static_cast<QAbstractBarSeries*>(chart->series().first());
        const int aliceIndex = series->barSets().first()->count() - 1; // sorted ascending bottom-up
        const QPointF onBar = chart->mapToPosition(QPointF(1.5, aliceIndex), series);
        const QPoint click = chartView->mapFromScene(chart->mapToScene(onBar));
        QSignalSpy drilled(&view, &InsightsView::drilledDown);
        QTest::mouseClick(chartView->viewport(), Qt::LeftButton, {}, click);
        QVERIFY(drilled.wait());
        QCOMPARE(drilled.first().first().toString(), QStringLiteral("alice"));
        QCOMPARE(view.drillDown()->rowCount(), 3);
        for (int r = 0; r < 3; ++r)
            QCOMPARE(view.drillDown()->item(r, 1)->text(), QStringLiteral("alice"));
    }

    // A redesign candidate's Draft rule…: the button follows the selection, the dialog shows a rule that
    // parses and fits the directory, the command that checks it, and the replay's honest note. Enter copies
    // the rule and closes; Escape closes and copies nothing.
    void draftRuleFromACandidate()
    {
        EngineFixture f;
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        for (int i = 0; i < 6; ++i) {
            QVERIFY(f.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db")).ok());
            f.clock().advance(3'600'000);
        }
        // Asked for read and write, narrowed to read: still the same candidate, but beyond a read-only rule.
        RequestInput wide = EngineFixture::input(QStringLiteral("billing-db"));
        wide.privileges = QStringList {"read", "write"};
        auto asked = f.submit(QStringLiteral("alice"), wide);
        QVERIFY(asked.ok());
        ApproveInput narrow;
        narrow.privileges = QStringList {"read"};
        QVERIFY(f.approve(QStringLiteral("bob"), asked->request.id, narrow).ok());

        EmbeddedBackend backend(f.engine(), QStringLiteral("aud"));
        InsightsView view(&backend);
        view.setDirectoryFile(QStringLiteral("/etc/lapse/directory.json"));
        view.resize(1400, 900);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy loaded(&view, &InsightsView::loaded);
        view.refresh();
        QVERIFY(loaded.wait());

        QTableWidget* candidates = view.repeated();
        int row = -1;
        for (int r = 0; r < candidates->rowCount(); ++r)
            if (candidates->item(r, 0)->text() == QLatin1String("alice")
                && candidates->item(r, 1)->text() == QLatin1String("billing-db"))
                row = r;
        QVERIFY(row >= 0);
        QPushButton* button = view.findChild<QPushButton*>(QStringLiteral("draftRule"));
        QVERIFY(button);
        QVERIFY(!button->isEnabled()); // nothing selected yet
        QTest::mouseClick(candidates->viewport(), Qt::LeftButton, {},
            candidates->visualItemRect(candidates->item(row, 1)).center());
        QVERIFY(button->isEnabled());

        QTest::mouseClick(button, Qt::LeftButton);
        auto* dialog = view.findChild<RuleDraftDialog*>(QStringLiteral("ruleDraftDialog"));
        QVERIFY(dialog);
        QVERIFY(dialog->isVisible());
        QSignalSpy ready(dialog, &RuleDraftDialog::ready);
        QVERIFY(ready.wait());

        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(dialog->ruleText().toUtf8(), &pe);
        QVERIFY2(doc.isObject(), qPrintable(pe.errorString()));
        auto rule = Rule::fromJson(doc.object());
        QVERIFY2(rule.ok(), rule.ok() ? "" : qPrintable(rule.error().message));
        QVERIFY(rule->checkAgainst(f.engine().directory().target(QStringLiteral("billing-db"))).ok());
        QCOMPARE(rule->id, QStringLiteral("alice-billing-db"));
        QCOMPARE(rule->requesterIds, QStringList {QStringLiteral("alice")});
        QCOMPARE(rule->privileges, QStringList {QStringLiteral("read")});
        QCOMPARE(rule->maxTtlSeconds, 600);
        QCOMPARE(rule->budgetPerDay, 7);
        QVERIFY2(dialog->note().contains(QLatin1String("6 of 7")), qPrintable(dialog->note()));
        QVERIFY2(dialog->note().contains(QLatin1String("1 asked for more")), qPrintable(dialog->note()));
        QVERIFY2(dialog->command().startsWith(QLatin1String(
                     "lapsectl policy test --directory /etc/lapse/directory.json --request '{")),
            qPrintable(dialog->command()));
        auto* json = dialog->findChild<QPlainTextEdit*>(QStringLiteral("ruleJson"));
        QVERIFY(json && json->isReadOnly());
        QVERIFY(json->textInteractionFlags() & Qt::TextSelectableByMouse);

        // Enter: the rule on the clipboard, the dialog gone.
        QApplication::clipboard()->setText(QStringLiteral("before"));
        const QString text = dialog->ruleText();
        QPointer<RuleDraftDialog> guard(dialog);
        QSignalSpy accepted(dialog, &QDialog::accepted);
        QTest::keyClick(dialog, Qt::Key_Return);
        QCOMPARE(accepted.count(), 1);
        QCOMPARE(QApplication::clipboard()->text(), text);
        QTRY_VERIFY(guard.isNull());

        // Escape: closed, the clipboard as it was.
        QTest::mouseClick(button, Qt::LeftButton);
        dialog = view.findChild<RuleDraftDialog*>(QStringLiteral("ruleDraftDialog"));
        QVERIFY(dialog);
        QSignalSpy readyAgain(dialog, &RuleDraftDialog::ready);
        QVERIFY(readyAgain.wait());
        QApplication::clipboard()->setText(QStringLiteral("untouched"));
        QSignalSpy rejected(dialog, &QDialog::rejected);
        guard = dialog;
        QTest::keyClick(dialog, Qt::Key_Escape);
        QCOMPARE(rejected.count(), 1);
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("untouched"));
        QTRY_VERIFY(guard.isNull());

        // The command copies on its own.
        QTest::mouseClick(button, Qt::LeftButton);
        dialog = view.findChild<RuleDraftDialog*>(QStringLiteral("ruleDraftDialog"));
        QTRY_VERIFY(dialog && dialog->copyCommandButton()->isEnabled());
        QTest::mouseClick(dialog->copyCommandButton(), Qt::LeftButton);
        QCOMPARE(QApplication::clipboard()->text(), dialog->command());
        QVERIFY(dialog->isVisible());
        guard = dialog;
        dialog->close();
        QTRY_VERIFY(guard.isNull());

        // The row's context menu offers the same, on the row under the pointer.
        candidates->clearSelection();
        QVERIFY(!button->isEnabled());
        QString offered;
        // The menu runs its own loop: pick the entry once it shows (or give up, so the test fails rather than
        // hangs).
        QTimer poll;
        poll.setInterval(10);
        int tries = 0;
        connect(&poll, &QTimer::timeout, this, [&] {
            auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget());
            if (!menu) {
                if (++tries > 300)
                    poll.stop();
                return;
            }
            poll.stop();
            for (QAction* a : menu->actions())
                if (a->text() == QStringLiteral("Draft rule…")) {
                    offered = a->text();
                    menu->close();
                    a->trigger();
                    return;
                }
            menu->close();
        });
        poll.start();
        emit candidates->customContextMenuRequested(
            candidates->visualItemRect(candidates->item(row, 0)).center());
        QCOMPARE(offered, QStringLiteral("Draft rule…"));
        QCOMPARE(candidates->currentRow(), row);
        dialog = view.findChild<RuleDraftDialog*>(QStringLiteral("ruleDraftDialog"));
        QVERIFY(dialog);
        QCOMPARE(dialog->windowTitle(), QStringLiteral("Draft rule for alice on billing-db"));
        dialog->close();
    }
};

QTEST_MAIN(TestInsightsView)
#include "TestInsightsView.moc"
