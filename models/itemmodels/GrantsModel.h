// Active grants with a live countdown and their open-session count.
#pragma once

#include "backend/Backend.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QPointer>

namespace lapse
{

class GrantsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Principal, Kind, Target, Privileges, Policy, Approvers, Started, ExpiresIn, Sessions, ColumnCount };
    enum Roles { IdRole = Qt::UserRole + 1, JsonRole, BreakGlassRole, SortRole };

    explicit GrantsModel(Backend* backend, QObject* parent = nullptr);
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
    void remove(const QString& id);
    void rebuildIndex();
    QPointer<Backend> m_backend;
    QList<QJsonObject> m_rows;
    QHash<QString, int> m_index;
    QHash<QString, QString> m_sessionGrant; // open session → grant
    QHash<QString, int> m_openSessions; // grant → open sessions
};

} // namespace lapse
