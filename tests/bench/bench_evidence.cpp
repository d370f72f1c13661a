// Evidence pack benchmark: a history of N grants (default 100,000, about ten events each: request, approval,
// activation, two or three sessions opened and ended, the end, some uses after it and reviews), then one pack
// over all of it with the real report, and its verification. Prints "name value unit" lines.
#include "EvidenceReport.h"
#include "core/Clock.h"
#include "engine/Engine.h"
#include "evidence/EvidencePack.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QTemporaryDir>
#include <cstdio>

using namespace lapse;

namespace
{
// Resident set size high-water mark in MiB (Linux), and its reset.
double peakMb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    return -1;
}
void resetPeak()
{
    QFile clear(QStringLiteral("/proc/self/clear_refs"));
    if (clear.open(QIODevice::WriteOnly))
        clear.write("5");
}

Directory benchDirectory()
{
    Directory d;
    const auto add = [&](const char* id, PrincipalKind kind, const char* owner, unsigned roles) {
        Principal p;
        p.id = QLatin1String(id);
        p.kind = kind;
        p.owner = QLatin1String(owner);
        p.roles = roles;
        d.addPrincipal(p);
    };
    const unsigned req = unsigned(Role::Requester);
    add("alice", PrincipalKind::Human, "", req);
    add("dave", PrincipalKind::Human, "", req);
    add("bob", PrincipalKind::Human, "", req | unsigned(Role::Approver));
    add("carol", PrincipalKind::Human, "", unsigned(Role::Approver) | unsigned(Role::Auditor));
    add("aud", PrincipalKind::Human, "", unsigned(Role::Auditor));
    add("ci-deploy", PrincipalKind::Pipeline, "alice", req);
    add("svc-billing", PrincipalKind::Service, "bob", req);
    add("agent-7", PrincipalKind::Agent, "bob", req);
    add("wl-etl", PrincipalKind::Workload, "dave", req);
    add("api-gw", PrincipalKind::Service, "carol", unsigned(Role::ResourceServer));
    for (const char* t : {"prod-k8s", "billing-db", "ci-runners", "s3-exports", "orders-db", "kafka-admin"}) {
        Target target;
        target.id = QLatin1String(t);
        target.privileges = QStringList {"read", "write", "ddl"};
        d.addTarget(target);
    }
    return d;
}

