// Parsing and validation of the directory file; a bad file is refused with the exact reason.
#include "Directory.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

namespace lapse
{

namespace
{
bool isValidId(const QString& id)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$"));
    return re.match(id).hasMatch();
}

Error bad(const QString& msg)
{
    return makeError(ErrorCode::Invalid, msg);
}

// A role name the broker can put in SQL without quoting surprises: PostgreSQL's plain lower-case identifiers.
bool isPlainRoleName(const QString& name)
{
    static const QRegularExpression re(QStringLiteral("^[a-z_][a-z0-9_$]{0,62}$"));
    return re.match(name).hasMatch() && !name.startsWith(QLatin1String("pg_"));
}

// The postgresql part of a target: its connection and privilege catalogue, strictly (an unknown key is
// refused rather than ignored, and a password never sits in the directory).
Status readPostgresql(const QJsonObject& o, Target& t)
{
    const QJsonValue cv = o["connection"];
    if (!cv.isObject())
        return bad(QStringLiteral("target %1 (postgresql) needs a \"connection\" object").arg(t.id));
    const QJsonObject c = cv.toObject();
    static const QStringList known {QStringLiteral("host"), QStringLiteral("port"),
        QStringLiteral("database"), QStringLiteral("user"), QStringLiteral("passfile"),
        QStringLiteral("service"), QStringLiteral("sslmode"), QStringLiteral("sslrootcert"),
        QStringLiteral("connect_timeout")};
    for (auto it = c.constBegin(); it != c.constEnd(); ++it) {
        if (it.key() == QLatin1String("password"))
            return bad(QStringLiteral("target %1: a password never goes into the directory; name a libpq "
                                      "\"passfile\" (0600) or a \"service\" instead")
                           .arg(t.id));
        if (!known.contains(it.key()))
            return bad(QStringLiteral("target %1: unknown connection setting '%2'").arg(t.id, it.key()));
    }
    PgConnection& pc = t.connection;
    pc.host = c["host"].toString();
    pc.port = c["port"].toInt(5432);
    pc.database = c["database"].toString();
    pc.user = c["user"].toString();
    pc.passfile = c["passfile"].toString();
    pc.service = c["service"].toString();
    pc.sslmode = c["sslmode"].toString();
    pc.sslrootcert = c["sslrootcert"].toString();
    pc.connectTimeoutSeconds = c["connect_timeout"].toInt(3);
    if (pc.service.isEmpty() && (pc.host.isEmpty() || pc.database.isEmpty() || pc.user.isEmpty()))
        return bad(
            QStringLiteral("target %1: connection needs host, database and user (or a service)").arg(t.id));
    if (pc.port <= 0 || pc.port > 65535)
        return bad(QStringLiteral("target %1: connection port must be 1-65535").arg(t.id));
    if (pc.connectTimeoutSeconds < 1 || pc.connectTimeoutSeconds > 60)
        return bad(QStringLiteral("target %1: connect_timeout must be 1-60 seconds").arg(t.id));
    static const QStringList sslmodes {QStringLiteral("disable"), QStringLiteral("allow"),
        QStringLiteral("prefer"), QStringLiteral("require"), QStringLiteral("verify-ca"),
        QStringLiteral("verify-full")};
    if (!pc.sslmode.isEmpty() && !sslmodes.contains(pc.sslmode))
        return bad(QStringLiteral("target %1: unknown sslmode '%2'").arg(t.id, pc.sslmode));
    const QJsonObject cat = o["catalogue"].toObject();
    for (auto it = cat.constBegin(); it != cat.constEnd(); ++it) {
        const QString role = it.value().toObject()["role"].toString();
        if (!t.privileges.contains(it.key()))
            return bad(QStringLiteral("target %1: catalogue names '%2', which is not one of its privileges")
                           .arg(t.id, it.key()));
        if (!isPlainRoleName(role))
            return bad(QStringLiteral("target %1: privilege '%2' must map to {\"role\": \"<group role>\"}, a "
                                      "lower-case role name not starting with pg_ (got '%3')")
                           .arg(t.id, it.key(), role));
        t.catalogue.insert(it.key(), role);
    }
    for (const auto& p : std::as_const(t.privileges))
        if (!t.catalogue.contains(p))
            return bad(QStringLiteral("target %1: privilege '%2' has no role in the catalogue").arg(t.id, p));
    t.connectionLimit = o["connection_limit"].toInt(20);
    if (t.connectionLimit < 1 || t.connectionLimit > 10000)
        return bad(QStringLiteral("target %1: connection_limit must be 1-10000").arg(t.id));
    return Ok {};
}
} // namespace

