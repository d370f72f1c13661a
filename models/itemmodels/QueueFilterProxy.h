// Filtering and sorting of the request queue: by target, by requester kind, by free text.
#pragma once

#include "RequestQueueModel.h"

#include <QAbstractProxyModel>
#include <QList>
#include <QMetaObject>
#include <QPersistentModelIndex>
#include <QStringList>
#include <vector>

namespace lapse
{

// A flat proxy over RequestQueueModel that keeps its mapping (proxy row -> source row and back) in two
// arrays it sets in one go: a sort is one permutation of the shown rows by the model's typed keys, a filter
// change one pass, and a live change touches only the rows it names. Any other source is shown unfiltered and
// unsorted.
class QueueFilterProxy : public QAbstractProxyModel
{
    Q_OBJECT
public:
    explicit QueueFilterProxy(QObject* parent = nullptr);
    ~QueueFilterProxy() override;

    void setSourceModel(QAbstractItemModel* source) override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    int sortColumn() const { return m_sortColumn; } // -1: source order
    Qt::SortOrder sortOrder() const { return m_order; }

    QString targetFilter() const { return m_filter.target; }
    QString kindFilter() const { return m_filter.kind; }
    QString text() const { return m_text; }

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    QModelIndex sibling(int row, int column, const QModelIndex& idx) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    bool hasChildren(const QModelIndex& parent = {}) const override;
    QModelIndex mapToSource(const QModelIndex& proxyIndex) const override;
    QModelIndex mapFromSource(const QModelIndex& sourceIndex) const override;

public slots:
    void setTargetFilter(const QString& target); // empty: every target
    void setKindFilter(const QString& kind); // human, service, workload, agent, pipeline; empty: all
    // Whitespace-separated words, each of which must occur (case-insensitively) in requester, owner, target,
    // task, reason, ticket or privileges.
    void setText(const QString& text);

private:
    bool accepts(int sourceRow) const;
    bool before(int leftSource, int rightSource) const; // the shown order; ties go by source row
    void sortShown(std::vector<int>& sourceRows) const;
    void filterAll(); // m_rows from every source row, sorted
    void indexFrom(int proxyRow); // m_proxyOf for m_rows[proxyRow..]
    template <typename Change> void relayout(QAbstractItemModel::LayoutChangeHint hint, Change change);
    void applyFilter(RequestQueueModel::Filter next);
    void forwardDataChanged(int top, int bottom, int left, int right, const QList<int>& roles);
    void insertSourceRows(std::vector<int> sourceRows);
    void removeProxyRows(std::vector<int> proxyRows);
    void placeAgain(int proxyRow); // a shown row whose sort key changed

    void onRowsInserted(const QModelIndex& parent, int first, int last);
    void onRowsAboutToBeRemoved(const QModelIndex& parent, int first, int last);
    void onRowsRemoved(const QModelIndex& parent, int first, int last);
    void onDataChanged(const QModelIndex& topLeft, const QModelIndex& bottomRight, const QList<int>& roles);
    void onSourceLayoutAboutToBeChanged();
    void onSourceLayoutChanged();
    void resetFromSource();

    RequestQueueModel* m_queue = nullptr;
    QList<QMetaObject::Connection> m_connections;
    std::vector<int> m_rows; // proxy row -> source row
    std::vector<int> m_proxyOf; // source row -> proxy row, -1 when filtered out
    int m_sortColumn = -1;
    Qt::SortOrder m_order = Qt::AscendingOrder;
    RequestQueueModel::Filter m_filter;
    QString m_text;
    QModelIndexList m_layoutProxy; // persistent indexes across a source layout change
    QList<QPersistentModelIndex> m_layoutSource;
};

} // namespace lapse
