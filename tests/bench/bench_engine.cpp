// Engine benchmarks: durable event append in batches, and chain verification.
// Usage: bench_engine [--events N] [--batch B] [--keep DIR]
#include "core/Clock.h"
#include "domain/Directory.h"
#include "engine/Engine.h"
#include "engine/SqliteStore.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QSqlDatabase>
#include <QTemporaryDir>
#include <cstdio>

using namespace lapse;

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    auto arg = [&](const char* name, qint64 fallback) {
        const int i = args.indexOf(QLatin1String(name));
        return i >= 0 && i + 1 < args.size() ? args.at(i + 1).toLongLong() : fallback;
    };
    const qint64 total = arg("--events", 300000);
    const int batch = int(arg("--batch", 1000));

    QTemporaryDir tmp;
    const int keepAt = args.indexOf(QLatin1String("--keep"));
    const QString dataDir = keepAt >= 0 && keepAt + 1 < args.size() ? args.at(keepAt + 1) : tmp.path();
    QDir dir(dataDir);
    auto directory = Directory::load(QStringLiteral(LAPSE_SOURCE_DIR "/resources/directory.example.json"));
    if (!directory) {
        std::fprintf(stderr, "%s\n", qPrintable(directory.error().message));
        return 1;
    }
    EngineConfig cfg;
    cfg.dataDir = dataDir;
    cfg.directory = std::move(directory).value();
    cfg.sweepIntervalMs = 0;
    auto engine = Engine::open(std::move(cfg));
    if (!engine) {
        std::fprintf(stderr, "%s\n", qPrintable(engine.error().message));
        return 1;
    }

    // A body the size of a real request event.
    QJsonObject body {{"id", "req_0mwsl3ysa36ddf114d7dbb4d0000"}, {"requester", "svc-billing"},
        {"target", "billing-db"}, {"privileges", QJsonArray {"read", "write"}},
        {"min_privileges", QJsonArray {"read"}}, {"task", "Nightly invoice batch"},
        {"reason", "Batch needs to write invoice rows"}, {"ticket", "FIN-2231"}, {"ttl_seconds", 1800},
        {"status", "pending"}, {"approvals", QJsonArray {}}, {"approvals_required", 1}};
    QList<std::tuple<QString, QString, QString, QJsonObject>> events;
    for (int i = 0; i < batch; ++i)
        events.append({QStringLiteral("request.created"), QStringLiteral("svc-billing"),
            QStringLiteral("req_%1").arg(i), body});

    QElapsedTimer t;
    t.start();
    qint64 written = 0;
    while (written < total) {
        if (const Status s = engine.value()->appendBatch(events); !s) {
            std::fprintf(stderr, "append: %s\n", qPrintable(s.error().message));
            return 1;
        }
        written += batch;
    }
    const double appendS = t.nsecsElapsed() / 1e9;
    std::printf("event_append_per_s %.0f events/s\n", written / appendS);
    std::printf("event_append_batch %d events\n", batch);

    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("verify"));
    db.setDatabaseName(dir.filePath(QStringLiteral("lapse.db")));
    db.open();
    QString reason;
    qint64 breakSeq = 0;
    t.restart();
    const auto verified = SqliteStore::verifyChain(db, &reason, &breakSeq);
    const double verifyS = t.nsecsElapsed() / 1e9;
    if (!verified) {
        std::fprintf(stderr, "verify: %s\n", qPrintable(verified.error().message));
        return 1;
    }
    std::printf("chain_verify_per_s %.0f events/s\n", verified.value() / verifyS);
    std::printf("chain_verify_events %lld events\n", static_cast<long long>(verified.value()));
    return 0;
}
