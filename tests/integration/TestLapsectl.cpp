// lapsectl as people and pipelines run it: the real binary against a real broker over TLS, and offline on
// a store. Every failure is one line on stderr and an exit code that says which kind.
#include "BrokerProcess.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QtTest>

using lapse::testing::BrokerProcess;

struct Run {
    int exitCode = -1;
    QByteArray out, err;
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};

class TestLapsectl : public QObject
{
    Q_OBJECT
    std::unique_ptr<BrokerProcess> m_broker;
    QHash<QString, QByteArray> m_keys;

    QProcessEnvironment env(const QString& who) const
    {
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("LAPSE_URL"), m_broker->url().toString());
        e.insert(QStringLiteral("LAPSE_CA"), m_broker->caFile());
        e.insert(QStringLiteral("LAPSE_KEY"), QString::fromLatin1(m_keys.value(who)));
        return e;
    }
    Run run(const QString& who, const QStringList& args,
        std::optional<QProcessEnvironment> environment = std::nullopt)
    {
        QProcess p;
        p.setProcessEnvironment(environment ? *environment : env(who));
        p.start(BrokerProcess::binary(QStringLiteral("lapsectl")), args);
        Run r;
        if (!p.waitForFinished(60000))
            return r;
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }
    static void verifyOneLineFailure(const Run& r, int exitCode, const char* word)
    {
        QCOMPARE(r.exitCode, exitCode);
        const QList<QByteArray> lines = r.err.trimmed().split('\n');
        QCOMPARE(lines.size(), 1);
        QVERIFY2(lines.first().startsWith("lapsectl: "), r.err.constData());
        QVERIFY2(lines.first().contains(word), r.err.constData());
    }
    QString newRequest(const QString& who)
    {
        const Run r = run(who,
            {"request", "--target", "prod-k8s", "--privileges", "view,exec", "--min-privileges", "view",
                "--task", "inspect crashloop", "--reason", "INC-9", "--ttl", "600", "--json"});
        if (r.exitCode != 0)
            qWarning() << r.err;
        return r.json()["id"].toString();
    }

