// Active grants: loaded through the backend, then grant.* and session.* events keep them current.
#include "GrantsModel.h"

#include "TimeFormat.h"
#include "backend/Backend.h"
#include "core/Clock.h"

#include <QColor>
#include <QJsonArray>
#include <QPointer>
#include <algorithm>

namespace lapse
{

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
    : QAbstractTableModel(parent)
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
    r.approvers = joined(json.value(QLatin1String("approvers")));
    r.breakGlass = json.value(QLatin1String("break_glass")).toBool();
    r.reviewed = json.value(QLatin1String("reviewed")).toBool();
    r.startsMs = timefmt::parseIso(json.value(QLatin1String("starts_at")).toString());
    r.expiresMs = timefmt::parseIso(json.value(QLatin1String("expires_at")).toString());
    r.json = json;
    return r;
}

int GrantsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int GrantsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
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
        return r.breakGlass ? (r.reviewed ? tr("break-glass (reviewed)") : tr("break-glass")) : r.policy;
    case Approvers:
        return r.approvers.isEmpty() ? tr("none") : r.approvers;
    case Started:
        return timefmt::instant(r.startsMs);
    case ExpiresIn: {
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
        if (r.breakGlass && !r.reviewed)
            return tr("Break-glass access, not yet reviewed");
        return {};
    case Qt::ForegroundRole:
        if (r.breakGlass && !r.reviewed && index.column() == Policy)
            return QColor(0xa8, 0x1b, 0x1b);
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
    return row >= 0 && row < m_rows.size() ? m_rows[row].json : QJsonObject();
}

int GrantsModel::rowOf(const QString& id) const
{
    // Active grants number in the hundreds: a scan is cheaper than keeping an index right.
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].id == id)
            return i;
    return -1;
}

void GrantsModel::reload()
{
    if (!m_backend) {
        emit loadFailed(tr("No backend to load grants from."));
        return;
    }
    ++m_generation;
    m_loading = true;
    m_staging.clear();
    m_stagingSessions.clear();
    fetchGrants(QString(), m_generation);
}

void GrantsModel::fail(const QString& message)
{
    m_loading = false;
    m_staging.clear();
    m_stagingSessions.clear();
    const QList<Event> held = std::move(m_heldEvents);
    m_heldEvents.clear();
    applyEvents(held);
    emit loadFailed(message);
}

void GrantsModel::fetchGrants(const QString& after, quint64 generation)
{
    QPointer<GrantsModel> self(this);
    m_backend->listGrants(
        QStringLiteral("active"), after, m_pageSize, [self, generation](const ApiResult& r) {
            if (!self || generation != self->m_generation)
                return;
            if (!r)
                return self->fail(tr("Could not load active grants: %1").arg(r.error().message));
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
                self->fetchSessions(generation);
        });
}

void GrantsModel::fetchSessions(quint64 generation)
{
    QPointer<GrantsModel> self(this);
    m_backend->listSessions(QStringLiteral("live"), [self, generation](const ApiResult& r) {
        if (!self || generation != self->m_generation)
            return;
        if (!r)
            return self->fail(tr("Could not load sessions: %1").arg(r.error().message));
        for (const auto& v : r->value(QLatin1String("items")).toArray()) {
            const QJsonObject s = v.toObject();
            self->m_stagingSessions[s.value(QLatin1String("grant_id")).toString()].insert(
                s.value(QLatin1String("id")).toString());
        }
        self->finishLoad();
    });
}

void GrantsModel::finishLoad()
{
    beginResetModel();
    m_rows = std::move(m_staging);
    m_staging.clear();
    m_sessions = std::move(m_stagingSessions);
    m_stagingSessions.clear();
    endResetModel();
    m_loading = false;
    const QList<Event> held = std::move(m_heldEvents);
    m_heldEvents.clear();
    applyEvents(held);
    emit loaded();
}

void GrantsModel::applyEvents(const QList<Event>& events)
{
    if (m_loading) {
        m_heldEvents += events;
        return;
    }
    QHash<QString, QJsonObject> latest; // grant id -> last known grant JSON in this batch
    QStringList order;
    QSet<QString> sessionTouched; // grants whose session count changed
    for (const Event& e : events) {
        if (e.type.startsWith(QLatin1String("grant."))) {
            QJsonObject body = e.bodyJson();
            if (body.value(QLatin1String("grant")).isObject()) // grant.reviewed wraps the grant with a note
                body = body.value(QLatin1String("grant")).toObject();
            const QString id = body.value(QLatin1String("id")).toString();
            if (id.isEmpty())
                continue;
            if (!latest.contains(id))
                order << id;
            latest.insert(id, body);
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

    QList<Row> inserts;
    QList<int> removals;
    for (const QString& id : std::as_const(order)) {
        const QJsonObject json = latest.value(id);
        const bool active = json.value(QLatin1String("status")).toString() == QLatin1String("active");
        const int row = rowOf(id);
        if (row >= 0 && active) {
            m_rows[row] = makeRow(json);
            emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
        } else if (row >= 0) {
            removals << row;
        } else if (active) {
            inserts << makeRow(json);
        }
    }
    for (const QString& grantId : std::as_const(sessionTouched)) {
        const int row = rowOf(grantId);
        if (row >= 0 && !removals.contains(row))
            emit dataChanged(index(row, Sessions), index(row, Sessions));
    }
    std::sort(removals.begin(), removals.end(), std::greater<int>());
    for (int row : std::as_const(removals)) {
        beginRemoveRows({}, row, row);
        m_sessions.remove(m_rows[row].id);
        m_rows.removeAt(row);
        endRemoveRows();
    }
    if (!inserts.isEmpty()) {
        beginInsertRows({}, m_rows.size(), m_rows.size() + inserts.size() - 1);
        m_rows.append(inserts);
        endInsertRows();
    }
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
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, ExpiresIn), index(m_rows.size() - 1, ExpiresIn), {Qt::DisplayRole});
}

} // namespace lapse
