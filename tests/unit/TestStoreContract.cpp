// The Store contract: what every implementation must do, run against each of them. A new store (PostgreSQL)
// joins by adding a row to implementations() and must pass every test unchanged.
#include "EngineFixture.h"
#include "FailingStore.h"
#include "enforcement/PgCluster.h"
#include "engine/EventChain.h"
#include "engine/SqliteStore.h"
#include "pgstore/PgStore.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>
#include <unistd.h>

using namespace lapse;
using namespace lapse::test;

namespace
{
constexpr qint64 kT0 = 1'790'000'000'000; // a whole hour
constexpr qint64 kHour = 3'600'000;

// Opens (or reopens) a store of one implementation in a directory.
using Opener = std::function<Result<std::unique_ptr<Store>>(const QString& dir)>;

Result<std::unique_ptr<Store>> openSqlite(const QString& dir)
{
    auto s = SqliteStore::open(dir + QStringLiteral("/lapse.db"));
    if (!s)
        return s.error();
    return std::unique_ptr<Store>(std::move(s).value());
}

Result<std::unique_ptr<Store>> openFailingSqlite(const QString& dir)
{
    auto s = openSqlite(dir);
    if (!s)
        return s.error();
    return std::unique_ptr<Store>(std::make_unique<FailingStore>(std::move(s).value()));
}

// One PostgreSQL server for the whole run; each directory of a test maps to a database of its own, reached
// over TCP as an ordinary role with its password in a passfile, as the broker reaches it.
struct PgServer {
    std::unique_ptr<PgCluster> cluster;
    QString passfile;
    QSet<QString> databases;
};
PgServer& pgServer()
{
    static PgServer server;
    return server;
}

Result<std::unique_ptr<Store>> openPostgres(const QString& dir)
{
    PgServer& pg = pgServer();
    if (!pg.cluster)
        return makeError(ErrorCode::Unavailable, QStringLiteral("no PostgreSQL server"));
    const QString db = QStringLiteral("store_") + QFileInfo(dir).fileName();
    if (!pg.databases.contains(db)) {
        if (auto s = pg.cluster->psql(QStringLiteral("CREATE DATABASE %1 OWNER lapse_store").arg(db)); !s)
            return s.error();
        pg.databases.insert(db);
    }
    auto s = PgStore::open(QStringLiteral("host=%1 port=%2 dbname=%3 user=lapse_store passfile='%4'")
                               .arg(pg.cluster->host())
                               .arg(pg.cluster->port())
                               .arg(db, pg.passfile));
    if (!s)
        return s.error();
    return std::unique_ptr<Store>(std::move(s).value());
}

AccessRequest request(const QString& id, const QString& requester, RequestStatus status, qint64 expiresMs)
{
    AccessRequest r;
    r.id = id;
    r.requester = requester;
    r.target = QStringLiteral("billing-db");
    r.privileges = {QStringLiteral("read"), QStringLiteral("write")};
    r.minPrivileges = QStringList {QStringLiteral("read")};
    r.task = QStringLiteral("reconcile invoice 4411");
    r.reason = QStringLiteral("customer dispute — ü");
    r.ticket = QStringLiteral("FIN-88");
    r.ttlSeconds = 900;
    r.status = status;
    r.createdMs = kT0;
    r.expiresMs = expiresMs;
    r.approvalsRequired = 1;
    return r;
}

Grant grant(const QString& id, const QString& principal, GrantStatus status, qint64 startsMs)
{
    Grant g;
    g.id = id;
    g.requestId = QStringLiteral("req_") + id;
    g.principal = principal;
    g.target = QStringLiteral("billing-db");
    g.privileges = {QStringLiteral("read")};
    g.requestedPrivileges = {QStringLiteral("read"), QStringLiteral("write")};
    g.ttlSeconds = 600;
    g.approvers = {QStringLiteral("bob")};
    g.task = QStringLiteral("task");
    g.reason = QStringLiteral("reason");
    g.status = status;
    g.startsMs = startsMs;
    g.expiresMs = startsMs + 600'000;
    if (status != GrantStatus::Active)
        g.endedMs = startsMs + 60'000;
    return g;
}

// The body of grant.activated as the engine writes it (what the rollups read).
QJsonObject activated(const QString& id, const QString& principal, qint64 startsMs)
{
    return QJsonObject {{"id", id}, {"principal", principal}, {"target", "billing-db"},
        {"privileges", QJsonArray {"read"}}, {"requested_privileges", QJsonArray {"read", "write"}},
        {"min_privileges", QJsonArray {"read"}}, {"approvers", QJsonArray {"bob"}}, {"task", "t"},
        {"reason", "r"}, {"starts_at", Clock::toIso(startsMs)},
        {"expires_at", Clock::toIso(startsMs + 600'000)}, {"ttl_seconds", 600}};
}
} // namespace

class TestStoreContract : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_n = 0;

    // A fresh directory for one store.
    QString freshDir()
    {
        const QString d = m_dir.filePath(QString::number(++m_n));
        QDir().mkpath(d);
        return d;
    }

    void implementations()
    {
        QTest::addColumn<Opener>("open");
        QTest::newRow("sqlite") << Opener(openSqlite);
        QTest::newRow("failing-store passing through") << Opener(openFailingSqlite);
        if (pgServer().cluster)
            QTest::newRow("postgresql") << Opener(openPostgres);
    }

    static std::unique_ptr<Store> must(const Result<std::unique_ptr<Store>>& r)
    {
        if (!r)
            qFatal("cannot open store: %s", qPrintable(r.error().message));
        return std::move(const_cast<Result<std::unique_ptr<Store>>&>(r)).value();
    }

    static QList<Event> appendSome(Store& s, int n, qint64 tsMs)
    {
        QList<Event> out;
        for (int i = 0; i < n; ++i) {
            auto e = s.append(QStringLiteral("test.event"), QStringLiteral("alice"),
                QStringLiteral("subject-%1").arg(i),
                QJsonObject {{"i", i}, {"text", QStringLiteral("x\u00e9\u4e2d")}}, tsMs + i);
            if (e)
                out << e.value();
        }
        return out;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // Where no server is installed the PostgreSQL rows are left out, except in CI, which installs one.
        const QString reason = PgCluster::unavailableReason();
        if (!reason.isEmpty()) {
            QVERIFY2(qEnvironmentVariableIsEmpty("CI"), qPrintable(reason));
            qWarning("PostgreSQL rows left out: %s", qPrintable(reason));
            return;
        }
        if (::geteuid() == 0) // the server runs as postgres, who must pass through the test's directory
            QFile::setPermissions(m_dir.path(),
                QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                    | QFileDevice::ExeGroup | QFileDevice::ExeOther);
        auto cluster = PgCluster::start(m_dir.filePath(QStringLiteral("pg")));
        LAPSE_VERIFY_OK(cluster);
        PgServer& pg = pgServer();
        pg.cluster = std::move(cluster).value();
        const QString password = QStringLiteral("store-contract-secret");
        LAPSE_VERIFY_OK(pg.cluster->psql(QStringLiteral("CREATE ROLE lapse_store LOGIN PASSWORD :'pw'"),
            QStringLiteral("postgres"), {QStringLiteral("pw=") + password}));
        pg.passfile = m_dir.filePath(QStringLiteral("store.pgpass"));
        LAPSE_VERIFY_OK(PgCluster::writePassfile(pg.passfile, pg.cluster->host(), pg.cluster->port(),
            QStringLiteral("*"), QStringLiteral("lapse_store"), password));
    }

    void cleanupTestCase() { pgServer().cluster.reset(); }

    void emptyStore_data() { implementations(); }
    void emptyStore()
    {
        QFETCH(Opener, open);
        auto s = must(open(freshDir()));
        QCOMPARE(s->lastSeq(), qint64(0));
        QCOMPARE(s->headHash(), EventChain::genesisHash());
        QVERIFY(s->events(0, 100).isEmpty());
        QVERIFY(!s->request(QStringLiteral("req_none")));
        QVERIFY(!s->grant(QStringLiteral("grt_none")));
        QVERIFY(!s->session(QStringLiteral("ses_none")));
        QVERIFY(s->principalForApiKey("nothing").isEmpty());
        QString reason;
        qint64 breakSeq = -1;
        auto v = s->verifyChain(&reason, &breakSeq);
        LAPSE_VERIFY_OK(v);
        QCOMPARE(v.value(), qint64(0));
        QCOMPARE(s->insightsIndexedSeq(), qint64(0));
    }

    // Appended events get the next sequence numbers, chain onto each other, are readable in pages once
    // committed, and survive a reopen.
    void appendChainsAndPersists_data() { implementations(); }
    void appendChainsAndPersists()
    {
        QFETCH(Opener, open);
        const QString dir = freshDir();
        QList<Event> written;
        {
            auto s = must(open(dir));
            LAPSE_VERIFY_OK(s->begin());
            written = appendSome(*s, 5, kT0);
            QCOMPARE(written.size(), 5);
            LAPSE_VERIFY_OK(s->commit());
            QCOMPARE(s->lastSeq(), qint64(5));
            QCOMPARE(s->headHash(), written.last().hash);
            ChainVerifier v;
            for (const Event& e : written)
                QVERIFY2(v.add(e), qPrintable(v.breakReason()));
            const QList<Event> page = s->events(1, 2);
            QCOMPARE(page.size(), 2);
            QCOMPARE(page[0].seq, qint64(2));
            QCOMPARE(page[1].seq, qint64(3));
        }
        auto s = must(open(dir));
        QCOMPARE(s->lastSeq(), qint64(5));
        const QList<Event> all = s->events(0, 100);
        QCOMPARE(all.size(), 5);
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(all[i].seq, written[i].seq);
            QCOMPARE(all[i].hash, written[i].hash);
            QCOMPARE(all[i].body, written[i].body);
            QCOMPARE(all[i].subject, written[i].subject);
            QCOMPARE(all[i].tsMs, written[i].tsMs);
        }
        QString reason;
        qint64 breakSeq = 0;
        auto v = s->verifyChain(&reason, &breakSeq);
        LAPSE_VERIFY_OK(v);
        QCOMPARE(v.value(), qint64(5));
        // The next event continues the chain after the reopen.
        LAPSE_VERIFY_OK(s->begin());
        auto next = s->append(
            QStringLiteral("test.event"), QStringLiteral("bob"), QStringLiteral("s"), {}, kT0 + 10);
        LAPSE_VERIFY_OK(next);
        QCOMPARE(next->seq, qint64(6));
        LAPSE_VERIFY_OK(s->commit());
        ChainVerifier whole;
        for (const Event& e : s->events(0, 100))
            QVERIFY2(whole.add(e), qPrintable(whole.breakReason()));
        QCOMPARE(whole.verified(), qint64(6));
    }

    // A rolled-back transaction leaves no event, no state and the same head; the next write reuses the seq.
    void rollbackLeavesNothing_data() { implementations(); }
    void rollbackLeavesNothing()
    {
        QFETCH(Opener, open);
        auto s = must(open(freshDir()));
        LAPSE_VERIFY_OK(s->begin());
        appendSome(*s, 2, kT0);
        LAPSE_VERIFY_OK(s->commit());
        const QByteArray head = s->headHash();

        LAPSE_VERIFY_OK(s->begin());
        appendSome(*s, 3, kT0 + 100);
        LAPSE_VERIFY_OK(s->putRequest(
            request(QStringLiteral("req_gone"), QStringLiteral("alice"), RequestStatus::Pending, kT0)));
        LAPSE_VERIFY_OK(s->putGrant(
            grant(QStringLiteral("grt_gone"), QStringLiteral("alice"), GrantStatus::Active, kT0)));
        s->rollback();
        QCOMPARE(s->lastSeq(), qint64(2));
        QCOMPARE(s->headHash(), head);
        QCOMPARE(s->events(0, 100).size(), 2);
        QVERIFY(!s->request(QStringLiteral("req_gone")));
        QVERIFY(!s->grant(QStringLiteral("grt_gone")));

        LAPSE_VERIFY_OK(s->begin());
        const QList<Event> again = appendSome(*s, 1, kT0 + 200);
        LAPSE_VERIFY_OK(s->commit());
        QCOMPARE(again.first().seq, qint64(3));
        ChainVerifier v;
        for (const Event& e : s->events(0, 100))
            QVERIFY2(v.add(e), qPrintable(v.breakReason()));
        QCOMPARE(v.verified(), qint64(3));
    }

    // A batch appends in order with the bodies given, chained as single appends would be.
    void appendManyInOrder_data() { implementations(); }
    void appendManyInOrder()
    {
        QFETCH(Opener, open);
        auto s = must(open(freshDir()));
        QList<NewEvent> batch;
        QList<QByteArray> bodies;
        for (int i = 0; i < 50; ++i) {
            const QJsonObject body {{"n", i}};
            batch.append(
                {QStringLiteral("test.batch"), QStringLiteral("svc-ci"), QStringLiteral("s%1").arg(i), body});
            bodies << QJsonDocument(body).toJson(QJsonDocument::Compact);
        }
        LAPSE_VERIFY_OK(s->begin());
        auto out = s->appendMany(batch, bodies, kT0);
        LAPSE_VERIFY_OK(out);
        LAPSE_VERIFY_OK(s->commit());
        QCOMPARE(out->size(), 50);
        const QList<Event> stored = s->events(0, 100);
        QCOMPARE(stored.size(), 50);
        ChainVerifier v;
        for (int i = 0; i < 50; ++i) {
            QCOMPARE(stored[i].seq, qint64(i + 1));
            QCOMPARE(stored[i].body, bodies[i]);
            QCOMPARE(stored[i].hash, out->at(i).hash);
            QVERIFY2(v.add(stored[i]), qPrintable(v.breakReason()));
        }
    }

    // Another log's events are copied byte for byte; a forged event or a gap is refused by seq, and nothing
    // of the refused run remains after the rollback.
    void verbatimCopy_data() { implementations(); }
    void verbatimCopy()
    {
        QFETCH(Opener, open);
        auto source = must(open(freshDir()));
        LAPSE_VERIFY_OK(source->begin());
        const QList<Event> original = appendSome(*source, 6, kT0);
        LAPSE_VERIFY_OK(source->commit());

        auto copy = must(open(freshDir()));
        qint64 breakSeq = -1;
        LAPSE_VERIFY_OK(copy->begin());
        LAPSE_VERIFY_OK(copy->appendVerbatimMany(original.mid(0, 3), &breakSeq));
        LAPSE_VERIFY_OK(copy->commit());
        QCOMPARE(breakSeq, qint64(0));

        QList<Event> forged = original.mid(3);
        forged[1].body = QByteArrayLiteral("{\"i\":99}");
        LAPSE_VERIFY_OK(copy->begin());
        QVERIFY(!copy->appendVerbatimMany(forged, &breakSeq));
        copy->rollback();
        QCOMPARE(breakSeq, original[4].seq);
        QCOMPARE(copy->lastSeq(), qint64(3));

        LAPSE_VERIFY_OK(copy->begin());
        QVERIFY(!copy->appendVerbatimMany(original.mid(4), &breakSeq)); // seq 5 after head 3: a gap
        copy->rollback();
        QCOMPARE(breakSeq, qint64(4));
        QCOMPARE(copy->lastSeq(), qint64(3));

        LAPSE_VERIFY_OK(copy->begin());
        LAPSE_VERIFY_OK(copy->appendVerbatimMany(original.mid(3), &breakSeq));
        LAPSE_VERIFY_OK(copy->commit());
        const QList<Event> copied = copy->events(0, 100);
        QCOMPARE(copied.size(), original.size());
        for (int i = 0; i < copied.size(); ++i) {
            QCOMPARE(copied[i].hash, original[i].hash);
            QCOMPARE(copied[i].body, original[i].body);
        }
        QCOMPARE(copy->headHash(), source->headHash());
    }

    // Requests, grants, sessions, lockouts and API keys read back exactly as written.
    void stateRoundTrips_data() { implementations(); }
    void stateRoundTrips()
    {
        QFETCH(Opener, open);
        auto s = must(open(freshDir()));
        AccessRequest r
            = request(QStringLiteral("req_1"), QStringLiteral("alice"), RequestStatus::Pending, kT0 + kHour);
        r.approvals << Approval {
            QStringLiteral("bob"), {QStringLiteral("read")}, 600, QStringLiteral("ok"), kT0 + 5};
        r.approvalsRequired = 2;
        const Grant g = grant(QStringLiteral("grt_1"), QStringLiteral("alice"), GrantStatus::Revoked, kT0);
        Session ses;
        ses.id = QStringLiteral("ses_1");
        ses.grantId = g.id;
        ses.principal = g.principal;
        ses.target = g.target;
        ses.resourceServer = QStringLiteral("api-gw");
        ses.privilegesUsed = {QStringLiteral("read")};
        ses.openedMs = kT0 + 1000;
        ses.grantEndedMs = g.endedMs;
        LockoutRecord l {
            QStringLiteral("agent-7"), true, kT0, kT0, QStringLiteral("leak"), QStringLiteral("rita")};

        LAPSE_VERIFY_OK(s->begin());
        LAPSE_VERIFY_OK(s->putRequest(r));
        LAPSE_VERIFY_OK(s->putGrant(g));
        LAPSE_VERIFY_OK(s->putSession(ses));
        LAPSE_VERIFY_OK(s->putLockout(l));
        LAPSE_VERIFY_OK(s->putApiKey("hash-1", QStringLiteral("alice"), kT0, QStringLiteral("laptop")));
        LAPSE_VERIFY_OK(s->commit());

        QCOMPARE(s->request(r.id)->toJson(), r.toJson());
        QCOMPARE(s->grant(g.id)->toJson(), g.toJson());
        QCOMPARE(s->session(ses.id)->toJson(kT0 + 5000), ses.toJson(kT0 + 5000));
        const QList<LockoutRecord> lockouts = s->lockouts();
        QCOMPARE(lockouts.size(), 1);
        QCOMPARE(lockouts[0].principal, l.principal);
        QCOMPARE(lockouts[0].active, true);
        QCOMPARE(lockouts[0].reason, l.reason);
        QCOMPARE(s->principalForApiKey("hash-1"), QStringLiteral("alice"));
        QVERIFY(s->principalForApiKey("hash-2").isEmpty());

        // A later write of the same id replaces it.
        r.status = RequestStatus::Denied;
        r.denyReason = QStringLiteral("no");
        LAPSE_VERIFY_OK(s->begin());
        LAPSE_VERIFY_OK(s->putRequest(r));
        LAPSE_VERIFY_OK(s->commit());
        QCOMPARE(int(s->request(r.id)->status), int(RequestStatus::Denied));
        QCOMPARE(s->request(r.id)->denyReason, QStringLiteral("no"));
    }

    // Listings filter and page by id; the JSON listing has the same rows; due requests are pending and late.
    void listings_data() { implementations(); }
    void listings()
    {
        QFETCH(Opener, open);
        auto s = must(open(freshDir()));
        LAPSE_VERIFY_OK(s->begin());
        for (int i = 0; i < 10; ++i) {
            const RequestStatus st = i % 3 == 0 ? RequestStatus::Denied : RequestStatus::Pending;
            LAPSE_VERIFY_OK(s->putRequest(request(QStringLiteral("req_%1").arg(i, 2, 10, QLatin1Char('0')),
                i % 2 ? QStringLiteral("alice") : QStringLiteral("bob"), st, kT0 + i * 1000)));
        }
        for (int i = 0; i < 6; ++i)
            LAPSE_VERIFY_OK(s->putGrant(grant(QStringLiteral("grt_%1").arg(i),
                i < 4 ? QStringLiteral("alice") : QStringLiteral("bob"),
                i % 2 ? GrantStatus::Active : GrantStatus::Expired, kT0 + i * kHour)));
        LAPSE_VERIFY_OK(s->commit());

        RequestFilter pending;
        pending.status = RequestStatus::Pending;
        const QList<AccessRequest> all = s->requests(pending);
        QCOMPARE(all.size(), 6);
        for (const auto& r : all)
            QCOMPARE(int(r.status), int(RequestStatus::Pending));
        QVERIFY(std::is_sorted(
            all.cbegin(), all.cend(), [](const auto& a, const auto& b) { return a.id < b.id; }));
        pending.limit = 4;
        const QList<AccessRequest> first = s->requests(pending);
        QCOMPARE(first.size(), 4);
        pending.afterId = first.last().id;
        const QList<AccessRequest> rest = s->requests(pending);
        QCOMPARE(rest.size(), 2);
        QVERIFY(rest.first().id > first.last().id);
        const auto json = s->requestsJson(pending);
        QCOMPARE(json.size(), rest.size());
        for (int i = 0; i < json.size(); ++i) {
            QCOMPARE(json[i].first, rest[i].id);
            QCOMPARE(AccessRequest::fromJson(QJsonDocument::fromJson(json[i].second).object()).toJson(),
                rest[i].toJson());
        }
        RequestFilter mine;
        mine.requester = QStringLiteral("alice");
        QCOMPARE(s->requests(mine).size(), 5);

        auto due = s->pendingRequestsDue(kT0 + 4000, 100);
        LAPSE_VERIFY_OK(due);
        QStringList dueIds;
        for (const auto& r : due.value())
            dueIds << r.id;
        QCOMPARE(dueIds, (QStringList {"req_01", "req_02", "req_04"}));

        GrantFilter active;
        active.status = GrantStatus::Active;
        QCOMPARE(s->grants(active).size(), 3);
        GrantFilter bobs;
        bobs.principal = QStringLiteral("bob");
        QCOMPARE(s->grants(bobs).size(), 2);
        QCOMPARE(s->grantCountSince(QStringLiteral("alice"), QStringLiteral("billing-db"), kT0 + kHour), 3);
        QCOMPARE(s->grantCountSince(QStringLiteral("alice"), QStringLiteral("vault"), 0), 0);
    }

    // Sessions by state: live (grant running), lingering (grant ended, session open), ended.
    void sessionStates_data() { implementations(); }
    void sessionStates()
    {
        QFETCH(Opener, open);
        auto s = must(open(freshDir()));
        auto make = [](const QString& id, qint64 ended, qint64 grantEnded) {
            Session x;
            x.id = id;
            x.grantId = QStringLiteral("grt_1");
            x.principal = QStringLiteral("alice");
            x.target = QStringLiteral("billing-db");
            x.openedMs = kT0;
            x.endedMs = ended;
            x.grantEndedMs = grantEnded;
            return x;
        };
        LAPSE_VERIFY_OK(s->begin());
        LAPSE_VERIFY_OK(s->putSession(make(QStringLiteral("ses_live"), 0, 0)));
        LAPSE_VERIFY_OK(s->putSession(make(QStringLiteral("ses_linger"), 0, kT0 + 10)));
        LAPSE_VERIFY_OK(s->putSession(make(QStringLiteral("ses_ended"), kT0 + 5, kT0 + 10)));
        LAPSE_VERIFY_OK(s->commit());
        auto ids = [&](std::optional<SessionState> st) {
            SessionFilter f;
            f.state = st;
            QStringList out;
            for (const auto& x : s->sessions(f))
                out << x.id;
            out.sort();
            return out;
        };
        QCOMPARE(ids(SessionState::Live), QStringList {"ses_live"});
        QCOMPARE(ids(SessionState::Lingering), QStringList {"ses_linger"});
        QCOMPARE(ids(SessionState::Ended), QStringList {"ses_ended"});
        QCOMPARE(ids(std::nullopt).size(), 3);
    }

    // The rollups follow the log in the same transaction: a grant's activation is in the per-grant facts,
    // the hourly sums and the start times once committed, and not at all after a rollback.
    void insightsFollowTheLog_data() { implementations(); }
    void insightsFollowTheLog()
    {
        QFETCH(Opener, open);
        auto s = must(open(freshDir()));
        LAPSE_VERIFY_OK(s->begin());
        LAPSE_VERIFY_OK(
            s->append(QStringLiteral("grant.activated"), QStringLiteral("bob"), QStringLiteral("grt_a"),
                activated(QStringLiteral("grt_a"), QStringLiteral("alice"), kT0 + 1000), kT0 + 1000));
        LAPSE_VERIFY_OK(
            s->append(QStringLiteral("grant.revoked"), QStringLiteral("rita"), QStringLiteral("grt_a"),
                QJsonObject {{"id", "grt_a"}, {"ended_at", Clock::toIso(kT0 + 2000)}}, kT0 + 2000));
        LAPSE_VERIFY_OK(s->commit());
        QCOMPARE(s->insightsIndexedSeq(), s->lastSeq());

        LAPSE_VERIFY_OK(s->begin());
        LAPSE_VERIFY_OK(
            s->append(QStringLiteral("grant.activated"), QStringLiteral("bob"), QStringLiteral("grt_b"),
                activated(QStringLiteral("grt_b"), QStringLiteral("carol"), kT0 + 3000), kT0 + 3000));
        s->rollback();

        const InsightScope all {kT0, kT0 + kHour, {}};
        QList<InsightCell> facts;
        LAPSE_VERIFY_OK(s->insightGrants(all, [&](const InsightCell& c) { facts << c; }));
        QCOMPARE(facts.size(), 1);
        QCOMPARE(facts[0].principal, QStringLiteral("alice"));
        QCOMPARE(facts[0].privileges, QStringLiteral("read"));
        QCOMPARE(facts[0].day, (kT0 + 1000) / 86'400'000);
        QCOMPARE(facts[0].contribution.grants, qint64(1));
        QCOMPARE(facts[0].contribution.revoked, qint64(1));
        QCOMPARE(facts[0].contribution.revocations, qint64(1));
        QCOMPARE(facts[0].contribution.narrowed, qint64(1));

        QList<InsightCell> hours;
        LAPSE_VERIFY_OK(
            s->insightHours(kT0 / kHour, kT0 / kHour + 1, {}, [&](const InsightCell& c) { hours << c; }));
        QCOMPARE(hours.size(), 1);
        QCOMPARE(hours[0].contribution.grants, qint64(1));
        QList<InsightCell> otherTarget;
        LAPSE_VERIFY_OK(s->insightHours(kT0 / kHour, kT0 / kHour + 1, QStringLiteral("vault"),
            [&](const InsightCell& c) { otherTarget << c; }));
        QVERIFY(otherTarget.isEmpty());

        QList<RevokedGrant> revoked;
        LAPSE_VERIFY_OK(s->revokedGrants(all, [&](const RevokedGrant& r) { revoked << r; }));
        QCOMPARE(revoked.size(), 1);
        QCOMPARE(revoked[0].principal, QStringLiteral("alice"));

        QList<GrantStart> starts;
        LAPSE_VERIFY_OK(s->grantStarts(all, [&](const GrantStart& g) { starts << g; }));
        QCOMPARE(starts.size(), 1);
        QCOMPARE(starts[0].startMs, kT0 + 1000);

        QList<LingeringGrant> lingering;
        LAPSE_VERIFY_OK(s->lingeringGrants(all, [&](const LingeringGrant& g) { lingering << g; }));
        QVERIFY(lingering.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestStoreContract)
#include "TestStoreContract.moc"
