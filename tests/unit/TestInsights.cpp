// The rollup-based metrics against the brute-force replay of the whole log, on random histories driven
// through the engine's own API (grants narrowed or not, quorum, break-glass, sessions that end in time or
// linger, revocations with sessions open, completions, expiry, uses after the end), under random windows
// whose edges fall anywhere — inside hours, exactly on grant starts — and random target, kind and repeat
// filters; across an engine restart, a rollback, and a backfill of a store whose rollups were lost.
#include "EngineFixture.h"
#include "FakeEnforcement.h"
#include "ReferenceMetrics.h"

#include "engine/InsightsIndex.h"
#include "engine/Sqlite.h"
#include "metrics/Metrics.h"

#include <QJsonArray>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QtTest>

#include <sqlite3.h>

using namespace lapse;
using namespace lapse::test;

namespace
{
// Doubles to the millisecond, and the open sessions in a fixed order: the two implementations sum seconds
// in different orders and list lingering sessions in different orders.
QJsonValue normalized(const QJsonValue& v, const QString& key = {})
{
    if (v.isDouble())
        return double(qRound64(v.toDouble() * 1000.0)) / 1000.0;
    if (v.isArray()) {
        QJsonArray out;
        for (const auto& x : v.toArray())
            out.append(normalized(x));
        if (key == QLatin1String("open_now")) {
            QList<QJsonValue> items(out.begin(), out.end());
            std::sort(items.begin(), items.end(), [](const QJsonValue& a, const QJsonValue& b) {
                return a[QLatin1String("session")].toString() < b[QLatin1String("session")].toString();
            });
            out = QJsonArray();
            for (const auto& x : items)
                out.append(x);
        }
        return out;
    }
    if (v.isObject()) {
        QJsonObject out;
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            out.insert(it.key(), normalized(it.value(), it.key()));
        return out;
    }
    return v;
}

QString describe(const MetricsQuery& q)
{
    return QStringLiteral("from %1 to %2 target '%3' kind '%4' repeat %5 window %6 ms")
        .arg(q.fromMs)
        .arg(q.toMs)
        .arg(q.target, q.kind)
        .arg(q.repeatThreshold)
        .arg(q.repeatWindowMs);
}

// The first key path where two JSON values differ, for a failure message a person can act on.
QString firstDifference(const QJsonValue& a, const QJsonValue& b, const QString& path = QStringLiteral("$"))
{
    if (a.type() != b.type())
        return path;
    if (a.isObject()) {
        const QJsonObject x = a.toObject(), y = b.toObject();
        QStringList keys = x.keys() + y.keys();
        keys.removeDuplicates();
        for (const QString& k : keys)
            if (const QString d = firstDifference(x.value(k), y.value(k), path + QLatin1Char('.') + k);
                !d.isEmpty())
                return d;
        return {};
    }
    if (a.isArray()) {
        const QJsonArray x = a.toArray(), y = b.toArray();
        if (x.size() != y.size())
            return path + QStringLiteral(" (size %1 vs %2)").arg(x.size()).arg(y.size());
        for (qsizetype i = 0; i < x.size(); ++i)
            if (const QString d = firstDifference(x.at(i), y.at(i), path + QStringLiteral("[%1]").arg(i));
                !d.isEmpty())
                return d;
        return {};
    }
    return a == b ? QString()
                  : path
            + QStringLiteral(": %1 vs %2")
                  .arg(QString::fromUtf8(QJsonDocument(QJsonArray {a}).toJson(QJsonDocument::Compact)),
                      QString::fromUtf8(QJsonDocument(QJsonArray {b}).toJson(QJsonDocument::Compact)));
}

} // namespace

class TestInsights : public QObject
{
    Q_OBJECT

    // A random world driven through the engine.
    struct World {
        std::unique_ptr<EngineFixture> f = std::make_unique<EngineFixture>();
        QRandomGenerator rng;
        QList<Grant> active;
        QList<std::pair<QString, Grant>> openSessions; // session id, its grant
        QList<QByteArray> endedTokens;
        QHash<QString, QByteArray> tokens; // grant id -> credential
        QList<qint64> grantStarts;
        qint64 firstMs = 0;

        explicit World(quint32 seed)
            : rng(seed)
        {
            firstMs = f->now();
        }
        Engine& e() { return f->engine(); }
        const Principal& gw() { return f->who(QStringLiteral("api-gw")); }

