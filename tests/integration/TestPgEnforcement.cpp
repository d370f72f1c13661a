// Enforcement on a real PostgreSQL server (PgCluster, set up with resources/postgresql/): the grant's login
// reaches what its privilege grants and nothing else; sessions are recorded from pg_stat_activity; revoke,
// expiry, completion and lockout end every backend (idle, inside a transaction, after SET ROLE) and the next
// login is refused, verified; a role owning a table is kept disabled; a target that is down blocks approval
// and leaves the end pending across a broker restart until PostgreSQL confirms it.
#include "BillingDatabase.h"
#include "BrokerProcess.h"
#include "DirectoryFixtures.h"
#include "EngineFixture.h"
#include "HttpClient.h"
#include "backend/EmbeddedBackend.h"
#include "console/EffectTracker.h"
#include "demo/DemoDatabase.h"
#include "enforcement/PgCluster.h"
#include "enforcement/PgEnforcement.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <libpq-fe.h>
#include <memory>
#include <unistd.h>

using namespace lapse;
using namespace lapse::test;

namespace
{
struct ConnDeleter {
    void operator()(PGconn* c) const { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;

Conn connectWith(const QString& conninfo)
{
    return Conn(PQconnectdb(conninfo.toUtf8().constData()));
}

// The SQLSTATE of a statement (empty when it succeeded).
QString run(PGconn* c, const char* sql)
{
    PGresult* r = PQexec(c, sql);
    const ExecStatusType st = PQresultStatus(r);
    QString state;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        state = QString::fromLatin1(PQresultErrorField(r, PG_DIAG_SQLSTATE));
        if (state.isEmpty())
            state = QStringLiteral("broken");
    }
    PQclear(r);
    return state;
}

Principal actor(const Directory& d, const char* id)
{
    return *d.principal(QString::fromLatin1(id));
}

} // namespace

class TestPgEnforcement : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    BillingDatabase m_billing;
    PgCluster* m_cluster = nullptr;
    QString m_passfile;
    QString m_dataDir;
    Directory m_directory;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<PgEnforcement> m_enforcement;

    Target pgTarget(const QString& id, const QString& readRole = QStringLiteral("billing_read")) const
    {
        return m_billing.target(id, readRole);
    }

    Status open()
    {
        EngineConfig cfg;
        cfg.dataDir = m_dataDir;
        cfg.directory = m_directory;
        cfg.sweepIntervalMs = 100;
        auto e = Engine::open(std::move(cfg));
        if (!e)
            return e.error();
        m_engine = std::move(e).value();
        EnforcementOptions o;
        o.scanIntervalMs = 200;
        o.retryBaseMs = 200;
        o.retryMaxMs = 1000;
        auto enf = PgEnforcement::attach(*m_engine, o);
        if (!enf)
            return enf.error();
        m_enforcement = std::move(enf).value();
        return Ok {};
    }
    void close()
    {
        m_enforcement.reset();
        m_engine.reset();
    }

    // alice asks for privileges on pg-billing, bob approves: the grant and alice's credential.
    std::pair<Grant, QJsonObject> grantFor(
        const QStringList& privileges, int ttl = 600, const char* who = "alice")
    {
        RequestInput in;
        in.target = QStringLiteral("pg-billing");
        in.privileges = privileges;
        in.ttlSeconds = ttl;
        in.task = QStringLiteral("reconcile invoices");
        in.reason = QStringLiteral("month end");
        const Principal requester = actor(m_directory, who);
        auto d = m_engine->submitRequest(requester, in);
        if (!d)
            return {};
        auto a = m_engine->approve(actor(m_directory, "bob"), d->request.id, {});
        if (!a || !a->grant)
            return {};
        auto c = m_engine->credential(requester, d->request.id);
        return {*a->grant, c ? c.value() : QJsonObject()};
    }

