// Open sessions, live or lingering past the end of their grant; lingering ones stand out.
#pragma once

#include "domain/Event.h"

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>

namespace lapse
{

class Backend;

class SessionsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Session,
        Principal,
        Target,
        ResourceServer,
        State,
        Opened,
        GrantEnded,
        Lingering,
        ColumnCount
    };
    Q_ENUM(Column)
    enum Role {
        IdRole = Qt::UserRole + 1,
        JsonRole, // QJsonObject: the session as the API returns it
        LingeringRole, // bool: open although its grant ended
        GrantIdRole,
        SortRole,
        TerminateRequestedRole, // bool: the broker has ordered it closed
    };

    explicit SessionsModel(Backend* backend, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    QJsonObject sessionAt(int row) const;
    int rowOf(const QString& id) const;
    bool isLoading() const { return m_loading; }

public slots:
    void reload(); // live, then lingering sessions
    void applyEvents(const QList<lapse::Event>& events);
    void tick(); // Lingering durations grow

signals:
    void loaded();
    void loadFailed(const QString& message);

private:
    struct Row {
        QString id;
        QString grantId;
        QString principal;
        QString target;
        QString resourceServer;
        qint64 openedMs = 0;
        qint64 grantEndedMs = 0;
        qint64 terminateRequestedMs = 0;
        QJsonObject json;
        bool lingering() const { return grantEndedMs != 0; }
    };
    static Row makeRow(const QJsonObject& json);
    void fetch(int stateIndex, quint64 generation);
    void finishLoad();
    QVariant display(const Row& r, int column) const;
    QVariant sortValue(const Row& r, int column) const;

    Backend* m_backend;
    QList<Row> m_rows;
    bool m_loading = false;
    quint64 m_generation = 0;
    QList<Row> m_staging;
    QList<Event> m_heldEvents;
};

} // namespace lapse
