// Filtering and sorting of the request queue: by target, by requester kind, by free text.
#pragma once

#include <QSortFilterProxyModel>
#include <QStringList>

namespace lapse
{

class RequestQueueModel;

class QueueFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit QueueFilterProxy(QObject* parent = nullptr);

    void setSourceModel(QAbstractItemModel* source) override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    QString targetFilter() const { return m_target; }
    QString kindFilter() const { return m_kind; }
    QString text() const { return m_text; }

public slots:
    void setTargetFilter(const QString& target); // empty: every target
    void setKindFilter(const QString& kind); // human, service, workload, agent, pipeline; empty: all
    // Whitespace-separated words, each of which must occur (case-insensitively) in requester, owner, target,
    // task, reason, ticket or privileges.
    void setText(const QString& text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    void refilter();
    RequestQueueModel* m_queue = nullptr;
    QString m_target;
    QString m_kind;
    QString m_text;
    QStringList m_terms;
};

} // namespace lapse
