// A real PostgreSQL server from PgCluster, set up with resources/postgresql/: the broker's role has exactly
// its privileges, SCRAM over loopback refuses a wrong password, a privilege role reaches its tables and no
// others, and the server stops, starts again and stops with its owner.
#include "enforcement/PgCluster.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <libpq-fe.h>
#include <memory>
#include <unistd.h>

using lapse::PgCluster;

namespace
{

struct ConnDeleter {
    void operator()(PGconn* c) const { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;

struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

const QString kSetupScript = QStringLiteral(LAPSE_SOURCE_DIR "/resources/postgresql/lapse-setup.sql");
const QString kBillingScript = QStringLiteral(LAPSE_SOURCE_DIR "/resources/postgresql/example-billing.sql");
// ':' and '\' exercise the passfile's escaping.
const QString kBrokerPassword = QStringLiteral("br0ker:pass\\word");

// A libpq connection over 127.0.0.1 with either a passfile or a password (never ~/.pgpass).
Conn connectTcp(int port, const QString& database, const QString& user, const QString& passfile,
    const QString& password = {})
{
    const QByteArray portText = QByteArray::number(port), db = database.toUtf8(), u = user.toUtf8(),
                     pf = passfile.isEmpty() ? QByteArray("/nonexistent/pgpass") : passfile.toUtf8(),
                     pw = password.toUtf8();
    const char* keys[] = {"host", "port", "dbname", "user", "passfile", "sslmode", "connect_timeout",
        password.isEmpty() ? nullptr : "password", nullptr};
    const char* values[] = {"127.0.0.1", portText.constData(), db.constData(), u.constData(), pf.constData(),
        "disable", "5", pw.constData(), nullptr};
    return Conn(PQconnectdbParams(keys, values, 0));
}

PgResult exec(const Conn& conn, const char* sql)
{
    return PgResult(PQexec(conn.get(), sql));
}

QString sqlState(const PgResult& r)
{
    return QString::fromLatin1(PQresultErrorField(r.get(), PG_DIAG_SQLSTATE));
}

} // namespace

class TestPgCluster : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_clock.start();
        const QString reason = PgCluster::unavailableReason();
        if (!reason.isEmpty())
            QSKIP(qPrintable(reason));
        QVERIFY(m_tmp.isValid());
        // QTemporaryDir is 0700; as root the server runs as postgres, which must pass through it (start()
        // does not loosen permissions of directories it did not create, it only names the one in the way).
        if (::geteuid() == 0) {
            const auto refused = PgCluster::start(m_tmp.filePath(QStringLiteral("pg")));
            QVERIFY(!refused.ok());
            QCOMPARE(refused.error().code, lapse::ErrorCode::Unavailable);
            QVERIFY2(refused.error().message.contains(m_tmp.path()), qPrintable(refused.error().message));
            QVERIFY(QFile::setPermissions(m_tmp.path(),
                QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ExeGroup | QFile::ExeOther));
        }

        auto started = PgCluster::start(m_tmp.filePath(QStringLiteral("pg")));
        QVERIFY2(started.ok(), started.ok() ? "" : qPrintable(started.error().message));
        m_cluster = std::move(started).value();
        QVERIFY(m_cluster->isRunning());
        QVERIFY(m_cluster->port() > 0);
        QCOMPARE(m_cluster->host(), QStringLiteral("127.0.0.1"));
        QCOMPARE(QFile::permissions(m_tmp.filePath(QStringLiteral("pg/superuser.pass")))
                & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
            QFile::Permissions());

