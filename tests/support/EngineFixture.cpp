// The shared engine-test world: directory, engine on a temporary directory, manual clock, helpers.
#include "EngineFixture.h"

#include "engine/Crypto.h"

#include <QJsonDocument>
#include <QSqlQuery>
#include <QSqlRecord>

namespace lapse::test
{

namespace
{
Principal human(const QString& id, unsigned roles)
{
    Principal p;
    p.id = id;
    p.kind = PrincipalKind::Human;
    p.displayName = id;
    p.roles = roles;
    return p;
}

Principal nonHuman(const QString& id, PrincipalKind kind, const QString& owner, unsigned roles)
{
    Principal p = human(id, roles);
    p.kind = kind;
    p.owner = owner;
    return p;
}

constexpr unsigned R(Role r)
{
    return unsigned(r);
}
} // namespace

Directory makeDirectory()
{
    Directory d;
    d.addPrincipal(human(QStringLiteral("alice"), R(Role::Requester)));
    d.addPrincipal(human(QStringLiteral("bob"), R(Role::Approver)));
    d.addPrincipal(human(QStringLiteral("carol"), R(Role::Approver)));
    d.addPrincipal(human(QStringLiteral("dave"), R(Role::Approver) | R(Role::Requester)));
    d.addPrincipal(human(QStringLiteral("rita"), R(Role::Responder)));
    d.addPrincipal(human(QStringLiteral("aud"), R(Role::Auditor)));
    d.addPrincipal(human(QStringLiteral("adm"), R(Role::Admin)));
    Principal agent = nonHuman(
        QStringLiteral("agent-7"), PrincipalKind::Agent, QStringLiteral("bob"), R(Role::Requester));
    agent.spiffeId = kAgentSpiffe;
    d.addPrincipal(agent);
    d.addPrincipal(nonHuman(
        QStringLiteral("svc-ci"), PrincipalKind::Service, QStringLiteral("alice"), R(Role::Requester)));
    d.addPrincipal(nonHuman(
        QStringLiteral("api-gw"), PrincipalKind::Service, QStringLiteral("adm"), R(Role::ResourceServer)));
    Principal dbProxy = nonHuman(
        QStringLiteral("db-proxy"), PrincipalKind::Service, QStringLiteral("adm"), R(Role::ResourceServer));
    dbProxy.serves = QStringList {QStringLiteral("billing-db")};
    d.addPrincipal(dbProxy);

    Target billing;
    billing.id = QStringLiteral("billing-db");
    billing.kind = QStringLiteral("database");
    billing.owner = QStringLiteral("carol");
    billing.privileges = QStringList {"read", "write", "ddl"};
    billing.maxTtlSeconds = 3600;
    billing.approvalsRequired = 1;
    d.addTarget(billing);

    Target k8s;
    k8s.id = QStringLiteral("prod-k8s");
    k8s.kind = QStringLiteral("cloud-role");
    k8s.owner = QStringLiteral("bob");
    k8s.privileges = QStringList {"get", "list", "exec", "delete"};
    k8s.maxTtlSeconds = 3600;
    k8s.approvalsRequired = 2;
    k8s.requireTicket = true;
    d.addTarget(k8s);

    Target vault;
    vault.id = QStringLiteral("vault");
    vault.kind = QStringLiteral("token");
    vault.owner = QStringLiteral("adm");
    vault.privileges = QStringList {"read"};
    vault.maxTtlSeconds = 1800;
    vault.breakGlassAllowed = true;
    vault.breakGlassMaxTtlSeconds = 300;
    d.addTarget(vault);
    return d;
}

EngineFixture::EngineFixture(Directory directory, StoreKind store)
    : m_directory(std::move(directory))
    , m_withFailingStore(store == StoreKind::Failing)
{
    Clock::setInstance(&m_clock);
    if (!m_dir.isValid()) {
        m_openError = QStringLiteral("cannot create a temporary directory");
        return;
    }
    reopen();
}

EngineFixture::~EngineFixture()
{
    close();
    if (&Clock::instance() == &m_clock)
        Clock::setInstance(nullptr);
}

void EngineFixture::close()
{
    m_engine.reset();
}

bool EngineFixture::reopen()
{
    m_engine.reset();
    m_failing = nullptr;
    EngineConfig config;
    config.dataDir = m_dir.path();
    config.directory = m_directory;
    config.sweepIntervalMs = 0;
    if (m_withFailingStore)
        config.openStore = [this](const QString& dir) -> Result<std::unique_ptr<Store>> {
            auto sqlite = SqliteStore::open(dir + QStringLiteral("/lapse.db"));
            if (!sqlite)
                return sqlite.error();
            auto failing = std::make_unique<FailingStore>(std::move(sqlite).value());
            m_failing = failing.get();
            return std::unique_ptr<Store>(std::move(failing));
        };
    auto e = Engine::open(std::move(config));
    if (!e) {
        m_openError = e.error().message;
        return false;
    }
    m_engine = std::move(e).value();
    m_openError.clear();
    return true;
}

const Principal& EngineFixture::who(const QString& id) const
{
    const Principal* p = m_directory.principal(id);
    if (!p)
        qFatal("EngineFixture: no principal '%s' in the test directory", qPrintable(id));
    return *p;
}

RequestInput EngineFixture::input(const QString& target)
{
    RequestInput in;
    in.target = target;
    in.task = QStringLiteral("look at the failed invoices");
    in.reason = QStringLiteral("INC-1234: invoices stuck since 09:00");
    if (target == QLatin1String("prod-k8s")) {
        in.privileges = QStringList {"get", "list"};
        in.ticket = QStringLiteral("CHG-42");
        in.ttlSeconds = 900;
    } else {
        in.privileges = QStringList {"read"};
        in.ttlSeconds = 600;
    }
    return in;
}

Result<Decision> EngineFixture::submit(const QString& requester, const RequestInput& in)
{
    return m_engine->submitRequest(who(requester), in);
}

Result<Decision> EngineFixture::approve(
    const QString& approver, const QString& requestId, const ApproveInput& in)
{
    return m_engine->approve(who(approver), requestId, in);
}

Result<Grant> EngineFixture::grantFor(const QString& requester, const RequestInput& in)
{
    auto d = submit(requester, in);
    if (!d)
        return d.error();
    if (d->grant)
        return *d->grant;
    const QString owner = who(requester).owner;
    for (const char* a : {"bob", "carol", "dave"}) {
        const QString approver = QString::fromLatin1(a);
        if (approver == requester || approver == owner)
            continue;
        auto r = approve(approver, d->request.id);
        if (!r)
            return r.error();
        if (r->grant)
            return *r->grant;
    }
    return makeError(ErrorCode::Internal, QStringLiteral("fixture: ran out of approvers"));
}

QByteArray EngineFixture::token(const Grant& g)
{
    auto c = m_engine->credential(who(g.principal), g.requestId);
    return c ? c->value(QStringLiteral("token")).toString().toLatin1() : QByteArray();
}

QJsonObject EngineFixture::introspect(const QString& resourceServer, const QByteArray& token)
{
    auto r = m_engine->introspect(who(resourceServer), token);
    return r ? r.value() : QJsonObject();
}

QList<Event> EngineFixture::events()
{
    return m_engine->store().events(0, 100000);
}

QList<Event> EngineFixture::eventsOfType(const QString& type)
{
    QList<Event> out;
    for (const auto& e : events())
        if (e.type == type)
            out << e;
    return out;
}

QString EngineFixture::stateDump()
{
    QString out;
    QSqlQuery q(storeDb(m_engine->store()));
    for (const char* table : {"requests", "grants", "sessions", "lockouts", "api_keys"}) {
        out += QStringLiteral("## %1\n").arg(QLatin1String(table));
        if (!q.exec(QStringLiteral("SELECT * FROM %1 ORDER BY 1").arg(QLatin1String(table)))) {
            out += QStringLiteral("(unreadable)\n");
            continue;
        }
        while (q.next()) {
            QStringList row;
            for (int i = 0; i < q.record().count(); ++i)
                row << (q.value(i).isNull() ? QStringLiteral("NULL") : q.value(i).toString());
            out += row.join(QLatin1Char('|')) + QLatin1Char('\n');
        }
    }
    return out;
}

QByteArray EngineFixture::stateDigest()
{
    return crypto::sha256Hex(stateDump().toUtf8());
}

int EngineFixture::rowCount(const QString& table)
{
    QSqlQuery q(storeDb(m_engine->store()));
    return q.exec(QStringLiteral("SELECT COUNT(*) FROM %1").arg(table)) && q.next() ? q.value(0).toInt() : -1;
}

QJsonObject EngineFixture::jwtPart(const QByteArray& token, int part)
{
    const QList<QByteArray> parts = token.split('.');
    QByteArray raw;
    if (parts.size() != 3 || !crypto::base64UrlDecode(parts.at(part), &raw))
        return {};
    return QJsonDocument::fromJson(raw).object();
}

} // namespace lapse::test
