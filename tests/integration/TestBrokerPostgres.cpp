// lapse-broker on a PostgreSQL store (--store), started as a user would: a real server on loopback, an
// ordinary role whose password is in a passfile, the broker binary. Acknowledged decisions survive kill -9,
// a revocation survives a restart, `migrate` copies a SQLite store with its chain, tree and checkpoints and
// refuses a broken source or a target that is not empty, and a password on the command line is refused.
#include "BrokerProcess.h"
#include "EngineFixture.h"
#include "HttpClient.h"
#include "WebhookReceiver.h"

#include "enforcement/PgCluster.h"
#include "engine/SqliteStore.h"
#include "pgstore/PgSql.h"
#include "pgstore/PgStore.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSslConfiguration>
#include <QTemporaryDir>
#include <QtTest>
#include <unistd.h>

using namespace lapse;
using lapse::testing::BrokerProcess;
using lapse::testing::HttpClient;

class TestBrokerPostgres : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    std::unique_ptr<PgCluster> m_cluster;
    QString m_passfile;
    int m_databases = 0;

    // A new empty database owned by the broker's role, and the connection string that reaches it.
    QString newDatabase()
    {
        const QString name = QStringLiteral("lapse_%1").arg(++m_databases);
        const auto made = m_cluster->psql(QStringLiteral("CREATE DATABASE %1 OWNER lapse_broker").arg(name));
        if (!made)
            qFatal("%s", qPrintable(made.error().message));
        return QStringLiteral("host=%1 port=%2 dbname=%3 user=lapse_broker passfile=%4")
            .arg(m_cluster->host())
            .arg(m_cluster->port())
            .arg(name, m_passfile);
    }

    static QByteArray run(const QStringList& args, int* exitCode, QByteArray* err = nullptr)
    {
        QProcess p;
        p.start(BrokerProcess::binary(QStringLiteral("lapse-broker")), args);
        if (!p.waitForFinished(120000))
            qFatal("lapse-broker %s did not finish", qPrintable(args.join(' ')));
        *exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        if (err)
            *err = p.readAllStandardError();
        return p.readAllStandardOutput();
    }

    // What a second replica needs from the first one's data directory: its signing keys and log key (and the
    // log's origin), so credentials and checkpoints are the same whichever broker answers.
    static bool copyKeys(const QString& from, const QString& to)
    {
        const QDir src(QDir(from).filePath(QStringLiteral("keys")));
        if (!QDir().mkpath(QDir(to).filePath(QStringLiteral("keys"))))
            return false;
        for (const QString& f : src.entryList(QDir::Files)) {
            const QString target = QDir(to).filePath(QStringLiteral("keys/") + f);
            if (!QFile::copy(src.filePath(f), target))
                return false;
            QFile::setPermissions(target, QFile::permissions(src.filePath(f)));
        }
        return true;
    }

    static QString request(HttpClient& http, const QByteArray& key, const QString& task)
    {
        const auto r = http.post(QStringLiteral("/v1/requests"), key,
            QJsonObject {{"target", "billing-db"}, {"privileges", QJsonArray {"read"}}, {"task", task},
                {"reason", "postgres store test"}, {"ticket", "INC-7"}, {"ttl_seconds", 900}});
        return r.status == 201 ? r.json()["id"].toString() : QString();
    }

