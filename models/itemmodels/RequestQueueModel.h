// Pending requests as a table: an id → row hash for O(1) updates from the event stream.
#pragma once

#include "backend/Backend.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QJsonObject>
#include <QPointer>

namespace lapse
{

class RequestQueueModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Requester, Kind, Owner, Target, Privileges, Width, Task, Reason, Ticket, Ttl, Waiting, ExpiresIn, ColumnCount };
    enum Roles { IdRole = Qt::UserRole + 1, JsonRole, KindRole, SortRole, ExcessRole };

    explicit RequestQueueModel(Backend* backend, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

    void reload();
    void applyEvents(const QList<lapse::Event>& events);
    QJsonObject requestAt(int row) const;
    int rowOf(const QString& id) const;
    void setDirectory(const QJsonObject& directory);
    void tick();

signals:
    void loaded();
    void loadFailed(const QString& message);

private:
    void loadPage(const QString& after, QList<QJsonObject> acc);
    void upsert(const QJsonObject& request);
    void remove(const QString& id);
    void rebuildIndex();

    QPointer<Backend> m_backend;
    QList<QJsonObject> m_rows;
    QHash<QString, int> m_index;
    QHash<QString, QJsonObject> m_principals;
};

} // namespace lapse
