// Broker benchmarks over real TLS on loopback: introspection throughput and latency with keep-alive
// (against a do-nothing QHttpServer baseline on the same machine), approve round trips, and revoke taking
// effect at the very next introspection.
// The broker runs with --workers W HTTP threads (default: the broker's), and once more with none (everything
// on the engine's thread) for a same-run comparison; the baseline runs on one thread and on W threads. Usage:
// bench_broker [--seconds S] [--connections N] [--approvals N] [--cycles N] [--workers W]
//        bench_broker --baseline-server PORT CERT KEY THREADS   (internal: the do-nothing server)
#include "BrokerProcess.h"
#include "HttpClient.h"
#include "TlsLoad.h"
#include "http/ThreadedHttpListener.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QHttpServer>
#include <QHttpServerResponse>
#include <QJsonArray>
#include <QProcess>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QThread>
#include <QTimer>
#include <QUrlQuery>
#include <algorithm>
#include <cstdio>
#include <unistd.h>
#include <vector>

using lapse::testing::BrokerProcess;
using lapse::testing::HttpClient;
using namespace lapse::bench;

namespace
{

std::unique_ptr<QHttpServer> doNothingServer()
{
    auto server = std::make_unique<QHttpServer>();
    server->route(QStringLiteral("/v1/introspect"), [] {
        return QHttpServerResponse(QJsonObject {{"active", true}});
    });
    return server;
}

int baselineServer(const QStringList& args)
{
    QFile keyFile(args.value(4));
    keyFile.open(QIODevice::ReadOnly);
    const QSslCertificate cert = QSslCertificate::fromPath(args.value(3)).value(0);
    const QSslKey key(keyFile.readAll(), QSsl::Ec);
    const quint16 port = quint16(args.value(2).toUInt());
    const int threads = args.value(5).toInt();
    // 0 threads: one QHttpServer on the main thread; otherwise the broker's own threaded listener.
    std::unique_ptr<QHttpServer> single;
    std::unique_ptr<lapse::ThreadedHttpListener> threaded;
    if (threads == 0) {
        single = doNothingServer();
        single->sslSetup(cert, key);
        if (!single->listen(QHostAddress::LocalHost, port))
            return 1;
    } else {
        QSslConfiguration conf;
        conf.setLocalCertificate(cert);
        conf.setPrivateKey(key);
        threaded = std::make_unique<lapse::ThreadedHttpListener>(
            threads, []() -> std::unique_ptr<QAbstractHttpServer> { return doNothingServer(); }, conf);
        if (!threaded->start(QHostAddress::LocalHost, port))
            return 1;
    }
    std::printf("listening on\n");
    std::fflush(stdout);
    return QCoreApplication::exec();
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.value(1) == QLatin1String("--baseline-server"))
        return baselineServer(args);
    auto arg = [&](const char* name, int fallback) {
        const int i = args.indexOf(QLatin1String(name));
        return i >= 0 && i + 1 < args.size() ? args.at(i + 1).toInt() : fallback;
    };
    const int seconds = arg("--seconds", 5), connections = arg("--connections", 16);
    const int approvals = arg("--approvals", 300), cycles = arg("--cycles", 200);
    const int workers = arg("--workers", qMax(1, QThread::idealThreadCount() - 1)); // lapse-broker's default

    BrokerProcess broker;
    broker.setWorkers(workers);
    QString error;
    const QByteArray alice = broker.createKey(QStringLiteral("alice"), &error);
    const QByteArray carol = broker.createKey(QStringLiteral("carol"), &error);
    const QByteArray gateway = broker.createKey(QStringLiteral("api-gw"), &error);
    if (gateway.isEmpty() || !broker.start(&error)) {
        std::fprintf(stderr, "broker: %s\n", qPrintable(error));
        return 1;
    }
    HttpClient http(broker.url(), broker.caFile());
    auto grantToken = [&](int ttl) -> std::pair<QString, QByteArray> {
        const auto r = http.post(QStringLiteral("/v1/requests"), alice,
            QJsonObject {{"target", "payments-api"}, {"privileges", QJsonArray {"refunds:read"}},
                {"task", "bench"}, {"reason", "benchmark"}, {"ttl_seconds", ttl}});
        const QString id = r.json()["id"].toString();
        const auto a = http.post(QStringLiteral("/v1/requests/%1/approve").arg(id), carol, {});
        const QString grant = a.json()["grant"].toObject()["id"].toString();
        return {grant,
            http.get(QStringLiteral("/v1/requests/") + id, alice)
                .json()["credential"]
                .toObject()["token"]
                .toString()
                .toLatin1()};
    };

