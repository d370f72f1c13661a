// Policy rules: request-to-grant latency of an auto-approved request (a rule with hours, a ticket pattern and
// a daily budget read from the store), beside a request that waits for a person and its approval, in the
// same run; in the engine, durable commit included.
// Usage: bench_rules [--requests N] [--history H]
#include "core/Clock.h"
#include "domain/Directory.h"
#include "engine/Engine.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <algorithm>
#include <cstdio>
#include <vector>

using namespace lapse;

namespace
{
double percentile(std::vector<double> v, double p)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[std::min(v.size() - 1, size_t(p * double(v.size())))];
}

Principal person(const char* id, unsigned roles)
{
    Principal p;
    p.id = QString::fromLatin1(id);
    p.roles = roles;
    return p;
}

Directory directory()
{
    Directory d;
    d.addPrincipal(person("owner", unsigned(Role::Approver)));
    d.addPrincipal(person("approver", unsigned(Role::Approver)));
    Principal ci = person("ci-batch", unsigned(Role::Requester));
    ci.kind = PrincipalKind::Pipeline;
    ci.owner = QStringLiteral("owner");
    d.addPrincipal(ci);
    Principal manual = ci;
    manual.id = QStringLiteral("ci-manual");
    d.addPrincipal(manual);
    Target t;
    t.id = QStringLiteral("billing-db");
    t.privileges = QStringList {QStringLiteral("read"), QStringLiteral("write")};
    t.maxTtlSeconds = 3600;
    d.addTarget(t);
    // Every condition a rule can have, so the measured path evaluates them all; the budget is large enough
    // for the whole run and is counted from the store on every request.
    d.addRule(Rule::fromJson(
        QJsonDocument::fromJson(
            "{\"id\":\"batch\",\"requesters\":{\"ids\":[\"ci-batch\"]},\"target\":\"billing-db\","
            "\"privileges\":[\"read\",\"write\"],\"max_ttl_seconds\":900,\"ticket_pattern\":\"FIN-[0-9]+\","
            "\"hours\":{\"time_zone\":\"Europe/Berlin\",\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\","
            "\"sat\",\"sun\"],\"from\":\"00:00\",\"to\":\"24:00\"},\"budget\":{\"per_identity_per_day\":1000}"
            ","
            "\"effect\":\"approve\"}")
            .object())
                  .value());
    return d;
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
    const int requests = int(arg("--requests", 500));
    QTemporaryDir dir;
    EngineConfig cfg;
    cfg.dataDir = dir.path();
    cfg.directory = directory();
    cfg.sweepIntervalMs = 0;
    auto opened = Engine::open(std::move(cfg));
    if (!opened) {
        std::fprintf(stderr, "bench_rules: %s\n", qPrintable(opened.error().message));
        return 1;
    }
    Engine& e = *opened.value();
    const Principal& batch = *e.directory().principal(QStringLiteral("ci-batch"));
    const Principal& manual = *e.directory().principal(QStringLiteral("ci-manual"));
    const Principal& approver = *e.directory().principal(QStringLiteral("approver"));
    RequestInput in;
    in.target = QStringLiteral("billing-db");
    in.privileges = QStringList {QStringLiteral("read")};
    in.task = QStringLiteral("invoice batch");
    in.reason = QStringLiteral("scheduled");
    in.ticket = QStringLiteral("FIN-2291");
    in.ttlSeconds = 600;

    // Alternating, so both sides see the same store size and the same disk.
    std::vector<double> autoMs, personMs;
    int failures = 0;
    for (int i = 0; i < requests; ++i) {
        QElapsedTimer t;
        t.start();
        const auto d = e.submitRequest(batch, in);
        autoMs.push_back(double(t.nsecsElapsed()) / 1e6);
        failures += d && d->grant && d->grant->rule == QLatin1String("batch") ? 0 : 1;

        t.restart();
        const auto r = e.submitRequest(manual, in);
        const auto a = r ? e.approve(approver, r->request.id, {}) : Result<Decision>(r.error());
        personMs.push_back(double(t.nsecsElapsed()) / 1e6);
        failures += a && a->grant ? 0 : 1;
    }
    if (failures) {
        std::fprintf(stderr, "bench_rules: %d requests were not granted as expected\n", failures);
        return 1;
    }
    std::printf("auto_approved_request_to_grant_p50 %.3f ms\n", percentile(autoMs, 0.50));
    std::printf("auto_approved_request_to_grant_p99 %.3f ms\n", percentile(autoMs, 0.99));
    std::printf("person_approved_request_and_approval_p50 %.3f ms\n", percentile(personMs, 0.50));
    std::printf("person_approved_request_and_approval_p99 %.3f ms\n", percentile(personMs, 0.99));
    std::printf("auto_approved_grants_in_budget_day %d grants\n", requests);
    return 0;
}
