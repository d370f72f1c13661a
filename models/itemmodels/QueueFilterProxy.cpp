// The queue's filters.
#include "QueueFilterProxy.h"

#include "RequestQueueModel.h"

namespace lapse
{

QueueFilterProxy::QueueFilterProxy(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(RequestQueueModel::SortRole);
    setDynamicSortFilter(true);
}

void QueueFilterProxy::setTargetFilter(const QString& target)
{
    m_target = target;
    invalidateFilter();
}

void QueueFilterProxy::setKindFilter(const QString& kind)
{
    m_kind = kind;
    invalidateFilter();
}

void QueueFilterProxy::setText(const QString& text)
{
    m_text = text.trimmed();
    invalidateFilter();
}

bool QueueFilterProxy::filterAcceptsRow(int row, const QModelIndex& parent) const
{
    const QAbstractItemModel* m = sourceModel();
    if (!m_target.isEmpty()
        && m->index(row, RequestQueueModel::Target, parent).data().toString() != m_target)
        return false;
    if (!m_kind.isEmpty()
        && m->index(row, 0, parent).data(RequestQueueModel::KindRole).toString() != m_kind)
        return false;
    if (m_text.isEmpty())
        return true;
    for (int c : {RequestQueueModel::Requester, RequestQueueModel::Owner, RequestQueueModel::Target,
             RequestQueueModel::Privileges, RequestQueueModel::Task, RequestQueueModel::Reason,
             RequestQueueModel::Ticket})
        if (m->index(row, c, parent).data().toString().contains(m_text, Qt::CaseInsensitive))
            return true;
    return false;
}

} // namespace lapse
