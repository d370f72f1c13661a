// One contract, two backends: the embedded engine and a real lapse-broker over TLS answer the console the
// same way. Remote-only cases: an untrusted certificate, the broker dying and coming back.
#include "BrokerProcess.h"

#include "backend/EmbeddedBackend.h"
#include "backend/Mirror.h"
#include "backend/MirrorThread.h"
#include "backend/RemoteBackend.h"
#include "domain/Directory.h"
#include "engine/Engine.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace lapse;
using lapse::testing::BrokerProcess;

namespace
{
ApiResult callSync(Backend& b, const QByteArray& method, const QString& path, const QJsonObject& body = {})
{
    ApiResult out = makeError(ErrorCode::Internal, QStringLiteral("no answer"));
    bool done = false;
    b.call(method, path, body, {}, [&](const ApiResult& r) {
        out = r;
        done = true;
    });
    QTest::qWaitFor([&done] { return done; }, 30000);
    return out;
}
Result<RequestPage> pageSync(Backend& b, const QString& status, const QString& after, int limit)
{
    Result<RequestPage> out = makeError(ErrorCode::Internal, QStringLiteral("no answer"));
    bool done = false;
    b.requestPage(status, after, limit, [&](const Result<RequestPage>& r) {
        out = r;
        done = true;
    });
    QTest::qWaitFor([&done] { return done; }, 30000);
    return out;
}
ApiResult listSync(Backend& b, const QString& status, const QString& after, int limit)
{
    ApiResult out = makeError(ErrorCode::Internal, QStringLiteral("no answer"));
    bool done = false;
    b.listRequests(status, after, limit, [&](const ApiResult& r) {
        out = r;
        done = true;
    });
    QTest::qWaitFor([&done] { return done; }, 30000);
    return out;
}
QJsonObject ask(int ttl = 600)
{
    return QJsonObject {{"target", "prod-k8s"}, {"privileges", QJsonArray {"view"}}, {"task", "inspect"},
        {"reason", "contract test"}, {"ttl_seconds", ttl}};
}
} // namespace

class TestBackendContract : public QObject
{
    Q_OBJECT

    // Both worlds, each with the requester alice and the approver carol.
    QTemporaryDir m_dir;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<BrokerProcess> m_broker;
    QHash<QString, std::shared_ptr<Backend>> m_backends; // "embedded/alice", "remote/carol", ...

    Backend& backend(const QString& world, const QString& who)
    {
        return *m_backends.value(world + QLatin1Char('/') + who);
    }

private slots:
    void initTestCase()
    {
        auto directory
            = Directory::load(BrokerProcess::sourceFile(QStringLiteral("resources/directory.example.json")));
        QVERIFY(directory.ok());
        EngineConfig cfg;
        cfg.dataDir = m_dir.path();
        cfg.directory = std::move(directory).value();
        cfg.sweepIntervalMs = 0;
        auto engine = Engine::open(std::move(cfg));
        QVERIFY(engine.ok());
        m_engine = std::move(engine).value();

        m_broker = std::make_unique<BrokerProcess>();
        QString error;
        QHash<QString, QByteArray> keys;
        for (const char* who : {"alice", "carol", "bob"})
            keys.insert(QLatin1String(who), m_broker->createKey(QLatin1String(who), &error));
        QVERIFY2(m_broker->start(&error), qPrintable(error));
        for (const char* who : {"alice", "carol", "bob"}) {
            m_backends.insert(QStringLiteral("embedded/") + QLatin1String(who),
                std::make_shared<EmbeddedBackend>(*m_engine, QLatin1String(who)));
            m_backends.insert(QStringLiteral("remote/") + QLatin1String(who),
                std::make_shared<RemoteBackend>(
                    m_broker->url(), keys.value(QLatin1String(who)), m_broker->caFile()));
        }
    }

    void contract_data()
    {
        QTest::addColumn<QString>("world");
        QTest::newRow("embedded") << QStringLiteral("embedded");
        QTest::newRow("remote") << QStringLiteral("remote");
    }

