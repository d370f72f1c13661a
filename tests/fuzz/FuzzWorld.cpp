// The API fuzz targets' broker: built from resources/directory.example.json, with one of each kind of record.
#include "FuzzWorld.h"

#include "domain/Directory.h"

#include <QFileInfo>
#include <QJsonObject>
#include <cstdio>
#include <cstdlib>

namespace lapse::fuzz
{

namespace
{
// Setting the world up must work: a failure here is the fuzzer's bug, reported and stopped at once.
template <typename T> T must(Result<T> r, const char* what)
{
    if (!r) {
        std::fprintf(stderr, "FuzzWorld: %s: %s\n", what, qPrintable(r.error().message));
        std::abort();
    }
    return std::move(r).value();
}

RequestInput input(const QString& target, const QStringList& privileges)
{
    RequestInput in;
    in.target = target;
    in.privileges = privileges;
    in.task = QStringLiteral("look at the failed rollout");
    in.reason = QStringLiteral("INC-7: rollout stuck");
    in.ticket = QStringLiteral("CHG-7");
    in.ttlSeconds = 900;
    return in;
}
} // namespace

FuzzWorld& FuzzWorld::instance()
{
    static FuzzWorld* world = [] {
        // Never destroyed (the engine would outlive what it uses at exit); only its data directory is
        // removed.
        static FuzzWorld* w = new FuzzWorld;
        w->build();
        std::atexit([] { w->m_dir->remove(); });
        return w;
    }();
    return *world;
}

const Principal& FuzzWorld::principal(const QString& id) const
{
    const Principal* p = m_engine->directory().principal(id);
    if (!p) {
        std::fprintf(stderr, "FuzzWorld: no principal %s\n", qPrintable(id));
        std::abort();
    }
    return *p;
}

QList<const Principal*> FuzzWorld::principalsWith(const QList<Role>& roles) const
{
    QList<const Principal*> out;
    for (const Principal& p : m_engine->directory().principals()) {
        bool fits = roles.isEmpty();
        for (Role r : roles)
            fits = fits || p.hasRole(r);
        if (fits)
            out << &p;
    }
    return out;
}

void FuzzWorld::resetIfLarger(qint64 maxEvents)
{
    if (m_engine->store().lastSeq() > maxEvents)
        build();
}

void FuzzWorld::build()
{
    m_api.reset();
    m_engine.reset();
    // On tmpfs when there is one: nearly every input commits to SQLite, and on a disk the fsyncs, not the
    // code under test, would set the pace.
    const QString shm = QStringLiteral("/dev/shm");
    m_dir = QFileInfo(shm).isWritable()
        ? std::make_unique<QTemporaryDir>(shm + QStringLiteral("/lapse-fuzz-XXXXXX"))
        : std::make_unique<QTemporaryDir>();
    if (!m_dir->isValid())
        std::abort();
    EngineConfig config;
    config.dataDir = m_dir->path();
    config.directory = must(
        Directory::load(QStringLiteral(LAPSE_SOURCE_DIR "/resources/directory.example.json")), "directory");
    config.sweepIntervalMs = 0; // no timer: nothing runs between inputs
    m_engine = must(Engine::open(std::move(config)), "engine");
    m_api = std::make_unique<ApiService>(*m_engine);

    const Principal& alice = principal(QStringLiteral("alice"));
    const Principal& bob = principal(QStringLiteral("bob"));
    // An active grant with a session on it, a revoked grant, and a request still pending.
    const Decision active
        = must(m_engine->submitRequest(alice, input(QStringLiteral("staging-k8s"), {QStringLiteral("view")})),
            "submit");
    const Grant grant = must(m_engine->approve(bob, active.request.id, {}), "approve").grant.value();
    m_activeToken
        = must(m_engine->credential(alice, active.request.id), "credential")["token"].toString().toLatin1();
    const Session session = must(m_engine->openSession(principal(QStringLiteral("k8s-admission")),
                                     m_activeToken, {QStringLiteral("view")}),
        "session");

    const Decision ended
        = must(m_engine->submitRequest(alice, input(QStringLiteral("prod-ssh"), {QStringLiteral("login")})),
            "submit");
    const Grant endedGrant = must(m_engine->approve(bob, ended.request.id, {}), "approve").grant.value();
    m_endedToken
        = must(m_engine->credential(alice, ended.request.id), "credential")["token"].toString().toLatin1();
    must(m_engine->revoke(bob, endedGrant.id, QStringLiteral("done early")), "revoke");

    const Decision pending = must(m_engine->submitRequest(principal(QStringLiteral("dave")),
                                      input(QStringLiteral("vault-admin"), {QStringLiteral("read")})),
        "submit");

    m_rsKey = must(m_engine->createApiKey(QStringLiteral("api-gw")), "api key");
    m_ids = QStringList {active.request.id, grant.id, session.id, ended.request.id, endedGrant.id,
        pending.request.id, QStringLiteral("alice"), QStringLiteral("dave")};
    m_minted << m_activeToken << m_endedToken;
}

} // namespace lapse::fuzz