Result<Directory> Directory::load(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return bad(QStringLiteral("cannot read directory file %1: %2").arg(path, f.errorString()));
    return fromJson(f.readAll());
}

Result<Directory> Directory::fromJson(const QByteArray& json)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return makeError(ErrorCode::Malformed,
            QStringLiteral("directory is not a JSON object: %1 at offset %2")
                .arg(pe.errorString())
                .arg(pe.offset));
    const QJsonObject root = doc.object();
    Directory d;
    for (const auto& v : root["principals"].toArray()) {
        const QJsonObject o = v.toObject();
        Principal p;
        p.id = o["id"].toString();
        if (!kindFromName(o["kind"].toString(QStringLiteral("human")), &p.kind))
            return bad(QStringLiteral("principal %1: unknown kind '%2'").arg(p.id, o["kind"].toString()));
        p.displayName = o["display_name"].toString();
        p.owner = o["owner"].toString();
        p.spiffeId = o["spiffe_id"].toString();
        p.oidcSubject = o["oidc_subject"].toString();
        for (const auto& t : o["serves"].toArray())
            p.serves << t.toString();
        for (const auto& r : o["roles"].toArray()) {
            Role role;
            if (!roleFromName(r.toString(), &role))
                return bad(QStringLiteral("principal %1: unknown role '%2'").arg(p.id, r.toString()));
            p.roles |= unsigned(role);
        }
        d.addPrincipal(p);
    }
    for (const auto& v : root["targets"].toArray()) {
        const QJsonObject o = v.toObject();
        Target t;
        t.id = o["id"].toString();
        t.kind = o["kind"].toString(QStringLiteral("token"));
        t.description = o["description"].toString();
        t.owner = o["owner"].toString();
        for (const auto& pv : o["privileges"].toArray())
            t.privileges << pv.toString();
        t.maxTtlSeconds = o["max_ttl_seconds"].toInt(3600);
        t.approvalsRequired = o["approvals_required"].toInt(1);
        t.requireTicket = o["require_ticket"].toBool(false);
        const QJsonObject bg = o["break_glass"].toObject();
        t.breakGlassAllowed = bg["allowed"].toBool(false);
        t.breakGlassMaxTtlSeconds = bg["max_ttl_seconds"].toInt(900);
        t.pendingTimeoutSeconds = o["pending_timeout_seconds"].toInt(24 * 3600);
        if (t.isPostgresql())
            if (const Status s = readPostgresql(o, t); !s)
                return s.error();
        d.addTarget(t);
    }
    const QJsonValue rules = root["rules"];
    if (!rules.isUndefined() && !rules.isArray())
        return bad(QStringLiteral("rules must be a list of rule objects"));
    for (const auto& v : rules.toArray()) {
        if (!v.isObject())
            return bad(QStringLiteral("rules must be a list of rule objects"));
        auto rule = Rule::fromJson(v.toObject());
        if (!rule)
            return rule.error();
        d.addRule(rule.value());
    }
    const Status s = d.validate();
    if (!s)
        return s.error();
    return d;
}

void Directory::addPrincipal(const Principal& p)
{
    m_principalIndex.insert(p.id, m_principals.size());
    m_principals.append(p);
}

void Directory::addRule(const Rule& r)
{
    m_rules.append(r);
}

const Rule* Directory::rule(const QString& id) const
{
    for (const auto& r : m_rules)
        if (r.id == id)
            return &r;
    return nullptr;
}

void Directory::addTarget(const Target& t)
{
    m_targetIndex.insert(t.id, m_targets.size());
    m_targets.append(t);
}