    QList<Session> sessionsOf(const QString& grantId)
    {
        SessionFilter f;
        f.grantId = grantId;
        return m_engine->store().sessions(f);
    }
    int openSessions(const QString& grantId)
    {
        int n = 0;
        for (const auto& s : sessionsOf(grantId))
            n += s.isOpen() ? 1 : 0;
        return n;
    }
    Grant stored(const QString& grantId) { return *m_engine->store().grant(grantId); }

private slots:
    void initTestCase()
    {
        const QString reason = PgCluster::unavailableReason();
        if (!reason.isEmpty())
            QSKIP(qPrintable(reason));
        QVERIFY(m_tmp.isValid());
        auto billing = BillingDatabase::start(m_tmp.path());
        LAPSE_VERIFY_OK(billing);
        m_billing = std::move(billing).value();
        m_cluster = m_billing.cluster.get();
        m_passfile = m_billing.passfile;
        m_directory = makeDirectory();
        m_directory.addTarget(pgTarget(QStringLiteral("pg-billing")));
        LAPSE_VERIFY_OK(m_directory.validate());
        m_dataDir = m_tmp.filePath(QStringLiteral("data"));
        LAPSE_VERIFY_OK(open());
        QVERIFY(m_enforcement);
    }

    void cleanupTestCase() { close(); }

    void catalogueNamingAMissingRoleIsRefusedAtStart()
    {
        Directory d = makeDirectory();
        d.addTarget(pgTarget(QStringLiteral("pg-billing"), QStringLiteral("no_such_role")));
        EngineConfig cfg;
        cfg.dataDir = m_tmp.filePath(QStringLiteral("other"));
        cfg.directory = d;
        cfg.sweepIntervalMs = 0;
        auto e = Engine::open(std::move(cfg));
        LAPSE_VERIFY_OK(e);
        auto enf = PgEnforcement::attach(*e.value());
        LAPSE_VERIFY_ERROR(enf, ErrorCode::Invalid, "no_such_role");
    }

    void loginReachesWhatItsPrivilegeGrantsAndNothingElse()
    {
        auto [g, cred] = grantFor({QStringLiteral("read")});
        QVERIFY2(!g.id.isEmpty(), "approval failed");
        QCOMPARE(g.enforcement, QStringLiteral("provisioned"));
        const QJsonObject login = cred["login"].toObject();
        QCOMPARE(login["user"].toString(), QStringLiteral("lapse_") + g.id.toLower());
        const QString password = login["password"].toString();
        QVERIFY(password.size() >= 32);
        Conn c = connectWith(login["conninfo"].toString());
        QVERIFY2(PQstatus(c.get()) == CONNECTION_OK, PQerrorMessage(c.get()));
        QCOMPARE(run(c.get(), "SELECT count(*) FROM invoices"), QString());
        QCOMPARE(run(c.get(), "SELECT count(*) FROM audit_trail"), QStringLiteral("42501"));
        QCOMPARE(run(c.get(),
                     "INSERT INTO invoices(number, customer, amount_cents, issued_on) VALUES "
                     "('X-1', 'x', 1, now())"),
            QStringLiteral("42501"));
        QCOMPARE(run(c.get(), "CREATE TABLE mine(x int)"), QStringLiteral("42501"));
        // The broker saw the backend itself, with what PostgreSQL says about it.
        const int pid = PQbackendPID(c.get());
        QTRY_COMPARE_WITH_TIMEOUT(openSessions(g.id), 1, 5000);
        const Session s = sessionsOf(g.id).first();
        QCOMPARE(s.backendPid, pid);
        QCOMPARE(s.clientAddr, QStringLiteral("127.0.0.1"));
        QCOMPARE(s.resourceServer, QStringLiteral("target:pg-billing"));
        // Only the requester gets the login; the password is nowhere in the log or the data directory.
        LAPSE_VERIFY_ERROR(
            m_engine->credential(actor(m_directory, "bob"), g.requestId), ErrorCode::Forbidden, "only");
        for (const Event& e : m_engine->store().events(0, 100000))
            QVERIFY2(!e.body.contains(password.toUtf8()), qPrintable(e.type));
        QDirIterator files(m_dataDir, QDir::Files, QDirIterator::Subdirectories);
        while (files.hasNext()) {
            const QString path = files.next();
            if (path.contains(QLatin1String("/enforcement/")))
                continue; // the login file itself, 0600, removed once the end is verified
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QVERIFY2(!f.readAll().contains(password.toUtf8()), qPrintable(path));
        }
        auto done = m_engine->complete(actor(m_directory, "alice"), g.id);
        LAPSE_VERIFY_OK(done);
        QTRY_COMPARE_WITH_TIMEOUT(stored(g.id).enforcement, QStringLiteral("verified"), 15000);
        QCOMPARE(run(c.get(), "SELECT 1"), QStringLiteral("broken"));
        QVERIFY(QDir(m_dataDir + QStringLiteral("/enforcement")).entryList(QDir::Files).isEmpty());
    }