        QStringList subset(const QStringList& from)
        {
            QStringList out;
            for (const QString& p : from)
                if (rng.bounded(2))
                    out << p;
            return out.isEmpty() ? QStringList {from.at(int(rng.bounded(from.size())))} : out;
        }

        void newGrant()
        {
            static const QStringList requesters {"alice", "dave", "agent-7", "svc-ci"};
            const QString who = requesters.at(int(rng.bounded(requesters.size())));
            const int t = int(rng.bounded(10));
            std::optional<Grant> g;
            if (t < 6) {
                RequestInput in = EngineFixture::input(QStringLiteral("billing-db"));
                in.privileges = subset({"read", "write", "ddl"});
                if (rng.bounded(3))
                    in.minPrivileges = subset(in.privileges);
                in.ttlSeconds = 60 * int(1 + rng.bounded(60));
                if (rng.bounded(5) == 0)
                    in.task.clear(); // an incomplete record
                auto d = f->submit(who, in);
                QVERIFY2(d.ok(), d.ok() ? "" : qPrintable(d.error().message));
                ApproveInput a;
                if (rng.bounded(3) == 0)
                    a.privileges = subset(in.privileges);
                const QString approver
                    = who == QLatin1String("agent-7") ? QStringLiteral("carol") : QStringLiteral("bob");
                auto r = f->approve(approver, d->request.id, a);
                QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
                g = r->grant;
            } else if (t < 9) {
                RequestInput in = EngineFixture::input(QStringLiteral("prod-k8s"));
                in.privileges = subset({"get", "list", "exec"});
                auto r = f->grantFor(who, in);
                QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
                g = r.value();
            } else {
                RequestInput in = EngineFixture::input(QStringLiteral("vault"));
                in.breakGlass = true;
                in.ttlSeconds = 300;
                auto d = f->submit(who, in);
                QVERIFY2(d.ok() && d->grant, d.ok() ? "no grant" : qPrintable(d.error().message));
                g = d->grant;
            }
            QVERIFY(g);
            active << *g;
            tokens.insert(g->id, f->token(*g));
            grantStarts << g->startsMs;
        }

        void step()
        {
            // Time moves by seconds to hours, so grants fall into many hours and days.
            const int jump = int(rng.bounded(10));
            f->clock().advance(jump < 6 ? 1000 * qint64(rng.bounded(1, 120))
                    : jump < 9          ? 60'000 * qint64(rng.bounded(1, 90))
                                        : 3'600'000 * qint64(rng.bounded(1, 30)));
            const int r = int(rng.bounded(100));
            if (r < 30 || active.isEmpty()) {
                newGrant();
            } else if (r < 50) {
                const Grant g = active.at(int(rng.bounded(active.size())));
                auto s = e().openSession(gw(), tokens.value(g.id), {});
                if (s.ok()) // a grant past its expiry but not yet swept is refused: that is fine
                    openSessions << std::pair {s->id, g};
            } else if (r < 65 && !openSessions.isEmpty()) {
                const auto [sid, g] = openSessions.takeAt(int(rng.bounded(openSessions.size())));
                QStringList used;
                if (rng.bounded(3))
                    used = subset(g.privileges);
                LAPSE_VERIFY_OK(e().endSession(gw(), sid, used));
            } else if (r < 73) {
                const Grant g = active.takeAt(int(rng.bounded(active.size())));
                if (e().revoke(f->who(QStringLiteral("rita")), g.id, QStringLiteral("incident")).ok())
                    endedTokens << tokens.value(g.id);
            } else if (r < 80) {
                const Grant g = active.takeAt(int(rng.bounded(active.size())));
                if (e().complete(f->who(g.principal), g.id).ok())
                    endedTokens << tokens.value(g.id);
            } else if (r < 90) {
                e().sweep();
                for (qsizetype i = active.size() - 1; i >= 0; --i)
                    if (active.at(i).expiresMs <= f->now()) {
                        endedTokens << tokens.value(active.at(i).id);
                        active.removeAt(i);
                    }
            } else if (!endedTokens.isEmpty()) {
                QCOMPARE(f->isActive(
                             QStringLiteral("api-gw"), endedTokens.at(int(rng.bounded(endedTokens.size())))),
                    false);
            }
        }

