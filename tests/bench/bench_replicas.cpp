// lapse-broker replicas on a shared PostgreSQL store, with the same run measuring both sides of each
// comparison:
//  - introspection through HAProxy (resources/haproxy/lapse-broker.cfg) with one replica behind it and with
//    two, alternately, and where the two cores went (each broker, HAProxy, PostgreSQL, this load generator);
//  - approve round trips on PostgreSQL and on SQLite;
//  - durable event appends (the Store's batch path, 1,000 events a commit) on PostgreSQL and on SQLite.
// Usage: bench_replicas [--seconds S] [--connections N] [--rounds R] [--approvals N] [--events N]
#include "BrokerProcess.h"
#include "HttpClient.h"
#include "TlsLoad.h"

#include "core/Clock.h"
#include "enforcement/PgCluster.h"
#include "engine/SqliteStore.h"
#include "pgstore/PgStore.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <cstdio>
#include <map>

using namespace lapse;
using namespace lapse::bench;
using lapse::testing::BrokerProcess;
using lapse::testing::HttpClient;

namespace
{
// CPU of every process whose name is `comm` (the PostgreSQL server's backends), in microseconds.
double cpuOfAll(const QByteArray& comm)
{
    double total = 0;
    for (const QString& pid : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool numeric = false;
        const qint64 n = pid.toLongLong(&numeric);
        if (!numeric)
            continue;
        QFile f(QStringLiteral("/proc/%1/comm").arg(pid));
        if (f.open(QIODevice::ReadOnly) && f.readAll().trimmed() == comm)
            total += cpuMicros(n);
    }
    return total;
}

bool copyFile(const QString& from, const QString& to)
{
    QFile::remove(to);
    return QFile::copy(from, to) && QFile::setPermissions(to, QFile::permissions(from));
}

std::unique_ptr<QProcess> haproxy(quint16 front, quint16 first, quint16 second)
{
    auto p = std::make_unique<QProcess>();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LAPSE_FRONT"), QStringLiteral("127.0.0.1:%1").arg(front));
    env.insert(QStringLiteral("LAPSE_BROKER1"), QStringLiteral("127.0.0.1:%1").arg(first));
    env.insert(QStringLiteral("LAPSE_BROKER2"), QStringLiteral("127.0.0.1:%1").arg(second));
    p->setProcessEnvironment(env);
    p->start(QStandardPaths::findExecutable(QStringLiteral("haproxy"), {QStringLiteral("/usr/sbin")}),
        {QStringLiteral("-db"), QStringLiteral("-f"),
            BrokerProcess::sourceFile(QStringLiteral("resources/haproxy/lapse-broker.cfg"))});
    if (!p->waitForStarted(10000))
        return nullptr;
    QThread::msleep(300); // its listener is up once it has read the configuration
    return p;
}

QByteArray token(HttpClient& http, const QByteArray& alice, const QByteArray& carol)
{
    const auto r = http.post(QStringLiteral("/v1/requests"), alice,
        QJsonObject {{"target", "payments-api"}, {"privileges", QJsonArray {"refunds:read"}},
            {"task", "bench"}, {"reason", "benchmark"}, {"ttl_seconds", 1800}});
    const QString id = r.json()["id"].toString();
    http.post(QStringLiteral("/v1/requests/%1/approve").arg(id), carol, {});
    return http.get(QStringLiteral("/v1/requests/") + id, alice)
        .json()["credential"]
        .toObject()["token"]
        .toString()
        .toLatin1();
}

std::vector<double> approvals(HttpClient& http, const QByteArray& alice, const QByteArray& carol, int n)
{
    std::vector<double> ms;
    for (int i = 0; i < n; ++i) {
        const auto r = http.post(QStringLiteral("/v1/requests"), alice,
            QJsonObject {{"target", "payments-api"}, {"privileges", QJsonArray {"refunds:read"}},
                {"task", "bench"}, {"reason", "benchmark"}, {"ttl_seconds", 600}});
        const QString id = r.json()["id"].toString();
        QElapsedTimer t;
        t.start();
        const auto a = http.post(QStringLiteral("/v1/requests/%1/approve").arg(id), carol, {});
        ms.push_back(t.nsecsElapsed() / 1e6);
        if (a.status != 200) {
            std::fprintf(stderr, "approve failed: %d %s\n", a.status, a.body.constData());
            return {};
        }
    }
    return ms;
}

// Durable appends through the Store's batch path: events a second over `events` events in commits of 1,000.
double appendRate(Store& s, int events)
{
    QList<NewEvent> batch;
    QList<QByteArray> bodies;
    for (int i = 0; i < 1000; ++i) {
        const QJsonObject body {{"grant_id", QStringLiteral("grt_%1").arg(i)}, {"principal", "svc-ci"},
            {"target", "prod-k8s"}, {"privileges", QJsonArray {"view"}}, {"n", i}};
        batch.append(
            {QStringLiteral("bench.event"), QStringLiteral("svc-ci"), QStringLiteral("s%1").arg(i), body});
        bodies << QJsonDocument(body).toJson(QJsonDocument::Compact);
    }
    QElapsedTimer t;
    t.start();
    for (int done = 0; done < events; done += 1000) {
        if (!s.begin() || !s.appendMany(batch, bodies, Clock::now()) || !s.commit()) {
            std::fprintf(stderr, "append failed on %s\n", qPrintable(s.location()));
            return 0;
        }
    }
    return events / (t.nsecsElapsed() / 1e9);
}
} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    auto arg = [&](const char* name, int fallback) {
        const int i = args.indexOf(QLatin1String(name));
        return i >= 0 && i + 1 < args.size() ? args.at(i + 1).toInt() : fallback;
    };
    const int seconds = arg("--seconds", 5), connections = arg("--connections", 16),
              rounds = arg("--rounds", 2);
    const int approveCount = arg("--approvals", 300), events = arg("--events", 50000);
    if (!PgCluster::unavailableReason().isEmpty()) {
        std::fprintf(stderr, "%s\n", qPrintable(PgCluster::unavailableReason()));
        return 1;
    }
    QTemporaryDir tmp;
    QFile::setPermissions(tmp.path(),
        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner | QFileDevice::ExeGroup
            | QFileDevice::ExeOther);
    auto cluster = PgCluster::start(tmp.filePath(QStringLiteral("pg")));
    if (!cluster) {
        std::fprintf(stderr, "%s\n", qPrintable(cluster.error().message));
        return 1;
    }
    PgCluster& pg = *cluster.value();
    const QString passfile = tmp.filePath(QStringLiteral("pgpass"));
    if (!pg.psql(QStringLiteral("CREATE ROLE lapse_broker LOGIN PASSWORD 'bench-secret'"))
        || !pg.psql(QStringLiteral("CREATE DATABASE lapse OWNER lapse_broker"))
        || !pg.psql(QStringLiteral("CREATE DATABASE appends OWNER lapse_broker"))
        || !PgCluster::writePassfile(passfile, pg.host(), pg.port(), QStringLiteral("*"),
            QStringLiteral("lapse_broker"), QStringLiteral("bench-secret"))) {
        std::fprintf(stderr, "cannot set up the database\n");
        return 1;
    }
    const auto conninfo = [&](const char* db) {
        return QStringLiteral("host=%1 port=%2 dbname=%3 user=lapse_broker passfile=%4")
            .arg(pg.host())
            .arg(pg.port())
            .arg(QLatin1String(db), passfile);
    };

    // Two replicas with the same identity.
    BrokerProcess::Options o;
    o.extraArgs = {QStringLiteral("--store"), conninfo("lapse")};
    BrokerProcess a(o);
    QString error;
    const QByteArray alice = a.createKey(QStringLiteral("alice"), &error);
    const QByteArray carol = a.createKey(QStringLiteral("carol"), &error);
    const QByteArray gateway = a.createKey(QStringLiteral("api-gw"), &error);
    if (gateway.isEmpty() || !a.start(&error)) {
        std::fprintf(stderr, "broker: %s\n", qPrintable(error));
        return 1;
    }
    QTemporaryDir bData;
    BrokerProcess::Options ob = o;
    ob.dataDir = bData.path();
    BrokerProcess b(ob);
    QDir().mkpath(bData.filePath(QStringLiteral("keys")));
    const QDir keys(QDir(a.dataDir()).filePath(QStringLiteral("keys")));
    for (const QString& f : keys.entryList(QDir::Files))
        copyFile(keys.filePath(f), bData.filePath(QStringLiteral("keys/") + f));
    copyFile(a.caFile(), b.caFile());
    copyFile(a.keyFile(), b.keyFile());
    if (!b.start(&error)) {
        std::fprintf(stderr, "broker: %s\n", qPrintable(error));
        return 1;
    }
    HttpClient http(a.url(), a.caFile());
    const QByteArray credential = token(http, alice, carol);
    const QByteArray request = introspectRequest(gateway, credential);
    if (const auto check = http.introspect(gateway, credential); !check.json()["active"].toBool()) {
        std::fprintf(stderr, "the benchmark's credential is not active: %d %s\n", check.status,
            check.body.constData());
        return 1;
    }

    // 1. Introspection through HAProxy: one replica behind it (both server lines on the first), then two.
    for (int round = 0; round < rounds; ++round) {
        for (int replicas : {1, 2}) {
            const quint16 front = BrokerProcess::freeLoopbackPort();
            auto proxy = haproxy(front, a.port(), replicas == 2 ? b.port() : a.port());
            if (!proxy)
                return 1;
            const double cpu0[] = {cpuMicros(a.pid()), cpuMicros(b.pid()), cpuMicros(proxy->processId()),
                cpuOfAll("postgres"), cpuMicros(QCoreApplication::applicationPid())};
            QElapsedTimer wall;
            wall.start();
            const LoadResult r = load(front, a.pid(), a.caFile(), request, connections, seconds);
            const double us = wall.nsecsElapsed() / 1e3;
            const double cpu1[] = {cpuMicros(a.pid()), cpuMicros(b.pid()), cpuMicros(proxy->processId()),
                cpuOfAll("postgres"), cpuMicros(QCoreApplication::applicationPid())};
            std::printf("haproxy_introspect_%d_replica_req_per_s %.0f req/s\n", replicas, r.perSecond);
            std::printf("haproxy_introspect_%d_replica_p99_ms %.3f ms\n", replicas, r.p99);
            std::printf("haproxy_introspect_%d_replica_errors %lld count\n", replicas,
                static_cast<long long>(r.errors));
            const char* names[] = {"broker1", "broker2", "haproxy", "postgres", "load"};
            for (int i = 0; i < 5; ++i)
                std::printf("haproxy_introspect_%d_replica_cpu_%s %.0f %%\n", replicas, names[i],
                    100.0 * (cpu1[i] - cpu0[i]) / us);
            std::fflush(stdout);
            proxy->terminate();
            proxy->waitForFinished();
        }
    }

    // 2. Approve round trips on PostgreSQL (a replica, its sibling idle) and on SQLite (a broker of its own).
    BrokerProcess sqlite;
    const QByteArray sAlice = sqlite.createKey(QStringLiteral("alice"), &error);
    const QByteArray sCarol = sqlite.createKey(QStringLiteral("carol"), &error);
    if (sCarol.isEmpty() || !sqlite.start(&error)) {
        std::fprintf(stderr, "broker: %s\n", qPrintable(error));
        return 1;
    }
    HttpClient sHttp(sqlite.url(), sqlite.caFile());
    for (int round = 0; round < rounds; ++round) {
        const auto onPg = approvals(http, alice, carol, approveCount);
        const auto onSqlite = approvals(sHttp, sAlice, sCarol, approveCount);
        if (onPg.empty() || onSqlite.empty())
            return 1;
        std::printf("approve_postgresql_p50_ms %.3f ms\n", percentile(onPg, 0.5));
        std::printf("approve_postgresql_p99_ms %.3f ms\n", percentile(onPg, 0.99));
        std::printf("approve_sqlite_p50_ms %.3f ms\n", percentile(onSqlite, 0.5));
        std::printf("approve_sqlite_p99_ms %.3f ms\n", percentile(onSqlite, 0.99));
        std::fflush(stdout);
    }
    sqlite.stop();
    a.stop();
    b.stop();

    // 3. Durable appends, the same batches on each store, alternately.
    auto pgStore = PgStore::open(conninfo("appends"));
    auto sqliteStore = SqliteStore::open(tmp.filePath(QStringLiteral("appends.db")));
    if (!pgStore || !sqliteStore) {
        std::fprintf(stderr, "cannot open the stores\n");
        return 1;
    }
    for (int round = 0; round < rounds; ++round) {
        const double onPg = appendRate(*pgStore.value(), events);
        const double onSqlite = appendRate(*sqliteStore.value(), events);
        std::printf("append_postgresql_events_per_s %.0f events/s\n", onPg);
        std::printf("append_sqlite_events_per_s %.0f events/s\n", onSqlite);
        std::printf("append_postgresql_to_sqlite_ratio %.2f ratio\n", onSqlite > 0 ? onPg / onSqlite : 0);
        std::fflush(stdout);
    }
    return 0;
}
