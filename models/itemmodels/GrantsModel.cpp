// Loads active grants, then follows grant.* and session.* events.
#include "GrantsModel.h"

#include "core/Clock.h"

#include <QJsonArray>

namespace lapse
{

namespace
{
QString left(qint64 ms)
{
    const qint64 s = qMax<qint64>(0, ms / 1000);
    return QStringLiteral("%1:%2:%3")
        .arg(s / 3600)
        .arg((s % 3600) / 60, 2, 10, QLatin1Char('0'))
        .arg(s % 60, 2, 10, QLatin1Char('0'));
}
QString join(const QJsonValue& v)
{
    QStringList out;
    for (const auto& x : v.toArray())
        out << x.toString();
    return out.join(QStringLiteral(", "));
}
} // namespace

GrantsModel::GrantsModel(Backend* backend, QObject* parent)
    : QAbstractTableModel(parent)
    , m_backend(backend)
{
}

int GrantsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int GrantsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant GrantsModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Principal: return tr("Principal");
    case Kind: return tr("Kind");
    case Target: return tr("Target");
    case Privileges: return tr("Privileges");
    case Policy: return tr("Policy");
    case Approvers: return tr("Approvers");
    case Started: return tr("Started");
    case ExpiresIn: return tr("Expires in");
    case Sessions: return tr("Sessions");
    }
    return {};
}

QVariant GrantsModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const QJsonObject& g = m_rows.at(index.row());
    const qint64 expires = Clock::fromIso(g["expires_at"].toString());
    switch (role) {
    case IdRole: return g["id"].toString();
    case JsonRole: return g;
    case BreakGlassRole: return g["break_glass"].toBool();
    case Qt::DisplayRole:
    case SortRole:
        switch (index.column()) {
        case Principal: return g["principal"].toString();
        case Kind: return QString();
        case Target: return g["target"].toString();
        case Privileges: return join(g["privileges"]);
        case Policy: return g["policy"].toString();
        case Approvers: return join(g["approvers"]);
        case Started:
            return role == SortRole ? QVariant(Clock::fromIso(g["starts_at"].toString()))
                                    : QVariant(QDateTime::fromMSecsSinceEpoch(Clock::fromIso(g["starts_at"].toString()))
                                                   .toString(QStringLiteral("HH:mm:ss")));
        case ExpiresIn:
            return role == SortRole ? QVariant(expires - Clock::now()) : QVariant(left(expires - Clock::now()));
        case Sessions: return m_openSessions.value(g["id"].toString());
        }
        break;
    }
    return {};
}

void GrantsModel::reload()
{
    if (!m_backend)
        return;
    m_backend->listGrants(QStringLiteral("active"), {}, 1000,
        [this, guard = QPointer<GrantsModel>(this)](const ApiResult& r) {
            if (!guard)
                return;
            if (!r) {
                emit loadFailed(r.error().message);
                return;
            }
            beginResetModel();
            m_rows.clear();
            for (const auto& v : r->value("items").toArray())
                m_rows << v.toObject();
            rebuildIndex();
            endResetModel();
            m_backend->listSessions({}, [this, guard](const ApiResult& s) {
                if (!guard || !s)
                    return;
                for (const auto& v : s->value("items").toArray()) {
                    const QJsonObject o = v.toObject();
                    if (o["ended_at"].isString() || m_sessionGrant.contains(o["id"].toString()))
                        continue;
                    m_sessionGrant.insert(o["id"].toString(), o["grant_id"].toString());
                    ++m_openSessions[o["grant_id"].toString()];
                }
                if (!m_rows.isEmpty())
                    emit dataChanged(index(0, Sessions), index(int(m_rows.size()) - 1, Sessions));
                emit loaded();
            });
        });
}

void GrantsModel::rebuildIndex()
{
    m_index.clear();
    for (int i = 0; i < m_rows.size(); ++i)
        m_index.insert(m_rows[i]["id"].toString(), i);
}

void GrantsModel::remove(const QString& id)
{
    const int row = m_index.value(id, -1);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    rebuildIndex();
    endRemoveRows();
}

void GrantsModel::applyEvents(const QList<Event>& events)
{
    for (const Event& e : events) {
        if (e.type == QLatin1String("grant.activated")) {
            if (m_index.contains(e.subject))
                continue;
            const int row = int(m_rows.size());
            beginInsertRows({}, row, row);
            m_rows << e.bodyJson();
            m_index.insert(e.subject, row);
            endInsertRows();
        } else if (e.type == QLatin1String("grant.revoked") || e.type == QLatin1String("grant.expired")
            || e.type == QLatin1String("grant.completed")) {
            remove(e.subject);
        } else if (e.type == QLatin1String("session.opened") || e.type == QLatin1String("session.ended")) {
            const bool opened = e.type == QLatin1String("session.opened");
            QString grant = opened ? e.bodyJson()["grant_id"].toString() : m_sessionGrant.value(e.subject);
            if (opened && !m_sessionGrant.contains(e.subject)) {
                m_sessionGrant.insert(e.subject, grant);
                ++m_openSessions[grant];
            } else if (!opened && m_sessionGrant.remove(e.subject)) {
                --m_openSessions[grant];
            }
            const int row = m_index.value(grant, -1);
            if (row >= 0)
                emit dataChanged(index(row, Sessions), index(row, Sessions));
        }
    }
}

void GrantsModel::tick()
{
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, ExpiresIn), index(int(m_rows.size()) - 1, ExpiresIn));
}

} // namespace lapse
