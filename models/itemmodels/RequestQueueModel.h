// The approver's queue: every pending request, loaded through the backend and kept current from events.
#pragma once

#include "PrincipalIndex.h"
#include "domain/Event.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QStringList>
#include <memory>
#include <vector>

namespace lapse
{

class Backend;

class RequestQueueModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Requester,
        Kind,
        Owner,
        Target,
        Privileges,
        Width,
        Task,
        Reason,
        Ticket,
        Ttl,
        Waiting,
        ExpiresIn,
        ColumnCount
    };
    Q_ENUM(Column)
    enum Role {
        IdRole = Qt::UserRole + 1,
        JsonRole, // QJsonObject: the request as the API returns it
        KindRole, // the requester's kind: human, service, workload, agent, pipeline
        SortRole, // a raw value (number, epoch ms, text) to sort on
        ExcessRole, // int: requested privileges beyond the declared minimum; -1 when none was declared
    };

    explicit RequestQueueModel(Backend* backend, QObject* parent = nullptr);
    ~RequestQueueModel() override;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    QJsonObject requestAt(int row) const;
    int rowOf(const QString& id) const; // -1 when not in the queue
    bool isLoading() const { return m_loading; }
    // Items per API page while loading (1..1000, the API's limit); smaller pages only serve tests.
    void setPageSize(int items) { m_pageSize = qBound(1, items, 1000); }

    // Fast paths for QueueFilterProxy, which would otherwise go through QVariant for every comparison.
    bool rowLessThan(int column, int leftRow, int rightRow) const;
    // Called before a full sort by column: makes rowLessThan on text columns cheap for the current rows.
    void prepareSort(int column) const;
    // terms: lower-case words that must all occur in requester, owner, target, task, reason, ticket or
    // privileges. target and kind: exact matches when not empty.
    bool rowMatches(int row, const QString& target, const QString& kind, const QStringList& terms) const;

public slots:
    // Loads every pending request, paging through the API; events arriving meanwhile are applied after.
    void reload();
    // Requests that left pending go, new ones come, changed ones are updated in place.
    void applyEvents(const QList<lapse::Event>& events);
    void setDirectory(const QJsonObject& directory);
    // Time moved: Waiting and ExpiresIn change for every row.
    void tick();

signals:
    void loaded();
    void loadFailed(const QString& message);

private:
    struct Row;
    std::unique_ptr<Row> makeRow(const QJsonObject& json) const;
    void fetchPage(const QString& after, quint64 generation);
    void finishLoad();
    void rebuildIndex() const;
    QString intern(const QString& s) const;
    static QJsonObject toJson(const Row& r);
    static const QString& textOf(const Row& r, int column);
    static bool isTextColumn(int column);
    QVariant display(const Row& r, int column) const;
    QVariant sortValue(const Row& r, int column) const;

    Backend* m_backend;
    PrincipalIndex m_principals;
    std::vector<std::unique_ptr<Row>> m_rows;
    mutable QHash<QString, int> m_index; // id -> row, rebuilt lazily after rows move
    mutable bool m_indexDirty = false;
    mutable QHash<QString, QString> m_strings; // interned repeating values
    mutable quint64 m_rankGeneration = 0;
    mutable int m_rankColumn = -1;

    int m_pageSize = 1000;
    bool m_loading = false;
    quint64 m_generation = 0;
    std::vector<std::unique_ptr<Row>> m_staging;
    QList<Event> m_heldEvents; // events that arrived while a reload was under way
};

} // namespace lapse
