// Loads open sessions, then follows session.* and grant end events (which make sessions lingering).
#include "SessionsModel.h"

#include "core/Clock.h"

#include <QDateTime>
#include <QJsonArray>

namespace lapse
{

SessionsModel::SessionsModel(Backend* backend, QObject* parent)
    : QAbstractTableModel(parent)
    , m_backend(backend)
{
}

int SessionsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int SessionsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SessionsModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Session: return tr("Session");
    case Principal: return tr("Principal");
    case Target: return tr("Target");
    case ResourceServer: return tr("Resource server");
    case State: return tr("State");
    case Opened: return tr("Opened");
    case GrantEnded: return tr("Grant ended");
    case Lingering: return tr("Lingering");
    }
    return {};
}

QVariant SessionsModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const QJsonObject& s = m_rows.at(index.row());
    const qint64 grantEnded = Clock::fromIso(s["grant_ended_at"].toString());
    const bool lingering = s["grant_ended_at"].isString();
    auto hms = [](const QJsonValue& v) {
        return v.isString()
            ? QDateTime::fromMSecsSinceEpoch(Clock::fromIso(v.toString())).toString(QStringLiteral("HH:mm:ss"))
            : QString();
    };
    switch (role) {
    case IdRole: return s["id"].toString();
    case JsonRole: return s;
    case LingeringRole: return lingering;
    case GrantIdRole: return s["grant_id"].toString();
    case Qt::DisplayRole:
        switch (index.column()) {
        case Session: return s["id"].toString();
        case Principal: return s["principal"].toString();
        case Target: return s["target"].toString();
        case ResourceServer: return s["resource_server"].toString();
        case State:
            if (s["terminate_requested_at"].isString())
                return tr("%1, close ordered").arg(lingering ? tr("lingering") : tr("live"));
            return lingering ? tr("lingering") : tr("live");
        case Opened: return hms(s["opened_at"]);
        case GrantEnded: return hms(s["grant_ended_at"]);
        case Lingering:
            return lingering ? tr("%1 s").arg((Clock::now() - grantEnded) / 1000) : QString();
        }
        break;
    }
    return {};
}

void SessionsModel::reload()
{
    if (!m_backend)
        return;
    m_backend->listSessions({}, [this, guard = QPointer<SessionsModel>(this)](const ApiResult& r) {
        if (!guard)
            return;
        if (!r) {
            emit loadFailed(r.error().message);
            return;
        }
        beginResetModel();
        m_rows.clear();
        for (const auto& v : r->value("items").toArray())
            if (!v.toObject()["ended_at"].isString())
                m_rows << v.toObject();
        rebuildIndex();
        endResetModel();
        emit loaded();
    });
}

void SessionsModel::rebuildIndex()
{
    m_index.clear();
    for (int i = 0; i < m_rows.size(); ++i)
        m_index.insert(m_rows[i]["id"].toString(), i);
}

void SessionsModel::upsert(const QJsonObject& s)
{
    const QString id = s["id"].toString();
    const int row = m_index.value(id, -1);
    if (row >= 0) {
        m_rows[row] = s;
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return;
    }
    const int at = int(m_rows.size());
    beginInsertRows({}, at, at);
    m_rows << s;
    m_index.insert(id, at);
    endInsertRows();
}

void SessionsModel::remove(const QString& id)
{
    const int row = m_index.value(id, -1);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    rebuildIndex();
    endRemoveRows();
}

void SessionsModel::applyEvents(const QList<Event>& events)
{
    for (const Event& e : events) {
        if (e.type == QLatin1String("session.opened") || e.type == QLatin1String("session.terminate_requested")) {
            QJsonObject s = e.bodyJson();
            if (s["ended_at"].isString())
                remove(e.subject);
            else
                upsert(s);
        } else if (e.type == QLatin1String("session.ended")) {
            remove(e.subject);
        } else if (e.type == QLatin1String("grant.revoked") || e.type == QLatin1String("grant.expired")
            || e.type == QLatin1String("grant.completed")) {
            const QString ended = e.bodyJson()["ended_at"].toString();
            for (int row = 0; row < m_rows.size(); ++row) {
                if (m_rows[row]["grant_id"].toString() != e.subject || m_rows[row]["grant_ended_at"].isString())
                    continue;
                m_rows[row]["grant_ended_at"] = ended;
                m_rows[row]["state"] = QStringLiteral("lingering");
                emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
            }
        }
    }
}

void SessionsModel::tick()
{
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, Lingering), index(int(m_rows.size()) - 1, Lingering));
}

} // namespace lapse
