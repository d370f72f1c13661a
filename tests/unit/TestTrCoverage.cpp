// No user-visible string in the console bypasses tr(): every literal handed to a widget's text setters or
// constructors must be translated. The scanner is tested on fixtures first, then run over ui/ and
// app/console/.
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QtTest>

namespace
{

// Calls whose string arguments a person reads.
const QRegularExpression kVisibleCall(QStringLiteral(
    "\\b(setText|setWindowTitle|setToolTip|setPlaceholderText|setStatusTip|setWhatsThis|showMessage|addTab|"
    "insertTab|setTabText|setTitle|setLabelText|setHorizontalHeaderLabels|addItem|setInformativeText|"
    "information|warning|critical|question|QLabel|QPushButton|QCheckBox|QGroupBox|QAction|QRadioButton|"
    "QToolButton|QMenu|setSpecialValueText|setSuffix|setPrefix)\\s*\\("));

// A string literal (with escapes) and where it starts.
const QRegularExpression kLiteral(QStringLiteral("\"(?:[^\"\\\\]|\\\\.)*\""));

// The argument text of the call starting at `open` (the index of its '('), up to the matching ')'.
QString argumentsAt(const QString& code, int open)
{
    int depth = 0;
    bool inString = false;
    for (int i = open; i < code.size(); ++i) {
        const QChar c = code.at(i);
        if (inString) {
            if (c == QLatin1Char('\\'))
                ++i;
            else if (c == QLatin1Char('"'))
                inString = false;
            continue;
        }
        if (c == QLatin1Char('"'))
            inString = true;
        else if (c == QLatin1Char('('))
            ++depth;
        else if (c == QLatin1Char(')') && --depth == 0)
            return code.mid(open + 1, i - open - 1);
    }
    return code.mid(open + 1);
}

// Literals with letters that are not the text of a tr()/translate()/QT_TR_NOOP call.
// The first top-level argument of an argument list (addItem(text, data): only the text is shown).
QString firstArgument(const QString& args)
{
    int depth = 0;
    bool inString = false;
    for (int i = 0; i < args.size(); ++i) {
        const QChar c = args.at(i);
        if (inString) {
            if (c == QLatin1Char('\\'))
                ++i;
            else if (c == QLatin1Char('"'))
                inString = false;
        } else if (c == QLatin1Char('"')) {
            inString = true;
        } else if (c == QLatin1Char('(') || c == QLatin1Char('[') || c == QLatin1Char('{')) {
            ++depth;
        } else if (c == QLatin1Char(')') || c == QLatin1Char(']') || c == QLatin1Char('}')) {
            --depth;
        } else if (c == QLatin1Char(',') && depth == 0) {
            return args.left(i);
        }
    }
    return args;
}

QStringList untranslated(QString code)
{
    // Adjacent literals split over lines are one literal to the compiler, and to tr().
    static const QRegularExpression adjacent(QStringLiteral("\"[ \t]*\r?\n[ \t]*\""));
    code.replace(adjacent, QString());
    QStringList found;
    auto it = kVisibleCall.globalMatch(code);
    while (it.hasNext()) {
        const auto call = it.next();
        QString args = argumentsAt(code, call.capturedEnd() - 1);
        if (call.captured(1) == QLatin1String("addItem"))
            args = firstArgument(args);
        auto lit = kLiteral.globalMatch(args);
        while (lit.hasNext()) {
            const auto m = lit.next();
            const QString text = m.captured();
            if (!text.contains(QRegularExpression(QStringLiteral("[A-Za-z]{2,}"))))
                continue; // punctuation, separators, "%1"
            const QString before = args.left(m.capturedStart()).trimmed();
            static const QRegularExpression subscript(
                QStringLiteral("\\[\\s*((QLatin1String|QStringLiteral)\\s*\\()?$"));
            if (subscript.match(before).hasMatch()
                || args.mid(m.capturedEnd()).trimmed().startsWith(QLatin1Char(']')))
                continue; // a JSON key: request["task"], m[QLatin1String("grants")]
            static const QRegularExpression contextOpen(QStringLiteral("\\btranslate\\s*\\($"));
            if (contextOpen.match(before).hasMatch())
                continue; // translate()'s context
            static const QRegularExpression translatedOpen(
                QStringLiteral("(\\btr|\\btranslate\\s*\\(\\s*\"[^\"]*\"\\s*,|QT_TR_NOOP|QT_TRANSLATE_"
                               "NOOP\\s*\\(\\s*\"[^\"]*\"\\s*,)\\s*\\(?$"));
            if (translatedOpen.match(before).hasMatch())
                continue;
            // Object names, icon paths and property keys are not read by people.
            static const QRegularExpression technical(QStringLiteral(
                "(setObjectName|QIcon|fromTheme|property|value|contains)\\s*\\((QStringLiteral\\()?$"));
            if (technical.match(before).hasMatch())
                continue;
            found << call.captured(1) + QStringLiteral(": ") + text;
        }
    }
    return found;
}

} // namespace

