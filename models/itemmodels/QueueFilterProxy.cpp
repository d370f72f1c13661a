// Queue filtering goes straight to the source's typed rows; sorting compares raw values, never display text.
#include "QueueFilterProxy.h"

#include "RequestQueueModel.h"

namespace lapse
{

QueueFilterProxy::QueueFilterProxy(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(RequestQueueModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setDynamicSortFilter(true);
}

void QueueFilterProxy::setSourceModel(QAbstractItemModel* source)
{
    m_queue = qobject_cast<RequestQueueModel*>(source);
    QSortFilterProxyModel::setSourceModel(source);
}

void QueueFilterProxy::sort(int column, Qt::SortOrder order)
{
    if (m_queue)
        m_queue->prepareSort(column);
    QSortFilterProxyModel::sort(column, order);
}

void QueueFilterProxy::setTargetFilter(const QString& target)
{
    if (target == m_target)
        return;
    m_target = target;
    refilter();
}

void QueueFilterProxy::setKindFilter(const QString& kind)
{
    if (kind == m_kind)
        return;
    m_kind = kind;
    refilter();
}

void QueueFilterProxy::setText(const QString& text)
{
    const QStringList terms = text.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    m_text = text;
    if (terms == m_terms)
        return;
    m_terms = terms;
    refilter();
}

void QueueFilterProxy::refilter()
{
    // invalidateRowsFilter() announces every removed and inserted run of rows separately; over a large
    // queue a keystroke makes thousands of runs, each costing the view a pass over its rows. One layout
    // change (persistent indexes mapped, selection kept) is far cheaper.
    if (m_queue && sortColumn() >= 0)
        m_queue->prepareSort(sortColumn());
    invalidate();
}

bool QueueFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (sourceParent.isValid())
        return false;
    if (m_queue)
        return m_queue->rowMatches(sourceRow, m_target, m_kind, m_terms);
    // Any other table: the same rules over its display text.
    const QAbstractItemModel* m = sourceModel();
    const auto cell = [&](int column) { return m->index(sourceRow, column, sourceParent).data().toString(); };
    if (!m_target.isEmpty() && cell(RequestQueueModel::Target) != m_target)
        return false;
    if (!m_kind.isEmpty() && cell(RequestQueueModel::Kind) != m_kind)
        return false;
    for (const QString& t : m_terms) {
        bool found = false;
        for (int c = 0; c < m->columnCount(sourceParent) && !found; ++c)
            found = cell(c).contains(t, Qt::CaseInsensitive);
        if (!found)
            return false;
    }
    return true;
}

bool QueueFilterProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    if (m_queue && left.column() == right.column())
        return m_queue->rowLessThan(left.column(), left.row(), right.row());
    return QSortFilterProxyModel::lessThan(left, right);
}

} // namespace lapse
