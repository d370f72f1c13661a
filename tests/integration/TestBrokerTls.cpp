// The broker serves HTTPS with the configured certificate, and a client that does not trust it is refused.
#include "BrokerProcess.h"

#include "engine/SqliteStore.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSslConfiguration>
#include <QTemporaryDir>
#include <QtTest>

using lapse::testing::BrokerProcess;

class TestBrokerTls : public QObject
{
    Q_OBJECT
private:
    QNetworkReply* get(QNetworkAccessManager& nam, const QUrl& url, bool trustCa, const QByteArray& key = {})
    {
        QNetworkRequest req(url);
        if (trustCa) {
            QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
            ssl.setCaCertificates(QSslCertificate::fromPath(m_broker->caFile()));
            req.setSslConfiguration(ssl);
        }
        if (!key.isEmpty())
            req.setRawHeader("Authorization", "Bearer " + key);
        QNetworkReply* reply = nam.get(req);
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!reply->isFinished())
            done.wait(15000);
        return reply;
    }
    std::unique_ptr<BrokerProcess> m_broker;
    QByteArray m_aliceKey;

private slots:
    void initTestCase()
    {
        m_broker = std::make_unique<BrokerProcess>();
        QString error;
        m_aliceKey = m_broker->createKey(QStringLiteral("alice"), &error);
        QVERIFY2(m_aliceKey.startsWith("lapse_"), qPrintable(error));
        QVERIFY2(m_broker->start(&error), qPrintable(error));
    }

    void healthOverTrustedTls()
    {
        QNetworkAccessManager nam;
        std::unique_ptr<QNetworkReply> reply(
            get(nam, m_broker->url().resolved(QUrl(QStringLiteral("/healthz"))), true));
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        QCOMPARE(
            QJsonDocument::fromJson(reply->readAll()).object().value(QStringLiteral("status")).toString(),
            QStringLiteral("ok"));
    }

    // The key types people use: RSA, ECDSA P-256 and P-384, Ed25519 (which Qt's own PEM reader cannot read);
    // a key that is not the certificate's is refused at start, in one line.
    void tlsKeyTypes_data()
    {
        QTest::addColumn<QStringList>("newkey");
        QTest::newRow("RSA 2048") << QStringList {"-newkey", "rsa:2048"};
        QTest::newRow("ECDSA P-256") << QStringList {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"};
        QTest::newRow("ECDSA P-384") << QStringList {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"};
        QTest::newRow("Ed25519") << QStringList {"-newkey", "ed25519"};
    }

    void tlsKeyTypes()
    {
        QFETCH(QStringList, newkey);
        BrokerProcess broker;
        const auto makeCert = [&](const QString& cert, const QString& key) {
            QProcess openssl;
            openssl.start(QStringLiteral("openssl"),
                QStringList {"req", "-x509", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key, "-out", cert}
                    + newkey);
            return openssl.waitForFinished(60000) && openssl.exitCode() == 0;
        };
        QVERIFY(makeCert(broker.caFile(), broker.keyFile()));
        QString error;
        QVERIFY2(broker.start(&error), qPrintable(error + QString::fromUtf8(broker.output())));
        QNetworkAccessManager nam;
        QNetworkRequest health(broker.url().resolved(QUrl(QStringLiteral("/healthz"))));
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.setCaCertificates(QSslCertificate::fromPath(broker.caFile()));
        health.setSslConfiguration(ssl);
        std::unique_ptr<QNetworkReply> reply(nam.get(health));
        QSignalSpy done(reply.get(), &QNetworkReply::finished);
        QVERIFY(done.wait(15000));
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        broker.stop();

        // Another key with this certificate: refused before listening.
        QTemporaryDir other;
        QVERIFY(
            makeCert(other.filePath(QStringLiteral("cert.pem")), other.filePath(QStringLiteral("key.pem"))));
        QFile::remove(broker.keyFile());
        QVERIFY(QFile::copy(other.filePath(QStringLiteral("key.pem")), broker.keyFile()));
        QVERIFY(!broker.start(&error));
        QVERIFY2(broker.output().contains("does not belong to the certificate"), broker.output().constData());
    }

    void untrustedCertificateIsRefused()
    {
        QNetworkAccessManager nam;
        std::unique_ptr<QNetworkReply> reply(
            get(nam, m_broker->url().resolved(QUrl(QStringLiteral("/healthz"))), false));
        QCOMPARE(reply->error(), QNetworkReply::SslHandshakeFailedError);
    }

    void keyCreatedWhileRunningIsAcceptedAndChainStaysLinear()
    {
        // A key made by a second process while the broker runs: both append to one chain.
        QString error;
        const QByteArray bob = m_broker->createKey(QStringLiteral("bob"), &error);
        QVERIFY2(!bob.isEmpty(), qPrintable(error));
        QNetworkAccessManager nam;
        std::unique_ptr<QNetworkReply> me(
            get(nam, m_broker->url().resolved(QUrl(QStringLiteral("/v1/me"))), true, bob));
        QCOMPARE(me->error(), QNetworkReply::NoError);
        QCOMPARE(QJsonDocument::fromJson(me->readAll()).object().value(QStringLiteral("id")).toString(),
            QStringLiteral("bob"));
        // Now the running broker writes: its append must follow the other process's event.
        QNetworkRequest post(m_broker->url().resolved(QUrl(QStringLiteral("/v1/requests"))));
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.setCaCertificates(QSslCertificate::fromPath(m_broker->caFile()));
        post.setSslConfiguration(ssl);
        post.setRawHeader("Authorization", "Bearer " + m_aliceKey);
        post.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        std::unique_ptr<QNetworkReply> created(nam.post(post,
            QJsonDocument(QJsonObject {{"target", "prod-k8s"}, {"privileges", QJsonArray {"view"}},
                              {"task", "check pods"}, {"reason", "INC-7 triage"}, {"ttl_seconds", 600}})
                .toJson()));
        QSignalSpy done(created.get(), &QNetworkReply::finished);
        QVERIFY(done.wait(15000));
        QCOMPARE(created->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 201);
        m_broker->stop();
        // SIGTERM ends the event loop cleanly (the handler only signals it), so the broker says where it
        // stopped.
        QVERIFY2(m_broker->output().contains("stopped at event"), m_broker->output().constData());
        // The chain verifies offline after both processes wrote, with both events on it.
        auto store = lapse::SqliteStore::open(QDir(m_broker->dataDir()).filePath(QStringLiteral("lapse.db")));
        QVERIFY2(store.ok(), qPrintable(store.ok() ? QString() : store.error().message));
        const QList<lapse::Event> events = store.value()->events(0, 1000);
        QStringList types;
        for (const auto& e : events)
            types << e.type;
        QCOMPARE(types.count(QStringLiteral("apikey.created")), 2);
        QCOMPARE(types.last(), QStringLiteral("request.created"));
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("verify"));
            db.setDatabaseName(QDir(m_broker->dataDir()).filePath(QStringLiteral("lapse.db")));
            QVERIFY(db.open());
            QString reason;
            qint64 breakSeq = -1;
            const auto checked = lapse::SqliteStore::verifyChain(db, &reason, &breakSeq);
            QVERIFY2(checked.ok(), qPrintable(reason));
            QCOMPARE(checked.value(), events.last().seq);
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("verify"));
        QVERIFY2(m_broker->start(&error), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestBrokerTls)
#include "TestBrokerTls.moc"
