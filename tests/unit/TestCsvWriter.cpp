// CsvWriter: RFC 4180 quoting and line ends, formula cells neutralised, numbers kept, write errors reported;
// and the bytes read back by a parser this project did not write (Python's csv module).
#include "core/CsvWriter.h"

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QtTest>

using namespace lapse;

class TestCsvWriter : public QObject
{
    Q_OBJECT

    static QByteArray csvOf(const DataTable& t)
    {
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        CsvWriter w(&buffer);
        w.write(t);
        return w.status() ? buffer.data() : QByteArray("error");
    }

private slots:
    void quotingAndLineEnds()
    {
        const DataTable t {{QStringLiteral("name"), QStringLiteral("note"), QStringLiteral("n")},
            {{QStringLiteral("plain"), QStringLiteral("a, b"), 3},
                {QStringLiteral("say \"hi\""), QStringLiteral("two\nlines"), 2.5},
                {QStringLiteral("ünïcødé"), QString(), qint64(-7)}}};
        QCOMPARE(csvOf(t),
            QByteArray("name,note,n\r\n"
                       "plain,\"a, b\",3\r\n"
                       "\"say \"\"hi\"\"\",\"two\nlines\",2.5\r\n")
                + QStringLiteral("ünïcødé").toUtf8() + QByteArray(",,-7\r\n"));
    }

    void formulaCellsAreNeutralised_data()
    {
        QTest::addColumn<QString>("cell");
        QTest::addColumn<QString>("written");
        QTest::newRow("=") << QStringLiteral("=HYPERLINK(\"x\")")
                           << QStringLiteral("\"'=HYPERLINK(\"\"x\"\")\"");
        QTest::newRow("+") << QStringLiteral("+1") << QStringLiteral("'+1");
        QTest::newRow("-") << QStringLiteral("-2+3") << QStringLiteral("'-2+3");
        QTest::newRow("@") << QStringLiteral("@SUM(A1)") << QStringLiteral("'@SUM(A1)");
        QTest::newRow("tab") << QStringLiteral("\tx") << QStringLiteral("'\tx");
        QTest::newRow("cr") << QStringLiteral("\rx") << QStringLiteral("\"'\rx\"");
        QTest::newRow("inner =") << QStringLiteral("a=b") << QStringLiteral("a=b");
    }
    void formulaCellsAreNeutralised()
    {
        QFETCH(QString, cell);
        QFETCH(QString, written);
        QCOMPARE(CsvWriter::field(cell), written);
    }

    // A negative number is a number, not a formula.
    void numbersStayNumbers()
    {
        QCOMPARE(CsvWriter::field(-5), QStringLiteral("-5"));
        QCOMPARE(CsvWriter::field(qint64(1) << 40), QStringLiteral("1099511627776"));
        QCOMPARE(CsvWriter::field(0.25), QStringLiteral("0.25"));
    }

    void writeErrorsAreReported()
    {
        QBuffer readOnly;
        readOnly.open(QIODevice::ReadOnly);
        CsvWriter w(&readOnly);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral(".*")));
        w.writeRow(QStringList {QStringLiteral("a")});
        QVERIFY(!w.status());
        QVERIFY(w.status().error().message.contains(QLatin1String("cannot write CSV")));
    }

    // Python's csv module reads back exactly the cells written (neutralised ones with their apostrophe).
    void pythonReadsItBack()
    {
        const DataTable t {{QStringLiteral("a"), QStringLiteral("b")},
            {{QStringLiteral("x,y"), QStringLiteral("q\"uote")}, {QStringLiteral("multi\r\nline"), 42},
                {QStringLiteral("=1+1"), QStringLiteral("ß")}}};
        QProcess py;
        py.start(QStringLiteral("python3"),
            {QStringLiteral("-c"),
                QStringLiteral(
                    "import csv,io,json,sys; "
                    "print(json.dumps(list(csv.reader(io.StringIO(sys.stdin.buffer.read().decode('utf-8'), "
                    "newline='')))))")});
        if (!py.waitForStarted())
            QSKIP("python3 is not installed");
        py.write(csvOf(t));
        py.closeWriteChannel();
        QVERIFY(py.waitForFinished(30000));
        QCOMPARE(py.exitCode(), 0);
        const QJsonArray rows = QJsonDocument::fromJson(py.readAllStandardOutput()).array();
        QCOMPARE(rows.size(), 4);
        QCOMPARE(rows[1].toArray()[0].toString(), QStringLiteral("x,y"));
        QCOMPARE(rows[1].toArray()[1].toString(), QStringLiteral("q\"uote"));
        QCOMPARE(rows[2].toArray()[0].toString(), QStringLiteral("multi\r\nline"));
        QCOMPARE(rows[2].toArray()[1].toString(), QStringLiteral("42"));
        QCOMPARE(rows[3].toArray()[0].toString(), QStringLiteral("'=1+1"));
        QCOMPARE(rows[3].toArray()[1].toString(), QStringLiteral("ß"));
    }
};

QTEST_GUILESS_MAIN(TestCsvWriter)
#include "TestCsvWriter.moc"
