// Two lapse-broker replicas on one PostgreSQL store behind HAProxy, with the configuration from
// resources/haproxy as a user installs it: clients talk only to the front. kill -9 of one replica under load:
// the clients carry on through the other, and every decision acknowledged before or after is in the store.
#include "BrokerProcess.h"
#include "EngineFixture.h"
#include "HttpClient.h"

#include "backend/RemoteBackend.h"
#include "enforcement/PgCluster.h"
#include "pgstore/PgSql.h"
#include "pgstore/PgStore.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <unistd.h>

using namespace lapse;
using lapse::testing::BrokerProcess;
using lapse::testing::HttpClient;

class TestBrokerReplicas : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    std::unique_ptr<PgCluster> m_cluster;
    QString m_store;

    static bool copyFile(const QString& from, const QString& to)
    {
        QFile::remove(to);
        return QFile::copy(from, to) && QFile::setPermissions(to, QFile::permissions(from));
    }

    // The second replica: the first one's keys (signing, log, origin) and its TLS certificate, as a
    // deployment shares them.
    static bool shareIdentity(const BrokerProcess& from, BrokerProcess& to)
    {
        const QDir src(QDir(from.dataDir()).filePath(QStringLiteral("keys")));
        if (!QDir().mkpath(QDir(to.dataDir()).filePath(QStringLiteral("keys"))))
            return false;
        for (const QString& f : src.entryList(QDir::Files))
            if (!copyFile(src.filePath(f), QDir(to.dataDir()).filePath(QStringLiteral("keys/") + f)))
                return false;
        return copyFile(from.caFile(), to.caFile()) && copyFile(from.keyFile(), to.keyFile());
    }

    static QString request(HttpClient& http, const QByteArray& key, const QString& task)
    {
        const auto r = http.post(QStringLiteral("/v1/requests"), key,
            QJsonObject {{"target", "billing-db"}, {"privileges", QJsonArray {"read"}}, {"task", task},
                {"reason", "replicas behind haproxy"}, {"ticket", "INC-9"}, {"ttl_seconds", 900}});
        return r.status == 201 ? r.json()["id"].toString() : QString();
    }

    // HAProxy as configured in resources/, its addresses from the environment; waits until the front answers.
    static std::unique_ptr<QProcess> startHaproxy(quint16 front, quint16 first, quint16 second)
    {
        auto haproxy = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LAPSE_FRONT"), QStringLiteral("127.0.0.1:%1").arg(front));
        env.insert(QStringLiteral("LAPSE_BROKER1"), QStringLiteral("127.0.0.1:%1").arg(first));
        env.insert(QStringLiteral("LAPSE_BROKER2"), QStringLiteral("127.0.0.1:%1").arg(second));
        haproxy->setProcessEnvironment(env);
        haproxy->setProcessChannelMode(QProcess::MergedChannels);
        haproxy->start(haproxyBinary(),
            {QStringLiteral("-db"), QStringLiteral("-f"),
                BrokerProcess::sourceFile(QStringLiteral("resources/haproxy/lapse-broker.cfg"))});
        if (!haproxy->waitForStarted(10000))
            return nullptr;
        return haproxy;
    }
    static QString haproxyBinary()
    {
        return QStandardPaths::findExecutable(QStringLiteral("haproxy"),
            {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/local/sbin"), QStringLiteral("/usr/bin")});
    }

private slots:
    void initTestCase()
    {
        const QString reason = PgCluster::unavailableReason();
        if (!reason.isEmpty() || haproxyBinary().isEmpty()) {
            QVERIFY2(qEnvironmentVariableIsEmpty("CI"), "CI installs PostgreSQL and HAProxy");
            QSKIP(reason.isEmpty() ? "haproxy is not installed" : qPrintable(reason));
        }
        QVERIFY(m_tmp.isValid());
        if (::geteuid() == 0)
            QFile::setPermissions(m_tmp.path(),
                QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                    | QFileDevice::ExeGroup | QFileDevice::ExeOther);
        auto cluster = PgCluster::start(m_tmp.filePath(QStringLiteral("pg")));
        LAPSE_VERIFY_OK(cluster);
        m_cluster = std::move(cluster).value();
        const QString password = QStringLiteral("replica-secret");
        LAPSE_VERIFY_OK(m_cluster->psql(QStringLiteral("CREATE ROLE lapse_broker LOGIN PASSWORD :'pw'"),
            QStringLiteral("postgres"), {QStringLiteral("pw=") + password}));
        LAPSE_VERIFY_OK(m_cluster->psql(QStringLiteral("CREATE DATABASE lapse OWNER lapse_broker")));
        const QString passfile = m_tmp.filePath(QStringLiteral("broker.pgpass"));
        LAPSE_VERIFY_OK(PgCluster::writePassfile(passfile, m_cluster->host(), m_cluster->port(),
            QStringLiteral("lapse"), QStringLiteral("lapse_broker"), password));
        m_store = QStringLiteral("host=%1 port=%2 dbname=lapse user=lapse_broker passfile=%3")
                      .arg(m_cluster->host())
                      .arg(m_cluster->port())
                      .arg(passfile);
    }

    void cleanupTestCase() { m_cluster.reset(); }

    void kill9OfOneReplicaBehindHaproxy()
    {
        BrokerProcess::Options o;
        o.extraArgs = {QStringLiteral("--store"), m_store};
        BrokerProcess a(o);
        QString error;
        const QByteArray alice = a.createKey(QStringLiteral("alice"), &error);
        const QByteArray carol = a.createKey(QStringLiteral("carol"), &error);
        const QByteArray gateway = a.createKey(QStringLiteral("api-gw"), &error);
        QVERIFY2(!alice.isEmpty() && !carol.isEmpty() && !gateway.isEmpty(), qPrintable(error));
        QVERIFY2(a.start(&error), qPrintable(error));
        QTemporaryDir bData;
        BrokerProcess::Options ob = o;
        ob.dataDir = bData.path();
        BrokerProcess b(ob);
        QVERIFY(shareIdentity(a, b));
        QVERIFY2(b.start(&error), qPrintable(error));

        const quint16 front = BrokerProcess::freeLoopbackPort();
        const auto started = startHaproxy(front, a.port(), b.port());
        QVERIFY(started);
        QProcess& haproxy = *started;
        const QUrl frontUrl(QStringLiteral("https://127.0.0.1:%1").arg(front));
        // Two clients, so two connections: HAProxy (leastconn) gives each its own replica.
        HttpClient one(frontUrl, a.caFile()), two(frontUrl, a.caFile());
        const bool up
            = QTest::qWaitFor([&] { return one.get(QStringLiteral("/healthz"), {}).status == 200; }, 10000);
        QVERIFY2(up,
            qPrintable(haproxy.readAll() + one.get(QStringLiteral("/healthz"), {}).networkError.toUtf8()));
        HttpClient* clients[] = {&one, &two};

        QSet<QString> approved;
        int failed = 0, afterKill = 0, failedAfterKill = 0;
        bool killed = false;
        QElapsedTimer clock;
        clock.start();
        constexpr int kRounds = 240;
        for (int i = 0; i < kRounds; ++i) {
            if (i == kRounds / 3) {
                a.kill9();
                killed = true;
            }
            HttpClient& http = *clients[i % 2];
            const QString id = request(http, alice, QStringLiteral("round %1").arg(i));
            bool ok = !id.isEmpty();
            if (ok) {
                const auto r
                    = http.post(QStringLiteral("/v1/requests/%1/approve").arg(id), carol, QJsonObject {});
                ok = r.status == 200;
                if (ok) {
                    approved << id;
                    const QByteArray token = http.get(QStringLiteral("/v1/requests/") + id, alice)
                                                 .json()["credential"]
                                                 .toObject()["token"]
                                                 .toString()
                                                 .toLatin1();
                    ok = http.introspect(gateway, token).json()["active"].toBool();
                }
            }
            failed += ok ? 0 : 1;
            if (killed) {
                ++afterKill;
                failedAfterKill += ok ? 0 : 1;
            }
        }
        qInfo("%d rounds through HAProxy in %lld ms, replica 1 killed at round %d: %d rounds failed (%d "
              "after the "
              "kill, the requests in flight on its connections)",
            kRounds, clock.elapsed(), kRounds / 3, failed, failedAfterKill);
        QCOMPARE(failed - failedAfterKill, 0); // nothing failed while both ran
        QVERIFY2(failedAfterKill <= 2, "only what was in flight on the dead replica's connections may fail");
        // The clients carried on: the last rounds all succeeded on the surviving replica.
        QVERIFY(afterKill > 100);

        // Every acknowledged approval is in the store, whichever replica took it.
        HttpClient direct(b.url(), b.caFile());
        for (const QString& id : std::as_const(approved))
            QCOMPARE(direct.get(QStringLiteral("/v1/requests/") + id, carol).json()["status"].toString(),
                QStringLiteral("approved"));
        haproxy.terminate();
        QVERIFY(haproxy.waitForFinished(10000));
        b.stop();
        auto pg = PgStore::open(m_store);
        LAPSE_VERIFY_OK(pg);
        QString reason;
        qint64 breakSeq = 0;
        LAPSE_VERIFY_OK(pg.value()->verifyChain(&reason, &breakSeq));
    }

    // The console's live feed (RemoteBackend: long polls, gap and chain checks) through HAProxy follows its
    // replica's death: it reconnects through the front to the other one and receives what that one commits,
    // with no gap.
    void consoleFeedThroughHaproxySurvivesItsReplica()
    {
        BrokerProcess::Options o;
        o.extraArgs = {QStringLiteral("--store"), m_store};
        BrokerProcess a(o);
        QString error;
        const QByteArray alice = a.createKey(QStringLiteral("alice"), &error);
        const QByteArray auditor = a.createKey(QStringLiteral("erin"), &error);
        QVERIFY2(!alice.isEmpty() && !auditor.isEmpty(), qPrintable(error));
        QVERIFY2(a.start(&error), qPrintable(error));
        QTemporaryDir bData;
        BrokerProcess::Options ob = o;
        ob.dataDir = bData.path();
        BrokerProcess b(ob);
        QVERIFY(shareIdentity(a, b));
        // Only the first replica runs while the console connects, so its feed is on that one.
        const quint16 front = BrokerProcess::freeLoopbackPort();
        const quint16 bPort = BrokerProcess::freeLoopbackPort();
        const auto haproxy = startHaproxy(front, a.port(), bPort);
        QVERIFY(haproxy);
        const QUrl frontUrl(QStringLiteral("https://127.0.0.1:%1").arg(front));
        HttpClient http(frontUrl, a.caFile());
        QVERIFY(
            QTest::qWaitFor([&] { return http.get(QStringLiteral("/healthz"), {}).status == 200; }, 10000));
        QVERIFY(!request(http, alice, QStringLiteral("before")).isEmpty());

        RemoteBackend console(frontUrl, auditor, a.caFile());
        console.setLongPollSeconds(2);
        QList<qint64> seqs;
        QStringList problems;
        connect(&console, &Backend::eventsReceived, this, [&](const QList<Event>& page) {
            for (const Event& e : page)
                seqs << e.seq;
        });
        connect(&console, &Backend::problem, this, [&](const QString& p) { problems << p; });
        console.follow(0);
        QTRY_VERIFY_WITH_TIMEOUT(!seqs.isEmpty() && console.state() == Backend::ConnectionState::Live, 15000);

        // The second replica joins on the port HAProxy already names; then the first one dies.
        b.setPort(bPort);
        QVERIFY2(b.start(&error), qPrintable(error));
        QVERIFY(QTest::qWaitFor(
            [&] { return HttpClient(b.url(), b.caFile()).get(QStringLiteral("/healthz"), {}).status == 200; },
            10000));
        QTest::qWait(2500); // two health checks: HAProxy counts it up
        a.kill9();
        HttpClient direct(b.url(), b.caFile());
        QString last;
        for (int i = 0; i < 5; ++i) {
            last = request(direct, alice, QStringLiteral("after %1").arg(i));
            QVERIFY(!last.isEmpty());
        }
        const qint64 head = direct.get(QStringLiteral("/healthz"), {}).json()["last_seq"].toInteger();
        QTRY_VERIFY_WITH_TIMEOUT(!seqs.isEmpty() && seqs.last() >= head, 30000);
        for (qsizetype i = 0; i < seqs.size(); ++i)
            QCOMPARE(seqs[i], qint64(i + 1)); // every event once, in order, across the replica's death
        QCOMPARE(console.state(), Backend::ConnectionState::Live);
        qInfo("the feed reconnected through HAProxy after its replica died; %lld events, problems shown: %s",
            qint64(seqs.size()), qPrintable(problems.join(QStringLiteral(" | "))));
        console.stop();
        b.stop();
        haproxy->terminate();
        QVERIFY(haproxy->waitForFinished(10000));
    }
};

QTEST_GUILESS_MAIN(TestBrokerReplicas)
#include "TestBrokerReplicas.moc"