private slots:
    void initTestCase()
    {
        const QString reason = PgCluster::unavailableReason();
        if (!reason.isEmpty()) {
            QVERIFY2(qEnvironmentVariableIsEmpty("CI"), qPrintable(reason));
            QSKIP(qPrintable(reason));
        }
        QVERIFY(m_tmp.isValid());
        if (::geteuid() == 0)
            QFile::setPermissions(m_tmp.path(),
                QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                    | QFileDevice::ExeGroup | QFileDevice::ExeOther);
        auto cluster = PgCluster::start(m_tmp.filePath(QStringLiteral("pg")));
        LAPSE_VERIFY_OK(cluster);
        m_cluster = std::move(cluster).value();
        const QString password = QStringLiteral("broker-store-secret");
        LAPSE_VERIFY_OK(m_cluster->psql(QStringLiteral("CREATE ROLE lapse_broker LOGIN PASSWORD :'pw'"),
            QStringLiteral("postgres"), {QStringLiteral("pw=") + password}));
        m_passfile = m_tmp.filePath(QStringLiteral("broker.pgpass"));
        LAPSE_VERIFY_OK(PgCluster::writePassfile(m_passfile, m_cluster->host(), m_cluster->port(),
            QStringLiteral("*"), QStringLiteral("lapse_broker"), password));
    }

    void cleanupTestCase() { m_cluster.reset(); }

    // The store is PostgreSQL: the events, grants and chain are there (and not in --data), a revoked
    // credential stays inactive across a restart, and the log's signed checkpoint covers what PostgreSQL
    // holds.
    void revocationAndStateSurviveARestart()
    {
        const QString store = newDatabase();
        BrokerProcess::Options o;
        o.extraArgs = {QStringLiteral("--store"), store};
        BrokerProcess broker(o);
        QString error;
        const QByteArray alice = broker.createKey(QStringLiteral("alice"), &error);
        const QByteArray carol = broker.createKey(QStringLiteral("carol"), &error);
        const QByteArray gateway = broker.createKey(QStringLiteral("api-gw"), &error);
        QVERIFY2(!alice.isEmpty() && !carol.isEmpty() && !gateway.isEmpty(), qPrintable(error));
        QVERIFY2(broker.start(&error), qPrintable(error));
        HttpClient http(broker.url(), broker.caFile());
        const QString id = request(http, alice, QStringLiteral("reconcile 7"));
        QVERIFY(!id.isEmpty());
        const auto approved
            = http.post(QStringLiteral("/v1/requests/%1/approve").arg(id), carol, QJsonObject {});
        QCOMPARE(approved.status, 200);
        const QString grant = approved.json()["grant"].toObject()["id"].toString();
        const QByteArray token = http.get(QStringLiteral("/v1/requests/") + id, alice)
                                     .json()["credential"]
                                     .toObject()["token"]
                                     .toString()
                                     .toLatin1();
        QVERIFY(!token.isEmpty());
        QCOMPARE(http.introspect(gateway, token).json()["active"].toBool(), true);
        QCOMPARE(http.post(QStringLiteral("/v1/grants/%1/revoke").arg(grant), carol,
                         QJsonObject {{"reason", "done early"}})
                     .status,
            200);
        QCOMPARE(http.introspect(gateway, token).json()["active"].toBool(true), false);
        broker.stop();

        // Nothing of it went to the SQLite file a broker without --store would use.
        QVERIFY(!QFile::exists(QDir(broker.dataDir()).filePath(QStringLiteral("lapse.db"))));
        auto pg = PgStore::open(store);
        LAPSE_VERIFY_OK(pg);
        QCOMPARE(pg.value()->grant(grant)->status, GrantStatus::Revoked);
        QString reason;
        qint64 breakSeq = 0;
        const auto verified = pg.value()->verifyChain(&reason, &breakSeq);
        LAPSE_VERIFY_OK(verified);
        const qint64 events = verified.value();
        QVERIFY(events >= 5);
        pg.value().reset();

        QVERIFY2(broker.start(&error), qPrintable(error));
        HttpClient again(broker.url(), broker.caFile());
        QCOMPARE(again.introspect(gateway, token).json()["active"].toBool(true), false);
        QCOMPARE(again.get(QStringLiteral("/v1/grants/") + grant, carol).json()["status"].toString(),
            QStringLiteral("revoked"));
        // The checkpoint a restart cuts covers every event PostgreSQL holds.
        const auto checkpoint = again.get(QStringLiteral("/v1/log/checkpoint"), carol);
        QCOMPARE(checkpoint.status, 200);
        QVERIFY2(checkpoint.body.split('\n').value(1).toLongLong() >= events, checkpoint.body.constData());
        broker.stop();
    }

    // kill -9 while approvals are in flight: every approval answered 200 is in PostgreSQL afterwards, with
    // its grant and activation event, and the chain verifies.
    void acknowledgedDecisionsSurviveKill9()
    {
        const QString store = newDatabase();
        BrokerProcess::Options o;
        o.extraArgs = {QStringLiteral("--store"), store};
        BrokerProcess broker(o);
        QString error;
        const QByteArray alice = broker.createKey(QStringLiteral("alice"), &error);
        const QByteArray carol = broker.createKey(QStringLiteral("carol"), &error);
        QVERIFY2(!alice.isEmpty() && !carol.isEmpty(), qPrintable(error));
        QVERIFY2(broker.start(&error), qPrintable(error));
        HttpClient http(broker.url(), broker.caFile());
        constexpr int kRequests = 45, kInFlight = 8;
        QStringList pending;
        for (int i = 0; i < kRequests; ++i) {
            pending << request(http, alice, QStringLiteral("check %1").arg(i));
            QVERIFY(!pending.last().isEmpty());
        }
        QSet<QString> acknowledged;
        QNetworkAccessManager nam;
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.setCaCertificates(QSslCertificate::fromPath(broker.caFile()));
        int next = 0, inFlight = 0;
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
                        if (acknowledged.size() == kRequests / 3 && !killed) {
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

        QVERIFY2(broker.start(&error), qPrintable(error));
        HttpClient again(broker.url(), broker.caFile());
        for (const QString& id : std::as_const(acknowledged)) {
            const auto r = again.get(QStringLiteral("/v1/requests/") + id, carol);
            QCOMPARE(r.json()["status"].toString(), QStringLiteral("approved"));
            QCOMPARE(again.get(QStringLiteral("/v1/grants/") + r.json()["grant_id"].toString(), carol)
                         .json()["status"]
                         .toString(),
                QStringLiteral("active"));
        }
        broker.stop();
        auto pg = PgStore::open(store);
        LAPSE_VERIFY_OK(pg);
        QString reason;
        qint64 breakSeq = 0;
        LAPSE_VERIFY_OK(pg.value()->verifyChain(&reason, &breakSeq));
        auto c = pg.value()->reading();
        QVERIFY(c);
        const auto orphans
            = c->exec("SELECT count(*) FROM requests r WHERE r.status = 'approved' AND NOT EXISTS"
                      " (SELECT 1 FROM grants g WHERE g.request_id = r.id)"
                      " OR EXISTS (SELECT 1 FROM grants g WHERE NOT EXISTS (SELECT 1 FROM events e"
                      " WHERE e.type = 'grant.activated' AND e.subject = g.id))");
        LAPSE_VERIFY_OK(orphans);
        QCOMPARE(orphans.value().int64(0, 0), qint64(0));
        qInfo("%lld approvals acknowledged before kill -9, all present", qint64(acknowledged.size()));
    }

    // migrate: a SQLite broker's store moves to PostgreSQL whole (same chain head, same tree root, its
    // checkpoints and API keys), the broker serves from it with the same credentials; a second migrate into
    // the same database and one from a store whose chain was edited are refused, the latter leaving nothing.
    void migrateCopiesVerifiesAndRefuses()
    {
        BrokerProcess sqlite;
        QString error;
        const QByteArray alice = sqlite.createKey(QStringLiteral("alice"), &error);
        const QByteArray carol = sqlite.createKey(QStringLiteral("carol"), &error);
        const QByteArray gateway = sqlite.createKey(QStringLiteral("api-gw"), &error);
        QVERIFY2(!alice.isEmpty() && !carol.isEmpty() && !gateway.isEmpty(), qPrintable(error));
        QVERIFY2(sqlite.start(&error), qPrintable(error));
        QByteArray token, rootBefore;
        {
            HttpClient http(sqlite.url(), sqlite.caFile());
            for (int i = 0; i < 6; ++i) {
                const QString id = request(http, alice, QStringLiteral("task %1").arg(i));
                QCOMPARE(http.post(QStringLiteral("/v1/requests/%1/approve").arg(id), carol, QJsonObject {})
                             .status,
                    200);
                token = http.get(QStringLiteral("/v1/requests/") + id, alice)
                            .json()["credential"]
                            .toObject()["token"]
                            .toString()
                            .toLatin1();
            }
            QCOMPARE(http.introspect(gateway, token).json()["active"].toBool(), true);
        }
        sqlite.stop();

        const QString target = newDatabase();
        int code = -1;
        QByteArray err;
        const QByteArray out = run({QStringLiteral("migrate"), QStringLiteral("--from"), sqlite.dataDir(),
                                       QStringLiteral("--to"), target},
            &code, &err);
        QVERIFY2(code == 0, err.constData());
        QVERIFY2(out.startsWith("migrated "), out.constData());
        QVERIFY2(out.contains(" 3 API keys"), out.constData());

        // The same log: chain head, tree root and checkpoints as the SQLite file holds them.
        {
            auto from
                = SqliteStore::openReadOnly(QDir(sqlite.dataDir()).filePath(QStringLiteral("lapse.db")));
            LAPSE_VERIFY_OK(from);
            auto to = PgStore::open(target);
            LAPSE_VERIFY_OK(to);
            QCOMPARE(to.value()->lastSeq(), from.value()->lastSeq());
            QCOMPARE(to.value()->headHash(), from.value()->headHash());
            QVERIFY(to.value()->treeRoot() == from.value()->treeRoot());
            QCOMPARE(to.value()->checkpointSizes(), from.value()->checkpointSizes());
            QVERIFY(!to.value()->checkpointSizes().isEmpty());
            QCOMPARE(to.value()->grants({}).size(), from.value()->grants({}).size());
            rootBefore = QByteArray(reinterpret_cast<const char*>(from.value()->treeRoot().data()), 32);
        }
        // The broker on the copy answers for the same credential with the same keys.
        BrokerProcess::Options o;
        o.dataDir = sqlite.dataDir();
        o.extraArgs = {QStringLiteral("--store"), target};
        BrokerProcess moved(o);
        QVERIFY2(moved.start(&error), qPrintable(error));
        {
            HttpClient http(moved.url(), moved.caFile());
            QCOMPARE(http.introspect(gateway, token).json()["active"].toBool(), true);
        }
        moved.stop();

        // Into a database that holds a log: refused, naming it.
        run({QStringLiteral("migrate"), QStringLiteral("--from"), sqlite.dataDir(), QStringLiteral("--to"),
                target},
            &code, &err);
        QCOMPARE(code, 1);
        QVERIFY2(err.contains("already holds"), err.constData());

        // From a store whose event 3 was edited in place: refused by seq, and the target stays empty.
        QTemporaryDir edited;
        QVERIFY(QFile::copy(QDir(sqlite.dataDir()).filePath(QStringLiteral("lapse.db")),
            edited.filePath(QStringLiteral("lapse.db"))));
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("edit"));
            db.setDatabaseName(edited.filePath(QStringLiteral("lapse.db")));
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("UPDATE events SET actor = 'mallory' WHERE seq = 3")));
            q.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("edit"));
        const QString second = newDatabase();
        run({QStringLiteral("migrate"), QStringLiteral("--from"), edited.path(), QStringLiteral("--to"),
                second},
            &code, &err);
        QCOMPARE(code, 1);
        QVERIFY2(err.contains("breaks at event 3"), err.constData());
        const auto left = PgStore::eventCount(second);
        LAPSE_VERIFY_OK(left);
        QCOMPARE(left.value(), qint64(0));
    }

    // Webhooks on a PostgreSQL store: the dispatcher reads the log through a connection of its own and
    // delivers, signed, what the broker commits.
    void webhooksReadTheLogFromPostgres()
    {
        const QByteArray secret("pg-webhook-secret-0123456789abcdef");
        lapse::test::WebhookReceiver receiver(secret);
        QVERIFY(receiver.start());
        QTemporaryDir conf;
        QFile s(conf.filePath(QStringLiteral("hook.secret")));
        QVERIFY(s.open(QIODevice::WriteOnly));
        s.write(secret + '\n');
        s.close();
        QVERIFY(s.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
        QFile n(conf.filePath(QStringLiteral("notifications.json")));
        QVERIFY(n.open(QIODevice::WriteOnly));
        n.write(QJsonDocument(QJsonObject {{"webhooks",
                                  QJsonArray {QJsonObject {{"id", "siem"}, {"url", receiver.url()},
                                      {"events", "*"}, {"secret_file", "hook.secret"}}}}})
                    .toJson());
        n.close();
        BrokerProcess::Options o;
        o.extraArgs
            = {QStringLiteral("--store"), newDatabase(), QStringLiteral("--notifications"), n.fileName()};
        BrokerProcess broker(o);
        QString error;
        const QByteArray alice = broker.createKey(QStringLiteral("alice"), &error);
        QVERIFY2(!alice.isEmpty(), qPrintable(error));
        QVERIFY2(broker.start(&error), qPrintable(error));
        HttpClient http(broker.url(), broker.caFile());
        const QString id = request(http, alice, QStringLiteral("hooked"));
        QVERIFY(!id.isEmpty());
        const auto created = [&] {
            for (const auto& d : receiver.deliveries())
                if (d.signatureValid && d.body.contains("\"request.created\"")
                    && d.body.contains(id.toUtf8()))
                    return true;
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(created(), 15000);
        broker.stop();
    }

    // Two brokers on one store, each with the same keys (as a deployment copies them). Revoked through one,
    // a credential is inactive at the other's very next introspection, every time; approvals taken by either
    // are seen by both.
    void revocationReachesTheOtherReplicaAtOnce()
    {
        const QString store = newDatabase();
        BrokerProcess::Options oa;
        oa.extraArgs = {QStringLiteral("--store"), store};
        BrokerProcess a(oa);
        QString error;
        const QByteArray alice = a.createKey(QStringLiteral("alice"), &error);
        const QByteArray carol = a.createKey(QStringLiteral("carol"), &error);
        const QByteArray bob = a.createKey(QStringLiteral("bob"), &error);
        const QByteArray gateway = a.createKey(QStringLiteral("api-gw"), &error);
        QVERIFY2(
            !alice.isEmpty() && !carol.isEmpty() && !bob.isEmpty() && !gateway.isEmpty(), qPrintable(error));
        QVERIFY2(a.start(&error), qPrintable(error));
        QTemporaryDir bData;
        QVERIFY(copyKeys(a.dataDir(), bData.path()));
        BrokerProcess::Options ob = oa;
        ob.dataDir = bData.path();
        BrokerProcess b(ob);
        QVERIFY2(b.start(&error), qPrintable(error));
        HttpClient ha(a.url(), a.caFile()), hb(b.url(), b.caFile());
        HttpClient* replicas[] = {&ha, &hb};
        const int cycles = qEnvironmentVariableIntValue("LAPSE_REPLICA_CYCLES") > 0
            ? qEnvironmentVariableIntValue("LAPSE_REPLICA_CYCLES")
            : 1000;
        int activeAfterRevoke = 0;
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < cycles; ++i) {
            HttpClient& one = *replicas[i % 2];
            HttpClient& other = *replicas[(i + 1) % 2];
            // Requested and approved through one replica, used and revoked across both.
            const QString id = request(one, alice, QStringLiteral("cycle %1").arg(i));
            QVERIFY(!id.isEmpty());
            const auto approved
                = other.post(QStringLiteral("/v1/requests/%1/approve").arg(id), carol, QJsonObject {});
            QCOMPARE(approved.status, 200);
            const QString grant = approved.json()["grant"].toObject()["id"].toString();
            const QByteArray token = one.get(QStringLiteral("/v1/requests/") + id, alice)
                                         .json()["credential"]
                                         .toObject()["token"]
                                         .toString()
                                         .toLatin1();
            QVERIFY(!token.isEmpty());
            QCOMPARE(one.introspect(gateway, token).json()["active"].toBool(), true);
            QCOMPARE(other.introspect(gateway, token).json()["active"].toBool(), true);
            QCOMPARE(one.post(QStringLiteral("/v1/grants/%1/revoke").arg(grant), bob,
                            QJsonObject {{"reason", "cycle"}})
                         .status,
                200);
            activeAfterRevoke += other.introspect(gateway, token).json()["active"].toBool(true) ? 1 : 0;
        }
        qInfo("%d revoke-then-introspect cycles across two replicas in %lld ms: %d active answers after a "
              "revoke",
            cycles, clock.elapsed(), activeAfterRevoke);
        QCOMPARE(activeAfterRevoke, 0);
        a.stop();
        b.stop();
        auto pg = PgStore::open(store);
        LAPSE_VERIFY_OK(pg);
        QString reason;
        qint64 breakSeq = 0;
        LAPSE_VERIFY_OK(pg.value()->verifyChain(&reason, &breakSeq));
    }

    // Sixteen writers, eight on each replica, submit at once: one chain, gap-free and verifiable, holding
    // every request either acknowledged.
    void concurrentWritersOnTwoReplicasMakeOneChain()
    {
        const QString store = newDatabase();
        BrokerProcess::Options oa;
        oa.extraArgs = {QStringLiteral("--store"), store};
        BrokerProcess a(oa);
        QString error;
        const QByteArray alice = a.createKey(QStringLiteral("alice"), &error);
        QVERIFY2(!alice.isEmpty(), qPrintable(error));
        QVERIFY2(a.start(&error), qPrintable(error));
        QTemporaryDir bData;
        QVERIFY(copyKeys(a.dataDir(), bData.path()));
        BrokerProcess::Options ob = oa;
        ob.dataDir = bData.path();
        BrokerProcess b(ob);
        QVERIFY2(b.start(&error), qPrintable(error));
        constexpr int kPerWriter = 25, kWriters = 16;
        QNetworkAccessManager nam;
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.setCaCertificates(QSslCertificate::fromPath(a.caFile()) + QSslCertificate::fromPath(b.caFile()));
        QSet<QString> acknowledged;
        QStringList refusals;
        int finished = 0;
        std::function<void(int, int)> submit = [&](int writer, int n) {
            if (n == kPerWriter) {
                ++finished;
                return;
            }
            const BrokerProcess& via = writer % 2 ? b : a;
            QNetworkRequest req(via.url().resolved(QUrl(QStringLiteral("/v1/requests"))));
            req.setSslConfiguration(ssl);
            req.setRawHeader("Authorization", "Bearer " + alice);
            req.setRawHeader("Content-Type", "application/json");
            const QJsonObject body {{"target", "prod-k8s"}, {"privileges", QJsonArray {"view"}},
                {"task", QStringLiteral("writer %1 #%2").arg(writer).arg(n)}, {"reason", "replicas"},
                {"ttl_seconds", 600}};
            QNetworkReply* reply = nam.post(req, QJsonDocument(body).toJson(QJsonDocument::Compact));
            connect(reply, &QNetworkReply::finished, this, [&, reply, writer, n] {
                const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                const QByteArray body = reply->readAll();
                if (status == 201)
                    acknowledged << QJsonDocument::fromJson(body).object()["id"].toString();
                else
                    refusals << QStringLiteral("%1 %2 %3")
                                    .arg(status)
                                    .arg(reply->errorString(), QString::fromUtf8(body));
                reply->deleteLater();
                submit(writer, n + 1);
            });
        };
        for (int w = 0; w < kWriters; ++w)
            submit(w, 0);
        QTRY_VERIFY_WITH_TIMEOUT(finished == kWriters, 120000);
        QVERIFY2(refusals.isEmpty(), qPrintable(refusals.join(QLatin1Char('\n'))));
        QCOMPARE(acknowledged.size(), kWriters * kPerWriter);
        a.stop();
        b.stop();
        auto pg = PgStore::open(store);
        LAPSE_VERIFY_OK(pg);
        QString reason;
        qint64 breakSeq = 0;
        const auto verified
            = pg.value()->verifyChain(&reason, &breakSeq); // seqs 1..n, each chained on the last
        LAPSE_VERIFY_OK(verified);
        QCOMPARE(verified.value(), pg.value()->lastSeq());
        for (const QString& id : std::as_const(acknowledged))
            QVERIFY2(pg.value()->request(id), qPrintable(id));
        auto c = pg.value()->reading();
        const auto created = c->exec("SELECT count(*) FROM events WHERE type = 'request.created'");
        LAPSE_VERIFY_OK(created);
        QCOMPARE(created.value().int64(0, 0), qint64(kWriters * kPerWriter));
    }

    // The same approval sent to both replicas at once, and then the same revocation: each takes effect once
    // (one 200, one 409), whichever broker decides first; the loser read the request before the winner's
    // commit and wrote nothing on it.
    void theSameDecisionOnBothReplicasTakesEffectOnce()
    {
        const QString store = newDatabase();
        BrokerProcess::Options oa;
        oa.extraArgs = {QStringLiteral("--store"), store};
        BrokerProcess a(oa);
        QString error;
        const QByteArray alice = a.createKey(QStringLiteral("alice"), &error);
        const QByteArray carol = a.createKey(QStringLiteral("carol"), &error);
        const QByteArray bob = a.createKey(QStringLiteral("bob"), &error);
        QVERIFY2(!alice.isEmpty() && !carol.isEmpty() && !bob.isEmpty(), qPrintable(error));
        QVERIFY2(a.start(&error), qPrintable(error));
        QTemporaryDir bData;
        QVERIFY(copyKeys(a.dataDir(), bData.path()));
        BrokerProcess::Options ob = oa;
        ob.dataDir = bData.path();
        BrokerProcess b(ob);
        QVERIFY2(b.start(&error), qPrintable(error));
        HttpClient ha(a.url(), a.caFile());
        QNetworkAccessManager nam;
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.setCaCertificates(QSslCertificate::fromPath(a.caFile()) + QSslCertificate::fromPath(b.caFile()));
        // Posts the same path to both replicas at once; returns both statuses.
        const auto both = [&](const QString& path, const QByteArray& key, const QJsonObject& body) {
            QList<int> statuses;
            for (const BrokerProcess* via : {&a, &b}) {
                QNetworkRequest req(via->url().resolved(QUrl(path)));
                req.setSslConfiguration(ssl);
                req.setRawHeader("Authorization", "Bearer " + key);
                req.setRawHeader("Content-Type", "application/json");
                QNetworkReply* reply = nam.post(req, QJsonDocument(body).toJson(QJsonDocument::Compact));
                connect(reply, &QNetworkReply::finished, this, [&statuses, reply] {
                    statuses << reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                    reply->deleteLater();
                });
            }
            if (!QTest::qWaitFor([&] { return statuses.size() == 2; }, 30000))
                return QList<int> {};
            std::sort(statuses.begin(), statuses.end());
            return statuses;
        };
        constexpr int kRounds = 20;
        for (int i = 0; i < kRounds; ++i) {
            const QString id = request(ha, alice, QStringLiteral("race %1").arg(i));
            QVERIFY(!id.isEmpty());
            QCOMPARE(
                both(QStringLiteral("/v1/requests/%1/approve").arg(id), carol, {}), (QList<int> {200, 409}));
            const QString grant
                = ha.get(QStringLiteral("/v1/requests/") + id, carol).json()["grant_id"].toString();
            QVERIFY(!grant.isEmpty());
            QCOMPARE(both(QStringLiteral("/v1/grants/%1/revoke").arg(grant), bob,
                         QJsonObject {{"reason", "race"}}),
                (QList<int> {200, 409}));
        }
        a.stop();
        b.stop();
        auto pg = PgStore::open(store);
        LAPSE_VERIFY_OK(pg);
        auto c = pg.value()->reading();
        const auto counts = c->exec("SELECT type, count(*) FROM events WHERE type IN ('grant.activated',"
                                    " 'grant.revoked') GROUP BY type ORDER BY type");
        LAPSE_VERIFY_OK(counts);
        QCOMPARE(counts.value().count(), 2);
        QCOMPARE(counts.value().int64(0, 1), qint64(kRounds));
        QCOMPARE(counts.value().int64(1, 1), qint64(kRounds));
    }

    // PostgreSQL restarted under load: while it is down the broker answers 503 and acknowledges nothing; once
    // it is back the same broker carries on (its connections and its listener reconnect), every acknowledged
    // request is there and the chain verifies.
    void postgresRestartedUnderLoad()
    {
        const QString store = newDatabase();
        BrokerProcess::Options o;
        o.extraArgs = {QStringLiteral("--store"), store};
        BrokerProcess broker(o);
        QString error;
        const QByteArray alice = broker.createKey(QStringLiteral("alice"), &error);
        QVERIFY2(!alice.isEmpty(), qPrintable(error));
        QVERIFY2(broker.start(&error), qPrintable(error));
        HttpClient http(broker.url(), broker.caFile());
        QSet<QString> acknowledged;
        QMap<int, int> statuses;
        bool stopped = false, restarted = false;
        QElapsedTimer sinceRestart;
        int afterRestartOk = 0;
        for (int i = 0; i < 400 && afterRestartOk < 40; ++i) {
            if (i == 40) {
                LAPSE_VERIFY_OK(m_cluster->stop());
                stopped = true;
            }
            if (i == 80) {
                LAPSE_VERIFY_OK(m_cluster->startAgain());
                restarted = true;
                sinceRestart.start();
            }
            const auto r = http.post(QStringLiteral("/v1/requests"), alice,
                QJsonObject {{"target", "prod-k8s"}, {"privileges", QJsonArray {"view"}},
                    {"task", QStringLiteral("restart %1").arg(i)}, {"reason", "restart"},
                    {"ttl_seconds", 600}});
            ++statuses[r.status];
            if (r.status == 201) {
                acknowledged << r.json()["id"].toString();
                if (restarted)
                    ++afterRestartOk;
            } else {
                // Down: a clear refusal, never a crash, a 500 or a partial write.
                QVERIFY2(stopped && r.status == 503, r.body.constData());
            }
            if (stopped && !restarted)
                QTest::qWait(20);
        }
        qInfo("statuses %s; %d acknowledged after the restart, the first %lld ms after it",
            qPrintable(QString::fromUtf8(
                QJsonDocument(QJsonObject {{"201", statuses.value(201)}, {"503", statuses.value(503)}})
                    .toJson(QJsonDocument::Compact))),
            afterRestartOk, sinceRestart.elapsed());
        QVERIFY(statuses.value(503) > 0);
        QCOMPARE(afterRestartOk, 40);
        QVERIFY(broker.isRunning());
        broker.stop();
        auto pg = PgStore::open(store);
        LAPSE_VERIFY_OK(pg);
        for (const QString& id : std::as_const(acknowledged))
            QVERIFY2(pg.value()->request(id), qPrintable(id));
        QString reason;
        qint64 breakSeq = 0;
        LAPSE_VERIFY_OK(pg.value()->verifyChain(&reason, &breakSeq));
    }

    // The lease for the work that must happen once: exactly one of two replicas holds it; when that one is
    // killed, the other takes it within 5 s.
    void theLeaseMovesWhenItsHolderDies()
    {
        const QString store = newDatabase();
        BrokerProcess::Options oa;
        oa.extraArgs = {QStringLiteral("--store"), store};
        BrokerProcess a(oa);
        QString error;
        QVERIFY2(!a.createKey(QStringLiteral("alice"), &error).isEmpty(), qPrintable(error));
        QVERIFY2(a.start(&error), qPrintable(error));
        QTemporaryDir bData;
        QVERIFY(copyKeys(a.dataDir(), bData.path()));
        BrokerProcess::Options ob = oa;
        ob.dataDir = bData.path();
        BrokerProcess b(ob);
        QVERIFY2(b.start(&error), qPrintable(error));
        const auto holds = [](BrokerProcess& broker) {
            const auto h = HttpClient(broker.url(), broker.caFile()).get(QStringLiteral("/healthz"), {});
            return h.status == 200 && h.json()["exclusive_work"].toBool();
        };
        QTRY_VERIFY_WITH_TIMEOUT(holds(a) != holds(b), 5000);
        const bool aHeld = holds(a);
        QVERIFY(aHeld != holds(b)); // one, never both
        BrokerProcess& holder = aHeld ? a : b;
        BrokerProcess& other = aHeld ? b : a;
        holder.kill9();
        QElapsedTimer clock;
        clock.start();
        QTRY_VERIFY_WITH_TIMEOUT(holds(other), 5000);
        qInfo("the lease moved %lld ms after its holder was killed", clock.elapsed());
        other.stop();
    }

    // A password in --store or --to would be readable by every local user in the process list: refused.
    void aPasswordOnTheCommandLineIsRefused()
    {
        int code = -1;
        QByteArray err;
        QTemporaryDir data;
        run({QStringLiteral("--data"), data.path(), QStringLiteral("--directory"),
                BrokerProcess::sourceFile(QStringLiteral("resources/directory.example.json")),
                QStringLiteral("--insecure-http"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                QStringLiteral("--store"),
                QStringLiteral("postgresql://lapse_broker:hunter2@127.0.0.1:%1/lapse_1")
                    .arg(m_cluster->port())},
            &code, &err);
        QCOMPARE(code, 1);
        QVERIFY2(err.contains("must not carry a password"), err.constData());
        run({QStringLiteral("migrate"), QStringLiteral("--from"), data.path(), QStringLiteral("--to"),
                QStringLiteral("host=127.0.0.1 password=hunter2 dbname=x")},
            &code, &err);
        QCOMPARE(code, 1);
        QVERIFY2(err.contains("must not carry a password"), err.constData());
    }
};

QTEST_GUILESS_MAIN(TestBrokerPostgres)
#include "TestBrokerPostgres.moc"
