// Active grants: loaded through the backend, then grant.* and session.* events keep them current.
#include "GrantsModel.h"

#include "TimeFormat.h"
#include "backend/Backend.h"
#include "core/Clock.h"

#include <QJsonArray>
#include <QPointer>
#include <QUrlQuery>
#include <algorithm>

namespace lapse
{

namespace
{
// An ended grant whose enforced target has not confirmed the end (grant JSON as the API gives it).
bool enforcementPending(const QJsonObject& json)
{
    return json.value(QLatin1String("status")).toString() != QLatin1String("active")
        && json.value(QLatin1String("enforcement")).toObject().value(QLatin1String("state")).toString()
        == QLatin1String("pending");
}
} // namespace

namespace
{

QString joined(const QJsonValue& v)
{
    QStringList out;
    for (const auto& x : v.toArray())
        out << x.toString();
    return out.join(QLatin1String(", "));
}
} // namespace

GrantsModel::GrantsModel(Backend* backend, QObject* parent)
    : LiveRowTable(ColumnCount, parent)
    , m_backend(backend)
{
}

GrantsModel::Row GrantsModel::makeRow(const QJsonObject& json) const
{
    Row r;
    r.id = json.value(QLatin1String("id")).toString();
    r.principal = json.value(QLatin1String("principal")).toString();
    r.kind = m_principals.kind(r.principal);
    r.target = json.value(QLatin1String("target")).toString();
    r.privileges = joined(json.value(QLatin1String("privileges")));
    r.policy = json.value(QLatin1String("policy")).toString();
    r.rule = json.value(QLatin1String("rule")).toObject().value(QLatin1String("id")).toString();
    r.approvers = joined(json.value(QLatin1String("approvers")));
    r.breakGlass = json.value(QLatin1String("break_glass")).toBool();
    r.reviewed = json.value(QLatin1String("reviewed")).toBool();
    r.startsMs = timefmt::parseIso(json.value(QLatin1String("starts_at")).toString());
    r.expiresMs = timefmt::parseIso(json.value(QLatin1String("expires_at")).toString());
    r.enforcementPending = enforcementPending(json);
    r.json = json;
    return r;
}

QVariant GrantsModel::display(const Row& r, int column) const
{
    switch (column) {
    case Principal:
        return r.principal;
    case Kind:
        return r.kind;
    case Target:
        return r.target;
    case Privileges:
        return r.privileges;
    case Policy:
        if (r.breakGlass)
            return r.reviewed ? tr("break-glass (reviewed)") : tr("break-glass");
        if (!r.rule.isEmpty())
            return tr("rule %1").arg(r.rule);
        return r.policy == QLatin1String("approval") ? tr("approval") : r.policy;
    case Approvers:
        if (!r.rule.isEmpty())
            return QStringLiteral("policy:%1").arg(r.rule);
        return r.approvers.isEmpty() ? tr("none") : r.approvers;
    case Started:
        return timefmt::instant(r.startsMs);
    case ExpiresIn: {
        if (r.enforcementPending)
            return tr("ended — enforcement pending");
        const qint64 left = r.expiresMs - Clock::now();
        return left > 0 ? timefmt::duration(left) : tr("ending");
    }
    case Sessions:
        return sessionCount(r.id);
    }
    return {};
}

QVariant GrantsModel::sortValue(const Row& r, int column) const
{
    switch (column) {
    case Started:
        return r.startsMs;
    case ExpiresIn:
        return r.expiresMs;
    case Sessions:
        return sessionCount(r.id);
    default:
        return display(r, column);
    }
}

QVariant GrantsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& r = m_rows[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        return display(r, index.column());
    case Qt::ToolTipRole:
        if (r.enforcementPending) {
            const QString why = r.json.value(QLatin1String("enforcement"))
                                    .toObject()
                                    .value(QLatin1String("error"))
                                    .toString();
            return why.isEmpty()
                ? tr("Ended; the target has not yet confirmed that its login is refused")
                : tr("Ended; the target has not yet confirmed that its login is refused: %1").arg(why);
        }
        if (r.breakGlass && !r.reviewed)
            return tr("Break-glass access, not yet reviewed");
        return {};
    case IdRole:
        return r.id;
    case JsonRole:
        return r.json;
    case BreakGlassRole:
        return r.breakGlass;
    case SortRole:
        return sortValue(r, index.column());
    case PrincipalRole:
        return r.principal;
    case SessionCountRole:
        return sessionCount(r.id);
    case UnreviewedBreakGlassRole:
        return r.breakGlass && !r.reviewed;
    case EnforcementPendingRole:
        return r.enforcementPending;
    }
    return {};
}

QVariant GrantsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Principal:
        return tr("Principal");
    case Kind:
        return tr("Kind");
    case Target:
        return tr("Target");
    case Privileges:
        return tr("Privileges");
    case Policy:
        return tr("Policy");
    case Approvers:
        return tr("Approvers");
    case Started:
        return tr("Started");
    case ExpiresIn:
        return tr("Expires in");
    case Sessions:
        return tr("Sessions");
    }
    return {};
}

QJsonObject GrantsModel::grantAt(int row) const
{
    const Row* r = rowAt(row);
    return r ? r->json : QJsonObject();
}

void GrantsModel::reload()
{
    if (!m_backend) {
        emit loadFailed(tr("No backend to load grants from."));
        return;
    }
    fetchGrants(QString(), startLoad());
}

void GrantsModel::dropStaging()
{
    LiveRowTable::dropStaging();
    m_stagingSessions.clear();
}

