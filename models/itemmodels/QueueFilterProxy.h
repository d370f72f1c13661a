// Filters the queue by target, requester kind and free text; sorts on the model's typed sort role.
#pragma once

#include <QSortFilterProxyModel>

namespace lapse
{

class QueueFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit QueueFilterProxy(QObject* parent = nullptr);
    void setTargetFilter(const QString& target);
    void setKindFilter(const QString& kind);
    void setText(const QString& text);

protected:
    bool filterAcceptsRow(int row, const QModelIndex& parent) const override;

private:
    QString m_target, m_kind, m_text;
};

} // namespace lapse
