// kill -9 at random points of a mixed workload (requests, approvals, revokes, sessions opened and ended),
// many times over: after every crash the store opens to a chain that verifies and holds every decision the
// broker acknowledged. LAPSE_CRASH_LOOPS sets how many (default 200); the loop also stops at
// LAPSE_CRASH_SECONDS (default 240) and says how far it got, so a slow machine (or a sanitizer build) stays
// bounded.
#include "BrokerProcess.h"
#include "HttpClient.h"

#include "engine/SqliteStore.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSslConfiguration>
#include <QtTest>
#include <functional>

using lapse::testing::BrokerProcess;

namespace
{
// What the broker answered 2xx to: each must be in the store after any crash.
struct Acknowledged {
    QSet<QString> requests;
    QHash<QString, QString> approved; // request -> grant
    QSet<QString> revoked; // grants
    QSet<QString> sessionsOpened;
    QSet<QString> sessionsEnded;
};

int envInt(const char* name, int fallback)
{
    bool ok = false;
    const int v = qEnvironmentVariableIntValue(name, &ok);
    return ok && v > 0 ? v : fallback;
}
} // namespace

class TestCrashLoop : public QObject
{
    Q_OBJECT

    // Checks the store of a killed broker: the chain verifies and every acknowledged decision is there.
    static bool checkStore(const QString& dataDir, const Acknowledged& ack, int loop, QString* why)
    {
        const QString name = QStringLiteral("crashloop%1").arg(loop);
        bool ok = true;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(QDir(dataDir).filePath(QStringLiteral("lapse.db")));
            if (!db.open()) {
                *why = QStringLiteral("cannot open the store");
                ok = false;
            }
            QString reason;
            qint64 breakSeq = -1;
            if (ok && !lapse::SqliteStore::verifyChain(db, &reason, &breakSeq).ok()) {
                *why = QStringLiteral("chain breaks at %1: %2").arg(breakSeq).arg(reason);
                ok = false;
            }
            const auto value = [&db](const QString& sql, const QString& id) {
                QSqlQuery q(db);
                q.prepare(sql);
                q.addBindValue(id);
                return q.exec() && q.next() ? q.value(0).toString() : QString();
            };
            for (const QString& id : ack.requests)
                if (ok && value(QStringLiteral("SELECT id FROM requests WHERE id = ?"), id).isEmpty()) {
                    *why = QStringLiteral("acknowledged request %1 is missing").arg(id);
                    ok = false;
                }
            for (auto it = ack.approved.cbegin(); ok && it != ack.approved.cend(); ++it)
                if (value(QStringLiteral("SELECT status FROM requests WHERE id = ?"), it.key()) != "approved"
                    || value(QStringLiteral("SELECT id FROM grants WHERE id = ?"), it.value()).isEmpty()) {
                    *why = QStringLiteral("acknowledged approval of %1 is missing").arg(it.key());
                    ok = false;
                }
            for (const QString& id : ack.revoked)
                if (ok && value(QStringLiteral("SELECT status FROM grants WHERE id = ?"), id) != "revoked") {
                    *why = QStringLiteral("acknowledged revoke of %1 is missing").arg(id);
                    ok = false;
                }
            for (const QString& id : ack.sessionsOpened)
                if (ok && value(QStringLiteral("SELECT id FROM sessions WHERE id = ?"), id).isEmpty()) {
                    *why = QStringLiteral("acknowledged session %1 is missing").arg(id);
                    ok = false;
                }
            for (const QString& id : ack.sessionsEnded)
                if (ok && value(QStringLiteral("SELECT ended FROM sessions WHERE id = ?"), id).isEmpty()) {
                    *why = QStringLiteral("acknowledged end of session %1 is missing").arg(id);
                    ok = false;
                }
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        return ok;
    }

private slots:
    void everyAcknowledgedDecisionSurvivesEveryCrash()
    {
        const int loops = envInt("LAPSE_CRASH_LOOPS", 200);
        const int budgetSeconds = envInt("LAPSE_CRASH_SECONDS", 240);
        BrokerProcess::Options options;
        options.workers = 1;
        BrokerProcess broker(options);
        QString error;
        const QByteArray alice = broker.createKey(QStringLiteral("alice"), &error);
        const QByteArray carol = broker.createKey(QStringLiteral("carol"), &error);
        const QByteArray gateway
            = broker.createKey(QStringLiteral("k8s-admission"), &error); // serves prod-k8s
        QVERIFY2(!gateway.isEmpty(), qPrintable(error));
        QRandomGenerator rng(20261203);
        Acknowledged ack;
        QStringList pending; // requests not yet decided
        QStringList active; // grants believed active
        QHash<QString, QByteArray> tokens; // grant -> credential
        QStringList openSessions;
        QElapsedTimer clock;
        clock.start();
        int loop = 0, killedInFlight = 0;

        for (; loop < loops && clock.elapsed() < qint64(budgetSeconds) * 1000; ++loop) {
            QVERIFY2(broker.start(&error), qPrintable(QStringLiteral("loop %1: %2").arg(loop).arg(error)));
            QNetworkAccessManager nam;
            QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
            ssl.setCaCertificates(QSslCertificate::fromPath(broker.caFile()));
            int inFlight = 0;
            bool killed = false;
            const auto send = [&](const QByteArray& method, const QString& path, const QByteArray& key,
                                  const QJsonObject& body,
                                  std::function<void(int, const QJsonObject&)> done) {
                QNetworkRequest req(broker.url().resolved(QUrl(path)));
                req.setSslConfiguration(ssl);
                req.setRawHeader("Authorization", "Bearer " + key);
                req.setRawHeader("Content-Type", "application/json");
                QNetworkReply* reply = method == "GET"
                    ? nam.get(req)
                    : nam.post(req, QJsonDocument(body).toJson(QJsonDocument::Compact));
                ++inFlight;
                connect(reply, &QNetworkReply::finished, this, [&, reply, done] {
                    --inFlight;
                    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                    const QJsonObject json = QJsonDocument::fromJson(reply->readAll()).object();
                    reply->deleteLater();
                    done(status, json);
                });
            };
            // One operation of the mixed workload, chosen at random; the next follows its answer, up to four
            // at a time, until the kill.
            std::function<void()> step = [&] {
                if (killed)
                    return;
                const int pick = int(rng.bounded(6));
                if (pick <= 1 || pending.isEmpty()) {
                    send("POST", QStringLiteral("/v1/requests"), alice,
                        QJsonObject {{"target", "prod-k8s"}, {"privileges", QJsonArray {"view"}},
                            {"task", QStringLiteral("loop %1").arg(loop)}, {"reason", "crash loop"},
                            {"ttl_seconds", 3600}},
                        [&](int status, const QJsonObject& r) {
                            if (status == 201) {
                                ack.requests << r["id"].toString();
                                pending << r["id"].toString();
                            }
                            step();
                        });
                } else if (pick == 2) {
                    const QString id = pending.takeAt(int(rng.bounded(pending.size())));
                    send("POST", QStringLiteral("/v1/requests/%1/approve").arg(id), carol, {},
                        [&, id](int status, const QJsonObject& r) {
                            if (status == 200) {
                                const QString grant = r["grant"].toObject()["id"].toString();
                                ack.approved.insert(id, grant);
                                active << grant;
                                send("GET", QStringLiteral("/v1/requests/") + id, alice, {},
                                    [&, grant](int s, const QJsonObject& req) {
                                        if (s == 200)
                                            tokens.insert(grant,
                                                req["credential"].toObject()["token"].toString().toLatin1());
                                        step();
                                    });
                                return;
                            }
                            step();
                        });
                } else if (pick == 3 && !active.isEmpty()) {
                    const QString grant = active.takeAt(int(rng.bounded(active.size())));
                    send("POST", QStringLiteral("/v1/grants/%1/revoke").arg(grant), carol,
                        QJsonObject {{"reason", "crash loop"}}, [&, grant](int status, const QJsonObject&) {
                            if (status == 200)
                                ack.revoked << grant;
                            step();
                        });
                } else if (pick == 4 && !tokens.isEmpty()) {
                    const QString grant = tokens.keys().at(int(rng.bounded(tokens.size())));
                    send("POST", QStringLiteral("/v1/sessions"), gateway,
                        QJsonObject {{"token", QString::fromLatin1(tokens.value(grant))},
                            {"privileges_used", QJsonArray {"view"}}},
                        [&](int status, const QJsonObject& s) {
                            if (status == 201) {
                                ack.sessionsOpened << s["id"].toString();
                                openSessions << s["id"].toString();
                            }
                            step();
                        });
                } else if (!openSessions.isEmpty()) {
                    const QString id = openSessions.takeAt(int(rng.bounded(openSessions.size())));
                    send("POST", QStringLiteral("/v1/sessions/%1/end").arg(id), gateway,
                        QJsonObject {{"privileges_used", QJsonArray {"view"}}},
                        [&, id](int status, const QJsonObject&) {
                            if (status == 200)
                                ack.sessionsEnded << id;
                            step();
                        });
                } else {
                    QTimer::singleShot(0, this, step);
                }
            };
            for (int i = 0; i < 4; ++i)
                step();
            // The kill lands anywhere from the first request to well into the workload.
            QTimer::singleShot(int(rng.bounded(5, 300)), this, [&] {
                killed = true;
                killedInFlight += inFlight;
                broker.kill9();
            });
            QTRY_VERIFY_WITH_TIMEOUT(killed && inFlight == 0, 30000);
            QString why;
            QVERIFY2(checkStore(broker.dataDir(), ack, loop, &why),
                qPrintable(QStringLiteral("after crash %1: %2").arg(loop + 1).arg(why)));
            // Tokens of revoked grants stay in the pool: a session refused for them is part of the mix.
        }
        QVERIFY2(loop > 0, "no crash at all within the time budget");
        qInfo("%d crashes in %lld s (%d requests in flight at the kills), %lld requests, %lld approvals, "
              "%lld revokes, %lld sessions opened, %lld ended: every one found after every crash",
            loop, clock.elapsed() / 1000, killedInFlight, qint64(ack.requests.size()),
            qint64(ack.approved.size()), qint64(ack.revoked.size()), qint64(ack.sessionsOpened.size()),
            qint64(ack.sessionsEnded.size()));
        if (loop < loops)
            qWarning(
                "stopped at %d of %d crashes: LAPSE_CRASH_SECONDS=%d reached", loop, loops, budgetSeconds);
    }
};

QTEST_GUILESS_MAIN(TestCrashLoop)
#include "TestCrashLoop.moc"
