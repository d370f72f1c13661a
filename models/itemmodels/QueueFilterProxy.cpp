// Queue filtering and sorting on the source's typed rows: whole-table changes set the mapping in one go (one
// layout change), live changes announce only the rows they touch.
#include "QueueFilterProxy.h"

#include <algorithm>

namespace lapse
{

QueueFilterProxy::QueueFilterProxy(QObject* parent)
    : QAbstractProxyModel(parent)
{
}

QueueFilterProxy::~QueueFilterProxy() = default;

void QueueFilterProxy::setSourceModel(QAbstractItemModel* source)
{
    if (source == sourceModel())
        return;
    beginResetModel();
    for (const auto& c : std::as_const(m_connections))
        disconnect(c);
    m_connections.clear();
    QAbstractProxyModel::setSourceModel(source);
    m_queue = qobject_cast<RequestQueueModel*>(source);
    if (source) {
        m_connections
            << connect(
                   source, &QAbstractItemModel::modelAboutToBeReset, this, &QueueFilterProxy::beginResetModel)
            << connect(source, &QAbstractItemModel::modelReset, this,
                   [this] {
                       filterAll();
                       endResetModel();
                   })
            << connect(source, &QAbstractItemModel::rowsInserted, this, &QueueFilterProxy::onRowsInserted)
            << connect(source, &QAbstractItemModel::rowsAboutToBeRemoved, this,
                   &QueueFilterProxy::onRowsAboutToBeRemoved)
            << connect(source, &QAbstractItemModel::rowsRemoved, this, &QueueFilterProxy::onRowsRemoved)
            << connect(source, &QAbstractItemModel::dataChanged, this, &QueueFilterProxy::onDataChanged)
            << connect(source, &QAbstractItemModel::headerDataChanged, this,
                   &QAbstractItemModel::headerDataChanged)
            << connect(source, &QAbstractItemModel::layoutAboutToBeChanged, this,
                   &QueueFilterProxy::onSourceLayoutAboutToBeChanged)
            << connect(
                   source, &QAbstractItemModel::layoutChanged, this, &QueueFilterProxy::onSourceLayoutChanged)
            << connect(source, &QAbstractItemModel::rowsAboutToBeMoved, this,
                   &QueueFilterProxy::onSourceLayoutAboutToBeChanged)
            << connect(source, &QAbstractItemModel::rowsMoved, this, &QueueFilterProxy::onSourceLayoutChanged)
            // The queue's columns are fixed; any other change of columns starts over.
            << connect(source, &QAbstractItemModel::columnsAboutToBeInserted, this,
                   &QueueFilterProxy::beginResetModel)
            << connect(source, &QAbstractItemModel::columnsInserted, this, &QueueFilterProxy::resetFromSource)
            << connect(source, &QAbstractItemModel::columnsAboutToBeRemoved, this,
                   &QueueFilterProxy::beginResetModel)
            << connect(source, &QAbstractItemModel::columnsRemoved, this, &QueueFilterProxy::resetFromSource)
            << connect(source, &QObject::destroyed, this, [this] {
                   // Silently, as QSortFilterProxyModel does: the views may be going too.
                   m_queue = nullptr;
                   m_rows.clear();
                   m_proxyOf.clear();
               });
    }
    filterAll();
    endResetModel();
}

void QueueFilterProxy::resetFromSource()
{
    filterAll();
    endResetModel();
}

// ------------------------------------------------------------------ mapping

QModelIndex QueueFilterProxy::index(int row, int column, const QModelIndex& parent) const
{
    if (parent.isValid() || row < 0 || row >= int(m_rows.size()) || column < 0 || column >= columnCount())
        return {};
    return createIndex(row, column);
}

QModelIndex QueueFilterProxy::parent(const QModelIndex&) const
{
    return {};
}

QModelIndex QueueFilterProxy::sibling(int row, int column, const QModelIndex& idx) const
{
    return idx.isValid() ? index(row, column) : QModelIndex();
}

int QueueFilterProxy::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int QueueFilterProxy::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() || !sourceModel() ? 0 : sourceModel()->columnCount();
}

bool QueueFilterProxy::hasChildren(const QModelIndex& parent) const
{
    return !parent.isValid() && rowCount() > 0 && columnCount() > 0;
}

QModelIndex QueueFilterProxy::mapToSource(const QModelIndex& proxyIndex) const
{
    if (!proxyIndex.isValid() || !sourceModel() || proxyIndex.row() >= int(m_rows.size()))
        return {};
    return sourceModel()->index(m_rows[size_t(proxyIndex.row())], proxyIndex.column());
}