private slots:
    void initTestCase()
    {
        m_broker = std::make_unique<BrokerProcess>();
        QString error;
        for (const char* who : {"alice", "carol", "dave"})
            m_keys.insert(QString::fromLatin1(who), m_broker->createKey(QString::fromLatin1(who), &error));
        QVERIFY2(!m_keys.value("dave").isEmpty(), qPrintable(error));
        m_keys.insert(QStringLiteral("nobody"), "lapse_not-a-key-anyone-was-given");
        QVERIFY2(m_broker->start(&error), qPrintable(error));
    }

    void requestApproveAndReadTheCredential()
    {
        const QString id = newRequest(QStringLiteral("dave"));
        QVERIFY(id.startsWith(QLatin1String("req_")));
        const Run approve = run(QStringLiteral("carol"),
            {"approve", id, "--privileges", "view", "--ttl", "300", "--comment", "view is enough"});
        QCOMPARE(approve.exitCode, 0);
        QVERIFY(approve.out.startsWith("approved: grt_"));
        const Run status = run(QStringLiteral("dave"), {"status", id, "--json"});
        QCOMPARE(status.exitCode, 0);
        const QByteArray token = status.json()["credential"].toObject()["token"].toString().toLatin1();
        const QJsonObject header = QJsonDocument::fromJson(
            QByteArray::fromBase64(token.split('.').first(), QByteArray::Base64UrlEncoding))
                                       .object();
        QCOMPARE(header["alg"].toString(), QStringLiteral("EdDSA"));
        // Another principal's view of the same request carries no credential.
        QVERIFY(!run(QStringLiteral("carol"), {"status", id, "--json"}).json().contains("credential"));
    }

    void waitBlocksUntilApprovedAndPrintsOnlyTheToken()
    {
        QProcess waiting;
        waiting.setProcessEnvironment(env(QStringLiteral("dave")));
        waiting.start(BrokerProcess::binary(QStringLiteral("lapsectl")),
            {"request", "--target", "s3-exports", "--privileges", "get", "--task", "pull", "--reason",
                "month end", "--ttl", "120", "--wait", "--timeout", "60"});
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT(
            (err += waiting.readAllStandardError()).contains("waiting for a decision"), 20000);
        const QString id = QString::fromLatin1(err.left(err.indexOf(' ')));
        QVERIFY(id.startsWith(QLatin1String("req_")));
        QCOMPARE(waiting.state(), QProcess::Running); // still blocked: nobody has decided
        QCOMPARE(run(QStringLiteral("carol"), {"approve", id}).exitCode, 0);
        QVERIFY(waiting.waitForFinished(30000));
        QCOMPARE(waiting.exitCode(), 0);
        const QByteArray out = waiting.readAllStandardOutput().trimmed();
        QCOMPARE(out.count('.'), 2); // a compact JWS and nothing else
        QVERIFY(!out.contains('\n'));
    }

    void waitOnDenialFails()
    {
        QProcess waiting;
        waiting.setProcessEnvironment(env(QStringLiteral("dave")));
        waiting.start(BrokerProcess::binary(QStringLiteral("lapsectl")),
            {"request", "--target", "s3-exports", "--privileges", "delete", "--task", "cleanup", "--reason",
                "old data", "--wait"});
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT(
            (err += waiting.readAllStandardError()).contains("waiting for a decision"), 20000);
        const QString id = QString::fromLatin1(err.left(err.indexOf(' ')));
        QCOMPARE(run(QStringLiteral("carol"), {"deny", id, "--reason", "use a lifecycle rule"}).exitCode, 0);
        QVERIFY(waiting.waitForFinished(30000));
        QCOMPARE(waiting.exitCode(), 4);
        QVERIFY(waiting.readAllStandardError().contains("use a lifecycle rule"));
        QVERIFY(waiting.readAllStandardOutput().isEmpty());
    }

    void failuresAreOneLineWithAClassOfExitCode()
    {
        const QString id = newRequest(QStringLiteral("dave"));
        verifyOneLineFailure(run(QStringLiteral("carol"), {"deny", id}), 4, "reason");
        verifyOneLineFailure(run(QStringLiteral("carol"), {"approve", "req_unknown"}), 4, "req_unknown");
        verifyOneLineFailure(run(QStringLiteral("dave"), {"approve", id}), 3, "");
        verifyOneLineFailure(run(QStringLiteral("nobody"), {"status", id}), 3, "API key");
        verifyOneLineFailure(run(QStringLiteral("carol"), {"frobnicate"}), 2, "unknown command");
        QProcessEnvironment down = env(QStringLiteral("carol"));
        down.insert(QStringLiteral("LAPSE_URL"),
            QStringLiteral("https://127.0.0.1:%1").arg(BrokerProcess::freeLoopbackPort()));
        verifyOneLineFailure(run(QString(), {"status", id}, down), 5, "unreachable");
        QProcessEnvironment untrusted = env(QStringLiteral("carol"));
        untrusted.remove(QStringLiteral("LAPSE_CA"));
        verifyOneLineFailure(run(QString(), {"status", id}, untrusted), 5, "not trusted");
    }

    // The same numbers from the broker and offline from its store (the rollups are in the store itself).
    void metricsFromTheBrokerAndOfflineAgree()
    {
        const Run remote = run(QStringLiteral("carol"), {"metrics", "--json"});
        QCOMPARE(remote.exitCode, 0);
        const QJsonObject online = remote.json();
        QCOMPARE(
            online["elevation_frequency"].toObject()["grants"].toInt(), 2); // prod-k8s and s3-exports, above
        const Run local = run(QString(),
            {"metrics", "--data", m_broker->dataDir(), "--directory", m_broker->directoryFile(), "--json"},
            QProcessEnvironment::systemEnvironment());
        QCOMPARE(local.exitCode, 0);
        const QJsonObject offline = local.json();
        for (const char* metric :
            {"elevation_frequency", "grant_width", "revocation", "duration", "completeness"})
            QCOMPARE(offline[QLatin1String(metric)], online[QLatin1String(metric)]);
        const Run filtered
            = run(QStringLiteral("alice"), {"metrics", "--target", "prod-k8s", "--kind", "human", "--json"});
        QCOMPARE(filtered.exitCode, 0); // alice approves, so she may read insights
        QCOMPARE(filtered.json()["window"].toObject()["target"].toString(), QStringLiteral("prod-k8s"));
        QCOMPARE(filtered.json()["elevation_frequency"].toObject()["grants"].toInt(), 1);
        verifyOneLineFailure(run(QStringLiteral("carol"), {"metrics", "--from", "yesterday"}), 4, "ISO 8601");
        verifyOneLineFailure(run(QStringLiteral("dave"), {"metrics"}), 3, ""); // a requester only
    }

    void verifyOfflineNamesTheBrokenEvent()
    {
        m_broker->stop();
        const QString dir = m_broker->dataDir();
        const Run intact = run(QStringLiteral("carol"), {"verify", "--data", dir});
        QCOMPARE(intact.exitCode, 0);
        QVERIFY(intact.out.contains("chain intact"));
        // Reads on the store work offline; changes are refused there.
        QProcessEnvironment offline = QProcessEnvironment::systemEnvironment();
        const Run listed = run(
            QString(), {"list", "--data", dir, "--directory", m_broker->directoryFile(), "--json"}, offline);
        QCOMPARE(listed.exitCode, 0);
        QVERIFY(!listed.json()["items"].toArray().isEmpty());
        verifyOneLineFailure(
            run(QString(),
                {"revoke", "grt_x", "--reason", "x", "--data", dir, "--directory", m_broker->directoryFile()},
                offline),
            3, "--data reads");

        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tamper"));
            db.setDatabaseName(QDir(dir).filePath(QStringLiteral("lapse.db")));
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("UPDATE events SET body = CAST(replace(CAST(body AS TEXT), "
                                          "'INC-9', 'INC-0') AS BLOB) WHERE seq = "
                                          "(SELECT min(seq) FROM events WHERE type = 'request.created')")));
            QVERIFY(q.numRowsAffected() == 1);
            q.exec(QStringLiteral("SELECT min(seq) FROM events WHERE type = 'request.created'"));
            QVERIFY(q.next());
            m_tamperedSeq = q.value(0).toLongLong();
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("tamper"));
        const Run broken = run(QStringLiteral("carol"), {"verify", "--data", dir});
        verifyOneLineFailure(broken, 1, QByteArray("event " + QByteArray::number(m_tamperedSeq)).constData());
    }

private:
    qint64 m_tamperedSeq = 0;
};

QTEST_GUILESS_MAIN(TestLapsectl)
#include "TestLapsectl.moc"