    void revokeEndsFiftySessionsAndTheNextLoginIsRefused()
    {
        auto [g, cred] = grantFor({QStringLiteral("read")});
        QVERIFY(!g.id.isEmpty());
        const QString conninfo = cred["login"].toObject()["conninfo"].toString();
        std::vector<Conn> conns;
        for (int i = 0; i < 50; ++i) {
            conns.push_back(connectWith(conninfo));
            QVERIFY2(PQstatus(conns.back().get()) == CONNECTION_OK, PQerrorMessage(conns.back().get()));
            if (i % 2 == 1) // half of them inside a transaction, one having read
                QCOMPARE(run(conns.back().get(), "BEGIN; SELECT count(*) FROM payments"), QString());
        }
        QCOMPARE(run(conns[0].get(), "SET ROLE billing_read"), QString());
        QTRY_COMPARE_WITH_TIMEOUT(openSessions(g.id), 50, 10000);
        // What the console says after the revoke: only what the target confirmed, never before.
        EmbeddedBackend backend(*m_engine, QStringLiteral("bob"));
        EffectTracker tracker(&backend);
        connect(&backend, &Backend::eventsReceived, &tracker, &EffectTracker::applyEvents);
        backend.follow(m_engine->store().lastSeq());
        bool saidBeforeTrue = false;
        connect(&tracker, &EffectTracker::changed, this, [&](const QString& t, bool) {
            if (t.contains(QLatin1String("verified:"))
                && stored(g.id).enforcement != QLatin1String("verified"))
                saidBeforeTrue = true;
        });
        auto revoked = m_engine->revoke(actor(m_directory, "bob"), g.id, QStringLiteral("incident 42"));
        LAPSE_VERIFY_OK(revoked);
        QCOMPARE(revoked->enforcement, QStringLiteral("pending"));
        tracker.trackRevoke(g.id, revoked->toJson());
        QTRY_COMPARE_WITH_TIMEOUT(stored(g.id).enforcement, QStringLiteral("verified"), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(tracker.complete(), 5000);
        QVERIFY2(tracker.text().contains(QLatin1String("verified: login refused at"))
                && tracker.text().contains(QLatin1String("50 of 50 sessions gone")),
            qPrintable(tracker.text()));
        QVERIFY(!saidBeforeTrue);
        const Grant v = stored(g.id);
        QCOMPARE(v.enforcementDetail["sessions_at_end"].toInt(), 50);
        QCOMPARE(v.enforcementDetail["sessions_gone"].toInt(), 50);
        QCOMPARE(v.enforcementDetail["role"].toString(), QStringLiteral("dropped"));
        QVERIFY(!v.enforcementDetail["login_refused_at"].toString().isEmpty());
        QCOMPARE(openSessions(g.id), 0);
        for (const auto& s : sessionsOf(g.id))
            QCOMPARE(s.endedHow, QStringLiteral("terminated"));
        for (auto& c : conns)
            QCOMPARE(run(c.get(), "SELECT 1"), QStringLiteral("broken"));
        Conn again = connectWith(conninfo);
        QCOMPARE(PQstatus(again.get()), CONNECTION_BAD);
        const auto role = m_cluster->psql(
            QStringLiteral("\\pset tuples_only on\nSELECT count(*) FROM pg_roles WHERE rolname = 'lapse_%1'")
                .arg(g.id.toLower()));
        LAPSE_VERIFY_OK(role);
        QCOMPARE(role->trimmed(), QByteArray("0"));
        // The verdict is in the log, after the grant's end.
        bool verifiedEvent = false;
        for (const Event& e : m_engine->store().events(0, 100000))
            verifiedEvent
                = verifiedEvent || (e.type == QLatin1String("revocation.verified") && e.subject == g.id);
        QVERIFY(verifiedEvent);
    }

    void expiryAndLockoutEndTheLoginToo()
    {
        auto [short_, c1] = grantFor({QStringLiteral("read")}, 2);
        QVERIFY(!short_.id.isEmpty());
        Conn a = connectWith(c1["login"].toObject()["conninfo"].toString());
        QCOMPARE(run(a.get(), "BEGIN"), QString());
        QTRY_COMPARE_WITH_TIMEOUT(stored(short_.id).status, GrantStatus::Expired, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(stored(short_.id).enforcement, QStringLiteral("verified"), 15000);
        QCOMPARE(run(a.get(), "SELECT 1"), QStringLiteral("broken"));

        auto [locked, c2] = grantFor({QStringLiteral("read"), QStringLiteral("write")}, 600, "dave");
        QVERIFY(!locked.id.isEmpty());
        Conn b = connectWith(c2["login"].toObject()["conninfo"].toString());
        QCOMPARE(run(b.get(),
                     "INSERT INTO invoices(number, customer, amount_cents, issued_on) VALUES ('L-1', 'l', 5, "
                     "now())"),
            QString());
        LAPSE_VERIFY_OK(
            m_engine->lockout(actor(m_directory, "rita"), QStringLiteral("dave"), QStringLiteral("phished")));
        QTRY_COMPARE_WITH_TIMEOUT(stored(locked.id).enforcement, QStringLiteral("verified"), 15000);
        QCOMPARE(run(b.get(), "SELECT 1"), QStringLiteral("broken"));
        LAPSE_VERIFY_OK(m_engine->unlock(actor(m_directory, "adm"), QStringLiteral("dave")));
    }

    void terminatingOneSessionKillsThatBackendOnly()
    {
        auto [g, cred] = grantFor({QStringLiteral("read")});
        const QString conninfo = cred["login"].toObject()["conninfo"].toString();
        Conn a = connectWith(conninfo), b = connectWith(conninfo);
        QTRY_COMPARE_WITH_TIMEOUT(openSessions(g.id), 2, 5000);
        Session target;
        for (const auto& s : sessionsOf(g.id))
            if (s.backendPid == PQbackendPID(a.get()))
                target = s;
        QVERIFY(!target.id.isEmpty());
        LAPSE_VERIFY_OK(
            m_engine->terminateSession(actor(m_directory, "rita"), target.id, QStringLiteral("odd query")));
        QTRY_VERIFY_WITH_TIMEOUT(!m_engine->store().session(target.id)->isOpen(), 5000);
        QCOMPARE(m_engine->store().session(target.id)->endedHow, QStringLiteral("terminated"));
        QCOMPARE(run(a.get(), "SELECT 1"), QStringLiteral("broken"));
        QCOMPARE(run(b.get(), "SELECT 1"), QString());
        LAPSE_VERIFY_OK(m_engine->complete(actor(m_directory, "alice"), g.id));
        QTRY_COMPARE_WITH_TIMEOUT(stored(g.id).enforcement, QStringLiteral("verified"), 15000);
    }

    void aRoleOwningATableIsKeptDisabled()
    {
        auto [g, cred] = grantFor({QStringLiteral("read")});
        const QString role = QStringLiteral("lapse_") + g.id.toLower();
        LAPSE_VERIFY_OK(m_cluster->psql(
            QStringLiteral("CREATE TABLE scratch_%1(x int); ALTER TABLE scratch_%1 OWNER TO %2")
                .arg(g.id.toLower(), role),
            QStringLiteral("billing")));
        LAPSE_VERIFY_OK(m_engine->revoke(actor(m_directory, "bob"), g.id, QStringLiteral("done")));
        QTRY_COMPARE_WITH_TIMEOUT(stored(g.id).enforcement, QStringLiteral("verified"), 15000);
        QCOMPARE(
            stored(g.id).enforcementDetail["role"].toString(), QStringLiteral("kept disabled: owns objects"));
        const auto attrs = m_cluster->psql(QStringLiteral(
            "\\pset tuples_only on\nSELECT rolcanlogin, (SELECT count(*) FROM pg_auth_members m WHERE "
            "m.member = r.oid), rolpassword IS NULL FROM pg_authid r WHERE rolname = '%1'")
                                               .arg(role));
        LAPSE_VERIFY_OK(attrs);
        QVERIFY2(
            attrs->simplified() == "f | 0 | t", attrs->constData()); // no login, no membership, no password
        QCOMPARE(
            PQstatus(connectWith(cred["login"].toObject()["conninfo"].toString()).get()), CONNECTION_BAD);
    }

    // The product as shipped: lapse-broker with a postgresql target in its directory file, lapsectl asking
    // with --wait --conninfo, psql's connection string working, then the revoke verified in lapsectl status
    // and /metrics.
    void theBrokerAndLapsectlEnforceEndToEnd()
    {
        using lapse::testing::BrokerProcess;
        QFile example(BrokerProcess::sourceFile(QStringLiteral("resources/directory.example.json")));
        QVERIFY(example.open(QIODevice::ReadOnly));
        QJsonObject dir = QJsonDocument::fromJson(example.readAll()).object();
        QJsonArray targets = dir["targets"].toArray();
        targets.append(QJsonObject {{"id", "pg-billing"}, {"kind", "postgresql"}, {"owner", "grace"},
            {"privileges", QJsonArray {"read", "write"}}, {"max_ttl_seconds", 600},
            {"connection",
                QJsonObject {{"host", m_cluster->host()}, {"port", m_cluster->port()},
                    {"database", "billing"}, {"user", "lapse_broker"}, {"passfile", m_passfile},
                    {"sslmode", "disable"}}},
            {"catalogue",
                QJsonObject {{"read", QJsonObject {{"role", "billing_read"}}},
                    {"write", QJsonObject {{"role", "billing_write"}}}}}});
        dir["targets"] = targets;
        const QString dirFile = m_tmp.filePath(QStringLiteral("broker-directory.json"));
        QFile out(dirFile);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QJsonDocument(dir).toJson());
        out.close();
        BrokerProcess::Options o;
        o.directoryFile = dirFile;
        BrokerProcess broker(o);
        QString error;
        const QByteArray daveKey = broker.createKey(QStringLiteral("dave"), &error);
        const QByteArray carolKey = broker.createKey(QStringLiteral("carol"), &error);
        const QByteArray consoleKey = broker.createKey(QStringLiteral("console"), &error);
        QVERIFY2(!consoleKey.isEmpty(), qPrintable(error));
        QVERIFY2(broker.start(&error), qPrintable(error));
        const auto ctl = [&](const QByteArray& key, const QStringList& args) {
            QProcess p;
            QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
            e.insert(QStringLiteral("LAPSE_URL"), broker.url().toString());
            e.insert(QStringLiteral("LAPSE_CA"), broker.caFile());
            e.insert(QStringLiteral("LAPSE_KEY"), QString::fromLatin1(key));
            p.setProcessEnvironment(e);
            p.start(BrokerProcess::binary(QStringLiteral("lapsectl")), args);
            p.waitForFinished(60000);
            return std::make_pair(p.exitCode(), p.readAllStandardOutput() + p.readAllStandardError());
        };

        QProcess waiting;
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("LAPSE_URL"), broker.url().toString());
        e.insert(QStringLiteral("LAPSE_CA"), broker.caFile());
        e.insert(QStringLiteral("LAPSE_KEY"), QString::fromLatin1(daveKey));
        waiting.setProcessEnvironment(e);
        waiting.start(BrokerProcess::binary(QStringLiteral("lapsectl")),
            {"request", "--target", "pg-billing", "--privileges", "read", "--task", "reconcile", "--reason",
                "month end", "--ttl", "300", "--wait", "--conninfo", "--timeout", "60"});
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT(
            (err += waiting.readAllStandardError()).contains("waiting for a decision"), 20000);
        const QString requestId = QString::fromLatin1(err.left(err.indexOf(' ')));
        QCOMPARE(ctl(carolKey, {"approve", requestId}).first, 0);
        QVERIFY(waiting.waitForFinished(30000));
        QCOMPARE(waiting.exitCode(), 0);
        const QByteArray conninfo = waiting.readAllStandardOutput().trimmed();
        QVERIFY2(
            conninfo.contains("user='lapse_grt_") && conninfo.contains("password="), conninfo.constData());
        Conn c = connectWith(QString::fromUtf8(conninfo));
        QVERIFY2(PQstatus(c.get()) == CONNECTION_OK, PQerrorMessage(c.get()));
        QCOMPARE(run(c.get(), "SELECT count(*) FROM invoices"), QString());

        lapse::testing::HttpClient http(broker.url(), broker.caFile());
        const QJsonObject request = http.get(QStringLiteral("/v1/requests/") + requestId, carolKey).json();
        const QString grantId = request["grant_id"].toString();
        QVERIFY(grantId.startsWith(QLatin1String("grt_")));
        QVERIFY(!request.contains("credential")); // the approver never sees the login
        QTRY_VERIFY_WITH_TIMEOUT(http.get(QStringLiteral("/v1/sessions?grant=") + grantId, carolKey)
                                     .json()["items"]
                                     .toArray()
                                     .size()
                == 1,
            10000);
        QVERIFY(http.get(QStringLiteral("/metrics"), {}).body.contains("lapse_enforcement_provisioned 1"));

        QCOMPARE(ctl(carolKey, {"revoke", grantId, "--reason", "leaver"}).first, 0);
        QByteArray status;
        QTRY_VERIFY_WITH_TIMEOUT(
            (status = ctl(consoleKey, {"status", grantId}).second).contains("verified: login refused at"),
            15000);
        QVERIFY2(status.contains("1 of 1 sessions gone"), status.constData());
        QCOMPARE(run(c.get(), "SELECT 1"), QStringLiteral("broken"));
        QCOMPARE(PQstatus(connectWith(QString::fromUtf8(conninfo)).get()), CONNECTION_BAD);
        const QByteArray metrics = http.get(QStringLiteral("/metrics"), {}).body;
        QVERIFY2(metrics.contains("lapse_enforcement_pending 0")
                && metrics.contains("lapse_enforcement_verified_total 1"),
            metrics.constData());
        // The password went to dave's terminal only: the broker's log and data hold none of it.
        const QByteArray password = conninfo.mid(conninfo.indexOf("password='") + 10).split('\'').first();
        QVERIFY(password.size() >= 32);
        const QByteArray events = http.get(QStringLiteral("/v1/events?limit=1000"), consoleKey).body;
        QVERIFY(events.contains("revocation.verified"));
        QVERIFY(!events.contains(password));
        broker.stop();
    }

