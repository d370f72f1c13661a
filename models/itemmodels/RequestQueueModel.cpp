// Loads pending requests page by page, then follows request.* events.
#include "RequestQueueModel.h"

#include "core/Clock.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace lapse
{

namespace
{
QStringList list(const QJsonValue& v)
{
    QStringList out;
    for (const auto& x : v.toArray())
        out << x.toString();
    return out;
}
QString duration(qint64 ms)
{
    const qint64 s = qMax<qint64>(0, ms / 1000);
    if (s < 60)
        return RequestQueueModel::tr("%1 s").arg(s);
    if (s < 3600)
        return RequestQueueModel::tr("%1 min").arg(s / 60);
    if (s < 86400)
        return RequestQueueModel::tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
    return RequestQueueModel::tr("%1 d %2 h").arg(s / 86400).arg((s % 86400) / 3600);
}
int excess(const QJsonObject& r)
{
    if (!r["min_privileges"].isArray())
        return 0;
    const QStringList min = list(r["min_privileges"]);
    int n = 0;
    for (const auto& p : list(r["privileges"]))
        if (!min.contains(p))
            ++n;
    return n;
}
} // namespace

RequestQueueModel::RequestQueueModel(Backend* backend, QObject* parent)
    : QAbstractTableModel(parent)
    , m_backend(backend)
{
}

int RequestQueueModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int RequestQueueModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RequestQueueModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Requester: return tr("Requester");
    case Kind: return tr("Kind");
    case Owner: return tr("Owner");
    case Target: return tr("Target");
    case Privileges: return tr("Privileges");
    case Width: return tr("Width");
    case Task: return tr("Task");
    case Reason: return tr("Reason");
    case Ticket: return tr("Ticket");
    case Ttl: return tr("TTL");
    case Waiting: return tr("Waiting");
    case ExpiresIn: return tr("Expires in");
    }
    return {};
}

QVariant RequestQueueModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const QJsonObject& r = m_rows.at(index.row());
    const QJsonObject p = m_principals.value(r["requester"].toString());
    const qint64 now = Clock::now();
    const qint64 created = Clock::fromIso(r["created_at"].toString());
    const qint64 expires = Clock::fromIso(r["expires_at"].toString());
    switch (role) {
    case IdRole: return r["id"].toString();
    case JsonRole: return r;
    case KindRole: return p["kind"].toString();
    case ExcessRole: return excess(r);
    case Qt::DisplayRole:
    case SortRole:
        switch (index.column()) {
        case Requester: return r["requester"].toString();
        case Kind: return p["kind"].toString();
        case Owner: return p["owner"].toString();
        case Target: return r["target"].toString();
        case Privileges: return list(r["privileges"]).join(QStringLiteral(", "));
        case Width:
            if (role == SortRole)
                return excess(r);
            return r["min_privileges"].isArray()
                ? tr("%1 / %2 needed").arg(list(r["privileges"]).size()).arg(list(r["min_privileges"]).size())
                : tr("%1 (no minimum)").arg(list(r["privileges"]).size());
        case Task: return r["task"].toString();
        case Reason:
            return r["break_glass"].toBool() ? tr("BREAK-GLASS: %1").arg(r["reason"].toString())
                                             : r["reason"].toString();
        case Ticket: return r["ticket"].toString();
        case Ttl:
            return role == SortRole ? QVariant(r["ttl_seconds"].toInt())
                                    : QVariant(duration(qint64(r["ttl_seconds"].toInt()) * 1000));
        case Waiting: return role == SortRole ? QVariant(now - created) : QVariant(duration(now - created));
        case ExpiresIn: return role == SortRole ? QVariant(expires - now) : QVariant(duration(expires - now));
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == Reason || index.column() == Task)
            return data(index, Qt::DisplayRole);
        break;
    }
    return {};
}

void RequestQueueModel::reload()
{
    loadPage({}, {});
}

void RequestQueueModel::loadPage(const QString& after, QList<QJsonObject> acc)
{
    if (!m_backend)
        return;
    m_backend->listRequests(QStringLiteral("pending"), after, 1000,
        [this, acc, guard = QPointer<RequestQueueModel>(this)](const ApiResult& r) mutable {
            if (!guard)
                return;
            if (!r) {
                emit loadFailed(r.error().message);
                return;
            }
            const QJsonArray items = r->value("items").toArray();
            for (const auto& v : items)
                acc << v.toObject();
            const QString next = r->value("next_after").toString();
            if (!next.isEmpty() && items.size() >= 1000) {
                loadPage(next, acc);
                return;
            }
            beginResetModel();
            m_rows = acc;
            rebuildIndex();
            endResetModel();
            emit loaded();
        });
}

void RequestQueueModel::rebuildIndex()
{
    m_index.clear();
    for (int i = 0; i < m_rows.size(); ++i)
        m_index.insert(m_rows[i]["id"].toString(), i);
}

void RequestQueueModel::upsert(const QJsonObject& request)
{
    const QString id = request["id"].toString();
    const auto it = m_index.constFind(id);
    if (it != m_index.constEnd()) {
        m_rows[*it] = request;
        emit dataChanged(index(*it, 0), index(*it, ColumnCount - 1));
        return;
    }
    const int row = int(m_rows.size());
    beginInsertRows({}, row, row);
    m_rows << request;
    m_index.insert(id, row);
    endInsertRows();
}

void RequestQueueModel::remove(const QString& id)
{
    const auto it = m_index.constFind(id);
    if (it == m_index.constEnd())
        return;
    const int row = *it;
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    rebuildIndex();
    endRemoveRows();
}

void RequestQueueModel::applyEvents(const QList<Event>& events)
{
    for (const Event& e : events) {
        if (!e.type.startsWith(QLatin1String("request.")))
            continue;
        const QJsonObject body = e.bodyJson();
        if (body["status"].toString() == QLatin1String("pending"))
            upsert(body);
        else
            remove(e.subject);
    }
}

QJsonObject RequestQueueModel::requestAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : QJsonObject();
}

int RequestQueueModel::rowOf(const QString& id) const
{
    return m_index.value(id, -1);
}

void RequestQueueModel::setDirectory(const QJsonObject& directory)
{
    m_principals.clear();
    for (const auto& v : directory["principals"].toArray())
        m_principals.insert(v.toObject()["id"].toString(), v.toObject());
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
}

void RequestQueueModel::tick()
{
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, Waiting), index(int(m_rows.size()) - 1, ExpiresIn));
}

} // namespace lapse
