// Insights benchmark: ingest through the engine's normal write path (events, chain and rollups in one durable
// transaction per batch), then the metrics queries over what was written.
// Usage: bench_insights [--events N] [--keep DIR]
#include "SyntheticHistory.h"
#include "core/Clock.h"
#include "domain/Directory.h"
#include "engine/Engine.h"
#include "metrics/Metrics.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <cstdio>

using namespace lapse;

namespace
{
double timeQuery(Engine& engine, const MetricsQuery& q, int* grants)
{
    QElapsedTimer t;
    t.start();
    auto m = computeMetrics(engine.store(), engine.directory(), q, Clock::now());
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
    bench::SyntheticHistory history;
    if (!bench::writeSyntheticHistory(*engine.value(), total, &history))
        return 1;
    const qint64 start = history.startMs, grants = history.grants, written = history.events;
    std::printf("ingest_events_per_s %.0f events/s\n", double(written) / history.ingestSeconds);
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