        const auto setup = m_cluster->psqlFile(
            kSetupScript, QStringLiteral("postgres"), {QStringLiteral("broker_password=") + kBrokerPassword});
        QVERIFY2(setup.ok(), setup.ok() ? "" : qPrintable(setup.error().message));
        // The setup script is idempotent: a second run changes nothing and does not fail.
        const auto again = m_cluster->psqlFile(kSetupScript);
        QVERIFY2(again.ok(), again.ok() ? "" : qPrintable(again.error().message));
        const auto created = m_cluster->psql(QStringLiteral("CREATE DATABASE billing"));
        QVERIFY2(created.ok(), created.ok() ? "" : qPrintable(created.error().message));
        const auto billing = m_cluster->psqlFile(kBillingScript, QStringLiteral("billing"));
        QVERIFY2(billing.ok(), billing.ok() ? "" : qPrintable(billing.error().message));

        m_passfile = m_tmp.filePath(QStringLiteral("broker.pgpass"));
        const auto written = PgCluster::writePassfile(m_passfile, m_cluster->host(), m_cluster->port(),
            QStringLiteral("*"), QStringLiteral("lapse_broker"), kBrokerPassword);
        QVERIFY2(written.ok(), written.ok() ? "" : qPrintable(written.error().message));
        QCOMPARE(
            QFile::permissions(m_passfile) & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
    }

    void psqlReportsErrorsAndInterpolatesVariables()
    {
        const auto out = m_cluster->psql(QStringLiteral("\\pset tuples_only on\nSELECT :'greeting' || '!';"),
            QStringLiteral("postgres"), {QStringLiteral("greeting=it's")});
        QVERIFY2(out.ok(), out.ok() ? "" : qPrintable(out.error().message));
        QCOMPARE(out->trimmed(), QByteArray("it's!"));
        const auto bad = m_cluster->psql(QStringLiteral("SELECT * FROM no_such_table;"));
        QVERIFY(!bad.ok());
        QVERIFY2(
            bad.error().message.contains(QLatin1String("no_such_table")), qPrintable(bad.error().message));
    }

    void brokerRoleHasExactlyItsPrivileges()
    {
        Conn broker = connectTcp(
            m_cluster->port(), QStringLiteral("postgres"), QStringLiteral("lapse_broker"), m_passfile);
        QVERIFY2(PQstatus(broker.get()) == CONNECTION_OK, PQerrorMessage(broker.get()));
        PgResult attrs = exec(broker,
            "SELECT rolcanlogin, rolcreaterole, rolinherit, rolsuper, rolcreatedb, rolreplication, "
            "rolbypassrls "
            "FROM pg_roles WHERE rolname = current_user");
        QCOMPARE(PQresultStatus(attrs.get()), PGRES_TUPLES_OK);
        QCOMPARE(PQntuples(attrs.get()), 1);
        const char* expected[] = {"t", "t", "t", "f", "f", "f", "f"};
        for (int i = 0; i < 7; ++i)
            QVERIFY2(qstrcmp(PQgetvalue(attrs.get(), 0, i), expected[i]) == 0, PQfname(attrs.get(), i));

        PgResult groups = exec(broker,
            "SELECT string_agg(g.rolname, ',' ORDER BY g.rolname) FROM pg_auth_members m "
            "JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = "
            "current_user)");
        QCOMPARE(PQresultStatus(groups.get()), PGRES_TUPLES_OK);
        QCOMPARE(
            QByteArray(PQgetvalue(groups.get(), 0, 0)), QByteArray("pg_read_all_stats,pg_signal_backend"));
    }

    void setupRefusesABrokerRoleWithMore()
    {
        const auto extra = m_cluster->psql(
            QStringLiteral("CREATE ROLE extra_group NOLOGIN; GRANT extra_group TO lapse_broker;"));
        QVERIFY2(extra.ok(), extra.ok() ? "" : qPrintable(extra.error().message));
        const auto refused = m_cluster->psqlFile(kSetupScript);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.contains(QLatin1String("also a member of extra_group")),
            qPrintable(refused.error().message));
        const auto cleaned = m_cluster->psql(QStringLiteral("DROP ROLE extra_group;"));
        QVERIFY2(cleaned.ok(), cleaned.ok() ? "" : qPrintable(cleaned.error().message));
        const auto accepted = m_cluster->psqlFile(kSetupScript);
        QVERIFY2(accepted.ok(), accepted.ok() ? "" : qPrintable(accepted.error().message));
    }