    void contract()
    {
        QFETCH(QString, world);
        Backend& alice = backend(world, QStringLiteral("alice"));
        Backend& carol = backend(world, QStringLiteral("carol"));
        QCOMPARE(callSync(alice, "GET", QStringLiteral("/v1/me"))->value(QStringLiteral("id")).toString(),
            QStringLiteral("alice"));

        // Follow the log from the start while things happen.
        QList<Event> seen;
        QObject::connect(
            &carol, &Backend::eventsReceived, this, [&seen](const QList<Event>& page) { seen += page; });
        carol.follow(0);

        const ApiResult created = callSync(alice, "POST", QStringLiteral("/v1/requests"), ask());
        QVERIFY2(created.ok(), created.ok() ? "" : qPrintable(created.error().message));
        const QString id = created->value(QStringLiteral("id")).toString();
        const ApiResult self = callSync(alice, "POST", QStringLiteral("/v1/requests/%1/approve").arg(id));
        QVERIFY(!self.ok());
        QCOMPARE(self.error().code, ErrorCode::Forbidden);
        const ApiResult wider = callSync(carol, "POST", QStringLiteral("/v1/requests/%1/approve").arg(id),
            QJsonObject {{"privileges", QJsonArray {"view", "exec"}}});
        QVERIFY(!wider.ok());
        QCOMPARE(wider.error().code, ErrorCode::Invalid);
        const ApiResult approved = callSync(carol, "POST", QStringLiteral("/v1/requests/%1/approve").arg(id));
        QVERIFY(approved.ok());
        QVERIFY(approved->contains(QStringLiteral("grant")));
        const ApiResult twice = callSync(carol, "POST", QStringLiteral("/v1/requests/%1/approve").arg(id));
        QCOMPARE(twice.error().code, ErrorCode::Conflict);
        QCOMPARE(callSync(carol, "POST", QStringLiteral("/v1/requests/req_nope/approve")).error().code,
            ErrorCode::NotFound);
        const QString grant
            = approved->value(QStringLiteral("grant")).toObject().value(QStringLiteral("id")).toString();
        QVERIFY(callSync(carol, "POST", QStringLiteral("/v1/grants/%1/revoke").arg(grant),
            QJsonObject {{"reason", "done"}})
                    .ok());

        // Every event exactly once, in order, up to the last one.
        const qint64 last = callSync(carol, "GET", QStringLiteral("/v1/events"))
                                ->value(QStringLiteral("last_seq"))
                                .toInteger();
        QTRY_VERIFY_WITH_TIMEOUT(!seen.isEmpty() && seen.last().seq == last, 20000);
        for (int i = 0; i < seen.size(); ++i)
            QCOMPARE(seen.at(i).seq, qint64(i + 1));
        QCOMPARE(carol.lastSeq(), last);
        QCOMPARE(carol.state(), Backend::ConnectionState::Live);
        carol.stop();
        QObject::disconnect(&carol, &Backend::eventsReceived, this, nullptr);
    }

    void requestPages_data() { contract_data(); }