        MetricsQuery randomQuery()
        {
            MetricsQuery q;
            const qint64 span = f->now() - firstMs + 1;
            auto instant = [&] {
                if (!grantStarts.isEmpty() && rng.bounded(3) == 0)
                    return grantStarts.at(int(rng.bounded(grantStarts.size()))); // exactly on a grant's start
                return firstMs + qint64(rng.bounded(quint64(span)));
            };
            const int shape = int(rng.bounded(4));
            if (shape >= 1)
                q.fromMs = instant();
            if (shape >= 2)
                q.toMs = instant();
            if (q.toMs < q.fromMs)
                std::swap(q.toMs, q.fromMs);
            static const QStringList targets {"", "", "billing-db", "prod-k8s", "vault"};
            static const QStringList kinds {"", "", "human", "agent", "service"};
            q.target = targets.at(int(rng.bounded(targets.size())));
            q.kind = kinds.at(int(rng.bounded(kinds.size())));
            q.repeatThreshold = int(rng.bounded(2, 5));
            if (rng.bounded(6) == 0)
                q.repeatWindowMs = 3'600'000 * qint64(rng.bounded(1, 48));
            return q;
        }
    };

    static void compareWithReference(World& w, const MetricsQuery& q)
    {
        Engine& e = w.e();
        auto got = computeMetrics(e.store(), e.directory(), q, w.f->now());
        auto want = referenceMetrics(storeDb(e.store()), e.directory(), q, w.f->now());
        QVERIFY2(got.ok(), got.ok() ? "" : qPrintable(got.error().message));
        QVERIFY2(want.ok(), want.ok() ? "" : qPrintable(want.error().message));
        const QJsonValue a = normalized(got.value()), b = normalized(want.value());
        QVERIFY2(a == b, qPrintable(describe(q) + QStringLiteral(" differs at ") + firstDifference(a, b)));
    }

private slots:
    void randomHistories_data()
    {
        QTest::addColumn<quint32>("seed");
        for (quint32 seed : {1u, 7u, 42u, 2026u})
            QTest::newRow(qPrintable(QStringLiteral("seed %1").arg(seed))) << seed;
    }

    void randomHistories()
    {
        QFETCH(quint32, seed);
        World w(seed);
        QVERIFY(w.f->ok());
        for (int round = 0; round < 6; ++round) {
            for (int i = 0; i < 60; ++i) {
                w.step();
                if (QTest::currentTestFailed())
                    return;
            }
            compareWithReference(w, MetricsQuery {});
            for (int i = 0; i < 15; ++i) {
                compareWithReference(w, w.randomQuery());
                if (QTest::currentTestFailed())
                    return;
            }
        }
        // The history is not trivial: every metric has something to count.
        const QJsonObject m = computeMetrics(w.e().store(), w.e().directory(), {}, w.f->now()).value();
        QVERIFY(m["elevation_frequency"].toObject()["grants"].toInt() > 50);
        QVERIFY(m["grant_width"].toObject()["narrowed"].toInt() > 0);
        QVERIFY(m["grant_width"].toObject()["with_usage"].toInt() > 0);
        QVERIFY(m["lingering_sessions"].toObject()["count"].toInt() > 0);
        QVERIFY(m["lingering_sessions"].toObject()["post_expiry_uses"].toInt() > 0);
        QVERIFY(m["revocation"].toObject()["count"].toInt() > 0);
        QVERIFY(m["duration"].toObject()["completed"].toInt() > 0);
        QVERIFY(m["duration"].toObject()["break_glass"].toInt() > 0);
    }

