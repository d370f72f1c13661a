// The introspection snapshot as HTTP threads use it (ApiService::answerFromSnapshot on threads of their own):
// it repeats only what the engine answered active, and every end, lockout or expiry reaches every thread
// before the engine acknowledges it.
#include "engine/IntrospectionSnapshot.h"

#include "EngineFixture.h"
#include "api/ApiService.h"

#include <QJsonDocument>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QUrlQuery>

#include <atomic>
#include <functional>

using namespace lapse;
using namespace lapse::test;

namespace
{
// Runs fn on a thread of its own and waits for it to finish.
template <typename T> T onOtherThread(const std::function<T()>& fn)
{
    T out {};
    std::unique_ptr<QThread> t(QThread::create([&] { out = fn(); }));
    t->start();
    t->wait();
    return out;
}
} // namespace

class TestIntrospectionSnapshot : public QObject
{
    Q_OBJECT

    std::unique_ptr<EngineFixture> m_f;
    std::unique_ptr<ApiService> m_api;
    QHash<QString, QByteArray> m_keys;
    EngineFixture& f() { return *m_f; }
    Engine& eng() { return m_f->engine(); }

    ApiRequest introspection(const QString& resourceServer, const QByteArray& token) const
    {
        ApiRequest r;
        r.method = "POST";
        r.path = QStringLiteral("/v1/introspect");
        r.contentType = "application/x-www-form-urlencoded";
        r.authorization = "Bearer " + m_keys.value(resourceServer);
        QUrlQuery form;
        form.addQueryItem(QStringLiteral("token"), QString::fromLatin1(token));
        r.body = form.toString(QUrl::FullyEncoded).toLatin1();
        return r;
    }
    // The engine's answer, on this (the engine's) thread.
    ApiResponse viaEngine(const QString& resourceServer, const QByteArray& token)
    {
        return m_api->handle(introspection(resourceServer, token));
    }
    // What another thread answers without the engine; nullopt: it would ask the engine.
    std::optional<ApiResponse> elsewhere(const ApiRequest& req)
    {
        const IntrospectionSnapshot& s = eng().snapshot();
        return onOtherThread<std::optional<ApiResponse>>(
            [&] { return ApiService::answerFromSnapshot(s, req); });
    }
    std::optional<ApiResponse> elsewhere(const QString& resourceServer, const QByteArray& token)
    {
        return elsewhere(introspection(resourceServer, token));
    }
    // An active grant of alice on billing-db, its credential, and api-gw's first (engine) answer to it.
    std::pair<Grant, QByteArray> activeCredential()
    {
        auto g = f().grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
        if (!g)
            return {};
        const QByteArray token = f().token(g.value());
        if (viaEngine(QStringLiteral("api-gw"), token).jsonBody()["active"] != true)
            return {};
        return {g.value(), token};
    }

private slots:
    void init()
    {
        m_f = std::make_unique<EngineFixture>();
        QVERIFY2(m_f->ok(), qPrintable(m_f->openError()));
        m_api = std::make_unique<ApiService>(eng());
        m_keys.clear();
        for (const char* who : {"api-gw", "db-proxy", "alice"}) {
            auto key = eng().createApiKey(QString::fromLatin1(who));
            LAPSE_VERIFY_OK(key);
            m_keys.insert(QString::fromLatin1(who), key.value());
        }
    }
    void cleanup()
    {
        m_api.reset();
        m_f.reset();
    }

