// A small world for engine tests: a directory built in code, an engine on a temporary directory and a
// manual clock, plus helpers for the steps every lifecycle test repeats. Plain C++ (no Q_OBJECT).
#pragma once

#include "FailingStore.h"
#include "core/Clock.h"
#include "domain/Directory.h"
#include "engine/Engine.h"
#include "engine/SqliteStore.h"

#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

// QVERIFY that a Result is ok, printing its error message when it is not. Evaluates expr once.
#define LAPSE_VERIFY_OK(expr)                                                                                \
    do {                                                                                                     \
        const auto& lapseResult_ = (expr);                                                                   \
        QVERIFY2(lapseResult_.ok(), lapseResult_.ok() ? "ok" : qPrintable(lapseResult_.error().message));    \
    } while (0)

// QVERIFY that a Result failed with this ErrorCode and a message naming `word` (case-insensitive).
#define LAPSE_VERIFY_ERROR(expr, expectedCode, word)                                                         \
    do {                                                                                                     \
        const auto& lapseResult_ = (expr);                                                                   \
        QVERIFY2(!lapseResult_.ok(), "expected an error, the call succeeded");                               \
        QCOMPARE(lapseResult_.error().codeName(), ::lapse::test::codeName(expectedCode));                    \
        QVERIFY2(lapseResult_.error().message.contains(word, Qt::CaseInsensitive),                           \
            qPrintable(lapseResult_.error().message));                                                       \
    } while (0)

namespace lapse::test
{

// The SQL connection behind an engine's SQLite store, for tests that read or tamper with its tables.
inline QSqlDatabase storeDb(Store& store)
{
    if (auto* failing = dynamic_cast<FailingStore*>(&store))
        return storeDb(failing->inner());
    return dynamic_cast<SqliteStore&>(store).connection();
}

constexpr qint64 kStartMs = 1'790'000'000'000; // the ManualClock's start: a whole second

inline QString codeName(ErrorCode c)
{
    return Error {c, {}}.codeName();
}

template <typename T> std::optional<Error> errorOf(const Result<T>& r)
{
    return r.ok() ? std::nullopt : std::optional<Error>(r.error());
}

// alice (requester), bob, carol (approvers), dave (approver + requester), rita (responder), aud (auditor),
// adm (admin), agent-7 (agent of bob, SPIFFE id, requester), svc-ci (service of alice, requester), the
// resource servers api-gw (serves all) and db-proxy (billing-db only); targets billing-db, prod-k8s (quorum
// of 2, ticket required) and vault (break-glass up to 300 s).
Directory makeDirectory();
inline const QString kAgentSpiffe = QStringLiteral("spiffe://example.org/ns/ci/agent-7");

class EngineFixture
{
public:
    // Failing: the engine's store is a FailingStore over SQLite, reached through failingStore().
    enum class StoreKind { Sqlite, Failing };
    explicit EngineFixture(Directory directory = makeDirectory(), StoreKind store = StoreKind::Sqlite);
    ~EngineFixture();
    EngineFixture(const EngineFixture&) = delete;
    EngineFixture& operator=(const EngineFixture&) = delete;

    bool ok() const { return m_engine != nullptr; }
    QString openError() const { return m_openError; }
    Engine& engine() { return *m_engine; }
    FailingStore& failingStore() { return *m_failing; } // only with StoreKind::Failing
    ManualClock& clock() { return m_clock; }
    qint64 now() const { return m_clock.nowMs(); }
    QString dataDir() const { return m_dir.path(); }
    QString dbPath() const { return m_dir.path() + QStringLiteral("/lapse.db"); }

    void close(); // the engine goes away; the data directory stays
    bool reopen(); // opens a new engine on the same directory

    const Principal& who(const QString& id) const; // aborts on an unknown id: a typo in a test

    // A request that passes policy for the target (billing-db, prod-k8s or vault).
    static RequestInput input(const QString& target);
    Result<Decision> submit(const QString& requester, const RequestInput& in);
    Result<Decision> submit(const QString& requester, const QString& target)
    {
        return submit(requester, input(target));
    }
    Result<Decision> approve(const QString& approver, const QString& requestId, const ApproveInput& in = {});
    // Submits and collects approvals (bob, carol, dave; never the requester or its owner) until a grant.
    Result<Grant> grantFor(const QString& requester, const RequestInput& in);
    Result<Grant> grantFor(const QString& requester, const QString& target)
    {
        return grantFor(requester, input(target));
    }
    // The credential of a grant, read by its holder; empty if that fails.
    QByteArray token(const Grant& g);
    // The introspection answer of a resource server; {} when the call itself failed.
    QJsonObject introspect(const QString& resourceServer, const QByteArray& token);
    bool isActive(const QString& resourceServer, const QByteArray& token)
    {
        return introspect(resourceServer, token).value(QStringLiteral("active")).toBool();
    }

    QList<Event> events(); // the whole log
    QList<Event> eventsOfType(const QString& type);
    // The rows of requests, grants, sessions, lockouts and api_keys, in id order, as text; and its SHA-256.
    QString stateDump();
    QByteArray stateDigest();
    int rowCount(const QString& table);

    static QJsonObject jwtPart(const QByteArray& token, int part); // 0: header, 1: claims

private:
    QTemporaryDir m_dir;
    Directory m_directory;
    ManualClock m_clock {kStartMs};
    std::unique_ptr<Engine> m_engine;
    QString m_openError;
    bool m_withFailingStore = false;
    FailingStore* m_failing = nullptr; // owned by the engine
};

} // namespace lapse::test
