// The six metrics on small hand-built histories with known answers, through the engine's own API and a
// manual clock: narrowed and excess width, unused privileges, a grant revoked before any session, a session
// spanning expiry, post-expiry uses, repeated elevations and grants exactly at the window's edges.
#include "EngineFixture.h"

#include "metrics/Metrics.h"

#include <QJsonArray>
#include <QtTest>

using namespace lapse;
using namespace lapse::test;

class TestMetrics : public QObject
{
    Q_OBJECT

    std::unique_ptr<EngineFixture> m_f;
    QList<Grant> m_grants; // G1..G4 in order

    EngineFixture& f() { return *m_f; }
    const Principal& gw() { return f().who(QStringLiteral("api-gw")); }

    Grant grant(const QStringList& requested, const std::optional<QStringList>& minimum,
        const std::optional<QStringList>& approved)
    {
        RequestInput in = EngineFixture::input(QStringLiteral("billing-db"));
        in.privileges = requested;
        in.minPrivileges = minimum;
        auto d = f().submit(QStringLiteral("alice"), in);
        ApproveInput a;
        a.privileges = approved;
        auto r = f().approve(QStringLiteral("bob"), d->request.id, a);
        return *r->grant;
    }
    QJsonObject metrics(const MetricsQuery& q = {})
    {
        auto m = computeMetrics(f().engine().store(), f().engine().directory(), q, f().now());
        return m.ok() ? m.value() : QJsonObject {};
    }

private slots:
    void init()
    {
        m_f = std::make_unique<EngineFixture>();
        QVERIFY2(f().ok(), qPrintable(f().openError()));
        Engine& e = f().engine();
        m_grants.clear();

        // G1: asked read+write, minimum read, narrowed to read; used read; completed early.
        const Grant g1 = grant({"read", "write"}, QStringList {"read"}, QStringList {"read"});
        auto s1 = e.openSession(gw(), f().token(g1), {});
        QVERIFY(s1.ok());
        f().clock().advance(60'000);
        QVERIFY(e.endSession(gw(), s1->id, {"read"}).ok());
        f().clock().advance(60'000);
        QVERIFY(e.complete(f().who(QStringLiteral("alice")), g1.id).ok());
        m_grants << g1;

        // G2: read+write as asked (one beyond the minimum); revoked with a session open, closed 3 s later;
        // its credential presented again after the revoke.
        f().clock().advance(60'000);
        const Grant g2 = grant({"read", "write"}, QStringList {"read"}, std::nullopt);
        const QByteArray t2 = f().token(g2);
        auto s2 = e.openSession(gw(), t2, {});
        QVERIFY(s2.ok());
        f().clock().advance(10'000);
        QVERIFY(e.revoke(f().who(QStringLiteral("carol")), g2.id, QStringLiteral("done early")).ok());
        QCOMPARE(
            e.introspect(gw(), t2)->value(QStringLiteral("active")).toBool(true), false); // post-expiry use
        f().clock().advance(3'000);
        QVERIFY(e.endSession(gw(), s2->id, {"read", "write"}).ok());
        m_grants << g2;

        // G3: read, no minimum declared; its session spans expiry and closes 2 s after it.
        f().clock().advance(60'000);
        const Grant g3 = grant({"read"}, std::nullopt, std::nullopt);
        auto s3 = e.openSession(gw(), f().token(g3), {});
        QVERIFY(s3.ok());
        f().clock().set(g3.expiresMs);
        e.sweep();
        f().clock().advance(2'000);
        QVERIFY(e.endSession(gw(), s3->id, {}).ok());
        m_grants << g3;

        // G4: read, revoked before any session.
        f().clock().advance(60'000);
        const Grant g4 = grant({"read"}, QStringList {"read"}, std::nullopt);
        f().clock().advance(5'000);
        QVERIFY(e.revoke(f().who(QStringLiteral("carol")), g4.id, QStringLiteral("not needed")).ok());
        m_grants << g4;
    }

    void cleanup() { m_f.reset(); }

    void wholeHistory()
    {
        MetricsQuery q;
        q.repeatThreshold = 3;
        const QJsonObject m = metrics(q);
        const QJsonObject ef = m["elevation_frequency"].toObject();
        QCOMPARE(ef["grants"].toInt(), 4);
        QCOMPARE(
            ef["by_identity"].toArray(), (QJsonArray {QJsonObject {{"identity", "alice"}, {"grants", 4}}}));
        // alice on billing-db with exactly [read] three times (G1, G3, G4); [read, write] only once.
        QCOMPARE(ef["repeated"].toArray().size(), 1);
        const QJsonObject rep = ef["repeated"].toArray().first().toObject();
        QCOMPARE(rep["identity"].toString(), QStringLiteral("alice"));
        QCOMPARE(rep["target"].toString(), QStringLiteral("billing-db"));
        QCOMPARE(rep["privileges"].toArray(), QJsonArray {"read"});
        QCOMPARE(rep["count"].toInt(), 3);

        const QJsonObject gw = m["grant_width"].toObject();
        QCOMPARE(gw["with_minimum"].toInt(), 3); // G3 declared none
        QCOMPARE(gw["excess_privileges"].toInt(), 1); // G2's write
        QCOMPARE(gw["narrowed"].toInt(), 1); // G1
        QCOMPARE(
            gw["with_usage"].toInt(), 2); // G1 and G2 reported what was used; G3's session reported nothing
        QCOMPARE(gw["unused_privileges"].toInt(), 0);

        const QJsonObject ls = m["lingering_sessions"].toObject();
        QCOMPARE(ls["count"].toInt(), 2); // G2's 3 s after the revoke, G3's 2 s past expiry
        QCOMPARE(ls["total_seconds"].toDouble(), 5.0);
        QCOMPARE(ls["post_expiry_uses"].toInt(), 1);

        const QJsonObject rv = m["revocation"].toObject();
        QCOMPARE(rv["count"].toInt(), 2);
        QCOMPARE(rv["p50_ms"].toDouble(), 0.0); // G4: no session to close
        QCOMPARE(rv["p99_ms"].toDouble(), 3000.0); // G2: confirmed closed 3 s after the revoke

        const QJsonObject du = m["duration"].toObject();
        QCOMPARE(du["ended"].toInt(), 4);
        QCOMPARE(du["completed"].toInt(), 1);
        QCOMPARE(du["expired"].toInt(), 1);
        QCOMPARE(du["revoked"].toInt(), 2);
        QCOMPARE(du["approved_ttl_seconds"].toDouble(), 2400.0);
        QCOMPARE(du["used_seconds"].toDouble(), 120.0 + 10.0 + 600.0 + 5.0);

        QCOMPARE(m["completeness"].toObject()["complete"].toInt(), 4);
    }

    void windowEdgesAreInclusiveThenExclusive()
    {
        MetricsQuery q;
        q.fromMs = m_grants.at(1).startsMs; // G2 starts exactly here: in
        q.toMs = m_grants.at(3).startsMs; // G4 starts exactly here: out
        const QJsonObject m = metrics(q);
        QCOMPARE(m["elevation_frequency"].toObject()["grants"].toInt(), 2);
        QCOMPARE(m["revocation"].toObject()["count"].toInt(), 1); // G2 only
        QCOMPARE(m["lingering_sessions"].toObject()["count"].toInt(), 2);
        QCOMPARE(m["grant_width"].toObject()["with_minimum"].toInt(), 1);
    }

    void filtersByTargetAndKind()
    {
        MetricsQuery q;
        q.target = QStringLiteral("prod-k8s");
        QCOMPARE(metrics(q)["elevation_frequency"].toObject()["grants"].toInt(), 0);
        q.target.clear();
        q.kind = QStringLiteral("agent");
        QCOMPARE(metrics(q)["elevation_frequency"].toObject()["grants"].toInt(), 0);
        QCOMPARE(metrics(q)["lingering_sessions"].toObject()["post_expiry_uses"].toInt(), 0);
        q.kind = QStringLiteral("human");
        QCOMPARE(metrics(q)["elevation_frequency"].toObject()["grants"].toInt(), 4);
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "TestMetrics.moc"
