// Engine benchmarks: durable event append in batches with the Merkle tree and without it (the same run, in
// alternating rounds), chain verification, inclusion proofs, and the full verification of a store (chain,
// state, tree against its checkpoints).
// Usage: bench_engine [--events N] [--batch B] [--rounds R] [--no-baseline] [--keep DIR]
#include "core/Clock.h"
#include "domain/Directory.h"
#include "engine/Engine.h"
#include "engine/LogVerification.h"
#include "engine/SqliteStore.h"
#include "engine/StateAudit.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QTemporaryDir>
#include <algorithm>
#include <cstdio>
#include <vector>

using namespace lapse;

namespace
{
Result<std::unique_ptr<Engine>> openEngine(const QString& dataDir, const Directory& directory, bool tree)
{
    EngineConfig cfg;
    cfg.dataDir = dataDir;
    cfg.directory = directory;
    cfg.sweepIntervalMs = 0;
    cfg.cutCheckpoints = tree;
    if (!tree)
        cfg.openStore = [](const QString& dir) -> Result<std::unique_ptr<Store>> {
            auto s = SqliteStore::open(dir + QStringLiteral("/lapse.db"), SqliteStore::Options {false});
            if (!s)
                return s.error();
            return std::unique_ptr<Store>(std::move(s).value());
        };
    return Engine::open(std::move(cfg));
}

double percentile(std::vector<double> v, double p)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[std::min(v.size() - 1, size_t(p * double(v.size())))];
}
} // namespace

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
    const int rounds = int(std::max<qint64>(1, arg("--rounds", 3)));

    QTemporaryDir tmp;
    const int keepAt = args.indexOf(QLatin1String("--keep"));
    const QString dataDir = keepAt >= 0 && keepAt + 1 < args.size() ? args.at(keepAt + 1) : tmp.path();
    const QString plainDir = tmp.filePath(QStringLiteral("without-tree"));
    auto directory = Directory::load(QStringLiteral(LAPSE_SOURCE_DIR "/resources/directory.example.json"));
    if (!directory) {
        std::fprintf(stderr, "%s\n", qPrintable(directory.error().message));
        return 1;
    }
    auto withTree = openEngine(dataDir, directory.value(), true);
    auto without = openEngine(plainDir, directory.value(), false);
    if (!withTree || !without) {
        std::fprintf(stderr, "%s\n", qPrintable((withTree ? without.error() : withTree.error()).message));
        return 1;
    }

    // A body the size of a real request event.
    QJsonObject body {{"id", "req_0mwsl3ysa36ddf114d7dbb4d0000"}, {"requester", "svc-billing"},
        {"target", "billing-db"}, {"privileges", QJsonArray {"read", "write"}},
        {"min_privileges", QJsonArray {"read"}}, {"task", "Nightly invoice batch"},
        {"reason", "Batch needs to write invoice rows"}, {"ticket", "FIN-2231"}, {"ttl_seconds", 1800},
        {"status", "pending"}, {"approvals", QJsonArray {}}, {"approvals_required", 1}};
    QList<NewEvent> events;
    for (int i = 0; i < batch; ++i)
        events.append({QStringLiteral("request.created"), QStringLiteral("svc-billing"),
            QStringLiteral("req_%1").arg(i), body});

    // Both sides in alternating rounds, so a noisy moment falls on both.
    double secondsWith = 0, secondsWithout = 0;
    qint64 writtenWith = 0, writtenWithout = 0;
    const qint64 perRound = std::max<qint64>(batch, total / rounds);
    QElapsedTimer t;
    for (int r = 0; r < rounds; ++r) {
        for (const bool tree : {true, false}) {
            if (!tree && args.contains(QLatin1String("--no-baseline")))
                continue;
            Engine& e = tree ? *withTree.value() : *without.value();
            t.restart();
            for (qint64 n = 0; n < perRound; n += batch) {
                if (const Status s = e.appendBatch(events); !s) {
                    std::fprintf(stderr, "append: %s\n", qPrintable(s.error().message));
                    return 1;
                }
                (tree ? writtenWith : writtenWithout) += batch;
            }
            (tree ? secondsWith : secondsWithout) += t.nsecsElapsed() / 1e9;
        }
    }
    const double rateWith = writtenWith / secondsWith;
    std::printf("event_append_per_s %.0f events/s\n", rateWith);
    if (writtenWithout > 0) {
        const double rateWithout = writtenWithout / secondsWithout;
        std::printf("event_append_no_tree_per_s %.0f events/s\n", rateWithout);
        std::printf("tree_append_cost_pct %.1f %%\n", 100.0 * (rateWithout - rateWith) / rateWithout);
    }
    std::printf("event_append_batch %d events\n", batch);
    without.value().reset();

    Engine& e = *withTree.value();
    const qint64 size = e.store().lastSeq();
    Principal auditor;
    auditor.id = QStringLiteral("erin");
    auditor.roles = unsigned(Role::Auditor);
    auto cp = e.cutCheckpoint(auditor);
    if (!cp) {
        std::fprintf(stderr, "checkpoint: %s\n", qPrintable(cp.error().message));
        return 1;
    }
    // Inclusion proofs at random indexes against the checkpoint of the whole log, as the API serves them.
    std::vector<double> proofUs;
    QRandomGenerator rng(7);
    for (int i = 0; i < 2000; ++i) {
        const qint64 seq = 1 + qint64(rng.bounded(quint64(size)));
        t.restart();
        auto proof = e.inclusionProof(auditor, seq, size);
        proofUs.push_back(t.nsecsElapsed() / 1e3);
        if (!proof) {
            std::fprintf(stderr, "proof: %s\n", qPrintable(proof.error().message));
            return 1;
        }
    }
    std::printf(
        "log_proof_us %.1f us (p50; %lld events)\n", percentile(proofUs, 0.5), static_cast<long long>(size));
    std::printf("log_proof_p99_us %.1f us\n", percentile(proofUs, 0.99));

    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("verify"));
    db.setDatabaseName(QDir(dataDir).filePath(QStringLiteral("lapse.db")));
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

    // What `lapsectl verify --data` does: chain, state tables, and the tree against every kept checkpoint.
    auto reader = SqliteStore::openReadOnly(QDir(dataDir).filePath(QStringLiteral("lapse.db")));
    if (!reader) {
        std::fprintf(stderr, "open: %s\n", qPrintable(reader.error().message));
        return 1;
    }
    t.restart();
    const auto full = verifyLog(*reader.value(), std::nullopt, nullptr, false);
    const double fullS = t.nsecsElapsed() / 1e9;
    if (!full) {
        std::fprintf(stderr, "verify: %s\n", qPrintable(full.error().message));
        return 1;
    }
    std::printf("log_verify_per_s %.0f events/s (chain and tree; %lld checkpoints matched)\n",
        full->events / fullS, static_cast<long long>(full->checkpointsMatched));
    t.restart();
    const auto state = auditState(*reader.value());
    if (!state) {
        std::fprintf(stderr, "state: %s\n", qPrintable(state.error().message));
        return 1;
    }
    std::printf("state_audit_per_s %.0f events/s (%lld rows)\n", full->events / (t.nsecsElapsed() / 1e9),
        static_cast<long long>(state.value()));
    return 0;
}
