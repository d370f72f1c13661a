// Insights benchmark: ingest through the engine's normal write path (events, chain and rollups in one durable
// transaction per batch), then the metrics queries over what was written.
// Usage: bench_insights [--events N] [--keep DIR]
#include "core/Clock.h"
#include "domain/Directory.h"
#include "engine/Engine.h"
#include "metrics/Metrics.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QTemporaryDir>
#include <cstdio>

using namespace lapse;

namespace
{
double timeQuery(Engine& engine, const MetricsQuery& q, int* grants)
{
    QElapsedTimer t;
    t.start();
    auto m = computeMetrics(engine.store().connection(), engine.directory(), q, Clock::now());
    const double ms = t.nsecsElapsed() / 1e6;
    if (!m) {
        std::fprintf(stderr, "%s\n", qPrintable(m.error().message));
        std::exit(1);
    }
    *grants = m.value()["elevation_frequency"].toObject()["grants"].toInt();
    return ms;
}
} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int at = args.indexOf(QLatin1String("--events"));
    const qint64 total = at >= 0 ? args.value(at + 1).toLongLong() : 1000000;
    QTemporaryDir tmp;
    const int keepAt = args.indexOf(QLatin1String("--keep"));
    const QString dataDir = keepAt >= 0 ? args.value(keepAt + 1) : tmp.path();

    auto directory = Directory::load(QStringLiteral(LAPSE_SOURCE_DIR "/resources/directory.example.json"));
    EngineConfig cfg;
    cfg.dataDir = dataDir;
    cfg.directory = directory.value();
    cfg.sweepIntervalMs = 0;
    auto engine = Engine::open(std::move(cfg));
    if (!engine) {
        std::fprintf(stderr, "%s\n", qPrintable(engine.error().message));
        return 1;
    }
    const QStringList who {"ci-deploy", "svc-billing", "alice", "dave", "agent-7", "wl-etl", "agent-triage", "bob"};
    const QStringList targets {"prod-k8s", "billing-db", "ci-runners", "s3-exports", "orders-db", "kafka-admin"};
    // Grants every 2 s, ending at now: a million events span about five days, ten million about seven weeks.
    const qint64 grantsTotal = total / 5 + 1;
    const qint64 start = Clock::now() - grantsTotal * 2'000;
    // Five events per grant: activated, session opened, ended (expired, or now and then revoked or completed),
    // the session's end (after the grant's for one in seven), and a use after the end.
    QList<std::tuple<QString, QString, QString, QJsonObject>> batch;
    qint64 written = 0, grants = 0, ingestNs = 0;
    QElapsedTimer t;
    while (written < total) {
        const qint64 s = start + grants * 2'000;
        const QString id = QStringLiteral("grt_%1").arg(grants, 10, 10, QLatin1Char('0'));
        const QString sid = QStringLiteral("ses_%1").arg(grants, 10, 10, QLatin1Char('0'));
        const QString p = who[int(grants % who.size())], target = targets[int(grants % targets.size())];
        const bool narrowed = grants % 3 == 0;
        QJsonObject g {{"id", id}, {"principal", p}, {"target", target},
            {"privileges", narrowed ? QJsonArray {"read"} : QJsonArray {"read", "write"}},
            {"requested_privileges", QJsonArray {"read", "write", "ddl"}}, {"min_privileges", QJsonArray {"read"}},
            {"ttl_seconds", 900}, {"approvers", QJsonArray {"carol"}}, {"policy", "approval"}, {"break_glass", false},
            {"task", "nightly batch"}, {"reason", "scheduled"}, {"starts_at", Clock::toIso(s)},
            {"expires_at", Clock::toIso(s + 900'000)}, {"status", "active"}};
        batch.append({QStringLiteral("grant.activated"), QStringLiteral("carol"), id, g});
        batch.append({QStringLiteral("session.opened"), QStringLiteral("api-gw"), sid,
            QJsonObject {{"id", sid}, {"grant_id", id}, {"opened_at", Clock::toIso(s + 1000)}}});
        const int ending = int(grants % 10);
        const qint64 endMs = ending == 0 ? s + 300'000 : ending == 1 ? s + 420'000 : s + 900'000;
        g["status"] = ending == 0 ? QStringLiteral("revoked") : ending == 1 ? QStringLiteral("completed") : QStringLiteral("expired");
        g["ended_at"] = Clock::toIso(endMs);
        batch.append({ending == 0 ? QStringLiteral("grant.revoked") : ending == 1 ? QStringLiteral("grant.completed")
                                                                                  : QStringLiteral("grant.expired"),
            QStringLiteral("timer"), id, g});
        const bool lingers = grants % 7 == 0;
        batch.append({QStringLiteral("session.ended"), QStringLiteral("api-gw"), sid,
            QJsonObject {{"id", sid}, {"grant_id", id}, {"opened_at", Clock::toIso(s + 1000)},
                {"ended_at", Clock::toIso(endMs + (lingers ? 60'000 : 2'000))}, {"privileges_used", QJsonArray {"read"}}}});
        batch.append({QStringLiteral("credential.used_after_end"), QStringLiteral("api-gw"), id,
            QJsonObject {{"grant_id", id}, {"principal", p}, {"target", target}}});
        written += 5;
        ++grants;
        if (batch.size() >= 5000 || written >= total) {
            t.start(); // only the write path is timed, not building the bodies above
            if (const Status st = engine.value()->appendBatch(batch); !st) {
                std::fprintf(stderr, "append: %s\n", qPrintable(st.error().message));
                return 1;
            }
            ingestNs += t.nsecsElapsed();
            batch.clear();
        }
    }
    std::printf("ingest_events_per_s %.0f events/s\n", double(written) / (double(ingestNs) / 1e9));
    std::printf("events %lld events\n", static_cast<long long>(written));

    // One call computes all six metrics (each chart reads its part of the same answer): the whole history,
    // then a window with edges inside hours and a target filter.
    int n = 0;
    MetricsQuery all;
    const double allMs = timeQuery(*engine.value(), all, &n);
    for (const char* metric : {"elevation", "width", "lingering", "revocation", "duration", "completeness"})
        std::printf("query_ms_%s %.1f ms\n", metric, allMs);
    std::printf("grants_in_query %d grants\n", n);
    MetricsQuery window;
    window.fromMs = start + (grants * 2'000) / 3 + 1'234'567;
    window.toMs = start + (grants * 2'000) * 2 / 3 + 765'432;
    window.target = QStringLiteral("billing-db");
    std::printf("query_ms_window_target %.1f ms\n", timeQuery(*engine.value(), window, &n));
    std::printf("grants_in_window %d grants\n", n);
    return 0;
}
