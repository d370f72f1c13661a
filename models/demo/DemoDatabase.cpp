// The demo's PostgreSQL and its users: real logins, real backends, real ends.
#include "DemoDatabase.h"

#include "core/Clock.h"
#include "enforcement/PgCluster.h"
#include "engine/Crypto.h"
#include "engine/Engine.h"

#include <QDir>
#include <QFile>
#include <libpq-fe.h>
#include <unistd.h>

namespace lapse
{

namespace
{
const QString kTarget = QStringLiteral("billing-pg");

// Who asks for what on billing-pg, who approves, and what they run.
struct Asker {
    const char* who;
    QStringList privileges;
    const char* task;
    const char* reason;
    const char* ticket;
    const char* approver;
};
const QList<Asker>& askers()
{
    static const QList<Asker> list {
        {"dave", {QStringLiteral("read")}, "Reconcile October invoices", "Finance close", "FIN-2402",
            "grace"},
        {"svc-billing", {QStringLiteral("read"), QStringLiteral("write")}, "Nightly invoice batch",
            "Batch writes invoice rows", "FIN-2291", "carol"},
        {"agent-triage", {QStringLiteral("read")}, "Find the failed payment run", "INC-3391 triage",
            "INC-3391", "bob"},
        {"grace", {QStringLiteral("read"), QStringLiteral("write")}, "Fix a mistyped invoice amount",
            "Customer complaint", "FIN-2417", "carol"},
    };
    return list;
}
} // namespace

struct DemoDatabase::Client {
    QString grantId;
    QString principal;
    std::vector<PGconn*> conns;
    qint64 closeAtMs = 0; // when the person is done; may be after the grant's end (the broker ends it then)
    ~Client()
    {
        for (PGconn* c : conns)
            PQfinish(c);
    }
};

QString DemoDatabase::unavailableReason()
{
    if (::geteuid() == 0)
        return tr("the console runs as root, and PostgreSQL refuses to run a server as root");
    return PgCluster::unavailableReason();
}

Result<std::unique_ptr<DemoDatabase>> DemoDatabase::start(const QString& dir, const Scripts& scripts)
{
    if (const QString why = unavailableReason(); !why.isEmpty())
        return makeError(ErrorCode::Unavailable, why);
    const bool fresh = !QFile::exists(dir + QStringLiteral("/pgdata/PG_VERSION"));
    auto cluster = PgCluster::start(dir);
    if (!cluster)
        return cluster.error();
    const QString passfile = dir + QStringLiteral("/broker.pgpass");
    QString password;
    if (QFile f(dir + QStringLiteral("/broker.pass")); f.open(QIODevice::ReadOnly))
        password = QString::fromLatin1(f.readAll().trimmed());
    if (fresh || password.isEmpty()) {
        password = QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(18)));
        if (auto s = cluster.value()->psql(QString::fromUtf8(scripts.brokerSetup), QStringLiteral("postgres"),
                {QStringLiteral("broker_password=") + password});
            !s)
            return s.error();
        auto db = cluster.value()->psql(
            QStringLiteral("SELECT 'CREATE DATABASE billing' WHERE NOT EXISTS "
                           "(SELECT FROM pg_database WHERE datname = 'billing') \\gexec"));
        if (!db)
            return db.error();
        if (auto b = cluster.value()->psql(QString::fromUtf8(scripts.billing), QStringLiteral("billing")); !b)
            return b.error();
        QFile f(dir + QStringLiteral("/broker.pass"));
        if (!f.open(QIODevice::WriteOnly))
            return makeError(ErrorCode::Internal, tr("cannot write %1").arg(f.fileName()));
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        f.write(password.toLatin1());
    }
    if (const Status s = PgCluster::writePassfile(passfile, cluster.value()->host(), cluster.value()->port(),
            QStringLiteral("billing"), QStringLiteral("lapse_broker"), password);
        !s)
        return s.error();
    return std::unique_ptr<DemoDatabase>(new DemoDatabase(std::move(cluster).value(), passfile));
}

DemoDatabase::DemoDatabase(std::unique_ptr<PgCluster> cluster, QString passfile)
    : m_cluster(std::move(cluster))
    , m_passfile(std::move(passfile))
{
    connect(&m_timer, &QTimer::timeout, this, &DemoDatabase::tick);
}