    void wrongPasswordIsRefused()
    {
        Conn wrong = connectTcp(m_cluster->port(), QStringLiteral("postgres"), QStringLiteral("lapse_broker"),
            {}, QStringLiteral("not-the-password"));
        QCOMPARE(PQstatus(wrong.get()), CONNECTION_BAD);
        QVERIFY2(QByteArray(PQerrorMessage(wrong.get())).contains("password authentication failed"),
            PQerrorMessage(wrong.get()));
        // The superuser's trust is for the private socket only; over TCP it needs its password too.
        Conn super = connectTcp(m_cluster->port(), QStringLiteral("postgres"), QStringLiteral("postgres"), {},
            QStringLiteral("x"));
        QCOMPARE(PQstatus(super.get()), CONNECTION_BAD);
        Conn superOk = connectTcp(m_cluster->port(), QStringLiteral("postgres"), QStringLiteral("postgres"),
            {}, m_cluster->superPassword());
        QVERIFY2(PQstatus(superOk.get()) == CONNECTION_OK, PQerrorMessage(superOk.get()));
    }

    void grantedRoleReachesItsTablesOnlyAndCanBeTerminated()
    {
        // What the broker will do per grant: a login role, member of the catalogue's privilege role.
        Conn broker = connectTcp(
            m_cluster->port(), QStringLiteral("billing"), QStringLiteral("lapse_broker"), m_passfile);
        QVERIFY2(PQstatus(broker.get()) == CONNECTION_OK, PQerrorMessage(broker.get()));
        PgResult created
            = exec(broker, "CREATE ROLE lapse_g_test LOGIN PASSWORD 'grant-pass' IN ROLE billing_read");
        QVERIFY2(PQresultStatus(created.get()) == PGRES_COMMAND_OK, PQresultErrorMessage(created.get()));

        Conn user = connectTcp(m_cluster->port(), QStringLiteral("billing"), QStringLiteral("lapse_g_test"),
            {}, QStringLiteral("grant-pass"));
        QVERIFY2(PQstatus(user.get()) == CONNECTION_OK, PQerrorMessage(user.get()));
        PgResult invoices = exec(user, "SELECT count(*) FROM invoices");
        QVERIFY2(PQresultStatus(invoices.get()) == PGRES_TUPLES_OK, PQresultErrorMessage(invoices.get()));
        QCOMPARE(QByteArray(PQgetvalue(invoices.get(), 0, 0)), QByteArray("3"));
        PgResult audit = exec(user, "SELECT * FROM audit_trail");
        QCOMPARE(PQresultStatus(audit.get()), PGRES_FATAL_ERROR);
        QCOMPARE(sqlState(audit), QStringLiteral("42501"));
        PgResult write = exec(user, "UPDATE invoices SET status = 'void'");
        QCOMPARE(sqlState(write), QStringLiteral("42501"));

        // pg_read_all_stats: the broker sees the session; pg_signal_backend: it may end it.
        PgResult seen = exec(broker,
            "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'lapse_g_test'");
        QVERIFY2(PQresultStatus(seen.get()) == PGRES_TUPLES_OK, PQresultErrorMessage(seen.get()));
        QCOMPARE(PQntuples(seen.get()), 1);
        QCOMPARE(QByteArray(PQgetvalue(seen.get(), 0, 0)), QByteArray::number(PQbackendPID(user.get())));
        QCOMPARE(QByteArray(PQgetvalue(seen.get(), 0, 1)), QByteArray("t"));
        PgResult afterKill = exec(user, "SELECT 1");
        QVERIFY(PQresultStatus(afterKill.get()) != PGRES_TUPLES_OK);

        PgResult dropped = exec(broker, "DROP ROLE lapse_g_test");
        QVERIFY2(PQresultStatus(dropped.get()) == PGRES_COMMAND_OK, PQresultErrorMessage(dropped.get()));
        Conn refused = connectTcp(m_cluster->port(), QStringLiteral("billing"),
            QStringLiteral("lapse_g_test"), {}, QStringLiteral("grant-pass"));
        QCOMPARE(PQstatus(refused.get()), CONNECTION_BAD);
    }