    void repeatsOnlyWhatTheEngineAnsweredActive()
    {
        auto g = f().grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(g);
        const QByteArray token = f().token(g.value());
        QVERIFY(!elsewhere(QStringLiteral("api-gw"), token)); // the engine has not answered yet
        const ApiResponse first = viaEngine(QStringLiteral("api-gw"), token);
        QCOMPARE(first.jsonBody()["active"].toBool(), true);
        const auto repeat = elsewhere(QStringLiteral("api-gw"), token);
        QVERIFY(repeat);
        QCOMPARE(repeat->status, 200);
        QCOMPARE(repeat->body, first.body);
        QCOMPARE(repeat->contentType, first.contentType);

        // Another resource server has not been answered: the engine decides for it.
        QVERIFY(!elsewhere(QStringLiteral("db-proxy"), token));
        // Not a resource server, unknown, missing or malformed key: never from the snapshot.
        QVERIFY(!elsewhere(QStringLiteral("alice"), token));
        ApiRequest unknown = introspection(QStringLiteral("api-gw"), token);
        unknown.authorization = "Bearer lapse_unknown";
        QVERIFY(!elsewhere(unknown));
        ApiRequest missing = introspection(QStringLiteral("api-gw"), token);
        missing.authorization.clear();
        QVERIFY(!elsewhere(missing));
        // A token altered anywhere, or not a token at all.
        QByteArray altered = token;
        altered[altered.size() - 2] = altered.at(altered.size() - 2) == 'A' ? 'B' : 'A';
        QVERIFY(!elsewhere(QStringLiteral("api-gw"), altered));
        QVERIFY(!elsewhere(QStringLiteral("api-gw"), token.split('.').value(0) + ".e30."));
        // Anything but a well-formed introspection goes to the engine.
        ApiRequest form = introspection(QStringLiteral("api-gw"), token);
        form.contentType = "application/json";
        QVERIFY(!elsewhere(form));
        ApiRequest get = introspection(QStringLiteral("api-gw"), token);
        get.method = "GET";
        QVERIFY(!elsewhere(get));
    }

    void revokeReachesEveryThreadBeforeItIsAcknowledged()
    {
        const auto [g, token] = activeCredential();
        QVERIFY(!token.isEmpty());
        // Readers repeat the introspection as fast as they can. Once revoke() has returned, the next read of
        // every one of them must be inactive; the flag is read before each answer, so no read can predate the
        // revoke.
        const IntrospectionSnapshot& s = eng().snapshot();
        const ApiRequest req = introspection(QStringLiteral("api-gw"), token);
        std::atomic<bool> revoked {false};
        std::atomic<int> activeAfterRevoke {0}, readsAfterRevoke {0};
        QSemaphore started;
        std::vector<std::unique_ptr<QThread>> readers;
        for (int i = 0; i < 4; ++i) {
            readers.emplace_back(QThread::create([&] {
                started.release();
                int after = 0;
                while (after < 1000) {
                    const bool wasRevoked = revoked.load(std::memory_order_acquire);
                    const bool active = ApiService::answerFromSnapshot(s, req).has_value();
                    if (wasRevoked) {
                        ++after;
                        if (active)
                            ++activeAfterRevoke;
                    }
                }
                readsAfterRevoke += after;
            }));
            readers.back()->start();
        }
        started.acquire(4);
        // Revoked inside the commit's own publication as well: by then no thread may repeat the answer.
        std::optional<bool> repeatedWhilePublishing;
        QObject::connect(&eng(), &Engine::eventsAppended, this,
            [&] { repeatedWhilePublishing = elsewhere(req).has_value(); });
        LAPSE_VERIFY_OK(eng().revoke(f().who(QStringLiteral("rita")), g.id, QStringLiteral("contain")));
        revoked.store(true, std::memory_order_release);
        for (auto& t : readers)
            t->wait();
        QCOMPARE(readsAfterRevoke.load(), 4000);
        QCOMPARE(activeAfterRevoke.load(), 0);
        QCOMPARE(repeatedWhilePublishing, std::optional<bool>(false));
    }

