// Open sessions (live and lingering) reported by resource servers.
#pragma once

#include "backend/Backend.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QPointer>

namespace lapse
{

class SessionsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Session, Principal, Target, ResourceServer, State, Opened, GrantEnded, Lingering, ColumnCount };
    enum Roles { IdRole = Qt::UserRole + 1, JsonRole, LingeringRole, GrantIdRole };

    explicit SessionsModel(Backend* backend, QObject* parent = nullptr);
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

    void reload();
    void applyEvents(const QList<lapse::Event>& events);
    int rowOf(const QString& id) const { return m_index.value(id, -1); }
    void tick();

signals:
    void loaded();
    void loadFailed(const QString& message);

private:
    void upsert(const QJsonObject& s);
    void remove(const QString& id);
    void rebuildIndex();
    QPointer<Backend> m_backend;
    QList<QJsonObject> m_rows;
    QHash<QString, int> m_index;
};

} // namespace lapse