    void takenPortFailsWithTheServerLog()
    {
        const auto second = PgCluster::start(m_tmp.filePath(QStringLiteral("second")), m_cluster->port());
        QVERIFY(!second.ok());
        QCOMPARE(second.error().code, lapse::ErrorCode::Unavailable);
        // pg_ctl only says the server did not start; the reason is in the log's tail, carried in the message.
        QVERIFY2(second.error().message.contains(QLatin1String("already in use")),
            qPrintable(second.error().message));
        QVERIFY(m_cluster->isRunning());
    }

    void stopRefusesAndStartAgainServes()
    {
        const int port = m_cluster->port();
        const auto stopped = m_cluster->stop();
        QVERIFY2(stopped.ok(), stopped.ok() ? "" : qPrintable(stopped.error().message));
        QVERIFY(!m_cluster->isRunning());
        Conn down = connectTcp(port, QStringLiteral("billing"), QStringLiteral("lapse_broker"), m_passfile);
        QCOMPARE(PQstatus(down.get()), CONNECTION_BAD);
        const auto viaPsql = m_cluster->psql(QStringLiteral("SELECT 1"));
        QVERIFY(!viaPsql.ok());
        QCOMPARE(viaPsql.error().code, lapse::ErrorCode::Unavailable);

        const auto again = m_cluster->startAgain();
        QVERIFY2(again.ok(), again.ok() ? "" : qPrintable(again.error().message));
        QCOMPARE(m_cluster->port(), port);
        Conn up = connectTcp(port, QStringLiteral("billing"), QStringLiteral("lapse_broker"), m_passfile);
        QVERIFY2(PQstatus(up.get()) == CONNECTION_OK, PQerrorMessage(up.get()));
    }

    void destructorStopsAndStartReusesTheData()
    {
        const int port = m_cluster->port();
        const QString password = m_cluster->superPassword();
        m_cluster.reset();
        QTcpSocket socket;
        socket.connectToHost(QStringLiteral("127.0.0.1"), quint16(port));
        QVERIFY(!socket.waitForConnected(3000));
        QCOMPARE(socket.error(), QAbstractSocket::ConnectionRefusedError);

        // Same directory: no initdb, the same superuser password, the billing data still there.
        auto restarted = PgCluster::start(m_tmp.filePath(QStringLiteral("pg")));
        QVERIFY2(restarted.ok(), restarted.ok() ? "" : qPrintable(restarted.error().message));
        m_cluster = std::move(restarted).value();
        QCOMPARE(m_cluster->superPassword(), password);
        const auto count
            = m_cluster->psql(QStringLiteral("SELECT count(*) FROM payments"), QStringLiteral("billing"), {});
        QVERIFY2(count.ok(), count.ok() ? "" : qPrintable(count.error().message));
        QVERIFY2(count->contains('1'), count->constData());
        const int newPort = m_cluster->port();
        m_cluster.reset();
        QTcpSocket again;
        again.connectToHost(QStringLiteral("127.0.0.1"), quint16(newPort));
        QVERIFY(!again.waitForConnected(3000));
    }

    void cleanupTestCase()
    {
        m_cluster.reset();
        QVERIFY2(m_clock.elapsed() < 60000, qPrintable(QString::number(m_clock.elapsed())));
    }

private:
    QElapsedTimer m_clock;
    QTemporaryDir m_tmp;
    std::unique_ptr<PgCluster> m_cluster; // after m_tmp: stopped before its directory goes
    QString m_passfile;
};

QTEST_GUILESS_MAIN(TestPgCluster)
#include "TestPgCluster.moc"