QModelIndex QueueFilterProxy::mapFromSource(const QModelIndex& sourceIndex) const
{
    if (!sourceIndex.isValid() || sourceIndex.parent().isValid()
        || sourceIndex.row() >= int(m_proxyOf.size()))
        return {};
    const int row = m_proxyOf[size_t(sourceIndex.row())];
    return row >= 0 ? createIndex(row, sourceIndex.column()) : QModelIndex();
}

bool QueueFilterProxy::accepts(int sourceRow) const
{
    return !m_queue || m_queue->rowMatches(sourceRow, m_filter);
}

bool QueueFilterProxy::before(int leftSource, int rightSource) const
{
    if (m_queue && m_sortColumn >= 0 && m_sortColumn < RequestQueueModel::ColumnCount) {
        const int c = m_queue->compareRows(m_sortColumn, leftSource, rightSource);
        if (c != 0)
            return m_order == Qt::AscendingOrder ? c < 0 : c > 0;
    }
    return leftSource < rightSource;
}

void QueueFilterProxy::sortShown(std::vector<int>& sourceRows) const
{
    if (m_queue && m_sortColumn >= 0)
        m_queue->sortRows(m_sortColumn, m_order, sourceRows);
    else
        std::sort(sourceRows.begin(), sourceRows.end());
}

void QueueFilterProxy::filterAll()
{
    const int n = sourceModel() ? sourceModel()->rowCount() : 0;
    m_rows.clear();
    m_rows.reserve(size_t(n));
    for (int r = 0; r < n; ++r)
        if (accepts(r))
            m_rows.push_back(r);
    sortShown(m_rows);
    m_proxyOf.assign(size_t(n), -1);
    indexFrom(0);
}

void QueueFilterProxy::indexFrom(int proxyRow)
{
    for (size_t i = size_t(proxyRow); i < m_rows.size(); ++i)
        m_proxyOf[size_t(m_rows[i])] = int(i);
}

template <typename Change>
void QueueFilterProxy::relayout(QAbstractItemModel::LayoutChangeHint hint, Change change)
{
    // One layout change: views keep their selection and current row through the persistent indexes, which
    // follow their source rows (or become invalid when filtered out).
    emit layoutAboutToBeChanged({}, hint);
    const QModelIndexList from = persistentIndexList();
    std::vector<int> sources;
    sources.reserve(size_t(from.size()));
    for (const QModelIndex& i : from)
        sources.push_back(i.row() >= 0 && i.row() < int(m_rows.size()) ? m_rows[size_t(i.row())] : -1);
    change();
    QModelIndexList to;
    to.reserve(from.size());
    for (qsizetype i = 0; i < from.size(); ++i) {
        const int s = sources[size_t(i)];
        const int row = s >= 0 && s < int(m_proxyOf.size()) ? m_proxyOf[size_t(s)] : -1;
        to << (row >= 0 ? index(row, from[i].column()) : QModelIndex());
    }
    changePersistentIndexList(from, to);
    emit layoutChanged({}, hint);
}

// ------------------------------------------------------------------ sorting and filtering

void QueueFilterProxy::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= columnCount())
        column = -1;
    if (column == m_sortColumn && (order == m_order || column < 0))
        return; // the mapping is kept in this order all along
    relayout(QAbstractItemModel::VerticalSortHint, [&] {
        m_sortColumn = column;
        m_order = order;
        sortShown(m_rows);
        indexFrom(0);
    });
}

void QueueFilterProxy::setTargetFilter(const QString& target)
{
    if (target == m_filter.target)
        return;
    RequestQueueModel::Filter next = m_filter;
    next.target = target;
    applyFilter(std::move(next));
}

void QueueFilterProxy::setKindFilter(const QString& kind)
{
    if (kind == m_filter.kind)
        return;
    RequestQueueModel::Filter next = m_filter;
    next.kind = kind;
    applyFilter(std::move(next));
}

void QueueFilterProxy::setText(const QString& text)
{
    m_text = text;
    RequestQueueModel::Filter next = m_filter;
    next.terms = RequestQueueModel::Filter::termsOf(text);
    if (next.terms == m_filter.terms)
        return;
    applyFilter(std::move(next));
}