DemoDatabase::~DemoDatabase()
{
    m_timer.stop();
    m_clients.clear(); // the connections close before the server stops
}

Target DemoDatabase::target() const
{
    Target t;
    t.id = kTarget;
    t.kind = QStringLiteral("postgresql");
    t.description = tr("Billing PostgreSQL (the demo's own server, enforced)");
    t.owner = QStringLiteral("grace");
    t.privileges = {QStringLiteral("read"), QStringLiteral("write")};
    t.maxTtlSeconds = 3600;
    t.connection.host = m_cluster->host();
    t.connection.port = m_cluster->port();
    t.connection.database = QStringLiteral("billing");
    t.connection.user = QStringLiteral("lapse_broker");
    t.connection.passfile = m_passfile;
    t.connection.sslmode = QStringLiteral("disable");
    t.catalogue = {{QStringLiteral("read"), QStringLiteral("billing_read")},
        {QStringLiteral("write"), QStringLiteral("billing_write")}};
    t.connectionLimit = 10;
    return t;
}

void DemoDatabase::play(Engine& engine, int tickMs)
{
    m_engine = &engine;
    m_timer.start(tickMs);
    tick();
}

void DemoDatabase::tick()
{
    if (!m_engine)
        return;
    const qint64 now = Clock::now();
    // People finish: their connections close (the broker sees the backends go).
    for (auto it = m_clients.begin(); it != m_clients.end();) {
        Client& c = **it;
        const auto g = m_engine->store().grant(c.grantId);
        const bool ended = !g || g->status != GrantStatus::Active;
        if (now >= c.closeAtMs || (ended && c.conns.empty())) {
            it = m_clients.erase(it);
            continue;
        }
        for (PGconn* conn : c.conns) // some work while it lasts; a terminated backend just fails here
            if (PQstatus(conn) == CONNECTION_OK)
                PQclear(PQexec(conn, "SELECT count(*), sum(amount_cents) FROM invoices"));
        ++it;
    }
    // At most three people at a time; each asks, is approved, and connects one to three times.
    if (m_clients.size() >= 3 || m_rng.bounded(3) != 0)
        return;
    const Asker& a = askers()[int(m_rng.bounded(int(askers().size())))];
    const Principal* who = m_engine->directory().principal(QString::fromLatin1(a.who));
    const Principal* approver = m_engine->directory().principal(QString::fromLatin1(a.approver));
    if (!who || !approver || m_engine->isLockedOut(who->id))
        return;
    for (const auto& c : m_clients)
        if (c->principal == who->id)
            return;
    RequestInput in;
    in.target = kTarget;
    in.privileges = a.privileges;
    in.ttlSeconds = 90 + int(m_rng.bounded(120));
    in.task = QString::fromLatin1(a.task);
    in.reason = QString::fromLatin1(a.reason);
    in.ticket = QString::fromLatin1(a.ticket);
    auto d = m_engine->submitRequest(*who, in);
    if (!d)
        return;
    auto ok = m_engine->approve(*approver, d->request.id, {});
    if (!ok || !ok->grant)
        return;
    auto cred = m_engine->credential(*who, d->request.id);
    if (!cred)
        return;
    const QByteArray conninfo = cred->value(QStringLiteral("login"))
                                    .toObject()
                                    .value(QStringLiteral("conninfo"))
                                    .toString()
                                    .toUtf8();
    auto client = std::make_unique<Client>();
    client->grantId = ok->grant->id;
    client->principal = who->id;
    const int n = 1 + int(m_rng.bounded(3));
    for (int i = 0; i < n; ++i) {
        PGconn* c = PQconnectdb(conninfo.constData());
        if (PQstatus(c) == CONNECTION_OK)
            client->conns.push_back(c);
        else
            PQfinish(c);
    }
    // Most are done early; about one in four is still connected when the grant ends and is cut off.
    const qint64 ttlMs = qint64(in.ttlSeconds) * 1000;
    client->closeAtMs
        = m_rng.bounded(4) == 0 ? now + ttlMs + 60'000 : now + ttlMs * (30 + m_rng.bounded(50)) / 100;
    m_clients.push_back(std::move(client));
}

} // namespace lapse
