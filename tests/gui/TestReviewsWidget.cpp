// The Reviews tab: the candidates as the broker lists them, a decision typed and confirmed with Enter
// (Escape cancels and records nothing), the decision shown on its row, and a refusal shown, not lost.
#include "EngineFixture.h"
#include "ReviewsWidget.h"

#include "backend/EmbeddedBackend.h"

#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QtTest>

using namespace lapse;
using namespace lapse::test;

class TestReviewsWidget : public QObject
{
    Q_OBJECT

    // svc-ci got billing-db read six times in six hours: one redesign candidate.
    static void history(EngineFixture& f)
    {
        for (int i = 0; i < 6; ++i) {
            QVERIFY(f.grantFor(QStringLiteral("svc-ci"), QStringLiteral("billing-db")).ok());
            f.clock().set(f.now() + 3'600'000);
        }
    }

    static int rowOf(QTableWidget* t, const QString& identity)
    {
        for (int r = 0; r < t->rowCount(); ++r)
            if (t->item(r, 0)->text() == identity)
                return r;
        return -1;
    }

private slots:
    void decideWithEnterAndCancelWithEscape()
    {
        EngineFixture f;
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        history(f);
        EmbeddedBackend backend(f.engine(), QStringLiteral("carol")); // carol owns billing-db
        ReviewsWidget w(&backend);
        w.resize(1100, 500);
        w.show();
        QSignalSpy loaded(&w, &ReviewsWidget::loaded);
        w.refresh();
        QVERIFY(loaded.wait());
        QTableWidget* t = w.table();
        const int row = rowOf(t, QStringLiteral("svc-ci"));
        QVERIFY(row >= 0);
        QCOMPARE(t->item(row, 2)->text(), QStringLiteral("billing-db"));
        QCOMPARE(t->item(row, 4)->text(), QStringLiteral("6"));
        QCOMPARE(t->item(row, 5)->text(), QStringLiteral("carol, alice"));
        QCOMPARE(t->item(row, 7)->text(), QStringLiteral("undecided"));
        QPushButton* keep = w.decideButton(QStringLiteral("keep-jit"));
        QPushButton* rule = w.decideButton(QStringLiteral("convert-to-rule"));
        QVERIFY(!keep->isEnabled()); // nothing selected yet

        t->selectRow(row);
        QVERIFY(keep->isEnabled());
        // Escape cancels: nothing is recorded.
        QTest::mouseClick(keep, Qt::LeftButton);
        QVERIFY(w.dialog());
        QLineEdit* field = w.dialog()->findChild<QLineEdit*>(QStringLiteral("promptField"));
        QVERIFY(field);
        QTest::keyClicks(field, QStringLiteral("not now"));
        QTest::keyClick(field, Qt::Key_Escape);
        QTRY_VERIFY(!w.dialog());
        QVERIFY(f.eventsOfType(QStringLiteral("review.decided")).isEmpty());

        // Enter on an empty comment does nothing; with a comment it records the decision.
        QSignalSpy decided(&w, &ReviewsWidget::decided);
        QTest::mouseClick(rule, Qt::LeftButton);
        QVERIFY(w.dialog());
        field = w.dialog()->findChild<QLineEdit*>(QStringLiteral("promptField"));
        QTest::keyClick(field, Qt::Key_Return);
        QVERIFY(w.dialog() && w.dialog()->isVisible());
        QTest::keyClicks(field, QStringLiteral("nightly batch: write rule ci-read with a budget"));
        QTest::keyClick(field, Qt::Key_Return);
        QVERIFY(decided.wait());
        const QList<Event> events = f.eventsOfType(QStringLiteral("review.decided"));
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.first().actor, QStringLiteral("carol"));
        QCOMPARE(events.first().bodyJson()["outcome"].toString(), QStringLiteral("convert-to-rule"));
        QCOMPARE(events.first().bodyJson()["comment"].toString(),
            QStringLiteral("nightly batch: write rule ci-read with a budget"));
        QCOMPARE(decided.first().first().toLongLong(), events.first().seq);
        // The list is read again and shows it.
        QVERIFY(loaded.wait());
        const int again = rowOf(t, QStringLiteral("svc-ci"));
        QVERIFY2(t->item(again, 7)->text().contains(QLatin1String("Convert to a rule by carol")),
            qPrintable(t->item(again, 7)->text()));
        QVERIFY(w.status().contains(QLatin1String("0 undecided")));
    }

    // dave owns neither the target nor the identity: the broker refuses, the console says so.
    void aRefusalIsShown()
    {
        EngineFixture f;
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        history(f);
        EmbeddedBackend backend(f.engine(), QStringLiteral("dave"));
        ReviewsWidget w(&backend);
        w.show();
        QSignalSpy loaded(&w, &ReviewsWidget::loaded);
        w.refresh();
        QVERIFY(loaded.wait());
        w.table()->selectRow(rowOf(w.table(), QStringLiteral("svc-ci")));
        QSignalSpy failed(&w, &ReviewsWidget::failed);
        QTest::mouseClick(w.decideButton(QStringLiteral("standing-entitlement")), Qt::LeftButton);
        QLineEdit* field = w.dialog()->findChild<QLineEdit*>(QStringLiteral("promptField"));
        QTest::keyClicks(field, QStringLiteral("give it a standing read role"));
        QTest::keyClick(field, Qt::Key_Enter);
        QVERIFY(failed.wait());
        QVERIFY2(w.status().contains(QLatin1String("may not decide this review")), qPrintable(w.status()));
        QVERIFY(f.eventsOfType(QStringLiteral("review.decided")).isEmpty());
    }
};

QTEST_MAIN(TestReviewsWidget)
#include "TestReviewsWidget.moc"