void QueueFilterProxy::applyFilter(RequestQueueModel::Filter next)
{
    const bool narrower = next.narrows(m_filter);
    const bool wider = m_filter.narrows(next);
    if (narrower && wider) {
        m_filter = std::move(next); // the same rows either way ("a" and "a a")
        return;
    }
    relayout(QAbstractItemModel::NoLayoutChangeHint, [&] {
        m_filter = std::move(next);
        if (narrower) {
            // A keystroke that adds to a word: only the rows shown can stay, and their order stands.
            for (int s : m_rows)
                m_proxyOf[size_t(s)] = -1;
            m_rows.erase(std::remove_if(m_rows.begin(), m_rows.end(), [this](int s) { return !accepts(s); }),
                m_rows.end());
            indexFrom(0);
        } else if (wider) {
            // Erasing: the rows shown stay; only the hidden ones are tested, sorted, and merged in.
            std::vector<int> added;
            for (int s = 0; s < int(m_proxyOf.size()); ++s)
                if (m_proxyOf[size_t(s)] < 0 && accepts(s))
                    added.push_back(s);
            sortShown(added);
            std::vector<int> merged;
            merged.reserve(m_rows.size() + added.size());
            std::merge(m_rows.begin(), m_rows.end(), added.begin(), added.end(), std::back_inserter(merged),
                [this](int a, int b) { return before(a, b); });
            m_rows.swap(merged);
            indexFrom(0);
        } else {
            filterAll();
        }
    });
}

// ------------------------------------------------------------------ live changes of the source

void QueueFilterProxy::insertSourceRows(std::vector<int> sourceRows)
{
    if (sourceRows.empty())
        return;
    sortShown(sourceRows);
    // Where each goes among the rows shown now (non-decreasing, as both are in the same order), then inserted
    // from the top in runs, each run announced on its own.
    std::vector<int> at(sourceRows.size());
    for (size_t i = 0; i < sourceRows.size(); ++i)
        at[i]
            = int(std::upper_bound(m_rows.begin(), m_rows.end(), sourceRows[i], [this](int value, int shown) {
                  return before(value, shown);
              }) - m_rows.begin());
    int shift = 0;
    for (size_t i = 0; i < sourceRows.size();) {
        size_t j = i;
        while (j + 1 < sourceRows.size() && at[j + 1] == at[i])
            ++j;
        const int count = int(j - i + 1);
        const int first = at[i] + shift;
        beginInsertRows({}, first, first + count - 1);
        m_rows.insert(
            m_rows.begin() + first, sourceRows.begin() + qsizetype(i), sourceRows.begin() + qsizetype(j) + 1);
        indexFrom(first);
        endInsertRows();
        shift += count;
        i = j + 1;
    }
}

void QueueFilterProxy::removeProxyRows(std::vector<int> proxyRows)
{
    std::sort(proxyRows.begin(), proxyRows.end(), std::greater<int>());
    for (size_t i = 0; i < proxyRows.size();) {
        // A run of adjacent rows goes in one beginRemoveRows, the lowest runs last.
        const int last = proxyRows[i];
        int first = last;
        while (i + 1 < proxyRows.size() && proxyRows[i + 1] == first - 1)
            first = proxyRows[++i];
        ++i;
        beginRemoveRows({}, first, last);
        for (int p = first; p <= last; ++p)
            m_proxyOf[size_t(m_rows[size_t(p)])] = -1;
        m_rows.erase(m_rows.begin() + first, m_rows.begin() + last + 1);
        indexFrom(first);
        endRemoveRows();
    }
}

void QueueFilterProxy::placeAgain(int proxyRow)
{
    // Its place among the others (binary search over the rows without it); a move if that is elsewhere.
    const int s = m_rows[size_t(proxyRow)];
    int lo = 0, hi = int(m_rows.size()) - 1;
    while (lo < hi) {
        const int mid = (lo + hi) / 2;
        const int other = m_rows[size_t(mid < proxyRow ? mid : mid + 1)];
        if (before(s, other))
            hi = mid;
        else
            lo = mid + 1;
    }
    const int to = lo;
    if (to == proxyRow)
        return;
    if (!beginMoveRows({}, proxyRow, proxyRow, {}, to < proxyRow ? to : to + 1))
        return;
    m_rows.erase(m_rows.begin() + proxyRow);
    m_rows.insert(m_rows.begin() + to, s);
    for (int p = qMin(proxyRow, to); p <= qMax(proxyRow, to); ++p)
        m_proxyOf[size_t(m_rows[size_t(p)])] = p;
    endMoveRows();
}

void QueueFilterProxy::onRowsInserted(const QModelIndex& parent, int first, int last)
{
    if (parent.isValid())
        return;
    const int n = last - first + 1;
    if (first < int(m_proxyOf.size()))
        for (int& s : m_rows)
            if (s >= first)
                s += n; // source rows at and after first moved down
    m_proxyOf.insert(m_proxyOf.begin() + first, size_t(n), -1);
    std::vector<int> added;
    for (int s = first; s <= last; ++s)
        if (accepts(s))
            added.push_back(s);
    insertSourceRows(std::move(added));
}

