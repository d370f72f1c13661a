// The clock: the canonical ISO 8601 form (formatter and parser), and the replaceable instance tests move.
#include "core/Clock.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QtTest>

using namespace lapse;

class TestClock : public QObject
{
    Q_OBJECT

private slots:
    // The hand-written formatter and parser of the canonical time form agree with QDateTime, and the parser
    // refuses what is not a time.
    void fastIsoParsing()
    {
        QRandomGenerator rng(3);
        for (int i = 0; i < 20000; ++i) {
            const qint64 ms = qint64(rng.bounded(quint64(4'102'444'800'000))); // 1970 .. 2100
            const QString iso = Clock::toIso(ms);
            QCOMPARE(iso, QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs));
            QCOMPARE(Clock::fromIso(iso), ms);
            QCOMPARE(QDateTime::fromString(iso, Qt::ISODateWithMs).toMSecsSinceEpoch(), ms);
        }
        bool ok = true;
        for (const char* bad :
            {"2026-02-30T10:00:00.000Z", "2025-02-29T10:00:00.000Z", "2026-11-22T25:00:00.000Z",
                "2026-13-01T10:00:00.000Z", "2026-11-22T10:60:00.000Z", "2026-11-2xT10:00:00.000Z"}) {
            Clock::fromIso(QString::fromLatin1(bad), &ok);
            QVERIFY2(!ok, bad);
        }
        QCOMPARE(Clock::fromIso(QStringLiteral("2024-02-29T23:59:59.999Z"), &ok), qint64(1709251199999));
        QVERIFY(ok);
    }

    // What is not a time is refused, not read as some time.
    void isoParsingIsStrict_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("empty") << QString();
        QTest::newRow("trailing junk") << QStringLiteral("2026-11-22T10:00:00.000Zx");
        QTest::newRow("time only") << QStringLiteral("10:00:00Z");
        QTest::newRow("words") << QStringLiteral("yesterday");
    }
    void isoParsingIsStrict()
    {
        QFETCH(QString, text);
        bool ok = true;
        Clock::fromIso(text, &ok);
        QVERIFY2(!ok, qPrintable(text));
    }

    // Seconds without a fraction are the same instant as with .000: what other tools write is read.
    void isoWithoutMilliseconds()
    {
        bool ok = false;
        QCOMPARE(Clock::fromIso(QStringLiteral("2026-11-22T10:00:00Z"), &ok),
            Clock::fromIso(QStringLiteral("2026-11-22T10:00:00.000Z")));
        QVERIFY(ok);
    }

    // A manual clock moves only when told to; installing it replaces now() everywhere, nullptr restores the
    // system clock.
    void manualClockReplacesNow()
    {
        ManualClock manual(1'000);
        Clock::setInstance(&manual);
        QCOMPARE(Clock::now(), qint64(1'000));
        manual.advance(250);
        QCOMPARE(Clock::now(), qint64(1'250));
        manual.set(5);
        QCOMPARE(Clock::now(), qint64(5));
        Clock::setInstance(nullptr);
        const qint64 system = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(qAbs(Clock::now() - system) < 60'000);
    }
};

QTEST_GUILESS_MAIN(TestClock)
#include "TestClock.moc"