void GrantsModel::fetchGrants(const QString& after, quint64 generation)
{
    QPointer<GrantsModel> self(this);
    m_backend->listGrants(
        QStringLiteral("active"), after, m_pageSize, [self, generation](const ApiResult& r) {
            if (!self || !self->isCurrentLoad(generation))
                return;
            if (!r)
                return self->failLoad(tr("Could not load active grants: %1").arg(r.error().message));
            const QJsonArray items = r->value(QLatin1String("items")).toArray();
            for (const auto& v : items) {
                const QJsonObject g = v.toObject();
                if (g.value(QLatin1String("status")).toString() == QLatin1String("active"))
                    self->m_staging.append(self->makeRow(g));
            }
            const QJsonValue next = r->value(QLatin1String("next_after"));
            if (next.isString() && !next.toString().isEmpty() && !items.isEmpty())
                self->fetchGrants(next.toString(), generation);
            else
                self->fetchPending(QString(), generation);
        });
}

// Ended grants an enforced target has not confirmed yet stay on the Active tab: until PostgreSQL refuses
// their login, nobody should take them for gone.
void GrantsModel::fetchPending(const QString& after, quint64 generation)
{
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("enforcement"), QStringLiteral("pending"));
    q.addQueryItem(QStringLiteral("limit"), QString::number(m_pageSize));
    if (!after.isEmpty())
        q.addQueryItem(QStringLiteral("after"), after);
    QPointer<GrantsModel> self(this);
    m_backend->call("GET", QStringLiteral("/v1/grants"), {}, q, [self, generation](const ApiResult& r) {
        if (!self || !self->isCurrentLoad(generation))
            return;
        if (!r)
            return self->failLoad(tr("Could not load grants pending enforcement: %1").arg(r.error().message));
        const QJsonArray items = r->value(QLatin1String("items")).toArray();
        for (const auto& v : items)
            if (enforcementPending(v.toObject()))
                self->m_staging.append(self->makeRow(v.toObject()));
        const QJsonValue next = r->value(QLatin1String("next_after"));
        if (next.isString() && !next.toString().isEmpty() && !items.isEmpty())
            self->fetchPending(next.toString(), generation);
        else
            self->fetchSessions(generation);
    });
}

void GrantsModel::fetchSessions(quint64 generation)
{
    QPointer<GrantsModel> self(this);
    m_backend->listSessions(QStringLiteral("live"), [self, generation](const ApiResult& r) {
        if (!self || !self->isCurrentLoad(generation))
            return;
        if (!r)
            return self->failLoad(tr("Could not load sessions: %1").arg(r.error().message));
        for (const auto& v : r->value(QLatin1String("items")).toArray()) {
            const QJsonObject s = v.toObject();
            self->m_stagingSessions[s.value(QLatin1String("grant_id")).toString()].insert(
                s.value(QLatin1String("id")).toString());
        }
        self->showLoaded();
    });
}

void GrantsModel::showLoaded()
{
    m_sessions = std::exchange(m_stagingSessions, {});
    showStaged();
    finishLoad();
}

void GrantsModel::applyLive(const QList<Event>& events)
{
    LatestById latest; // grant id -> last known grant JSON in this batch
    QSet<QString> sessionTouched; // grants whose session count changed
    for (const Event& e : events) {
        if (e.type.startsWith(QLatin1String("grant.")) || e.type == QLatin1String("revocation.verified")
            || e.type == QLatin1String("enforcement.pending")) {
            QJsonObject body = e.bodyJson();
            if (body.value(QLatin1String("grant")).isObject()) // grant.reviewed wraps the grant with a note
                body = body.value(QLatin1String("grant")).toObject();
            const QString id = body.value(QLatin1String("id")).toString();
            if (id.isEmpty())
                continue;
            latest.note(id, body);
        } else if (e.type == QLatin1String("session.opened") || e.type == QLatin1String("session.ended")) {
            const QJsonObject s = e.bodyJson();
            const QString grantId = s.value(QLatin1String("grant_id")).toString();
            const QString sessionId = s.value(QLatin1String("id")).toString();
            if (e.type == QLatin1String("session.opened"))
                m_sessions[grantId].insert(sessionId);
            else if (auto it = m_sessions.find(grantId); it != m_sessions.end()) {
                it->remove(sessionId);
                if (it->isEmpty())
                    m_sessions.erase(it);
            }
            sessionTouched.insert(grantId);
        }
    }

    const auto active = [](const QJsonObject& json) {
        return json.value(QLatin1String("status")).toString() == QLatin1String("active")
            || enforcementPending(json);
    };
    Changes changes = updateRows(latest, active, [this](const QJsonObject& json) { return makeRow(json); });
    for (const QString& grantId : std::as_const(sessionTouched)) {
        const int row = rowOf(grantId);
        if (row >= 0
            && std::find(changes.removals.cbegin(), changes.removals.cend(), row) == changes.removals.cend())
            emit dataChanged(index(row, Sessions), index(row, Sessions));
    }
    commit(std::move(changes), [this](const Row& gone) { m_sessions.remove(gone.id); });
}

void GrantsModel::setDirectory(const QJsonObject& directory)
{
    m_principals.load(directory);
    for (auto& r : m_rows)
        r.kind = m_principals.kind(r.principal);
    for (auto& r : m_staging)
        r.kind = m_principals.kind(r.principal);
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, Kind), index(m_rows.size() - 1, Kind));
}

void GrantsModel::tick()
{
    announceColumns(ExpiresIn, ExpiresIn);
}

} // namespace lapse
