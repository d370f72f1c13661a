// A synthetic grant history for the benchmarks: a grant every 2 s ending at "now", five events each —
// activated, session opened, ended (expired, or one in ten revoked and one in ten completed), the session's
// end (after the grant's for one in seven) and a use of the credential after the end.
#pragma once

#include "core/Clock.h"
#include "engine/Engine.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <cstdio>

namespace lapse::bench
{

struct SyntheticHistory {
    qint64 startMs = 0; // the first grant's start
    qint64 grants = 0;
    qint64 events = 0;
    double ingestSeconds = 0; // time inside appendBatch only, not building the bodies
};

// Appends `total` events through engine.appendBatch in batches of 5,000. Returns false (and says why) on
// error.
inline bool writeSyntheticHistory(Engine& engine, qint64 total, SyntheticHistory* out)
{
    const QStringList who {
        "ci-deploy", "svc-billing", "alice", "dave", "agent-7", "wl-etl", "agent-triage", "bob"};
    const QStringList targets {
        "prod-k8s", "billing-db", "ci-runners", "s3-exports", "orders-db", "kafka-admin"};
    const qint64 grantsTotal = total / 5 + 1;
    out->startMs = Clock::now() - grantsTotal * 2'000;
    QList<std::tuple<QString, QString, QString, QJsonObject>> batch;
    qint64 written = 0, grants = 0, ingestNs = 0;
    QElapsedTimer t;
    while (written < total) {
        const qint64 s = out->startMs + grants * 2'000;
        const QString id = QStringLiteral("grt_%1").arg(grants, 10, 10, QLatin1Char('0'));
        const QString sid = QStringLiteral("ses_%1").arg(grants, 10, 10, QLatin1Char('0'));
        const QString p = who[int(grants % who.size())], target = targets[int(grants % targets.size())];
        const bool narrowed = grants % 3 == 0;
        QJsonObject g {{"id", id}, {"principal", p}, {"target", target},
            {"privileges", narrowed ? QJsonArray {"read"} : QJsonArray {"read", "write"}},
            {"requested_privileges", QJsonArray {"read", "write", "ddl"}},
            {"min_privileges", QJsonArray {"read"}}, {"ttl_seconds", 900},
            {"approvers", QJsonArray {"carol"}}, {"policy", "approval"}, {"break_glass", false},
            {"task", "nightly batch"}, {"reason", "scheduled"}, {"starts_at", Clock::toIso(s)},
            {"expires_at", Clock::toIso(s + 900'000)}, {"status", "active"}};
        batch.append({QStringLiteral("grant.activated"), QStringLiteral("carol"), id, g});
        batch.append({QStringLiteral("session.opened"), QStringLiteral("api-gw"), sid,
            QJsonObject {{"id", sid}, {"grant_id", id}, {"opened_at", Clock::toIso(s + 1000)}}});
        const int ending = int(grants % 10);
        const qint64 endMs = ending == 0 ? s + 300'000 : ending == 1 ? s + 420'000 : s + 900'000;
        const char* status = ending == 0 ? "revoked" : ending == 1 ? "completed" : "expired";
        g["status"] = QLatin1String(status);
        g["ended_at"] = Clock::toIso(endMs);
        batch.append({QStringLiteral("grant.%1").arg(QLatin1String(status)), QStringLiteral("timer"), id, g});
        const bool lingers = grants % 7 == 0;
        batch.append({QStringLiteral("session.ended"), QStringLiteral("api-gw"), sid,
            QJsonObject {{"id", sid}, {"grant_id", id}, {"opened_at", Clock::toIso(s + 1000)},
                {"ended_at", Clock::toIso(endMs + (lingers ? 60'000 : 2'000))},
                {"privileges_used", QJsonArray {"read"}}}});
        batch.append({QStringLiteral("credential.used_after_end"), QStringLiteral("api-gw"), id,
            QJsonObject {{"grant_id", id}, {"principal", p}, {"target", target}}});
        written += 5;
        ++grants;
        if (batch.size() >= 5000 || written >= total) {
            t.start();
            if (const Status st = engine.appendBatch(batch); !st) {
                std::fprintf(stderr, "append: %s\n", qPrintable(st.error().message));
                return false;
            }
            ingestNs += t.nsecsElapsed();
            batch.clear();
        }
    }
    out->grants = grants;
    out->events = written;
    out->ingestSeconds = double(ingestNs) / 1e9;
    return true;
}

} // namespace lapse::bench
