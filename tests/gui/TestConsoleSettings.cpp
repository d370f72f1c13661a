// ConsoleSettings on a temporary ini file: typed values round-trip, the last connection is remembered without
// its key, and a start without --url or --data reopens it.
#include "ConsoleSettings.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace lapse;

class TestConsoleSettings : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_file = m_dir.filePath(QStringLiteral("console-%1.ini").arg(++m_count));
    }

    void valuesRoundTripThroughTheFile()
    {
        {
            ConsoleSettings s(m_file);
            QCOMPARE(s.value(ConsoleSettings::Key::LastTab, 3).toInt(), 3); // the fallback when unset
            s.setValue(ConsoleSettings::Key::LastTab, 2);
            s.setValue(ConsoleSettings::Key::WindowGeometry, QByteArray("\x01\x02geometry"));
        }
        ConsoleSettings again(m_file);
        QCOMPARE(again.value(ConsoleSettings::Key::LastTab).toInt(), 2);
        QCOMPARE(
            again.value(ConsoleSettings::Key::WindowGeometry).toByteArray(), QByteArray("\x01\x02geometry"));
        // Every key has a name of its own.
        QSet<QString> names;
        for (int k = int(ConsoleSettings::Key::WindowGeometry); k <= int(ConsoleSettings::Key::MutedTargets);
             ++k)
            names.insert(ConsoleSettings::keyName(ConsoleSettings::Key(k)));
        QCOMPARE(int(names.size()), int(ConsoleSettings::Key::MutedTargets) + 1);
        QVERIFY(!names.contains(QString()));
    }

    void mutedTargetsRoundTrip()
    {
        {
            ConsoleSettings s(m_file);
            QVERIFY(s.mutedTargets().isEmpty());
            s.setMutedTargets(
                {QStringLiteral("prod-k8s"), QStringLiteral("billing-db"), QStringLiteral("prod-k8s")});
        }
        ConsoleSettings again(m_file);
        QCOMPARE(
            again.mutedTargets(), (QStringList {QStringLiteral("billing-db"), QStringLiteral("prod-k8s")}));
        again.setMutedTargets({});
        QVERIFY(again.mutedTargets().isEmpty());
    }

    void nothingRememberedOpensTheDefault()
    {
        const ConsoleSettings s(m_file);
        const ConsoleSettings::Connection c = s.connectionToOpen({}, false);
        QVERIFY(!c.remote());
        QVERIFY(c.dataDir.isEmpty()); // main() then uses the user's data directory
    }

    void aRemoteConnectionIsReopenedWithoutItsKey()
    {
        {
            ConsoleSettings s(m_file);
            s.setLastConnection({QStringLiteral("https://broker.example:8443"),
                QStringLiteral("/keys/ops.key"), QStringLiteral("/ca/lapse.pem"), {}});
        }
        QFile ini(m_file);
        QVERIFY(ini.open(QIODevice::ReadOnly));
        const QByteArray stored = ini.readAll();
        QVERIFY(stored.contains("/keys/ops.key")); // the path, which is no secret
        QVERIFY(!stored.contains("lapse_")); // never a key

        const ConsoleSettings s(m_file);
        const ConsoleSettings::Connection last = s.lastConnection();
        QVERIFY(last.remote());
        QCOMPARE(last.url, QStringLiteral("https://broker.example:8443"));
        QCOMPARE(last.keyFile, QStringLiteral("/keys/ops.key"));
        QCOMPARE(last.caFile, QStringLiteral("/ca/lapse.pem"));

        // No arguments: the same broker, key file and CA.
        ConsoleSettings::Connection open = s.connectionToOpen({}, false);
        QCOMPARE(open.url, last.url);
        QCOMPARE(open.keyFile, last.keyFile);
        QCOMPARE(open.caFile, last.caFile);
        // A key file on the command line wins over the remembered one.
        open = s.connectionToOpen({{}, QStringLiteral("/keys/other.key"), {}, {}}, false);
        QCOMPARE(open.url, last.url);
        QCOMPARE(open.keyFile, QStringLiteral("/keys/other.key"));
        QCOMPARE(open.caFile, last.caFile);
        // A demo (or a directory file) means the embedded engine, whatever was open last.
        QVERIFY(!s.connectionToOpen({}, true).remote());
        // An explicit data directory or URL is taken as given.
        open = s.connectionToOpen({{}, {}, {}, QStringLiteral("/tmp/lapse-data")}, false);
        QVERIFY(!open.remote());
        QCOMPARE(open.dataDir, QStringLiteral("/tmp/lapse-data"));
        open = s.connectionToOpen({QStringLiteral("https://other.example"), {}, {}, {}}, false);
        QCOMPARE(open.url, QStringLiteral("https://other.example"));
        QVERIFY(open.keyFile.isEmpty()); // not the other broker's key file
    }

    void anEmbeddedConnectionIsReopenedOnItsDataDirectory()
    {
        ConsoleSettings s(m_file);
        s.setLastConnection({QStringLiteral("https://broker.example"), {}, {}, {}});
        s.setLastConnection({{}, {}, {}, QStringLiteral("/srv/lapse")});
        const ConsoleSettings::Connection last = s.lastConnection();
        QVERIFY(!last.remote());
        QCOMPARE(last.dataDir, QStringLiteral("/srv/lapse"));
        QCOMPARE(s.connectionToOpen({}, false).dataDir, QStringLiteral("/srv/lapse"));
        QCOMPARE(s.connectionToOpen({}, true).dataDir, QStringLiteral("/srv/lapse"));

        // Back to remote: the embedded data directory is still what a demo reopens.
        s.setLastConnection({QStringLiteral("https://broker.example"), {}, {}, {}});
        QVERIFY(s.connectionToOpen({}, false).remote());
        QCOMPARE(s.connectionToOpen({}, true).dataDir, QStringLiteral("/srv/lapse"));
    }

private:
    QTemporaryDir m_dir;
    QString m_file;
    int m_count = 0;
};

QTEST_GUILESS_MAIN(TestConsoleSettings)
#include "TestConsoleSettings.moc"
