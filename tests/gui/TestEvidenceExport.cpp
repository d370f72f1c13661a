// The evidence pack export as a person uses it: the scope dialog with keys and clicks, the pack built from
// the console's own store, a cancel that leaves nothing behind, and the File menu's Ctrl+E.
#include "EngineFixture.h"
#include "EvidenceExportDialog.h"
#include "EvidenceExporter.h"
#include "InsightsView.h"
#include "MainWindow.h"

#include "backend/EmbeddedBackend.h"
#include "engine/LogKey.h"
#include "engine/TransparencyLog.h"
#include "itemmodels/RequestQueueModel.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressDialog>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

using namespace lapse;
using namespace lapse::test;

namespace
{
constexpr qint64 kDayMs = 86'400'000;

QDate utcDay(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).date();
}

// An engine with a few grants in its log and a checkpoint over them, as a pack needs.
void makeHistory(EngineFixture& f)
{
    QVERIFY(f.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db")).ok());
    f.clock().advance(60'000);
    QVERIFY(f.grantFor(QStringLiteral("agent-7"), QStringLiteral("billing-db")).ok());
    f.clock().advance(60'000);
    QVERIFY(f.grantFor(QStringLiteral("svc-ci"), QStringLiteral("vault")).ok());
    f.clock().advance(60'000);
    LAPSE_VERIFY_OK(f.engine().cutCheckpoint(f.who(QStringLiteral("aud"))));
}

EvidenceScope scopeAround(qint64 ms)
{
    EvidenceScope s;
    s.fromMs = ms - kDayMs;
    s.toMs = ms + kDayMs;
    s.sampleSize = 2;
    s.seed = 42;
    return s;
}

QStringList filesIn(const QString& dir)
{
    return QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot);
}
} // namespace

class TestEvidenceExport : public QObject
{
    Q_OBJECT

    // A dialog shown and active, its folder a temporary one, so Export can be enabled.
    std::unique_ptr<EvidenceExportDialog> showDialog(const QString& folder)
    {
        auto dialog = std::make_unique<EvidenceExportDialog>(
            QStringList {QStringLiteral("billing-db"), QStringLiteral("prod-k8s"), QStringLiteral("vault")});
        dialog->setFolder(folder);
        dialog->show();
        QApplication::setActiveWindow(dialog.get());
        if (!QTest::qWaitForWindowActive(dialog.get()))
            return nullptr;
        return dialog;
    }

    // The exporter over an engine's store with a signer that uses the log key itself (on the GUI thread, as
    // the broker's answer arrives) and a renderer that records where it ran.
    struct Rig {
        EngineFixture f;
        EmbeddedBackend backend {f.engine(), QStringLiteral("aud")};
        QWidget window;
        EvidenceExporter exporter {&backend, f.dbPath(), &window};
        QTemporaryDir out;
        QThread* renderedOn = nullptr;
        QThread* signedOn = nullptr;
    };
    static void rig(Rig& r)
    {
        r.window.resize(600, 400);
        r.window.show();
        r.exporter.setRenderer([&r](const EvidenceData& data) -> Result<QByteArray> {
            r.renderedOn = QThread::currentThread();
            return QByteArray("%PDF-1.4 report of ") + QByteArray::number(data.grants.size()) + " grants";
        });
        r.exporter.setSigner([&r](const QByteArray& manifest, std::function<void(Result<QByteArray>)> done) {
            r.signedOn = QThread::currentThread();
            done(r.f.engine().log().key().sign(manifest));
        });
    }

private slots:
    void enterExportsWhenTheScopeIsValid()
    {
        QTemporaryDir out;
        auto dialog = showDialog(out.path());
        QVERIFY(dialog);
        QVERIFY(dialog->exportButton()->isEnabled());
        QVERIFY(dialog->problem().isEmpty());
        QSignalSpy accepted(dialog.get(), &QDialog::accepted);
        // Enter in the date field and in the sample size: both reach the default button, Export.
        auto* sample = dialog->findChild<QSpinBox*>(QStringLiteral("sampleSize"));
        sample->setFocus();
        QTest::keyClick(sample, Qt::Key_Return);
        QCOMPARE(accepted.count(), 1);
        QCOMPARE(dialog->result(), int(QDialog::Accepted));
        QVERIFY(!dialog->isVisible());
    }

    void enterDoesNothingWhileThePeriodIsInverted()
    {
        QTemporaryDir out;
        auto dialog = showDialog(out.path());
        QVERIFY(dialog);
        auto* from = dialog->findChild<QDateEdit*>(QStringLiteral("from"));
        auto* to = dialog->findChild<QDateEdit*>(QStringLiteral("to"));
        auto* problem = dialog->findChild<QLabel*>(QStringLiteral("problem"));
        QVERIFY(from && to && problem);
        // The default: the last 30 days up to today, today included (the pack's end is the next midnight).
        const QDate today = utcDay(Clock::now());
        QCOMPARE(to->date(), today);
        QCOMPARE(from->date(), today.addDays(-30));
        QCOMPARE(dialog->scope().toMs, QDateTime(today.addDays(1), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch());
        QVERIFY(!problem->isVisible());

        // The last day goes before the first, by keys: Export is disabled and says why.
        to->setFocus();
        to->setCurrentSection(QDateTimeEdit::YearSection);
        QTest::keyClick(to, Qt::Key_Down);
        QCOMPARE(to->date(), today.addYears(-1));
        QVERIFY(!dialog->exportButton()->isEnabled());
        QVERIFY(problem->isVisible());
        QVERIFY2(
            problem->text().contains(QStringLiteral("ends before it starts")), qPrintable(problem->text()));
        QSignalSpy accepted(dialog.get(), &QDialog::accepted);
        QTest::keyClick(to, Qt::Key_Return);
        QTest::keyClick(from, Qt::Key_Enter);
        QCOMPARE(accepted.count(), 0);
        QVERIFY(dialog->isVisible());

        // Back the right way round: Enter exports.
        QTest::keyClick(to, Qt::Key_Up);
        QVERIFY(dialog->exportButton()->isEnabled());
        QVERIFY(!problem->isVisible());
        QTest::keyClick(to, Qt::Key_Return);
        QCOMPARE(accepted.count(), 1);
    }

    void escapeCancels()
    {
        QTemporaryDir out;
        auto dialog = showDialog(out.path());
        QVERIFY(dialog);
        QSignalSpy accepted(dialog.get(), &QDialog::accepted);
        QSignalSpy rejected(dialog.get(), &QDialog::rejected);
        auto* seed = dialog->findChild<QLineEdit*>(QStringLiteral("seed"));
        seed->setFocus();
        QTest::keyClicks(seed, QStringLiteral("12ab3")); // digits only
        QCOMPARE(seed->text(), QStringLiteral("123"));
        QTest::keyClick(seed, Qt::Key_Escape);
        QCOMPARE(rejected.count(), 1);
        QCOMPARE(accepted.count(), 0);
        QVERIFY(!dialog->isVisible());
    }

    void targetsAndKindsChangeTheScopeAndTheFileName()
    {
        QTemporaryDir out;
        auto dialog = showDialog(out.path());
        QVERIFY(dialog);
        auto* fileName = dialog->findChild<QLabel*>(QStringLiteral("fileName"));
        const EvidenceScope before = dialog->scope();
        QVERIFY(before.targets.isEmpty());
        QVERIFY(before.kinds.isEmpty());
        QCOMPARE(before.sampleSize, 25);
        QCOMPARE(before.seed, quint64(0));
        QVERIFY(fileName->text().startsWith(QStringLiteral("lapse-evidence-all-")));
        QCOMPARE(fileName->text(), before.fileName());

        // Space checks the current target; the label and the file name follow.
        auto* targets = dialog->findChild<QListWidget*>(QStringLiteral("targets"));
        targets->setFocus();
        targets->setCurrentRow(2);
        QTest::keyClick(targets->viewport(), Qt::Key_Space);
        QCOMPARE(dialog->scope().targets, QStringList {QStringLiteral("vault")});
        QVERIFY2(fileName->text().startsWith(QStringLiteral("lapse-evidence-vault-")),
            qPrintable(fileName->text()));
        targets->setCurrentRow(0);
        QTest::keyClick(targets->viewport(), Qt::Key_Space);
        QCOMPARE(
            dialog->scope().targets, (QStringList {QStringLiteral("billing-db"), QStringLiteral("vault")}));
        QCOMPARE(fileName->text(), dialog->scope().fileName());
        QVERIFY(fileName->text().startsWith(QStringLiteral("lapse-evidence-billing-db+vault-")));
        QCOMPARE(dialog->outFile(), QDir(out.path()).filePath(fileName->text()));

        // A click on a kind narrows the kinds; the seed typed is the scope's.
        auto* agents = dialog->findChild<QCheckBox*>(QStringLiteral("kind_agent"));
        QTest::mouseClick(agents, Qt::LeftButton, {}, agents->rect().center());
        QCOMPARE(dialog->scope().kinds, QStringList {QStringLiteral("agent")});
        auto* seed = dialog->findChild<QLineEdit*>(QStringLiteral("seed"));
        QTest::keyClicks(seed, QStringLiteral("7"));
        QCOMPARE(dialog->scope().seed, quint64(7));
        LAPSE_VERIFY_OK(dialog->scope().validate());

        // A folder that does not exist disables Export and says so.
        dialog->setFolder(out.filePath(QStringLiteral("missing")));
        QVERIFY(!dialog->exportButton()->isEnabled());
        QVERIFY(dialog->problem().contains(QStringLiteral("folder")));
    }

    void exportsThePackFromTheStore()
    {
        Rig r;
        QVERIFY2(r.f.ok(), qPrintable(r.f.openError()));
        makeHistory(r.f);
        rig(r);
        const QString file = r.out.filePath(scopeAround(r.f.now()).fileName());
        QSignalSpy progressed(&r.exporter, &EvidenceExporter::progressed);
        QSignalSpy finished(&r.exporter, &EvidenceExporter::finished);
        QVERIFY(r.exporter.start(scopeAround(r.f.now()), file));
        QVERIFY(r.exporter.isRunning());
        QVERIFY(r.exporter.progressDialog() && r.exporter.progressDialog()->isVisible());
        QVERIFY(!r.exporter.start(scopeAround(r.f.now()), file)); // one at a time
        QVERIFY(finished.wait(60'000));
        QCOMPARE(finished.count(), 1);

        QVERIFY(r.exporter.result().has_value());
        const auto& result = *r.exporter.result();
        QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error().message));
        QCOMPARE(QFileInfo(result->file).absoluteFilePath(), QFileInfo(file).absoluteFilePath());
        QVERIFY(QFileInfo(file).size() > 0);
        QCOMPARE(filesIn(r.out.path()), QStringList {QFileInfo(file).fileName()}); // nothing else left
        QCOMPARE(result->grants, 3);
        QCOMPARE(result->seed, quint64(42));
        QVERIFY(result->treeSize > 0);
        QCOMPARE(result->manifestSha256.size(), 64);
        QVERIFY(progressed.count() > 0);
        // The signature and the report were asked for on the GUI thread; the pack verifies offline.
        QCOMPARE(r.renderedOn, qApp->thread());
        QCOMPARE(r.signedOn, qApp->thread());
        const EvidenceVerdict verdict = verifyEvidencePack(file, r.f.engine().log().key().verifier());
        QVERIFY2(verdict.ok, qPrintable(verdict.line));

        // The progress dialog is gone; the outcome names the file, the counts and offers the folder.
        QTRY_VERIFY(!r.exporter.progressDialog());
        QMessageBox* box = r.exporter.outcomeBox();
        QVERIFY(box && box->isVisible());
        QVERIFY(box->text().contains(QDir::toNativeSeparators(file)));
        QVERIFY(box->informativeText().contains(QString::fromLatin1(result->manifestSha256)));
        QVERIFY(box->informativeText().contains(QStringLiteral("seed 42")));
        QVERIFY(box->findChild<QPushButton*>(QStringLiteral("showFolder")));
        box->close();
    }

    // Without a signer of its own the exporter asks the backend's POST /v1/evidence/attest, on the GUI
    // thread.
    void theBrokerSignsTheManifestByDefault()
    {
        Rig r;
        QVERIFY2(r.f.ok(), qPrintable(r.f.openError()));
        makeHistory(r.f);
        rig(r);
        r.exporter.setSigner({});
        const QString file = r.out.filePath(scopeAround(r.f.now()).fileName());
        QSignalSpy finished(&r.exporter, &EvidenceExporter::finished);
        QVERIFY(r.exporter.start(scopeAround(r.f.now()), file));
        QVERIFY(finished.wait(60'000));
        const auto& result = *r.exporter.result();
        QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error().message));
        const EvidenceVerdict verdict = verifyEvidencePack(file, r.f.engine().log().key().verifier());
        QVERIFY2(verdict.ok, qPrintable(verdict.line));
        r.exporter.outcomeBox()->close();
    }

    void cancelFromTheProgressDialogLeavesNoFile()
    {
        Rig r;
        QVERIFY2(r.f.ok(), qPrintable(r.f.openError()));
        makeHistory(r.f);
        rig(r);
        const QString file = r.out.filePath(scopeAround(r.f.now()).fileName());
        QSignalSpy finished(&r.exporter, &EvidenceExporter::finished);
        int cancels = 0;
        // The first progress the person sees, they press Cancel.
        connect(&r.exporter, &EvidenceExporter::progressed, this, [&r, &cancels] {
            QProgressDialog* progress = r.exporter.progressDialog();
            if (cancels++ || !progress)
                return;
            auto* button = progress->findChild<QPushButton*>();
            QVERIFY(button);
            QTest::mouseClick(button, Qt::LeftButton);
        });
        QVERIFY(r.exporter.start(scopeAround(r.f.now()), file));
        QVERIFY(finished.wait(60'000));
        QVERIFY(cancels > 0);
        QVERIFY(r.exporter.result().has_value());
        const auto& result = *r.exporter.result();
        QVERIFY(!result.ok());
        QCOMPARE(result.error().codeName(), codeName(ErrorCode::Cancelled));
        QVERIFY(!QFileInfo::exists(file));
        QCOMPARE(filesIn(r.out.path()), QStringList {}); // no partial file under any name
        QVERIFY(!r.exporter.outcomeBox()); // the person's own choice: no message
        QVERIFY(!r.exporter.isRunning());
    }

    void aFailedSignatureLeavesNoFileAndSaysWhy()
    {
        Rig r;
        QVERIFY2(r.f.ok(), qPrintable(r.f.openError()));
        makeHistory(r.f);
        rig(r);
        r.exporter.setSigner([](const QByteArray&, std::function<void(Result<QByteArray>)> done) {
            done(makeError(ErrorCode::Unavailable, QStringLiteral("connection refused")));
        });
        const QString file = r.out.filePath(scopeAround(r.f.now()).fileName());
        QSignalSpy finished(&r.exporter, &EvidenceExporter::finished);
        QVERIFY(r.exporter.start(scopeAround(r.f.now()), file));
        QVERIFY(finished.wait(60'000));
        QVERIFY(!r.exporter.result()->ok());
        QCOMPARE(filesIn(r.out.path()), QStringList {});
        QMessageBox* box = r.exporter.outcomeBox();
        QVERIFY(box && box->isVisible());
        QVERIFY2(box->informativeText().contains(QStringLiteral("connection refused")),
            qPrintable(box->informativeText()));
        box->close();
    }

    void menuActionWithCtrlEAndTheInsightsButtonOpenTheDialog()
    {
        EngineFixture f;
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        EmbeddedBackend backend(f.engine(), QStringLiteral("aud"));
        MainWindow window(&backend, f.dbPath(), nullptr);
        window.show();
        QApplication::setActiveWindow(&window);
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QSignalSpy loaded(window.queueModel(), &RequestQueueModel::loaded);
        window.start(); // the directory answers before the queue has loaded
        QVERIFY(loaded.wait());

        QAction* action = window.exportEvidenceAction();
        QVERIFY(action && action->isEnabled());
        QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_E));
        QMenu* fileMenu = window.menuBar()->actions().first()->menu();
        QVERIFY(fileMenu && fileMenu->actions().contains(action));

        QTest::keyClick(&window, Qt::Key_E, Qt::ControlModifier);
        EvidenceExportDialog* dialog = nullptr;
        QTRY_VERIFY((dialog = window.findChild<EvidenceExportDialog*>()) && dialog->isVisible());
        // The directory's targets are offered.
        QCOMPARE(dialog->findChild<QListWidget*>(QStringLiteral("targets"))->count(), 3);
        QTest::keyClick(dialog, Qt::Key_Escape);
        QTRY_VERIFY(!window.findChild<EvidenceExportDialog*>());

        // The Insights tab's button opens it too, with the tab's kind filter as the scope's.
        window.showTab(QStringLiteral("insights"));
        auto* kind = window.insights()->findChildren<QComboBox*>().at(2);
        kind->setCurrentIndex(kind->findData(QStringLiteral("agent")));
        QCOMPARE(window.insights()->kindFilter(), QStringLiteral("agent"));
        QTest::mouseClick(
            window.insights()->findChild<QPushButton*>(QStringLiteral("evidencePack")), Qt::LeftButton);
        QTRY_VERIFY((dialog = window.findChild<EvidenceExportDialog*>()) && dialog->isVisible());
        QCOMPARE(dialog->scope().kinds, QStringList {QStringLiteral("agent")});
        QTest::keyClick(dialog, Qt::Key_Escape);
        QTRY_VERIFY(!window.findChild<EvidenceExportDialog*>());
    }

    // The whole way a person goes: Ctrl+E, Enter on the scope, the progress, the message naming the pack. The
    // report is the real one and the manifest is signed by the engine through the attest route.
    void exportFromTheMenuEndToEnd()
    {
        EngineFixture f;
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        makeHistory(f);
        EmbeddedBackend backend(f.engine(), QStringLiteral("aud"));
        MainWindow window(&backend, f.dbPath(), nullptr); // the real report, rendered on this thread
        window.show();
        QApplication::setActiveWindow(&window);
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QSignalSpy loaded(window.queueModel(), &RequestQueueModel::loaded);
        window.start();
        QVERIFY(loaded.wait());

        QTest::keyClick(&window, Qt::Key_E, Qt::ControlModifier);
        EvidenceExportDialog* dialog = nullptr;
        QTRY_VERIFY((dialog = window.findChild<EvidenceExportDialog*>()) && dialog->isVisible());
        QTemporaryDir out;
        dialog->setFolder(out.path());
        const QString file = dialog->outFile();
        QSignalSpy finished(window.evidenceExporter(), &EvidenceExporter::finished);
        QTest::keyClick(dialog->findChild<QDateEdit*>(QStringLiteral("from")), Qt::Key_Return);
        QVERIFY(window.evidenceExporter()->isRunning());
        QVERIFY(!window.exportEvidenceAction()->isEnabled()); // one pack at a time
        QVERIFY(finished.wait(60'000));
        const auto& result = *window.evidenceExporter()->result();
        QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error().message));
        QCOMPARE(result->grants, 3);
        QVERIFY(QFileInfo::exists(file));
        QVERIFY(window.exportEvidenceAction()->isEnabled());
        QMessageBox* box = window.evidenceExporter()->outcomeBox();
        QVERIFY(box && box->isVisible());
        QVERIFY(box->text().contains(QDir::toNativeSeparators(file)));
        const EvidenceVerdict verdict = verifyEvidencePack(file, f.engine().log().key().verifier());
        QVERIFY2(verdict.ok, qPrintable(verdict.line));
        box->close();
    }
};

QTEST_MAIN(TestEvidenceExport)
#include "TestEvidenceExport.moc"