    // 1. Introspection throughput, broker and baseline.
    const auto [grantId, token] = grantToken(1800);
    if (token.isEmpty()) {
        std::fprintf(stderr, "no credential\n");
        return 1;
    }
    const LoadResult intro = load(broker.port(), broker.pid(), broker.caFile(),
        introspectRequest(gateway, token), connections, seconds);
    std::printf("introspect_req_per_s %.0f req/s\n", intro.perSecond);
    std::printf("introspect_p50_ms %.3f ms\n", intro.p50);
    std::printf("introspect_p99_ms %.3f ms\n", intro.p99);
    std::printf("introspect_errors %lld count\n", static_cast<long long>(intro.errors));
    std::printf("introspect_server_cpu_us %.1f us/req\n", intro.serverCpuUs);
    std::printf("introspect_client_cpu_us %.1f us/req\n", intro.clientCpuUs);
    std::printf("introspect_connections %d count\n", connections);
    std::printf("introspect_workers %d count\n", workers);
    std::fflush(stdout);

    auto baseline = [&](int threads, const char* name) {
        QProcess server;
        const quint16 port = BrokerProcess::freeLoopbackPort();
        const QString keyFile = QFileInfo(broker.caFile()).absolutePath() + QStringLiteral("/key.pem");
        server.start(QCoreApplication::applicationFilePath(),
            {QStringLiteral("--baseline-server"), QString::number(port), broker.caFile(), keyFile,
                QString::number(threads)});
        server.waitForReadyRead(10000);
        const LoadResult base = load(port, server.processId(), broker.caFile(),
            introspectRequest(gateway, token), connections, seconds);
        std::printf("%s_req_per_s %.0f req/s\n", name, base.perSecond);
        std::printf("%s_p99_ms %.3f ms\n", name, base.p99);
        std::printf("%s_server_cpu_us %.1f us/req\n", name, base.serverCpuUs);
        std::printf("%s_client_cpu_us %.1f us/req\n", name, base.clientCpuUs);
        std::fflush(stdout);
        server.kill();
        server.waitForFinished();
    };
    baseline(0, "baseline_tls");
    if (workers > 0)
        baseline(workers, "baseline_tls_threaded");

    // 2. Approve round trips (each durable before it is answered).
    std::vector<double> approveMs;
    for (int i = 0; i < approvals; ++i) {
        const auto r = http.post(QStringLiteral("/v1/requests"), alice,
            QJsonObject {{"target", "payments-api"}, {"privileges", QJsonArray {"refunds:read"}},
                {"task", "bench"}, {"reason", "benchmark"}, {"ttl_seconds", 600}});
        const QString id = r.json()["id"].toString();
        QElapsedTimer t;
        t.start();
        const auto a = http.post(QStringLiteral("/v1/requests/%1/approve").arg(id), carol, {});
        approveMs.push_back(t.nsecsElapsed() / 1e6);
        if (a.status != 200) {
            std::fprintf(stderr, "approve failed: %d %s\n", a.status, a.body.constData());
            return 1;
        }
    }
    std::printf("approve_p50_ms %.3f ms\n", percentile(approveMs, 0.5));
    std::printf("approve_p99_ms %.3f ms\n", percentile(approveMs, 0.99));

    // 3. Revoke, then the very next introspection: never active.
    int failures = 0;
    for (int i = 0; i < cycles; ++i) {
        const auto [g, t] = grantToken(600);
        if (!http.introspect(gateway, t).json()["active"].toBool())
            ++failures; // must be active before the revoke
        http.post(QStringLiteral("/v1/grants/%1/revoke").arg(g), carol, QJsonObject {{"reason", "bench"}});
        if (http.introspect(gateway, t).json()["active"].toBool(true))
            ++failures;
    }
    std::printf("revoke_then_inactive_failures %d count\n", failures);
    std::printf("revoke_cycles %d count\n", cycles);

    // 4. The same introspection load with every request on the engine's thread (no workers), for comparison.
    if (workers > 0) {
        broker.stop();
        broker.setWorkers(0);
        if (!broker.start(&error)) {
            std::fprintf(stderr, "broker: %s\n", qPrintable(error));
            return 1;
        }
        const LoadResult single = load(broker.port(), broker.pid(), broker.caFile(),
            introspectRequest(gateway, token), connections, seconds);
        std::printf("introspect_single_thread_req_per_s %.0f req/s\n", single.perSecond);
        std::printf("introspect_single_thread_p99_ms %.3f ms\n", single.p99);
        std::printf("introspect_single_thread_server_cpu_us %.1f us/req\n", single.serverCpuUs);
    }
    broker.stop();
    return 0;
}