    void endedGrantsGoBackToTheEngine_data()
    {
        QTest::addColumn<QString>("how");
        QTest::newRow("revoked") << QStringLiteral("revoke");
        QTest::newRow("completed") << QStringLiteral("complete");
        QTest::newRow("holder locked out") << QStringLiteral("lockout-holder");
    }
    void endedGrantsGoBackToTheEngine()
    {
        QFETCH(QString, how);
        const auto [g, token] = activeCredential();
        QVERIFY(!token.isEmpty());
        QVERIFY(elsewhere(QStringLiteral("api-gw"), token));
        if (how == QLatin1String("revoke"))
            LAPSE_VERIFY_OK(eng().revoke(f().who(QStringLiteral("rita")), g.id, QStringLiteral("contain")));
        else if (how == QLatin1String("complete"))
            LAPSE_VERIFY_OK(eng().complete(f().who(QStringLiteral("alice")), g.id));
        else
            LAPSE_VERIFY_OK(eng().lockout(
                f().who(QStringLiteral("rita")), QStringLiteral("alice"), QStringLiteral("leak")));
        QVERIFY(!elsewhere(QStringLiteral("api-gw"), token));
        // The engine answers instead, and the use after the end is evidence in the log.
        f().clock().advance(10);
        QCOMPARE(viaEngine(QStringLiteral("api-gw"), token).jsonBody(), QJsonObject({{"active", false}}));
        QCOMPARE(f().eventsOfType(QStringLiteral("credential.used_after_end")).size(), 1);
        QVERIFY(!elsewhere(QStringLiteral("api-gw"), token));
        if (how.startsWith(QLatin1String("lockout"))) {
            // Unlocking brings nothing back: the old credential stays dead everywhere.
            LAPSE_VERIFY_OK(eng().unlock(f().who(QStringLiteral("rita")), QStringLiteral("alice")));
            QCOMPARE(viaEngine(QStringLiteral("api-gw"), token).jsonBody()["active"].toBool(true), false);
            QVERIFY(!elsewhere(QStringLiteral("api-gw"), token));
        }
    }

    void lockedOutResourceServerIsRefusedByTheEngine()
    {
        const auto [g, token] = activeCredential();
        QVERIFY(!token.isEmpty());
        LAPSE_VERIFY_OK(eng().lockout(
            f().who(QStringLiteral("rita")), QStringLiteral("api-gw"), QStringLiteral("compromised")));
        QVERIFY(!elsewhere(QStringLiteral("api-gw"), token));
        QCOMPARE(viaEngine(QStringLiteral("api-gw"), token).status, 403);
        // Unlocked once durable, the resource server is answered again, by the engine and elsewhere alike
        // (the lockout ended none of alice's grants).
        LAPSE_VERIFY_OK(eng().unlock(f().who(QStringLiteral("rita")), QStringLiteral("api-gw")));
        QVERIFY(elsewhere(QStringLiteral("api-gw"), token));
        QCOMPARE(viaEngine(QStringLiteral("api-gw"), token).jsonBody()["active"].toBool(), true);
    }

    void expiryIsLeftToTheEngine()
    {
        const auto [g, token] = activeCredential();
        QVERIFY(!token.isEmpty());
        const qint64 exp = f().jwtPart(token, 1)["exp"].toInteger() * 1000;
        f().clock().set(exp - 1);
        QVERIFY(elsewhere(QStringLiteral("api-gw"), token));
        f().clock().set(exp);
        QVERIFY(!elsewhere(QStringLiteral("api-gw"), token));
        // Past the grant's end the engine expires it and records the use.
        f().clock().set(g.expiresMs + 5);
        QCOMPARE(viaEngine(QStringLiteral("api-gw"), token).jsonBody(), QJsonObject({{"active", false}}));
        QCOMPARE(f().eventsOfType(QStringLiteral("grant.expired")).size(), 1);
        QCOMPARE(f().eventsOfType(QStringLiteral("credential.used_after_end")).size(), 1);
    }

    void keyRotationForgetsEveryAnswer()
    {
        const auto [g, token] = activeCredential();
        QVERIFY(!token.isEmpty());
        QVERIFY(elsewhere(QStringLiteral("api-gw"), token));
        LAPSE_VERIFY_OK(eng().rotateSigningKey(f().who(QStringLiteral("adm"))));
        QVERIFY(!elsewhere(QStringLiteral("api-gw"), token));
    }

    void repeatsAreCountedByTheEngine()
    {
        const auto [g, token] = activeCredential();
        QVERIFY(!token.isEmpty());
        const EngineCounters before = eng().counters();
        for (int i = 0; i < 5; ++i)
            QVERIFY(elsewhere(QStringLiteral("api-gw"), token));
        QCOMPARE(eng().counters().introspections, before.introspections + 5);
        QCOMPARE(eng().counters().introspectionsActive, before.introspectionsActive + 5);
        QVERIFY(m_api->prometheusMetrics().contains("lapse_introspections_total{active=\"true\"} "
            + QByteArray::number(before.introspectionsActive + 5)));
    }
};

QTEST_GUILESS_MAIN(TestIntrospectionSnapshot)
#include "TestIntrospectionSnapshot.moc"
