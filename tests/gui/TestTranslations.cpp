// The German the console shows, read from the lapse_de.qm the build makes: durations in every table, the
// tables' headers, the dialogs, and every message of the .ts found under the context the code asks for.
#include "ConfirmDialog.h"
#include "EvidenceExportDialog.h"
#include "KeyDialog.h"
#include "RuleDraftDialog.h"
#include "itemmodels/GrantsModel.h"
#include "itemmodels/RequestQueueModel.h"
#include "itemmodels/SessionsModel.h"
#include "itemmodels/TimeFormat.h"

#include <QAbstractButton>
#include <QApplication>
#include <QFile>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTranslator>
#include <QXmlStreamReader>
#include <QtTest>

using namespace lapse;

class TestTranslations : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY2(m_german.load(QStringLiteral(LAPSE_DE_QM)), LAPSE_DE_QM);
        QVERIFY(QCoreApplication::installTranslator(&m_german));
    }

    void durationsAreGerman()
    {
        QCOMPARE(timefmt::duration(42'000), QStringLiteral("42 s"));
        QCOMPARE(timefmt::duration(15 * 60'000), QStringLiteral("15 min 00 s"));
        QCOMPARE(timefmt::duration(3'600'000 + 5 * 60'000), QStringLiteral("1 h 05 min"));
        QCOMPARE(timefmt::duration(3 * 86'400'000LL + 4 * 3'600'000), QStringLiteral("3 T 4 h"));
        QCOMPARE(timefmt::duration(-61'000), QStringLiteral("-1 min 01 s"));
    }

    void tablesAreGerman()
    {
        const GrantsModel grants(nullptr);
        QCOMPARE(grants.headerData(GrantsModel::ExpiresIn, Qt::Horizontal).toString(),
            QStringLiteral("Läuft ab in"));
        const SessionsModel sessions(nullptr);
        QCOMPARE(sessions.headerData(SessionsModel::Lingering, Qt::Horizontal).toString(),
            QStringLiteral("Nachlauf"));
        const RequestQueueModel queue(nullptr);
        QCOMPARE(queue.headerData(RequestQueueModel::Waiting, Qt::Horizontal).toString(),
            QStringLiteral("Wartet"));
    }

    void dialogsAreGerman()
    {
        const KeyDialog key(QStringLiteral("https://broker.example"));
        QCOMPARE(key.windowTitle(), QStringLiteral("API-Schlüssel"));
        const ConfirmDialog confirm(QStringLiteral("t"), QStringLiteral("q"), QStringLiteral("a"), nullptr);
        QStringList labels;
        for (const QLabel* l : confirm.findChildren<QLabel*>())
            labels << l->text();
        QVERIFY2(labels.contains(QStringLiteral("&Grund:")), qPrintable(labels.join(QLatin1String(" | "))));
        // The Draft rule dialog: German, and its two copy buttons keep distinct mnemonics.
        const RuleDraftDialog draft(
            QStringLiteral("ci-deploy"), QStringLiteral("ci-runners"), QStringLiteral("d.json"));
        QCOMPARE(draft.windowTitle(), QStringLiteral("Regelentwurf für ci-deploy auf ci-runners"));
        QCOMPARE(draft.copyRuleButton()->text(), QStringLiteral("Regel &kopieren"));
        QCOMPARE(draft.copyCommandButton()->text(), QStringLiteral("Be&fehl kopieren"));
        RuleReplay replay;
        replay.grants = 7;
        replay.approved = 6;
        replay.beyondRule = 1;
        QVERIFY2(
            RuleDraftDialog::describe(replay).startsWith(QStringLiteral("Im Zeitraum hätte sie 6 von 7")),
            qPrintable(RuleDraftDialog::describe(replay)));
    }

    // The evidence dialog in German: its labels, one mnemonic per letter, and hardly wider than in English.
    void evidenceDialogIsGermanAndFits()
    {
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        const QStringList targets {QStringLiteral("prod-db"), QStringLiteral("billing-api")};
        const auto shownWidth = [&] {
            EvidenceExportDialog dialog(targets);
            dialog.setFolder(folder.path());
            dialog.show();
            return QTest::qWaitForWindowExposed(&dialog) ? dialog.width() : -1;
        };
        QVERIFY(QCoreApplication::removeTranslator(&m_german));
        const int english = shownWidth();
        QVERIFY(QCoreApplication::installTranslator(&m_german));
        const int german = shownWidth();
        QVERIFY(english > 0 && german > 0);
        QVERIFY2(
            german <= english * 11 / 10, qPrintable(QStringLiteral("%1 vs %2").arg(german).arg(english)));

        EvidenceExportDialog dialog(targets);
        dialog.setFolder(folder.path());
        QCOMPARE(dialog.windowTitle(), QStringLiteral("Nachweispaket exportieren"));
        QCOMPARE(dialog.exportButton()->text(), QStringLiteral("&Exportieren"));
        QVERIFY2(dialog.problem().isEmpty(), qPrintable(dialog.problem()));
        QStringList texts;
        for (const QLabel* l : dialog.findChildren<QLabel*>())
            texts << l->text();
        for (const QAbstractButton* b : dialog.findChildren<QAbstractButton*>())
            texts << b->text();
        QVERIFY2(texts.contains(QStringLiteral("&Zeitraum:")), qPrintable(texts.join(QLatin1String(" | "))));
        QVERIFY(texts.contains(QStringLiteral("Start&wert:")));
        static const QRegularExpression mnemonic(QStringLiteral("&([^&])"));
        QStringList keys;
        for (const QString& text : std::as_const(texts)) {
            const auto m = mnemonic.match(QString(text).remove(QLatin1String("&&")));
            if (!m.hasMatch())
                continue;
            const QString key = m.captured(1).toLower();
            QVERIFY2(!keys.contains(key), qPrintable(key + QLatin1String(" twice, again in ") + text));
            keys << key;
        }
        QCOMPARE(keys.size(), 7); // period, targets, sample size, seed, folder, browse, export
    }

    void everyMessageIsFoundUnderItsContext()
    {
        QFile ts(QStringLiteral(LAPSE_SOURCE_DIR "/translations/lapse_de.ts"));
        QVERIFY(ts.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&ts);
        QString context, source, translation;
        int checked = 0;
        while (!xml.atEnd()) {
            xml.readNext();
            if (!xml.isStartElement())
                continue;
            if (xml.name() == QLatin1String("name"))
                context = xml.readElementText();
            else if (xml.name() == QLatin1String("source"))
                source = xml.readElementText();
            else if (xml.name() == QLatin1String("translation")) {
                translation = xml.readElementText();
                const QString shown
                    = QCoreApplication::translate(context.toUtf8().constData(), source.toUtf8().constData());
                QVERIFY2(shown == translation, qPrintable(context + QLatin1String(": ") + source));
                ++checked;
            }
        }
        QVERIFY(!xml.hasError());
        QVERIFY(checked > 200);
    }

private:
    QTranslator m_german;
};

QTEST_MAIN(TestTranslations)
#include "TestTranslations.moc"