    // Batches through appendBatch (the rollups take each batch on a second thread beside the chain), cut at
    // random so grants span batches and late events find grants already written out.
    // Enforced grants: how many ended, how many the target confirmed and how long that took, as the replay
    // of the log says, under several scopes.
    void enforcementAgreesWithTheReplay()
    {
        World w(5);
        w.f = std::make_unique<EngineFixture>(directoryWithPostgresTarget(makeDirectory()));
        QVERIFY(w.f->ok());
        FakeEnforcement enforcement;
        w.e().setEnforcement(&enforcement);
        QList<Grant> grants;
        for (const char* who : {"alice", "dave", "agent-7", "alice", "dave", "agent-7", "alice"}) {
            auto g = w.f->grantFor(QString::fromLatin1(who), QStringLiteral("pg-billing"));
            LAPSE_VERIFY_OK(g);
            grants << g.value();
            w.f->clock().advance(60'000);
        }
        auto plain = w.f->grantFor(QStringLiteral("alice"), QStringLiteral("billing-db")); // not enforced
        LAPSE_VERIFY_OK(plain);
        const Principal& bob = w.f->who(QStringLiteral("bob"));
        const qint64 lags[] = {120, 80, 400, 95, 0, 0};
        for (int i = 0; i < 6; ++i) {
            LAPSE_VERIFY_OK(w.e().revoke(bob, grants[i].id, QStringLiteral("done")));
            if (lags[i])
                LAPSE_VERIFY_OK(w.e().recordEnforcement(
                    grants[i].id, QStringLiteral("verified"), {{"lag_ms", lags[i]}, {"sessions_gone", 0}}));
        }
        LAPSE_VERIFY_OK(
            w.e().recordEnforcement(grants[4].id, QStringLiteral("pending"), {{"error", "down"}}));
        auto m = computeMetrics(w.e().store(), w.e().directory(), MetricsQuery {}, w.f->now());
        LAPSE_VERIFY_OK(m);
        const QJsonObject e = m.value()["enforcement"].toObject();
        QCOMPARE(e["grants"].toInt(), 7);
        QCOMPARE(e["ended"].toInt(), 6);
        QCOMPARE(e["verified"].toInt(), 4);
        QCOMPARE(e["pending"].toInt(), 2);
        QCOMPARE(e["lag_p50_ms"].toDouble(), 95.0);
        QCOMPARE(e["lag_p99_ms"].toDouble(), 400.0);
        compareWithReference(w, MetricsQuery {});
        MetricsQuery agents;
        agents.kind = QStringLiteral("agent");
        compareWithReference(w, agents);
        MetricsQuery window;
        window.fromMs = grants[2].startsMs;
        window.toMs = grants[5].startsMs;
        compareWithReference(w, window);
        MetricsQuery other;
        other.target = QStringLiteral("billing-db");
        compareWithReference(w, other);
        // A verbatim copy of the log (what a console's mirror keeps) answers the same: the enforcement rows
        // follow the events, not the engine's state writes.
        const QList<Event> events = w.f->events();
        QTemporaryDir dir;
        auto copy = SqliteStore::open(dir.filePath(QStringLiteral("mirror.db")));
        LAPSE_VERIFY_OK(copy);
        LAPSE_VERIFY_OK(copy.value()->begin());
        qint64 breakSeq = 0;
        LAPSE_VERIFY_OK(copy.value()->appendVerbatimMany(events, &breakSeq));
        LAPSE_VERIFY_OK(copy.value()->commit());
        auto mirrored = computeMetrics(*copy.value(), w.e().directory(), MetricsQuery {}, w.f->now());
        LAPSE_VERIFY_OK(mirrored);
        QCOMPARE(mirrored.value()["enforcement"], m.value()["enforcement"]);
        w.e().setEnforcement(nullptr);
    }

    void batchedIngestAddsUp()
    {
        World w(23);
        QVERIFY(w.f->ok());
        for (int i = 0; i < 300; ++i)
            w.step();
        World copy(24);
        QVERIFY(copy.f->ok());
        copy.f->clock().set(w.f->now());
        const QList<Event> events = w.f->events();
        QRandomGenerator rng(8);
        for (qsizetype at = 0; at < events.size();) {
            const qsizetype n = std::min<qsizetype>(events.size() - at, qsizetype(rng.bounded(1, 400)));
            QList<std::tuple<QString, QString, QString, QJsonObject>> batch;
            for (qsizetype i = at; i < at + n; ++i)
                batch.append({events[i].type, events[i].actor, events[i].subject, events[i].bodyJson()});
            LAPSE_VERIFY_OK(copy.e().appendBatch(batch));
            at += n;
        }
        compareWithReference(copy, MetricsQuery {});
        copy.grantStarts = w.grantStarts;
        copy.firstMs = w.firstMs;
        for (int i = 0; i < 20; ++i)
            compareWithReference(copy, copy.randomQuery());
        // And the same grants were counted as in the original.
        const QJsonObject a = computeMetrics(copy.e().store(), copy.e().directory(), {}, w.f->now()).value();
        const QJsonObject b = computeMetrics(w.e().store(), w.e().directory(), {}, w.f->now()).value();
        QCOMPARE(a["elevation_frequency"], b["elevation_frequency"]);
        QCOMPARE(a["grant_width"], b["grant_width"]);
        QCOMPARE(a["completeness"], b["completeness"]);
    }

    // Grants in flight across a restart: their sessions, ends and late uses land on rollups read back from
    // disk.
    void survivesRestart()
    {
        World w(99);
        QVERIFY(w.f->ok());
        for (int round = 0; round < 4; ++round) {
            for (int i = 0; i < 50; ++i)
                w.step();
            w.f->close();
            QVERIFY(w.f->reopen());
            for (int i = 0; i < 10; ++i)
                compareWithReference(w, w.randomQuery());
        }
        compareWithReference(w, MetricsQuery {});
    }

    // A write that rolls back leaves no trace in the rollups, and what follows still adds up.
    void rollbackLeavesNoTrace()
    {
        World w(5);
        QVERIFY(w.f->ok());
        for (int i = 0; i < 40; ++i)
            w.step();
        Store& store = w.e().store();
        LAPSE_VERIFY_OK(store.begin());
        const Grant g = w.active.isEmpty() ? Grant {} : w.active.first();
        QJsonObject ghost {{"id", "grt_ghost"}, {"principal", "alice"}, {"target", "billing-db"},
            {"privileges", QJsonArray {"read"}}, {"starts_at", Clock::toIso(w.f->now())},
            {"expires_at", Clock::toIso(w.f->now() + 60'000)}, {"ttl_seconds", 60}};
        LAPSE_VERIFY_OK(store.append(QStringLiteral("grant.activated"), QStringLiteral("bob"),
            QStringLiteral("grt_ghost"), ghost, w.f->now()));
        if (!g.id.isEmpty())
            LAPSE_VERIFY_OK(store.append(QStringLiteral("credential.used_after_end"),
                QStringLiteral("api-gw"), g.id, QJsonObject {{"grant_id", g.id}}, w.f->now()));
        store.rollback();
        for (int i = 0; i < 40; ++i)
            w.step();
        compareWithReference(w, MetricsQuery {});
        const QJsonObject m = computeMetrics(store, w.e().directory(), {}, w.f->now()).value();
        for (const auto& v : m["elevation_frequency"].toObject()["by_identity"].toArray())
            QVERIFY(v.toObject()["identity"].toString() != QLatin1String("ghost"));
    }

    // A store whose rollups were lost (or that predates them) is refused until reopened, then rebuilt.
    void backfillsLostRollups()
    {
        World w(11);
        QVERIFY(w.f->ok());
        for (int i = 0; i < 150; ++i)
            w.step();
        const QJsonObject before = computeMetrics(w.e().store(), w.e().directory(), {}, w.f->now()).value();
        const Directory directory = w.e().directory(); // the engine is gone while the store is tampered with
        w.f->close();
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
            db.setDatabaseName(w.f->dbPath());
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("DELETE FROM insight_grants")));
            QVERIFY(q.exec(QStringLiteral("DELETE FROM insight_rollup")));
            QVERIFY(q.exec(QStringLiteral("DELETE FROM meta WHERE key = 'insights_seq'")));
            auto reader = SqliteStore::openReadOnly(w.f->dbPath());
            LAPSE_VERIFY_OK(reader);
            auto stale = computeMetrics(*reader.value(), directory, {}, w.f->now());
            QVERIFY(!stale.ok());
            QCOMPARE(stale.error().code, ErrorCode::Conflict);
            QVERIFY2(stale.error().message.contains(QLatin1String("behind"))
                    || stale.error().message.contains(QLatin1String("end at")),
                qPrintable(stale.error().message));
            q.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("raw"));
        QVERIFY(w.f->reopen());
        const QJsonObject after = computeMetrics(w.e().store(), w.e().directory(), {}, w.f->now()).value();
        QCOMPARE(normalized(after), normalized(before));
        for (int i = 0; i < 10; ++i)
            compareWithReference(w, w.randomQuery());
    }
};

QTEST_GUILESS_MAIN(TestInsights)
#include "TestInsights.moc"