    // The queue's typed pages (read from the store in-process, decoded from JSON remotely) hold what the JSON
    // pages hold, follow the same cursor and refuse the same bad queries.
    void requestPages()
    {
        QFETCH(QString, world);
        Backend& alice = backend(world, QStringLiteral("alice"));
        Backend& bob = backend(world, QStringLiteral("bob"));
        Backend& carol = backend(world, QStringLiteral("carol"));
        QJsonObject narrow = ask();
        narrow[QStringLiteral("privileges")] = QJsonArray {"view", "exec"};
        narrow[QStringLiteral("min_privileges")] = QJsonArray {"view"};
        for (const QJsonObject& body : {ask(), narrow, ask(300)})
            QVERIFY(callSync(alice, "POST", QStringLiteral("/v1/requests"), body).ok());
        QJsonObject quorum {{"target", "customer-pii"}, {"privileges", QJsonArray {"read-masked"}},
            {"task", "one of two approvals"}, {"reason", "contract test"}, {"ticket", "CHG-7"},
            {"ttl_seconds", 600}};
        const ApiResult pii = callSync(alice, "POST", QStringLiteral("/v1/requests"), quorum);
        QVERIFY2(pii.ok(), pii.ok() ? "" : qPrintable(pii.error().message));
        QVERIFY(
            callSync(bob, "POST", QStringLiteral("/v1/requests/%1/approve").arg(pii->value("id").toString()))
                .ok());

        for (Backend* reader : {&carol, &alice}) {
            QString after;
            int pages = 0, rows = 0;
            for (;;) {
                const Result<RequestPage> typed = pageSync(*reader, QStringLiteral("pending"), after, 2);
                const ApiResult json = listSync(*reader, QStringLiteral("pending"), after, 2);
                QVERIFY(typed.ok() && json.ok());
                const QJsonArray items = json->value(QStringLiteral("items")).toArray();
                QCOMPARE(typed->items.size(), items.size());
                for (int i = 0; i < items.size(); ++i) {
                    QCOMPARE(typed->items[i].toJson(), items[i].toObject());
                    QCOMPARE(typed->items[i].status, RequestStatus::Pending);
                    if (reader == &alice)
                        QCOMPARE(typed->items[i].requester, QStringLiteral("alice"));
                }
                QCOMPARE(typed->nextAfter, json->value(QStringLiteral("next_after")).toString());
                ++pages;
                rows += int(items.size());
                if (typed->nextAfter.isEmpty())
                    break;
                after = typed->nextAfter;
            }
            QVERIFY(rows >= 4);
            QVERIFY(pages >= 2);
        }
        const Result<RequestPage> tooMany = pageSync(carol, QStringLiteral("pending"), QString(), 1001);
        QCOMPARE(tooMany.error().code, ErrorCode::Malformed);
        QVERIFY2(
            tooMany.error().message.contains(QStringLiteral("limit")), qPrintable(tooMany.error().message));
        const Result<RequestPage> unknown = pageSync(carol, QStringLiteral("pondering"), QString(), 10);
        QCOMPARE(unknown.error().code, ErrorCode::Malformed);
        QVERIFY2(unknown.error().message.contains(QStringLiteral("pondering")),
            qPrintable(unknown.error().message));
    }

    // Catching up takes many pages, each asked for while the one before is on its way; from the start and
    // resumed from the middle, every event arrives once, in order, chained.
    void catchUpOverManyPages()
    {
        Backend& alice = backend(QStringLiteral("remote"), QStringLiteral("alice"));
        for (int i = 0; i < 30; ++i)
            QVERIFY(callSync(alice, "POST", QStringLiteral("/v1/requests"), ask(300 + i)).ok());
        Backend& carol = backend(QStringLiteral("remote"), QStringLiteral("carol"));
        const qint64 last = callSync(carol, "GET", QStringLiteral("/v1/events"))
                                ->value(QStringLiteral("last_seq"))
                                .toInteger();
        QVERIFY(last >= 30); // pages of 7: several, whatever ran before
        const QJsonArray all = [&] {
            QJsonArray out;
            for (qint64 after = 0; after < last;) {
                ApiResult r = makeError(ErrorCode::Internal, QStringLiteral("no answer"));
                bool done = false;
                carol.events(after, 10000, [&](const ApiResult& answer) {
                    r = answer;
                    done = true;
                });
                if (!QTest::qWaitFor([&done] { return done; }, 30000) || !r)
                    break;
                const QJsonArray page = r->value(QStringLiteral("items")).toArray();
                if (page.isEmpty())
                    break;
                for (const auto& v : page)
                    out.append(v);
                after = page.last().toObject().value(QStringLiteral("seq")).toInteger();
            }
            return out;
        }();
        QCOMPARE(qint64(all.size()), last);
        QString error;
        const QByteArray auditor = m_broker->createKey(QStringLiteral("erin"), &error); // while it runs
        QVERIFY2(!auditor.isEmpty(), qPrintable(error));
        for (const qint64 from : {qint64(0), qint64(13), qint64(-1)}) {
            RemoteBackend follower(m_broker->url(), auditor, m_broker->caFile());
            follower.setCatchUpPageSize(7);
            QList<Event> seen;
            // -1: from the start, stopped and followed again from where it is after its second page, while
            // the next page and the one after it are already asked for.
            const bool restart = from < 0;
            connect(&follower, &Backend::eventsReceived, this, [&, restart](const QList<Event>& page) {
                seen += page;
                if (restart && seen.size() == 14) {
                    follower.stop();
                    follower.follow(follower.lastSeq());
                }
            });
            QSignalSpy problems(&follower, &Backend::problem);
            follower.follow(qMax(from, qint64(0)));
            QTRY_VERIFY_WITH_TIMEOUT(follower.lastSeq() >= last, 30000);
            QTRY_COMPARE_WITH_TIMEOUT(follower.state(), Backend::ConnectionState::Live, 10000);
            QVERIFY2(problems.isEmpty(),
                problems.isEmpty() ? "" : qPrintable(problems.first().first().toString()));
            const qint64 start = qMax(from, qint64(0));
            QCOMPARE(qint64(seen.size()), follower.lastSeq() - start);
            for (int i = 0; i < seen.size(); ++i) {
                QCOMPARE(seen[i].seq, start + 1 + i);
                if (seen[i].seq <= last) {
                    const Event json = Event::fromJson(all[int(seen[i].seq - 1)].toObject());
                    QCOMPARE(seen[i].hash, json.hash);
                    QCOMPARE(seen[i].body, json.body);
                }
            }
            follower.stop();
        }
    }

