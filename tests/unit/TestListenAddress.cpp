// parseListenAddress (models/http/ListenAddress.cpp): the HOST:PORT both --listen options take.
#include "http/ListenAddress.h"

#include <QtTest>

using namespace lapse;

class TestListenAddress : public QObject
{
    Q_OBJECT

private slots:
    void parses_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("address");
        QTest::addColumn<int>("port");
        QTest::newRow("IPv4") << "127.0.0.1:8443" << true << "127.0.0.1" << 8443;
        QTest::newRow("IPv4, any interface") << "0.0.0.0:443" << true << "0.0.0.0" << 443;
        QTest::newRow("IPv6, bracketed") << "[::1]:8443" << true << "::1" << 8443;
        QTest::newRow("IPv6, long form") << "[2001:db8::5]:9000" << true << "2001:db8::5" << 9000;
        QTest::newRow("localhost") << "localhost:8443" << true << "127.0.0.1" << 8443;
        QTest::newRow("port 0: the system picks") << "127.0.0.1:0" << true << "127.0.0.1" << 0;
        QTest::newRow("highest port") << "127.0.0.1:65535" << true << "127.0.0.1" << 65535;
        QTest::newRow("port 65536") << "127.0.0.1:65536" << false << "" << 0;
        QTest::newRow("negative port") << "127.0.0.1:-1" << false << "" << 0;
        QTest::newRow("missing port") << "127.0.0.1" << false << "" << 0;
        QTest::newRow("empty port") << "127.0.0.1:" << false << "" << 0;
        QTest::newRow("port only") << ":8443" << false << "" << 0;
        QTest::newRow("other host name") << "broker.example:8443" << false << "" << 0;
        QTest::newRow("IPv6, unbracketed") << "::1:8443" << false << "" << 0;
        QTest::newRow("IPv6, unclosed bracket") << "[::1:8443" << false << "" << 0;
        QTest::newRow("a path") << "127.0.0.1:8443/v1" << false << "" << 0;
        QTest::newRow("user info") << "me@127.0.0.1:8443" << false << "" << 0;
        QTest::newRow("a scheme") << "https://127.0.0.1:8443" << false << "" << 0;
        QTest::newRow("letters for a port") << "127.0.0.1:https" << false << "" << 0;
        QTest::newRow("garbage") << "not an address" << false << "" << 0;
        QTest::newRow("empty") << "" << false << "" << 0;
    }

    void parses()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QFETCH(QString, address);
        QFETCH(int, port);
        const std::optional<ListenAddress> parsed = parseListenAddress(text);
        QCOMPARE(parsed.has_value(), valid);
        if (!valid)
            return;
        QCOMPARE(parsed->address, QHostAddress(address));
        QCOMPARE(int(parsed->port), port);
    }

    void loopbackIsKnown()
    {
        // The console refuses anything but loopback; the parsed address must say which it is.
        QVERIFY(parseListenAddress(QStringLiteral("[::1]:1"))->address.isLoopback());
        QVERIFY(parseListenAddress(QStringLiteral("localhost:1"))->address.isLoopback());
        QVERIFY(!parseListenAddress(QStringLiteral("10.0.0.1:1"))->address.isLoopback());
    }
};

QTEST_GUILESS_MAIN(TestListenAddress)
#include "TestListenAddress.moc"
