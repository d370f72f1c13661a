// lapsectl as people and pipelines run it: the real binary against a real broker over TLS, and offline on
// a store. Every failure is one line on stderr and an exit code that says which kind.
#include "BrokerProcess.h"
#include "engine/EventChain.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>
#include <quazip/quazip.h>
#include <quazip/quazipfile.h>

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
        for (const char* who : {"alice", "carol", "dave", "erin", "console", "svc-billing", "grace"})
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

    // A witness follows the log across a broker restart and a log key rotation; a checkpoint kept elsewhere
    // then catches a cut and a consistent rewrite of a copy of the store that its own checks cannot.
    void witnessAndOutsideCheckpoint()
    {
        QTemporaryDir work;
        const QString state = work.filePath(QStringLiteral("witness.json"));
        const Run first = run(QStringLiteral("erin"), {"log", "watch", "--state", state});
        QVERIFY2(first.exitCode == 0, first.err.constData());
        QVERIFY(first.err.contains("trusting the log key"));
        QVERIFY(first.out.startsWith("checkpoint "));

        QVERIFY(!newRequest(QStringLiteral("dave")).isEmpty());
        QCOMPARE(run(QStringLiteral("erin"), {"log", "checkpoint", "--cut"}).exitCode, 0);
        const Run second = run(QStringLiteral("erin"), {"log", "watch", "--state", state});
        QVERIFY2(second.exitCode == 0, second.err.constData());
        QVERIFY2(second.out.contains("consistent with"), second.out.constData());
        verifyOneLineFailure(run(QStringLiteral("dave"), {"log", "checkpoint", "--cut"}), 3, "");

        // Restart: the broker keeps its log, key and origin; the witness carries on.
        m_broker->stop();
        QString error;
        QVERIFY2(m_broker->start(&error), qPrintable(error));
        QVERIFY(!newRequest(QStringLiteral("dave")).isEmpty());
        QCOMPARE(run(QStringLiteral("erin"), {"log", "checkpoint", "--cut"}).exitCode, 0);
        const Run afterRestart = run(QStringLiteral("erin"), {"log", "watch", "--state", state});
        QVERIFY2(afterRestart.exitCode == 0, afterRestart.err.constData());
        QVERIFY(afterRestart.out.contains("consistent with"));

        // Rotation: the witness learns the new key from the hand-over checkpoint.
        verifyOneLineFailure(run(QStringLiteral("erin"), {"log", "rotate-key"}), 3, "");
        QCOMPARE(run(QStringLiteral("console"), {"log", "rotate-key"}).exitCode, 0);
        QVERIFY(!newRequest(QStringLiteral("dave")).isEmpty());
        const Run cut = run(QStringLiteral("erin"), {"log", "checkpoint", "--cut"});
        QCOMPARE(cut.exitCode, 0);
        const Run afterRotation = run(QStringLiteral("erin"), {"log", "watch", "--state", state});
        QVERIFY2(afterRotation.exitCode == 0, afterRotation.err.constData());
        QCOMPARE(afterRotation.out.count("verified"), 2); // the hand-over, then the latest
        QFile kept(state);
        QVERIFY(kept.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(kept.readAll()).object()["trusted"].toArray().size(), 2);

        // An inclusion proof from the broker and from the store read offline: the same text.
        const Run proof = run(QStringLiteral("erin"), {"log", "prove", "--seq", "1"});
        QCOMPARE(proof.exitCode, 0);
        QVERIFY(proof.out.startsWith("c2sp.org/tlog-proof@v1\nindex 0\n"));

        // The checkpoint goes elsewhere; then a copy of the store is cut, and another rewritten consistently.
        const QString checkpointFile = work.filePath(QStringLiteral("checkpoint.txt"));
        {
            QFile f(checkpointFile);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(cut.out);
        }
        m_broker->stop();
        const QString dir = m_broker->dataDir();
        // Offline, the store gives the same inclusion proof as the broker did.
        const Run offlineProof = run(QString(),
            {"log", "prove", "--seq", "1", "--data", dir, "--directory", m_broker->directoryFile()});
        QVERIFY2(offlineProof.exitCode == 0, offlineProof.err.constData());
        QCOMPARE(offlineProof.out, proof.out);
        const Run intact = run(QString(), {"verify", "--data", dir, "--checkpoint", checkpointFile});
        QVERIFY2(intact.exitCode == 0, intact.err.constData());
        QVERIFY(intact.out.contains("verified"));
        const qint64 size = cut.out.split('\n').value(1).toLongLong();
        QVERIFY(size > 3);

        auto copyStore = [&](const QString& name) {
            const QString target = work.filePath(name);
            QDir().mkpath(target + QStringLiteral("/keys"));
            for (const QString& f : {QStringLiteral("lapse.db")})
                QFile::copy(QDir(dir).filePath(f), QDir(target).filePath(f));
            for (const QString& f : QDir(dir + QStringLiteral("/keys")).entryList(QDir::Files))
                QFile::copy(dir + QStringLiteral("/keys/") + f, target + QStringLiteral("/keys/") + f);
            return target;
        };
        auto sql = [](const QString& dbDir, const QStringList& statements) {
            {
                QSqlDatabase db
                    = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("edit"));
                db.setDatabaseName(QDir(dbDir).filePath(QStringLiteral("lapse.db")));
                if (!db.open())
                    return false;
                QSqlQuery q(db);
                for (const QString& s : statements)
                    if (!q.exec(s))
                        return false;
            }
            QSqlDatabase::removeDatabase(QStringLiteral("edit"));
            return true;
        };
        // The last two events deleted, and the store's own checkpoints with them.
        const QString cutDir = copyStore(QStringLiteral("cut"));
        QVERIFY(sql(cutDir,
            {QStringLiteral("DELETE FROM events WHERE seq > %1").arg(size - 2),
                QStringLiteral("DELETE FROM log_checkpoints")}));
        // The chain alone cannot tell; the state tables still name rows whose events are gone.
        verifyOneLineFailure(run(QString(), {"verify", "--data", cutDir}), 1, "state disagrees with the log");
        verifyOneLineFailure(run(QString(), {"verify", "--data", cutDir, "--checkpoint", checkpointFile}), 1,
            QByteArray("holds " + QByteArray::number(size - 2) + " events but the checkpoint is at size "
                + QByteArray::number(size))
                .constData());

        // An early event rewritten and every later hash recomputed: the chain verifies, the tree does not.
        const QString rewrittenDir = copyStore(QStringLiteral("rewritten"));
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("rewrite"));
            db.setDatabaseName(QDir(rewrittenDir).filePath(QStringLiteral("lapse.db")));
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("DELETE FROM log_checkpoints")));
            QVERIFY(q.exec(
                QStringLiteral("SELECT seq, ts, type, actor, subject, body FROM events ORDER BY seq")));
            QByteArray prev = lapse::EventChain::genesisHash();
            QList<QPair<qint64, QByteArray>> hashes;
            while (q.next()) {
                QByteArray body = q.value(5).toByteArray();
                if (q.value(0).toLongLong() == 2)
                    body = body == "{}" ? QByteArray("{\"x\":1}") : "{\"x\":1," + body.mid(1);
                lapse::Event e;
                e.seq = q.value(0).toLongLong();
                e.tsMs = q.value(1).toLongLong();
                e.type = q.value(2).toString();
                e.actor = q.value(3).toString();
                e.subject = q.value(4).toString();
                e.body = body;
                const QByteArray h = lapse::EventChain::hash(prev, e);
                hashes.append({q.value(0).toLongLong(), h});
                prev = h;
                if (q.value(0).toLongLong() == 2) {
                    QSqlQuery u(db);
                    u.prepare(QStringLiteral("UPDATE events SET body = ? WHERE seq = 2"));
                    u.addBindValue(body);
                    QVERIFY(u.exec());
                }
            }
            for (const auto& [seq, h] : hashes) {
                QSqlQuery u(db);
                u.prepare(QStringLiteral("UPDATE events SET hash = ? WHERE seq = ?"));
                u.addBindValue(h);
                u.addBindValue(seq);
                QVERIFY(u.exec());
            }
        }
        QSqlDatabase::removeDatabase(QStringLiteral("rewrite"));
        QCOMPARE(run(QString(), {"verify", "--data", rewrittenDir}).exitCode, 0);
        verifyOneLineFailure(
            run(QString(), {"verify", "--data", rewrittenDir, "--checkpoint", checkpointFile}), 1,
            QByteArray("first " + QByteArray::number(size) + " events has root").constData());
        QVERIFY2(m_broker->start(&error), qPrintable(error));
    }

    // The console's --help and --version print and exit without a display (over ssh, in a script); without
    // either, a console with no display fails as Qt does, which is what the check below tells apart.
    void consoleAnswersHelpAndVersionWithoutADisplay()
    {
        QProcessEnvironment headless = QProcessEnvironment::systemEnvironment();
        for (const char* v : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
            headless.remove(QString::fromLatin1(v));
        const auto console = [&](const QStringList& args) {
            QProcess p;
            p.setProcessEnvironment(headless);
            p.start(BrokerProcess::binary(QStringLiteral("lapse")), args);
            Run r;
            if (!p.waitForFinished(30000))
                return r;
            r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
            r.out = p.readAllStandardOutput();
            r.err = p.readAllStandardError();
            return r;
        };
        const Run version = console({"--version"});
        QCOMPARE(version.exitCode, 0);
        QVERIFY2(version.out.startsWith("lapse 0."), version.out.constData());
        QVERIFY2(!version.err.contains("display"), version.err.constData());
        const Run help = console({"--help"});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("--demo") && help.out.contains("--url"));
        QVERIFY(!help.out.contains("--screenshot")); // hidden options stay hidden
        const Run bare = console({"--data", QDir::tempPath() + QStringLiteral("/lapse-no-such-console")});
        QVERIFY(bare.exitCode != 0); // without a display the console itself cannot start
    }

    // An auditor's evidence pack, from the broker (through a local mirror; the broker signs the manifest) and
    // from its data directory (signed with the log key there): both verify, and hold the same population.
    void evidenceFromTheBrokerAndOffline()
    {
        const QString id = newRequest(QStringLiteral("dave"));
        QVERIFY(!id.isEmpty());
        QCOMPARE(run(QStringLiteral("carol"), {"approve", id}).exitCode, 0);
        QTemporaryDir work;
        const QString from
            = QDateTime::currentDateTimeUtc().addDays(-1).toString(QStringLiteral("yyyy-MM-dd"));
        const QString to = QDateTime::currentDateTimeUtc().addDays(1).toString(QStringLiteral("yyyy-MM-dd"));
        const QStringList scope {"--from", from, "--to", to, "--sample", "5", "--seed", "9"};
        const Run remote = run(QStringLiteral("erin"),
            QStringList {
                "evidence", "export", "--out", work.path(), "--mirror", work.filePath("mirror.db"), "--json"}
                + scope);
        QVERIFY2(remote.exitCode == 0, remote.err.constData());
        const QString pack = remote.json()["file"].toString();
        QVERIFY2(QFileInfo::exists(pack), remote.out.constData());
        QVERIFY(QFileInfo(pack).fileName().startsWith(QStringLiteral("lapse-evidence-all-")));
        QVERIFY(remote.json()["grants"].toInt() >= 1);
        QCOMPARE(remote.json()["seed"].toString(), QStringLiteral("9"));

        // Pinned to the key the mirror trusted, checked offline.
        const Run verified
            = run(QString(), {"evidence", "verify", pack, "--log-key", work.filePath("mirror.db.log-key")},
                QProcessEnvironment::systemEnvironment());
        QVERIFY2(verified.exitCode == 0, (verified.out + verified.err).constData());
        QVERIFY2(verified.out.startsWith("verified: ") && verified.out.contains("(pinned)"),
            verified.out.constData());
        // The broker logged the signature it gave.
        const Run events = run(QStringLiteral("erin"), {"events", "--limit", "10000", "--json"});
        QVERIFY(events.out.contains("evidence.attested"));
        // A requester may not make one.
        verifyOneLineFailure(
            run(QStringLiteral("dave"),
                QStringList {"evidence", "export", "--out", work.path(), "--mirror", work.filePath("dave.db")}
                    + scope),
            3, "");

        // From the data directory, the broker still running: the same population.
        const QString offlinePack = work.filePath(QStringLiteral("offline.zip"));
        const Run offline = run(QString(),
            QStringList {"evidence", "export", "--data", m_broker->dataDir(), "--directory",
                m_broker->directoryFile(), "--out", offlinePack}
                + scope,
            QProcessEnvironment::systemEnvironment());
        QVERIFY2(offline.exitCode == 0, offline.err.constData());
        QVERIFY(offline.out.contains(" grants, "));
        const Run offlineVerified
            = run(QString(), {"evidence", "verify", offlinePack}, QProcessEnvironment::systemEnvironment());
        QVERIFY2(offlineVerified.exitCode == 0, offlineVerified.out.constData());
        QVERIFY(offlineVerified.out.contains("pin it with --log-key"));
        const auto csv = [](const QString& zipFile) {
            QuaZip zip(zipFile);
            zip.open(QuaZip::mdUnzip);
            zip.setCurrentFile(QStringLiteral("grants.csv"));
            QuaZipFile f(&zip);
            f.open(QIODevice::ReadOnly);
            return f.readAll();
        };
        QVERIFY(!csv(pack).isEmpty());
        QCOMPARE(csv(offlinePack), csv(pack));

        // A damaged copy is refused in one line that names what failed.
        QFile damaged(offlinePack);
        QVERIFY(damaged.open(QIODevice::ReadWrite));
        damaged.seek(damaged.size() / 2);
        const char c = damaged.peek(1).at(0);
        damaged.write(QByteArray(1, char(c ^ 0x20)));
        damaged.close();
        const Run refused
            = run(QString(), {"evidence", "verify", offlinePack}, QProcessEnvironment::systemEnvironment());
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.out.startsWith("FAILED: "), refused.out.constData());
        // Bad scopes are usage errors, in one line.
        verifyOneLineFailure(run(QString(),
                                 {"evidence", "export", "--data", m_broker->dataDir(), "--from", to, "--to",
                                     from, "--out", work.path()},
                                 QProcessEnvironment::systemEnvironment()),
            2, "period");
    }

    // The example directory's rule billing-batch: what policy test says offline, the broker does.
    void policyTestAgreesWithTheBroker()
    {
        const QString directory
            = BrokerProcess::sourceFile(QStringLiteral("resources/directory.example.json"));
        const QString request = QStringLiteral(
            "{\"requester\":\"svc-billing\",\"target\":\"billing-db\",\"privileges\":[\"read\",\"write\"],"
            "\"ttl_seconds\":3600,\"ticket\":\"FIN-2291\",\"reason\":\"invoice batch\"}");
        const Run test = run(QString(), {"policy", "test", "--directory", directory, "--request", request});
        QCOMPARE(test.exitCode, 0);
        QVERIFY2(test.out.contains("rule billing-batch (approve): applies"), test.out.constData());
        QVERIFY2(test.out.contains("decision: approved by rule billing-batch"), test.out.constData());
        const Run asJson
            = run(QString(), {"policy", "test", "--directory", directory, "--request", request, "--json"});
        QCOMPARE(asJson.json()["decision"].toString(), QStringLiteral("approve"));
        const QString digest = asJson.json()["digest"].toString();
        QCOMPARE(digest.size(), 64);

        // The same request through the broker: granted at once, by the rule with that digest.
        const Run granted = run(QStringLiteral("svc-billing"),
            {"request", "--target", "billing-db", "--privileges", "read,write", "--task", "invoices",
                "--reason", "invoice batch", "--ticket", "FIN-2291", "--ttl", "3600", "--json"});
        QCOMPARE(granted.exitCode, 0);
        QCOMPARE(granted.json()["status"].toString(), QStringLiteral("approved"));
        QCOMPARE(granted.json()["decided_by"].toString(), QStringLiteral("policy:billing-batch"));
        QCOMPARE(granted.json()["rule"].toObject()["digest"].toString(), digest);

        // Without the ticket the rule does not apply: people decide.
        const Run without = run(QString(),
            {"policy", "test", "--directory", directory, "--request",
                QString(request).replace(QStringLiteral("FIN-2291"), QStringLiteral("OPS-1"))});
        QCOMPARE(without.exitCode, 0);
        QVERIFY2(without.out.contains("ticket 'OPS-1' does not match FIN-[0-9]+"), without.out.constData());
        QVERIFY2(without.out.contains("decision: no rule approves it"), without.out.constData());
        // A request the broker would refuse, and a malformed one.
        verifyOneLineFailure(
            run(QString(),
                {"policy", "test", "--directory", directory, "--request",
                    QString(request).replace(QStringLiteral("3600"), QStringLiteral("7200"))}),
            4, "over the cap");
        verifyOneLineFailure(
            run(QString(), {"policy", "test", "--directory", directory, "--request", "{\"requester\":"}), 4,
            "not a JSON object");

        const Run lint = run(QString(), {"policy", "lint", "--directory", directory});
        QCOMPARE(lint.exitCode, 0);
        QVERIFY2(lint.out.contains("valid (19 principals, 12 targets, 2 rules"), lint.out.constData());
        // A rule that widens its target: lint names it, as the broker would at start.
        QTemporaryDir tmp;
        QFile in(directory);
        QVERIFY(in.open(QIODevice::ReadOnly));
        QByteArray text = in.readAll();
        text.replace(
            "\"privileges\": [\"read\", \"write\"],\n     \"max_ttl_seconds\": 3600, \"ticket_pattern\"",
            "\"privileges\": [\"read\", \"write\", \"superuser\"],\n     \"max_ttl_seconds\": 3600, "
            "\"ticket_pattern\"");
        QFile bad(tmp.filePath(QStringLiteral("directory.json")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(text);
        bad.close();
        verifyOneLineFailure(run(QString(), {"policy", "lint", "--directory", bad.fileName()}), 4,
            "rule billing-batch: privilege 'superuser'");
    }

    // An access review through the broker: the target's owner decides, the decision is listed, others are
    // refused with a class of exit code.
    void reviewDecideAndList()
    {
        const Run decided = run(QStringLiteral("grace"),
            {"review", "decide", "--identity", "svc-billing", "--target", "billing-db", "--privileges",
                "read,write", "--outcome", "convert-to-rule", "--comment",
                "the invoice batch: rule billing-batch"});
        QCOMPARE(decided.exitCode, 0);
        QVERIFY2(decided.out.startsWith("review.decided at seq "), decided.out.constData());
        QVERIFY2(decided.out.contains("svc-billing on billing-db [read,write]: convert-to-rule"),
            decided.out.constData());
        const Run listed = run(QStringLiteral("carol"), {"review", "repeated", "--repeat", "2", "--json"});
        QCOMPARE(listed.exitCode, 0);
        QVERIFY(listed.json().contains("candidates"));
        const Run text = run(QStringLiteral("carol"), {"review", "repeated"});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.contains("keep-jit"), text.out.constData());
        verifyOneLineFailure(run(QStringLiteral("dave"),
                                 {"review", "decide", "--identity", "svc-billing", "--target", "billing-db",
                                     "--privileges", "read", "--outcome", "keep-jit", "--comment", "x"}),
            3, "lacks the approver or admin role");
        verifyOneLineFailure(run(QStringLiteral("grace"),
                                 {"review", "decide", "--identity", "svc-billing", "--target", "billing-db",
                                     "--privileges", "read", "--outcome", "maybe", "--comment", "x"}),
            4, "outcome must be one of");
        verifyOneLineFailure(run(QStringLiteral("grace"), {"review", "decide", "--identity", "svc-billing"}),
            2, "review decide needs");
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

        // Text an older store may hold reaches a terminal escaped: an actor with an ESC sequence.
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("escape"));
            db.setDatabaseName(QDir(dir).filePath(QStringLiteral("lapse.db")));
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("UPDATE events SET actor = 'eve' || char(27) || '[2J' || char(133) "
                                          "WHERE seq = %1")
                               .arg(m_tamperedSeq)));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("escape"));
        const Run escaped = run(QString(),
            {"events", "--data", dir, "--directory", m_broker->directoryFile(), "--limit", "10000"}, offline);
        QVERIFY2(escaped.out.contains("eve\\x1b[2J\\u0085"), escaped.out.constData());
        QVERIFY(!escaped.out.contains('\x1b'));
    }

private:
    qint64 m_tamperedSeq = 0;
};

QTEST_GUILESS_MAIN(TestLapsectl)
#include "TestLapsectl.moc"
