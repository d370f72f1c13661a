// Active grants with a live countdown and how many sessions each has open, kept current from events.
#pragma once

#include "PrincipalIndex.h"
#include "domain/Event.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QSet>

namespace lapse
{

class Backend;

class GrantsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Principal,
        Kind,
        Target,
        Privileges,
        Policy,
        Approvers,
        Started,
        ExpiresIn,
        Sessions,
        ColumnCount
    };
    Q_ENUM(Column)
    enum Role {
        IdRole = Qt::UserRole + 1,
        JsonRole, // QJsonObject: the grant as the API returns it
        BreakGlassRole, // bool
        SortRole, // raw value to sort on
        PrincipalRole, // the holder's id
        SessionCountRole, // int: open sessions of this grant
    };

    explicit GrantsModel(Backend* backend, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    QJsonObject grantAt(int row) const;
    int rowOf(const QString& id) const;
    bool isLoading() const { return m_loading; }
    // Items per API page while loading (1..1000, the API's limit); smaller pages only serve tests.
    void setPageSize(int items) { m_pageSize = qBound(1, items, 1000); }

public slots:
    void reload(); // active grants, then the live sessions to count per grant
    void applyEvents(const QList<lapse::Event>& events);
    void setDirectory(const QJsonObject& directory);
    void tick(); // ExpiresIn moves

signals:
    void loaded();
    void loadFailed(const QString& message);

private:
    struct Row {
        QString id;
        QString principal;
        QString kind;
        QString target;
        QString privileges;
        QString policy;
        QString approvers;
        bool breakGlass = false;
        bool reviewed = false;
        qint64 startsMs = 0;
        qint64 expiresMs = 0;
        QJsonObject json;
    };
    Row makeRow(const QJsonObject& json) const;
    void fetchGrants(const QString& after, quint64 generation);
    void fetchSessions(quint64 generation);
    void fail(const QString& message);
    void finishLoad();
    QVariant display(const Row& r, int column) const;
    QVariant sortValue(const Row& r, int column) const;
    int sessionCount(const QString& grantId) const { return m_sessions.value(grantId).size(); }

    Backend* m_backend;
    PrincipalIndex m_principals;
    QList<Row> m_rows;
    QHash<QString, QSet<QString>> m_sessions; // grant id -> its open session ids

    int m_pageSize = 1000;
    bool m_loading = false;
    quint64 m_generation = 0;
    QList<Row> m_staging;
    QHash<QString, QSet<QString>> m_stagingSessions;
    QList<Event> m_heldEvents;
};

} // namespace lapse
