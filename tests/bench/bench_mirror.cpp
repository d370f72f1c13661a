// Mirror catch-up: a lapse-broker over TLS on loopback holds a synthetic history; a console-side mirror
// follows it from the start (verifying the chain, writing its own store and rollups) until it has all of it.
// Usage: bench_mirror [--events N]
#include "BrokerProcess.h"
#include "SyntheticHistory.h"

#include "backend/Mirror.h"
#include "backend/RemoteBackend.h"
#include "domain/Directory.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTimer>
#include <cstdio>

using namespace lapse;
using lapse::testing::BrokerProcess;

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int at = args.indexOf(QLatin1String("--events"));
    const qint64 total = at >= 0 ? args.value(at + 1).toLongLong() : 300000;

    QTemporaryDir brokerData, mirrorDir;
    {
        auto directory
            = Directory::load(BrokerProcess::sourceFile(QStringLiteral("resources/directory.example.json")));
        if (!directory) {
            std::fprintf(stderr, "%s\n", qPrintable(directory.error().message));
            return 1;
        }
        EngineConfig cfg;
        cfg.dataDir = brokerData.path();
        cfg.directory = directory.value();
        cfg.sweepIntervalMs = 0;
        auto engine = Engine::open(std::move(cfg));
        bench::SyntheticHistory history;
        if (!engine || !bench::writeSyntheticHistory(*engine.value(), total, &history))
            return 1;
    }
    BrokerProcess::Options options;
    options.dataDir = brokerData.path();
    BrokerProcess broker(options);
    QString error;
    const QByteArray key = broker.createKey(QStringLiteral("erin"), &error);
    if (key.isEmpty() || !broker.start(&error)) {
        std::fprintf(stderr, "broker: %s\n", qPrintable(error));
        return 1;
    }
    const qint64 target = total + 1; // the history, and the key's creation event

    RemoteBackend source(broker.url(), key, broker.caFile());
    auto mirror = Mirror::open(mirrorDir.filePath(QStringLiteral("mirror.db")), &source);
    if (!mirror) {
        std::fprintf(stderr, "mirror: %s\n", qPrintable(mirror.error().message));
        return 1;
    }
    QElapsedTimer t;
    QObject::connect(mirror.value().get(), &Mirror::advanced, &app, [&](qint64 last) {
        if (last >= target)
            app.quit();
    });
    QObject::connect(mirror.value().get(), &Mirror::chainBroken, &app, [&](qint64 seq, const QString& why) {
        std::fprintf(stderr, "chain broken at %lld: %s\n", static_cast<long long>(seq), qPrintable(why));
        app.exit(1);
    });
    QTimer::singleShot(600'000, &app, [&] {
        std::fprintf(stderr, "timed out at event %lld\n", static_cast<long long>(mirror.value()->lastSeq()));
        app.exit(1);
    });
    t.start();
    mirror.value()->start();
    if (app.exec() != 0)
        return 1;
    const double seconds = t.nsecsElapsed() / 1e9;
    std::printf("mirror_catchup_events_per_s %.0f events/s\n", double(mirror.value()->lastSeq()) / seconds);
    std::printf("mirror_events %lld events\n", static_cast<long long>(mirror.value()->lastSeq()));
    return 0;
}
