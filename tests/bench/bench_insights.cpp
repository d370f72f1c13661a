// Insights benchmark: ingest through the engine's normal write path, then the metrics query over it.
// Usage: bench_insights [--events N]
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

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int at = args.indexOf(QLatin1String("--events"));
    const qint64 total = at >= 0 ? args.value(at + 1).toLongLong() : 200000;

    QTemporaryDir dir;
    auto directory = Directory::load(QStringLiteral(LAPSE_SOURCE_DIR "/resources/directory.example.json"));
    EngineConfig cfg;
    cfg.dataDir = dir.path();
    cfg.directory = directory.value();
    cfg.sweepIntervalMs = 0;
    auto engine = Engine::open(std::move(cfg));
    if (!engine) {
        std::fprintf(stderr, "%s\n", qPrintable(engine.error().message));
        return 1;
    }
    const QStringList who {"ci-deploy", "svc-billing", "alice", "dave", "agent-7", "wl-etl", "agent-triage", "bob"};
    const QStringList targets {"prod-k8s", "billing-db", "ci-runners", "s3-exports", "orders-db", "kafka-admin"};
    const qint64 start = Clock::now() - 30LL * 86'400'000;
    // Five events per grant: activated, session opened, session ended, grant ended, and now and then a use
    // after the end in place of the session end.
    QList<std::tuple<QString, QString, QString, QJsonObject>> batch;
    qint64 written = 0, grants = 0;
    QElapsedTimer t;
    t.start();
    while (written < total) {
        const qint64 s = start + grants * 2'000;
        const QString id = QStringLiteral("grt_%1").arg(grants, 10, 10, QLatin1Char('0'));
        const QString sid = QStringLiteral("ses_%1").arg(grants, 10, 10, QLatin1Char('0'));
        const QString p = who[int(grants % who.size())], target = targets[int(grants % targets.size())];
        QJsonObject g {{"id", id}, {"principal", p}, {"target", target}, {"privileges", QJsonArray {"read", "write"}},
            {"requested_privileges", QJsonArray {"read", "write", "ddl"}}, {"min_privileges", QJsonArray {"read"}},
            {"ttl_seconds", 900}, {"approvers", QJsonArray {"carol"}}, {"policy", "approval"}, {"break_glass", false},
            {"task", "nightly batch"}, {"reason", "scheduled"}, {"starts_at", Clock::toIso(s)},
            {"expires_at", Clock::toIso(s + 900'000)}, {"status", "active"}};
        batch.append({QStringLiteral("grant.activated"), QStringLiteral("carol"), id, g});
        batch.append({QStringLiteral("session.opened"), QStringLiteral("api-gw"), sid,
            QJsonObject {{"id", sid}, {"grant_id", id}, {"opened_at", Clock::toIso(s + 1000)}}});
        g["status"] = QStringLiteral("expired");
        g["ended_at"] = Clock::toIso(s + 900'000);
        batch.append({QStringLiteral("grant.expired"), QStringLiteral("timer"), id, g});
        const bool lingers = grants % 7 == 0;
        batch.append({QStringLiteral("session.ended"), QStringLiteral("api-gw"), sid,
            QJsonObject {{"id", sid}, {"grant_id", id}, {"opened_at", Clock::toIso(s + 1000)},
                {"ended_at", Clock::toIso(s + (lingers ? 960'000 : 600'000))}, {"privileges_used", QJsonArray {"read"}}}});
        batch.append({QStringLiteral("credential.used_after_end"), QStringLiteral("api-gw"), id,
            QJsonObject {{"grant_id", id}, {"principal", p}, {"target", target}}});
        written += 5;
        ++grants;
        if (batch.size() >= 5000 || written >= total) {
            if (const Status st = engine.value()->appendBatch(batch); !st) {
                std::fprintf(stderr, "append: %s\n", qPrintable(st.error().message));
                return 1;
            }
            batch.clear();
        }
    }
    std::printf("ingest_events_per_s %.0f events/s\n", written / (t.nsecsElapsed() / 1e9));
    std::printf("events %lld events\n", static_cast<long long>(written));

    // One pass computes every metric; each chart's query is that pass (no per-metric rollups yet).
    MetricsQuery q;
    t.restart();
    auto m = computeMetrics(engine.value()->store().connection(), engine.value()->directory(), q, Clock::now());
    const double ms = t.nsecsElapsed() / 1e6;
    if (!m) {
        std::fprintf(stderr, "%s\n", qPrintable(m.error().message));
        return 1;
    }
    for (const char* metric : {"elevation", "width", "lingering", "revocation", "duration", "completeness"})
        std::printf("query_ms_%s %.0f ms\n", metric, ms);
    std::printf("grants_in_query %d grants\n", m.value()["elevation_frequency"].toObject()["grants"].toInt());
    return 0;
}
