// Open sessions, live or lingering past the end of their grant; lingering ones stand out.
#pragma once

#include "LiveRowTable.h"

#include <QJsonObject>

namespace lapse
{

class Backend;

// One open session as the table shows it.
struct SessionRow {
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

class SessionsModel : public LiveRowTable<SessionRow>
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
        LingeringRole, // bool: open although its grant ended; the view makes it stand out
        GrantIdRole,
        SortRole,
        TerminateRequestedRole, // bool: the broker has ordered it closed
    };

    explicit SessionsModel(Backend* backend, QObject* parent = nullptr);

    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

public slots:
    void reload(); // live, then lingering sessions
    void tick(); // Lingering durations grow

protected:
    void applyLive(const QList<Event>& events) override;

private:
    using Row = SessionRow;
    static Row makeRow(const QJsonObject& json);
    void fetch(int stateIndex, quint64 generation);
    void showLoaded();
    QVariant display(const Row& r, int column) const;
    QVariant sortValue(const Row& r, int column) const;

    Backend* m_backend;
};

} // namespace lapse