Status Directory::validate() const
{
    if (m_principalIndex.size() != m_principals.size())
        return bad(QStringLiteral("principal ids must be unique"));
    if (m_targetIndex.size() != m_targets.size())
        return bad(QStringLiteral("target ids must be unique"));
    for (const auto& p : m_principals) {
        if (!isValidId(p.id))
            return bad(QStringLiteral("principal id '%1' is not a valid id").arg(p.id));
        if (!p.isHuman()) {
            const Principal* owner = principal(p.owner);
            if (!owner) {
                // Resource servers (gateways, proxies) included: someone answers for every non-human
                // identity.
                const QString fix = QStringLiteral("add \"owner\": \"<id of a human principal>\" to it");
                return bad(p.owner.isEmpty()
                        ? QStringLiteral(
                            "non-human principal %1 (%2) needs an owner, the human who answers for "
                            "it: %3")
                              .arg(p.id, kindName(p.kind), fix)
                        : QStringLiteral(
                            "non-human principal %1 names owner %2, who is not in the directory: %3")
                              .arg(p.id, p.owner, fix));
            }
            if (!owner->isHuman())
                return bad(QStringLiteral("principal %1: owner %2 must be a human").arg(p.id, p.owner));
        }
        if (!p.spiffeId.isEmpty() && !p.spiffeId.startsWith(QLatin1String("spiffe://")))
            return bad(QStringLiteral("principal %1: spiffe_id must start with spiffe://").arg(p.id));
    }
    for (const auto& t : m_targets) {
        if (!isValidId(t.id))
            return bad(QStringLiteral("target id '%1' is not a valid id").arg(t.id));
        if (t.privileges.isEmpty())
            return bad(QStringLiteral("target %1 lists no privileges").arg(t.id));
        QStringList unique = t.privileges;
        if (unique.removeDuplicates() != 0)
            return bad(QStringLiteral("target %1 lists a privilege twice").arg(t.id));
        // Names only: the store keeps privilege sets as space-separated words.
        for (const auto& privilege : t.privileges)
            if (!isValidId(privilege))
                return bad(
                    QStringLiteral("target %1: privilege '%2' is not a valid name").arg(t.id, privilege));
        if (t.maxTtlSeconds <= 0 || t.approvalsRequired < 1 || t.pendingTimeoutSeconds <= 0)
            return bad(
                QStringLiteral("target %1: max_ttl_seconds, approvals_required and pending_timeout_seconds "
                               "must be positive")
                    .arg(t.id));
        if (t.breakGlassAllowed
            && (t.breakGlassMaxTtlSeconds <= 0 || t.breakGlassMaxTtlSeconds > t.maxTtlSeconds))
            return bad(QStringLiteral("target %1: break_glass.max_ttl_seconds must be positive and within "
                                      "max_ttl_seconds")
                           .arg(t.id));
    }
    QSet<QString> ruleIds;
    for (const auto& r : m_rules) {
        if (ruleIds.contains(r.id))
            return bad(QStringLiteral("rule %1: rule ids must be unique").arg(r.id));
        ruleIds.insert(r.id);
        if (const Status s = r.checkAgainst(target(r.target)); !s)
            return s;
        for (const auto& id : r.requesterIds)
            if (!principal(id))
                return bad(QStringLiteral("rule %1: requester '%2' is not in the directory").arg(r.id, id));
        for (const auto& id : r.requesterOwners) {
            const Principal* owner = principal(id);
            if (!owner || !owner->isHuman())
                return bad(
                    QStringLiteral("rule %1: owner '%2' is not a human in the directory").arg(r.id, id));
        }
    }
    return Ok {};
}

const Principal* Directory::principal(const QString& id) const
{
    const auto it = m_principalIndex.constFind(id);
    return it == m_principalIndex.cend() ? nullptr : &m_principals[*it];
}

const Target* Directory::target(const QString& id) const
{
    const auto it = m_targetIndex.constFind(id);
    return it == m_targetIndex.cend() ? nullptr : &m_targets[*it];
}

int Directory::longestTtlSeconds() const
{
    int longest = 0;
    for (const auto& t : m_targets)
        longest = qMax(longest, t.maxTtlSeconds);
    return longest;
}

QJsonObject Directory::toJson() const
{
    QJsonArray ps, ts;
    for (const auto& p : m_principals)
        ps.append(p.toJson());
    for (const auto& t : m_targets)
        ts.append(t.toJson());
    QJsonObject o {{"principals", ps}, {"targets", ts}};
    if (!m_rules.isEmpty()) {
        QJsonArray rs;
        for (const auto& r : m_rules)
            rs.append(r.toJson());
        o.insert(QStringLiteral("rules"), rs);
    }
    return o;
}

} // namespace lapse