    // The console's demo: its own cluster where one can run (not as root), people who connect with their
    // logins, real sessions recorded; as root it refuses with the reason instead (and the demo simulates).
    void theDemoDatabaseRunsWhereItCan()
    {
        QTemporaryDir dir;
        QFile setup(QStringLiteral(LAPSE_SOURCE_DIR "/resources/postgresql/lapse-setup.sql"));
        QFile billing(QStringLiteral(LAPSE_SOURCE_DIR "/resources/postgresql/example-billing.sql"));
        QVERIFY(setup.open(QIODevice::ReadOnly) && billing.open(QIODevice::ReadOnly));
        auto db = DemoDatabase::start(
            dir.filePath(QStringLiteral("postgresql")), {setup.readAll(), billing.readAll()});
        if (::geteuid() == 0) {
            LAPSE_VERIFY_ERROR(db, ErrorCode::Unavailable, "root");
            return;
        }
        LAPSE_VERIFY_OK(db);
        // The demo's people (dave, svc-billing, agent-triage, grace) and approvers are the example
        // directory's.
        QFile example(QStringLiteral(LAPSE_SOURCE_DIR "/resources/directory.example.json"));
        QVERIFY(example.open(QIODevice::ReadOnly));
        auto full = Directory::fromJson(example.readAll());
        LAPSE_VERIFY_OK(full);
        Directory demo = full.value();
        demo.addTarget(db.value()->target());
        EngineConfig cfg;
        cfg.dataDir = dir.filePath(QStringLiteral("data"));
        cfg.directory = demo;
        cfg.sweepIntervalMs = 200;
        auto engine = Engine::open(std::move(cfg));
        LAPSE_VERIFY_OK(engine);
        auto enforcement = PgEnforcement::attach(*engine.value());
        LAPSE_VERIFY_OK(enforcement);
        db.value()->play(*engine.value(), 100);
        SessionFilter open;
        open.state = SessionState::Live;
        QTRY_VERIFY_WITH_TIMEOUT(!engine.value()->store().sessions(open).isEmpty(), 20000);
        for (const Session& s : engine.value()->store().sessions(open))
            QCOMPARE(s.resourceServer, QStringLiteral("target:billing-pg"));
        db.value().reset(); // its people disconnect, then its server stops
        enforcement.value().reset();
    }