bool writeHistory(Engine& engine, qint64 grants, qint64 startMs, qint64* events)
{
    const QStringList who {"ci-deploy", "svc-billing", "alice", "dave", "agent-7", "wl-etl", "bob"};
    const QStringList targets {
        "prod-k8s", "billing-db", "ci-runners", "s3-exports", "orders-db", "kafka-admin"};
    QList<NewEvent> batch;
    *events = 0;
    for (qint64 n = 0; n < grants; ++n) {
        const qint64 s = startMs + n * 2'000;
        const QString rid = QStringLiteral("req_%1").arg(n, 10, 10, QLatin1Char('0'));
        const QString id = QStringLiteral("grt_%1").arg(n, 10, 10, QLatin1Char('0'));
        const QString p = who[int(n % who.size())], target = targets[int(n % targets.size())];
        const bool glass = n % 50 == 0;
        QJsonObject r {{"id", rid}, {"requester", p}, {"target", target},
            {"privileges", QJsonArray {"read", "write"}}, {"min_privileges", QJsonArray {"read"}},
            {"task", "nightly batch " + QString::number(n % 97)}, {"reason", "scheduled"},
            {"ticket", "CHG-7"}, {"ttl_seconds", 900}, {"break_glass", glass}, {"status", "pending"},
            {"created_at", Clock::toIso(s - 30'000)}, {"expires_at", Clock::toIso(s + 3'600'000)},
            {"approvals_required", 1}};
        batch.append({QStringLiteral("request.created"), p, rid, r});
        r["status"] = QStringLiteral("approved");
        r["decided_at"] = Clock::toIso(s);
        r["decided_by"] = glass ? QStringLiteral("policy:break-glass") : QStringLiteral("carol");
        r["grant_id"] = id;
        batch.append({QStringLiteral("request.approved"),
            glass ? QStringLiteral("policy") : QStringLiteral("carol"), rid, r});
        QJsonObject g {{"id", id}, {"request_id", rid}, {"principal", p}, {"target", target},
            {"privileges", n % 3 ? QJsonArray {"read"} : QJsonArray {"read", "write"}},
            {"requested_privileges", QJsonArray {"read", "write"}}, {"min_privileges", QJsonArray {"read"}},
            {"ttl_seconds", 900}, {"approvers", glass ? QJsonArray {} : QJsonArray {"carol"}},
            {"policy", glass ? "break-glass" : "approval"}, {"break_glass", glass}, {"task", r["task"]},
            {"reason", "scheduled"}, {"ticket", "CHG-7"}, {"starts_at", Clock::toIso(s)},
            {"expires_at", Clock::toIso(s + 900'000)}, {"status", "active"}};
        batch.append({QStringLiteral("grant.activated"), QStringLiteral("carol"), id, g});
        const int ending = int(n % 10);
        const qint64 endMs = ending == 0 ? s + 300'000 : ending == 1 ? s + 420'000 : s + 900'000;
        const int sessions = n % 3 == 0 ? 3 : 2;
        for (int k = 0; k < sessions; ++k) {
            const QString sid = QStringLiteral("ses_%1_%2").arg(n, 10, 10, QLatin1Char('0')).arg(k);
            const QJsonObject opened {{"id", sid}, {"grant_id", id}, {"principal", p}, {"target", target},
                {"resource_server", "api-gw"}, {"opened_at", Clock::toIso(s + 1000 + k)}};
            batch.append({QStringLiteral("session.opened"), QStringLiteral("api-gw"), sid, opened});
            QJsonObject closed = opened;
            closed["ended_at"] = Clock::toIso(endMs + (n % 7 == 0 ? 60'000 : -2'000));
            closed["privileges_used"] = QJsonArray {"read"};
            batch.append({QStringLiteral("session.ended"), QStringLiteral("api-gw"), sid, closed});
        }
        const char* status = ending == 0 ? "revoked" : ending == 1 ? "completed" : "expired";
        g["status"] = QLatin1String(status);
        g["ended_at"] = Clock::toIso(endMs);
        g["ended_by"] = ending == 0 ? QStringLiteral("carol") : QStringLiteral("timer");
        batch.append({QStringLiteral("grant.%1").arg(QLatin1String(status)), QStringLiteral("timer"), id, g});
        if (glass) {
            g["reviewed"] = true;
            batch.append({QStringLiteral("grant.reviewed"), QStringLiteral("aud"), id,
                QJsonObject {{"grant", g}, {"note", "checked"}}});
        }
        if (n % 5 == 0)
            batch.append({QStringLiteral("credential.used_after_end"), QStringLiteral("api-gw"), id,
                QJsonObject {{"grant_id", id}, {"presented_to", "api-gw"}, {"after_end_ms", 4000}}});
        if (batch.size() >= 5000 || n + 1 == grants) {
            *events += batch.size();
            if (const Status st = engine.appendBatch(batch); !st) {
                std::fprintf(stderr, "append: %s\n", qPrintable(st.error().message));
                return false;
            }
            batch.clear();
        }
    }
    return true;
}
} // namespace

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    qint64 grants = 100'000;
    for (int i = 1; i + 1 < argc; ++i)
        if (qstrcmp(argv[i], "--grants") == 0)
            grants = QByteArray(argv[i + 1]).toLongLong();
    QTemporaryDir dir;
    EngineConfig cfg;
    cfg.dataDir = dir.path();
    cfg.directory = benchDirectory();
    cfg.sweepIntervalMs = 0;
    auto engine = Engine::open(std::move(cfg));
    if (!engine) {
        std::fprintf(stderr, "engine: %s\n", qPrintable(engine.error().message));
        return 1;
    }
    Engine& e = *engine.value();
    const qint64 startMs = Clock::now() - grants * 2'000 - 3'600'000;
    qint64 events = 0;
    QElapsedTimer t;
    t.start();
    if (!writeHistory(e, grants, startMs, &events))
        return 1;
    std::fprintf(
        stderr, "history: %lld grants, %lld events in %.1f s\n", grants, events, t.elapsed() / 1000.0);
    Principal auditor;
    auditor.id = QStringLiteral("aud");
    auditor.roles = unsigned(Role::Auditor);
    if (auto cp = e.cutCheckpoint(auditor); !cp) {
        std::fprintf(stderr, "checkpoint: %s\n", qPrintable(cp.error().message));
        return 1;
    }

    EvidenceBuild b;
    b.scope.fromMs = startMs - 1;
    b.scope.toMs = Clock::now() + 1;
    b.scope.seed = 7;
    b.outFile = dir.filePath(b.scope.fileName());
    b.generatedBy = QStringLiteral("bench");
    b.logKey = e.log().key().verifier();
    b.renderReport = renderEvidenceReport;
    b.signManifest = [&e](const QByteArray& m) -> Result<QByteArray> { return e.log().key().sign(m); };
    resetPeak();
    const double baseMb = peakMb();
    t.restart();
    QString lastStage;
    b.progress = [&](int, const QString& stage) {
        if (stage != lastStage)
            std::fprintf(
                stderr, "%7.2f s  %6.0f MiB  %s\n", t.elapsed() / 1000.0, peakMb(), qPrintable(stage));
        lastStage = stage;
    };
    const auto sum = buildEvidencePack(e.store(), e.directory(), b);
    const double buildS = t.elapsed() / 1000.0;
    const double buildPeakMb = peakMb();
    if (!sum) {
        std::fprintf(stderr, "build: %s\n", qPrintable(sum.error().message));
        return 1;
    }
    resetPeak();
    t.restart();
    const EvidenceVerdict v = verifyEvidencePack(b.outFile);
    const double verifyS = t.elapsed() / 1000.0;
    if (!v.ok) {
        std::fprintf(stderr, "verify: %s\n", qPrintable(v.line));
        return 1;
    }
    std::printf("evidence_grants %lld grants\n", sum->grants);
    std::printf("evidence_events %lld events\n", sum->events);
    std::printf("evidence_build_s %.2f s\n", buildS);
    std::printf("evidence_build_peak_rss_mb %.0f MiB\n", buildPeakMb);
    std::printf("evidence_build_rss_before_mb %.0f MiB\n", baseMb);
    std::printf("evidence_pack_mb %.1f MiB\n", double(sum->bytes) / 1048576.0);
    std::printf("evidence_verify_s %.2f s\n", verifyS);
    std::printf("evidence_verify_peak_rss_mb %.0f MiB\n", peakMb());
    return 0;
}