void QueueFilterProxy::onRowsAboutToBeRemoved(const QModelIndex& parent, int first, int last)
{
    if (parent.isValid())
        return;
    std::vector<int> gone;
    for (int s = first; s <= last && s < int(m_proxyOf.size()); ++s)
        if (m_proxyOf[size_t(s)] >= 0)
            gone.push_back(m_proxyOf[size_t(s)]);
    removeProxyRows(std::move(gone));
}

void QueueFilterProxy::onRowsRemoved(const QModelIndex& parent, int first, int last)
{
    if (parent.isValid())
        return;
    const int n = last - first + 1;
    m_proxyOf.erase(m_proxyOf.begin() + first, m_proxyOf.begin() + qMin(last + 1, int(m_proxyOf.size())));
    for (int& s : m_rows)
        if (s > last)
            s -= n;
}

void QueueFilterProxy::forwardDataChanged(int top, int bottom, int left, int right, const QList<int>& roles)
{
    if (m_rows.empty())
        return;
    if (2 * (bottom - top + 1) > int(m_proxyOf.size())) {
        // Most rows: one whole-range announcement rather than one per scattered row.
        emit dataChanged(index(0, left), index(int(m_rows.size()) - 1, right), roles);
        return;
    }
    std::vector<int> rows;
    for (int s = top; s <= bottom; ++s)
        if (m_proxyOf[size_t(s)] >= 0)
            rows.push_back(m_proxyOf[size_t(s)]);
    std::sort(rows.begin(), rows.end());
    for (size_t i = 0; i < rows.size();) {
        size_t j = i;
        while (j + 1 < rows.size() && rows[j + 1] == rows[j] + 1)
            ++j;
        emit dataChanged(index(rows[i], left), index(rows[j], right), roles);
        i = j + 1;
    }
}

void QueueFilterProxy::onDataChanged(
    const QModelIndex& topLeft, const QModelIndex& bottomRight, const QList<int>& roles)
{
    if (!topLeft.isValid() || topLeft.parent().isValid())
        return;
    const int top = topLeft.row(), bottom = qMin(bottomRight.row(), int(m_proxyOf.size()) - 1);
    const int left = topLeft.column(), right = bottomRight.column();
    if (top > bottom)
        return;
    // A change that names its roles and leaves out SortRole (the queue's clock tick) moves nothing in or out.
    const bool keysMayChange = m_queue && (roles.isEmpty() || roles.contains(RequestQueueModel::SortRole));
    if (!keysMayChange) {
        forwardDataChanged(top, bottom, left, right, roles);
        return;
    }
    if (bottom - top + 1 > qMax(1000, int(m_proxyOf.size()) / 8)) {
        // Too many to place one by one (a new directory): filter and sort again in one layout change.
        relayout(QAbstractItemModel::NoLayoutChangeHint, [this] { filterAll(); });
        forwardDataChanged(0, int(m_proxyOf.size()) - 1, left, right, roles);
        return;
    }
    const bool sortMayChange = m_sortColumn >= left && m_sortColumn <= right;
    std::vector<int> leaving, arriving;
    for (int s = top; s <= bottom; ++s) {
        const bool shown = m_proxyOf[size_t(s)] >= 0;
        if (shown != accepts(s))
            (shown ? leaving : arriving).push_back(shown ? m_proxyOf[size_t(s)] : s);
    }
    removeProxyRows(std::move(leaving));
    insertSourceRows(std::move(arriving));
    for (int s = top; s <= bottom; ++s) {
        if (m_proxyOf[size_t(s)] < 0)
            continue;
        if (sortMayChange)
            placeAgain(m_proxyOf[size_t(s)]);
        const int row = m_proxyOf[size_t(s)];
        emit dataChanged(index(row, left), index(row, right), roles);
    }
}

void QueueFilterProxy::onSourceLayoutAboutToBeChanged()
{
    emit layoutAboutToBeChanged();
    m_layoutProxy = persistentIndexList();
    m_layoutSource.clear();
    for (const QModelIndex& i : std::as_const(m_layoutProxy))
        m_layoutSource << QPersistentModelIndex(mapToSource(i));
}

void QueueFilterProxy::onSourceLayoutChanged()
{
    filterAll();
    QModelIndexList to;
    for (const QPersistentModelIndex& s : std::as_const(m_layoutSource))
        to << mapFromSource(s);
    changePersistentIndexList(m_layoutProxy, to);
    m_layoutProxy.clear();
    m_layoutSource.clear();
    emit layoutChanged();
}

} // namespace lapse
