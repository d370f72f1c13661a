// Active grants with a live countdown and how many sessions each has open, kept current from events; ended
// grants stay while an enforced target has not confirmed their end.
#pragma once

#include "LiveRowTable.h"
#include "PrincipalIndex.h"

#include <QHash>
#include <QJsonObject>
#include <QSet>

namespace lapse
{

class Backend;

// One active grant as the table shows it.
struct GrantRow {
    QString id;
    QString principal;
    QString kind;
    QString target;
    QString privileges;
    QString policy;
    QString rule; // the directory rule that approved it
    QString approvers;
    bool breakGlass = false;
    bool reviewed = false;
    qint64 startsMs = 0;
    qint64 expiresMs = 0;
    bool enforcementPending = false; // ended, but the enforced target has not confirmed it
    QJsonObject json;
};

class GrantsModel : public LiveRowTable<GrantRow>
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
        UnreviewedBreakGlassRole, // bool: break-glass access nobody has reviewed yet; the view makes it stand
                                  // out
        EnforcementPendingRole, // bool: ended, the target has not confirmed its login refused; stands out too
    };

    explicit GrantsModel(Backend* backend, QObject* parent = nullptr);

    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    QJsonObject grantAt(int row) const;
    // Items per API page while loading (1..1000, the API's limit); smaller pages only serve tests.
    void setPageSize(int items) { m_pageSize = qBound(1, items, 1000); }

public slots:
    void reload(); // active grants, then the live sessions to count per grant
    void setDirectory(const QJsonObject& directory);
    void tick(); // ExpiresIn moves

protected:
    void applyLive(const QList<Event>& events) override;
    void dropStaging() override;

private:
    using Row = GrantRow;
    Row makeRow(const QJsonObject& json) const;
    void fetchGrants(const QString& after, quint64 generation);
    void fetchPending(const QString& after, quint64 generation);
    void fetchSessions(quint64 generation);
    void showLoaded();
    QVariant display(const Row& r, int column) const;
    QVariant sortValue(const Row& r, int column) const;
    int sessionCount(const QString& grantId) const { return m_sessions.value(grantId).size(); }

    Backend* m_backend;
    PrincipalIndex m_principals;
    QHash<QString, QSet<QString>> m_sessions; // grant id -> its open session ids
    int m_pageSize = 1000;
    QHash<QString, QSet<QString>> m_stagingSessions;
};

} // namespace lapse