    void aTargetThatIsDownBlocksApprovalAndLeavesTheEndPendingAcrossARestart()
    {
        auto [g, cred] = grantFor({QStringLiteral("read")});
        QVERIFY(!g.id.isEmpty());
        const QString conninfo = cred["login"].toObject()["conninfo"].toString();
        Conn a = connectWith(conninfo);
        QTRY_COMPARE_WITH_TIMEOUT(openSessions(g.id), 1, 5000);
        LAPSE_VERIFY_OK(m_cluster->stop());

        // Approval fails closed, with the reason; nothing is active.
        RequestInput in;
        in.target = QStringLiteral("pg-billing");
        in.privileges = {QStringLiteral("read")};
        in.ttlSeconds = 600;
        in.task = QStringLiteral("t");
        in.reason = QStringLiteral("r");
        auto d = m_engine->submitRequest(actor(m_directory, "alice"), in);
        LAPSE_VERIFY_OK(d);
        const int active = m_engine->activeGrantCount();
        LAPSE_VERIFY_ERROR(m_engine->approve(actor(m_directory, "bob"), d->request.id, {}),
            ErrorCode::Unavailable, "nothing was granted");
        QCOMPARE(m_engine->activeGrantCount(), active);
        QCOMPARE(m_engine->store().request(d->request.id)->status, RequestStatus::Pending);

        // Revocation ends Lapse's side at once; the target's side is pending, and says why.
        LAPSE_VERIFY_OK(m_engine->revoke(actor(m_directory, "bob"), g.id, QStringLiteral("leaver")));
        QTRY_VERIFY_WITH_TIMEOUT(!stored(g.id).enforcementDetail["error"].toString().isEmpty(), 10000);
        QCOMPARE(stored(g.id).enforcement, QStringLiteral("pending"));
        QCOMPARE(m_enforcement->summary().pending, 1);

        // The broker restarts while the target is still down, then the target comes back.
        close();
        LAPSE_VERIFY_OK(open());
        QCOMPARE(m_enforcement->summary().pending, 1);
        LAPSE_VERIFY_OK(m_cluster->startAgain());
        QTRY_COMPARE_WITH_TIMEOUT(stored(g.id).enforcement, QStringLiteral("verified"), 20000);
        QCOMPARE(m_enforcement->summary().pending, 0);
        QCOMPARE(openSessions(g.id), 0);
        QCOMPARE(PQstatus(connectWith(conninfo).get()), CONNECTION_BAD);
        // The provisioning connection from before the outage is replaced, not reused dead.
        auto [after, cred2] = grantFor({QStringLiteral("read")});
        QCOMPARE(after.enforcement, QStringLiteral("provisioned"));
        Conn fresh = connectWith(cred2["login"].toObject()["conninfo"].toString());
        QCOMPARE(PQstatus(fresh.get()), CONNECTION_OK);
        LAPSE_VERIFY_OK(m_engine->complete(actor(m_directory, "alice"), after.id));
        QTRY_COMPARE_WITH_TIMEOUT(stored(after.id).enforcement, QStringLiteral("verified"), 15000);
    }
};

QTEST_GUILESS_MAIN(TestPgEnforcement)
#include "TestPgEnforcement.moc"