class TestTrCoverage : public QObject
{
    Q_OBJECT
private slots:
    void scannerFindsViolations_data()
    {
        QTest::addColumn<QString>("code");
        QTest::addColumn<int>("violations");
        QTest::newRow("plain literal") << "label->setText(\"Approve now\");" << 1;
        QTest::newRow("QStringLiteral") << "button->setToolTip(QStringLiteral(\"Deny it\"));" << 1;
        QTest::newRow("constructor") << "auto* b = new QPushButton(QStringLiteral(\"Revoke\"), this);" << 1;
        QTest::newRow("arg chain") << "m->showMessage(QString(\"Revoked %1\").arg(id));" << 1;
        QTest::newRow("tab") << "tabs->addTab(w, \"Audit log\");" << 1;
        QTest::newRow("translated") << "label->setText(tr(\"Approve now\"));" << 0;
        QTest::newRow("translated with args") << "label->setText(tr(\"Revoked %1 at %2\").arg(a, b));" << 0;
        QTest::newRow("translate()") << "x->setText(QCoreApplication::translate(\"ctx\", \"Loading\"));" << 0;
        QTest::newRow("noop") << "static const char* k = QT_TR_NOOP(\"Humans\"); box->addItem(tr(k));" << 0;
        QTest::newRow("separator only") << "label->setText(parts.join(QStringLiteral(\" · \")));" << 0;
        QTest::newRow("placeholder only") << "label->setText(QStringLiteral(\"%1\").arg(n));" << 0;
        QTest::newRow("not visible") << "w->setObjectName(QStringLiteral(\"approveButton\"));" << 0;
        QTest::newRow("latin1 key")
            << "l->setText(tr(\"%1 grants\").arg(m[QLatin1String(\"grants\")].toInt()));" << 0;
        QTest::newRow("json key") << "l->setText(tr(\"Asked by %1\").arg(r.value(\"requester\").toString()));"
                                  << 0;
        QTest::newRow("mixed") << "l->setText(tr(\"Ok\") + QStringLiteral(\" and more words\"));" << 1;
    }

    void scannerFindsViolations()
    {
        QFETCH(QString, code);
        QFETCH(int, violations);
        const QStringList found = untranslated(code);
        QVERIFY2(found.size() == violations, qPrintable(found.join(QStringLiteral("; "))));
    }

    void consoleSourcesUseTr()
    {
        QStringList problems;
        int files = 0;
        for (const char* dir : {"ui", "app/console"}) {
            QDirIterator it(QStringLiteral(LAPSE_SOURCE_DIR "/") + QLatin1String(dir),
                {QStringLiteral("*.cpp"), QStringLiteral("*.h")}, QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                QFile f(it.next());
                QVERIFY(f.open(QIODevice::ReadOnly));
                ++files;
                const QString code = QString::fromUtf8(f.readAll());
                for (const QString& p : untranslated(code))
                    problems << f.fileName().section(QLatin1Char('/'), -2) + QStringLiteral(": ") + p;
            }
        }
        QVERIFY(files > 10);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    }

    // A context spelled out in translate("ctx", ...) must be one the .ts holds: lupdate files strings under
    // the context it reads, and a context the code asks for but the .ts lacks shows English in every
    // language.
    void translateContextsAreInTheTs()
    {
        QFile tsFile(QStringLiteral(LAPSE_SOURCE_DIR "/translations/lapse_de.ts"));
        QVERIFY(tsFile.open(QIODevice::ReadOnly));
        const QString ts = QString::fromUtf8(tsFile.readAll());
        static const QRegularExpression call(QStringLiteral("\\btranslate\\s*\\(\\s*\"([^\"]+)\""));
        QStringList problems;
        int calls = 0;
        for (const char* dir : {"ui", "app/console", "models/itemmodels", "models/console", "models/backend",
                 "models/insights", "models/demo"}) {
            QDirIterator it(QStringLiteral(LAPSE_SOURCE_DIR "/") + QLatin1String(dir),
                {QStringLiteral("*.cpp")}, QDir::Files);
            while (it.hasNext()) {
                QFile f(it.next());
                QVERIFY(f.open(QIODevice::ReadOnly));
                auto m = call.globalMatch(QString::fromUtf8(f.readAll()));
                while (m.hasNext()) {
                    const QString context = m.next().captured(1);
                    ++calls;
                    if (!ts.contains(QStringLiteral("<name>%1</name>").arg(context)))
                        problems << f.fileName().section(QLatin1Char('/'), -2) + QStringLiteral(": ")
                                + context;
                }
            }
        }
        QVERIFY(calls >= 4); // the durations at least
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    }

    void germanIsComplete()
    {
        QFile f(QStringLiteral(LAPSE_SOURCE_DIR "/translations/lapse_de.ts"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString ts = QString::fromUtf8(f.readAll());
        const int messages = int(ts.count(QStringLiteral("<message")));
        QVERIFY(messages > 200);
        QCOMPARE(int(ts.count(QStringLiteral("type=\"unfinished\""))), 0);
        QCOMPARE(int(ts.count(QStringLiteral("<translation></translation>")))
                + int(ts.count(QStringLiteral("<translation />"))),
            0);
        QCOMPARE(int(ts.count(QStringLiteral("<translation>"))), messages);
    }
};

QTEST_GUILESS_MAIN(TestTrCoverage)
#include "TestTrCoverage.moc"
