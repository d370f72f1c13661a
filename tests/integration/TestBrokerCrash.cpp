// kill -9 during a stream of approvals: after restart every acknowledged decision is there, each approved
// request has its grant and activation event, and the chain verifies.
#include "BrokerProcess.h"
#include "HttpClient.h"

#include "engine/SqliteStore.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSslConfiguration>
#include <QtTest>

using lapse::testing::BrokerProcess;
using lapse::testing::HttpClient;

class TestBrokerCrash : public QObject
{
    Q_OBJECT

private slots:
    void acknowledgedDecisionsSurviveKill9()
    {
        BrokerProcess broker;
        QString error;
        const QByteArray alice = broker.createKey(QStringLiteral("alice"), &error);
        const QByteArray carol = broker.createKey(QStringLiteral("carol"), &error);
        QVERIFY2(!alice.isEmpty() && !carol.isEmpty(), qPrintable(error));
        QSet<QString> acknowledged; // approvals answered 200: must survive
        QSet<QString> requested; // requests answered 201: must survive
        constexpr int kRounds = 3, kRequests = 60, kInFlight = 8;

        for (int round = 0; round < kRounds; ++round) {
            QVERIFY2(broker.start(&error), qPrintable(error));
            HttpClient http(broker.url(), broker.caFile());
            QStringList pending;
            for (int i = 0; i < kRequests; ++i) {
                const auto r = http.post(QStringLiteral("/v1/requests"), alice,
                    QJsonObject {{"target", "prod-k8s"}, {"privileges", QJsonArray {"view"}},
                        {"task", QStringLiteral("round %1 check %2").arg(round).arg(i)},
                        {"reason", "crash test"}, {"ttl_seconds", 3600}});
                QCOMPARE(r.status, 201);
                pending << r.json()["id"].toString();
                requested << pending.last();
            }

            // Approvals kInFlight at a time; kill -9 once a third of them are acknowledged, others
            // mid-flight.
            QNetworkAccessManager nam;
            QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
            ssl.setCaCertificates(QSslCertificate::fromPath(broker.caFile()));
            int next = 0, inFlight = 0, ackedThisRound = 0;
            bool killed = false;
            std::function<void()> launch = [&] {
                while (!killed && inFlight < kInFlight && next < pending.size()) {
                    const QString id = pending.at(next++);
                    QNetworkRequest req(
                        broker.url().resolved(QUrl(QStringLiteral("/v1/requests/%1/approve").arg(id))));
                    req.setSslConfiguration(ssl);
                    req.setRawHeader("Authorization", "Bearer " + carol);
                    req.setRawHeader("Content-Type", "application/json");
                    QNetworkReply* reply = nam.post(req, QByteArray("{}"));
                    ++inFlight;
                    connect(reply, &QNetworkReply::finished, this, [&, reply, id] {
                        --inFlight;
                        if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200) {
                            acknowledged << id;
                            if (++ackedThisRound == kRequests / 3 && !killed) {
                                killed = true;
                                broker.kill9();
                            }
                        }
                        reply->deleteLater();
                        launch();
                    });
                }
            };
            launch();
            QTRY_VERIFY_WITH_TIMEOUT(inFlight == 0 && (killed || next == pending.size()), 60000);
            QVERIFY(killed);
            QVERIFY(!broker.isRunning());
        }

        // Restart once more and check from outside (API) and inside (store).
        QVERIFY2(broker.start(&error), qPrintable(error));
        HttpClient http(broker.url(), broker.caFile());
        for (const QString& id : std::as_const(requested)) {
            const auto r = http.get(QStringLiteral("/v1/requests/") + id, carol);
            QCOMPARE(r.status, 200);
            if (acknowledged.contains(id)) {
                QCOMPARE(r.json()["status"].toString(), QStringLiteral("approved"));
                const QString grant = r.json()["grant_id"].toString();
                QVERIFY(!grant.isEmpty());
                QCOMPARE(http.get(QStringLiteral("/v1/grants/") + grant, carol).json()["status"].toString(),
                    QStringLiteral("active"));
            }
        }
        broker.stop();

        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("crash"));
        db.setDatabaseName(QDir(broker.dataDir()).filePath(QStringLiteral("lapse.db")));
        QVERIFY(db.open());
        QString reason;
        qint64 breakSeq = -1;
        const auto verified = lapse::SqliteStore::verifyChain(db, &reason, &breakSeq);
        QVERIFY2(verified.ok(), qPrintable(reason));
        // No half-written decision: every approved request has a grant row and an activation event, and
        // every grant row has its event.
        QSqlQuery q(db);
        QVERIFY(
            q.exec(QStringLiteral("SELECT count(*) FROM requests r WHERE r.status='approved' AND NOT EXISTS"
                                  " (SELECT 1 FROM grants g WHERE g.request_id = r.id)")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 0);
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM grants g WHERE NOT EXISTS (SELECT 1 FROM events e"
                                      " WHERE e.type='grant.activated' AND e.subject = g.id)")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 0);
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM requests WHERE status='approved'")));
        QVERIFY(q.next());
        QVERIFY(q.value(0).toInt() >= acknowledged.size());
        q.finish();
        db.close();
        qInfo("%d requests, %lld acknowledged approvals, chain of %lld events verified",
            int(requested.size()), qint64(acknowledged.size()), verified.value());
    }
};

QTEST_GUILESS_MAIN(TestBrokerCrash)
#include "TestBrokerCrash.moc"
