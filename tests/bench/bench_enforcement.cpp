// Enforcement benchmarks on a real PostgreSQL server (PgCluster): how long approval takes to commit a grant's
// login, and how long a revoked or expired grant takes to be verified ended (every backend gone, the next
// login refused), with the product's scan and retry intervals and real wall-clock time.
// Usage: bench_enforcement [--rounds N] [--sessions N]
#include "BillingDatabase.h"
#include "EngineFixture.h"
#include "enforcement/PgCluster.h"
#include "enforcement/PgEnforcement.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

#include <libpq-fe.h>
#include <unistd.h>

using namespace lapse;

namespace
{
struct ConnDeleter {
    void operator()(PGconn* c) const { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;

bool runOk(PGconn* c, const char* sql)
{
    PGresult* r = PQexec(c, sql);
    const ExecStatusType st = PQresultStatus(r);
    PQclear(r);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

double percentile(std::vector<double> v, double p)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[std::min(v.size() - 1, size_t(p * double(v.size())))];
}

void print(const char* name, const std::vector<double>& samples)
{
    std::printf("%s_p50 %.1f ms\n", name, percentile(samples, 0.50));
    std::printf("%s_p99 %.1f ms\n", name, percentile(samples, 0.99));
    std::fflush(stdout);
}

// The enforcement runs on this thread's event loop and its workers' threads: the loop must spin while we
// wait. Checks every 5 ms; false when timeoutMs passed first.
bool spinUntil(const std::function<bool()>& done, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeoutMs)
            return false;
        QEventLoop loop;
        QTimer::singleShot(5, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

qint64 isoMs(const QJsonObject& detail, const char* key)
{
    return QDateTime::fromString(detail[QLatin1String(key)].toString(), Qt::ISODateWithMs)
        .toMSecsSinceEpoch();
}

class Bench
{
public:
    Bench(Engine& engine, const Directory& directory)
        : m_engine(engine)
        , m_alice(*directory.principal(QStringLiteral("alice")))
        , m_bob(*directory.principal(QStringLiteral("bob")))
    {
    }

    // alice asks for read, bob approves (timed): the grant and its libpq conninfo; empty on failure.
    std::pair<Grant, QString> grant(int ttlSeconds)
    {
        RequestInput in;
        in.target = QStringLiteral("pg-billing");
        in.privileges = {QStringLiteral("read")};
        in.ttlSeconds = ttlSeconds;
        in.task = QStringLiteral("reconcile invoices");
        in.reason = QStringLiteral("month end");
        auto d = m_engine.submitRequest(m_alice, in);
        if (!d) {
            std::fprintf(stderr, "request: %s\n", qPrintable(d.error().message));
            return {};
        }
        QElapsedTimer t;
        t.start();
        auto a = m_engine.approve(m_bob, d->request.id, {});
        const double ms = double(t.nsecsElapsed()) / 1e6;
        if (!a || !a->grant) {
            std::fprintf(stderr, "approve: %s\n", a ? "no grant" : qPrintable(a.error().message));
            return {};
        }
        provision.push_back(ms);
        auto c = m_engine.credential(m_alice, d->request.id);
        if (!c) {
            std::fprintf(stderr, "credential: %s\n", qPrintable(c.error().message));
            return {};
        }
        return {
            *a->grant, c.value()[QLatin1String("login")].toObject()[QLatin1String("conninfo")].toString()};
    }

    // n sessions with the login, every other one inside a transaction that has read.
    std::vector<Conn> connect(const QString& conninfo, int n)
    {
        std::vector<Conn> conns;
        for (int i = 0; i < n; ++i) {
            conns.emplace_back(PQconnectdb(conninfo.toUtf8().constData()));
            if (PQstatus(conns.back().get()) != CONNECTION_OK) {
                std::fprintf(stderr, "connect: %s", PQerrorMessage(conns.back().get()));
                ++failures;
            } else if (i % 2 == 1 && !runOk(conns.back().get(), "BEGIN; SELECT count(*) FROM invoices")) {
                ++failures;
            }
        }
        return conns;
    }

    int openSessions(const QString& grantId) const
    {
        SessionFilter f;
        f.grantId = grantId;
        int n = 0;
        for (const auto& s : m_engine.store().sessions(f))
            n += s.isOpen() ? 1 : 0;
        return n;
    }

    bool verified(const QString& grantId) const
    {
        return m_engine.store().grant(grantId)->enforcement == QLatin1String("verified");
    }

    // Every client connection is broken and a new login is refused; counts what is not.
    void checkEnded(std::vector<Conn>& conns, const QString& conninfo)
    {
        for (auto& c : conns)
            if (runOk(c.get(), "SELECT 1")) {
                std::fprintf(stderr, "a session survived the end\n");
                ++failures;
            }
        Conn again(PQconnectdb(conninfo.toUtf8().constData()));
        if (PQstatus(again.get()) == CONNECTION_OK) {
            std::fprintf(stderr, "a login after the end was accepted\n");
            ++failures;
        }
    }

    void revokeRound(int sessions)
    {
        auto [g, conninfo] = grant(600);
        if (g.id.isEmpty()) {
            ++failures;
            return;
        }
        auto conns = connect(conninfo, sessions);
        if (!spinUntil([&] { return openSessions(g.id) == sessions; }, 15000)) {
            std::fprintf(stderr, "the broker recorded %d of %d sessions\n", openSessions(g.id), sessions);
            ++failures;
        }
        auto r = m_engine.revoke(m_bob, g.id, QStringLiteral("bench"));
        QElapsedTimer t;
        t.start();
        if (!r) {
            std::fprintf(stderr, "revoke: %s\n", qPrintable(r.error().message));
            ++failures;
            return;
        }
        if (!spinUntil([&] { return verified(g.id); }, 30000)) {
            std::fprintf(stderr, "revocation of %s not verified\n", qPrintable(g.id));
            ++failures;
            return;
        }
        revoke.push_back(double(t.nsecsElapsed()) / 1e6);
        const QJsonObject detail = m_engine.store().grant(g.id)->enforcementDetail;
        const qint64 ended = isoMs(detail, "ended_at");
        lastBackendGone.push_back(double(isoMs(detail, "last_backend_gone_at") - ended));
        loginRefused.push_back(double(isoMs(detail, "login_refused_at") - ended));
        checkEnded(conns, conninfo);
    }

    void expiryRound(int sessions)
    {
        auto [g, conninfo] = grant(1);
        if (g.id.isEmpty()) {
            ++failures;
            return;
        }
        auto conns = connect(conninfo, sessions);
        if (!spinUntil([&] { return verified(g.id); }, 30000)) {
            std::fprintf(stderr, "expiry of %s not verified\n", qPrintable(g.id));
            ++failures;
            return;
        }
        expiry.push_back(double(QDateTime::currentMSecsSinceEpoch() - g.expiresMs));
        checkEnded(conns, conninfo);
    }

    std::vector<double> provision, revoke, lastBackendGone, loginRefused, expiry;
    int failures = 0;

private:
    Engine& m_engine;
    Principal m_alice;
    Principal m_bob;
};
} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    auto arg = [&](const char* name, int fallback) {
        const int i = args.indexOf(QLatin1String(name));
        return i >= 0 && i + 1 < args.size() ? args.at(i + 1).toInt() : fallback;
    };
    const int rounds = std::max(1, arg("--rounds", 50));
    const int sessions = std::max(1, arg("--sessions", 50));
    const int expiryRounds = std::max(5, rounds / 5);

    const QString reason = PgCluster::unavailableReason();
    if (!reason.isEmpty()) {
        std::fprintf(stderr, "%s\n", qPrintable(reason));
        return 1;
    }
    QTemporaryDir tmp;
    auto fail = [](const Error& e) {
        std::fprintf(stderr, "%s\n", qPrintable(e.message));
        return 1;
    };
    auto billing = test::BillingDatabase::start(tmp.path());
    if (!billing)
        return fail(billing.error());
    Directory directory = test::makeDirectory();
    const Target t
        = billing->target(QStringLiteral("pg-billing"), QStringLiteral("billing_read"), sessions + 10);
    directory.addTarget(t);
    if (auto v = directory.validate(); !v)
        return fail(v.error());

    EngineConfig cfg;
    cfg.dataDir = tmp.filePath(QStringLiteral("data"));
    cfg.directory = directory;
    // The product sweeps every 1000 ms; the expiry figure would then be mostly the wait for the next sweep,
    // so this bench sweeps every 250 ms to measure the end itself (the README says so next to the figures).
    cfg.sweepIntervalMs = 250;
    auto engine = Engine::open(std::move(cfg));
    if (!engine)
        return fail(engine.error());
    EnforcementOptions options;
    options.scanIntervalMs = 1000; // the product default
    options.retryBaseMs = 1000;
    auto enforcement = PgEnforcement::attach(**engine, options);
    if (!enforcement)
        return fail(enforcement.error());

    Bench bench(**engine, directory);
    for (int i = 0; i < rounds; ++i)
        bench.revokeRound(sessions);
    for (int i = 0; i < expiryRounds; ++i)
        bench.expiryRound(10);

    print("enforcement_provision", bench.provision);
    print("enforcement_revoke", bench.revoke);
    print("enforcement_revoke_to_last_backend_gone", bench.lastBackendGone);
    print("enforcement_revoke_to_login_refused", bench.loginRefused);
    print("enforcement_expiry", bench.expiry);
    if (bench.failures > 0) {
        std::printf("enforcement_failures %d count\n", bench.failures);
        return 1;
    }
    return 0;
}