    // The console's mirror runs on a thread of its own: its signals reach this thread, it catches up and
    // resumes as the mirror does, and a mirror that cannot open says why.
    void mirrorOnItsOwnThread()
    {
        QString error;
        const QByteArray auditor = m_broker->createKey(QStringLiteral("erin"), &error);
        QVERIFY2(!auditor.isEmpty(), qPrintable(error));
        Backend& carol = backend(QStringLiteral("remote"), QStringLiteral("carol"));
        const qint64 last = callSync(carol, "GET", QStringLiteral("/v1/events"))
                                ->value(QStringLiteral("last_seq"))
                                .toInteger();
        QVERIFY(last > 0);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("mirror.db"));
        QThread* sourceThread = nullptr;
        const auto source = [&] {
            sourceThread = QThread::currentThread();
            auto b = std::make_unique<RemoteBackend>(m_broker->url(), auditor, m_broker->caFile());
            b->setCatchUpPageSize(5);
            return std::unique_ptr<Backend>(std::move(b));
        };
        {
            auto mirror = MirrorThread::open(file, source);
            QVERIFY2(mirror.ok(), mirror.ok() ? "" : qPrintable(mirror.error().message));
            QVERIFY(sourceThread && sourceThread != QThread::currentThread());
            QVERIFY(mirror.value()->runsOn(sourceThread));
            QList<QThread*> deliveredOn;
            connect(mirror.value().get(), &MirrorThread::advanced, this,
                [&deliveredOn] { deliveredOn << QThread::currentThread(); });
            // The broker's signed checkpoint is fetched and checked against the copy as it catches up.
            QSignalSpy checkpoint(mirror.value().get(), &MirrorThread::checkpointVerified);
            QSignalSpy inconsistent(mirror.value().get(), &MirrorThread::logInconsistent);
            mirror.value()->start();
            QTRY_VERIFY_WITH_TIMEOUT(mirror.value()->lastSeq() >= last, 30000);
            QTRY_VERIFY(!deliveredOn.isEmpty());
            QCOMPARE(deliveredOn.count(QThread::currentThread()), deliveredOn.size());
            QTRY_VERIFY_WITH_TIMEOUT(!checkpoint.isEmpty(), 30000);
            QVERIFY(checkpoint.first().at(0).toLongLong() > 0);
            QCOMPARE(inconsistent.count(), 0);
        }
        // Closed on its thread; opened again here it verifies and holds every event up to where it stopped.
        qint64 kept = 0;
        {
            auto again = Mirror::open(file, nullptr);
            QVERIFY2(again.ok(), again.ok() ? "" : qPrintable(again.error().message));
            kept = again.value()->lastSeq();
            QVERIFY(kept >= last);
        }
        QVERIFY(callSync(backend(QStringLiteral("remote"), QStringLiteral("alice")), "POST",
            QStringLiteral("/v1/requests"), ask())
                    .ok());
        {
            auto resumed = MirrorThread::open(file, source);
            QVERIFY(resumed.ok());
            QCOMPARE(resumed.value()->lastSeq(), kept);
            resumed.value()->start();
            QTRY_VERIFY_WITH_TIMEOUT(resumed.value()->lastSeq() > kept, 30000);
        }
        auto nowhere = MirrorThread::open(QStringLiteral("/proc/lapse-no-such-dir/mirror.db"), source);
        QVERIFY(!nowhere.ok());
        QVERIFY2(nowhere.error().message.contains(QStringLiteral("lapse-no-such-dir")),
            qPrintable(nowhere.error().message));
    }

    void untrustedCertificateIsRefused()
    {
        RemoteBackend stranger(m_broker->url(), "lapse_whatever", QString());
        const ApiResult r = callSync(stranger, "GET", QStringLiteral("/v1/me"));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Unavailable);
        QVERIFY2(r.error().message.contains(QStringLiteral("certificate")), qPrintable(r.error().message));
    }

    void plainHttpOnlyOnLoopback()
    {
        RemoteBackend outside(QUrl(QStringLiteral("http://192.0.2.10:8443")), "lapse_key", QString());
        const ApiResult r = callSync(outside, "GET", QStringLiteral("/v1/me"));
        QCOMPARE(r.error().code, ErrorCode::Invalid);
        QVERIFY(r.error().message.contains(QStringLiteral("https")));
        RemoteBackend loopback(
            QUrl(QStringLiteral("http://127.0.0.1:%1").arg(BrokerProcess::freeLoopbackPort())), "lapse_key",
            QString());
        QCOMPARE(callSync(loopback, "GET", QStringLiteral("/v1/me")).error().code,
            ErrorCode::Unavailable); // allowed, nobody there
    }

    void brokerGoesAwayAndComesBack()
    {
        auto& bob = static_cast<RemoteBackend&>(backend(QStringLiteral("remote"), QStringLiteral("bob")));
        bob.setLongPollSeconds(1);
        QList<Event> seen;
        QObject::connect(
            &bob, &Backend::eventsReceived, this, [&seen](const QList<Event>& page) { seen += page; });
        QSignalSpy states(&bob, &Backend::stateChanged);
        bob.follow(0);
        QTRY_COMPARE_WITH_TIMEOUT(bob.state(), Backend::ConnectionState::Live, 20000);
        const qint64 before = bob.lastSeq();

        m_broker->kill9();
        QTRY_COMPARE_WITH_TIMEOUT(bob.state(), Backend::ConnectionState::Reconnecting, 20000);
        // A decision while the broker is down fails at once; nothing is queued.
        const ApiResult refused
            = callSync(bob, "POST", QStringLiteral("/v1/requests/req_x/deny"), QJsonObject {{"reason", "x"}});
        QCOMPARE(refused.error().code, ErrorCode::Unavailable);

        // Events appended while the console cannot see them.
        QString error;
        QVERIFY2(!m_broker->createKey(QStringLiteral("dave"), &error).isEmpty(), qPrintable(error));
        QVERIFY2(!m_broker->createKey(QStringLiteral("erin"), &error).isEmpty(), qPrintable(error));
        QVERIFY2(m_broker->start(&error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(
            bob.state() == Backend::ConnectionState::Live && bob.lastSeq() == before + 2, 40000);
        for (int i = 0; i < seen.size(); ++i)
            QCOMPARE(seen.at(i).seq, qint64(i + 1)); // no gap, no duplicate across the outage
        QCOMPARE(seen.last().type, QStringLiteral("apikey.created"));
        bob.stop();
    }
};

QTEST_GUILESS_MAIN(TestBackendContract)
#include "TestBackendContract.moc"
