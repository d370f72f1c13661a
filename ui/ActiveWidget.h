// The Active tab: live grants with their countdown, their sessions, and the incident actions.
#pragma once

#include <QWidget>

class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QSplitter;
class QTableView;

namespace lapse
{

class Backend;
class EffectTracker;
class GrantsModel;
class SessionsModel;

class ActiveWidget : public QWidget
{
    Q_OBJECT
public:
    ActiveWidget(Backend* backend, GrantsModel* grants, SessionsModel* sessions, QWidget* parent = nullptr);

    void setStale(bool stale);
    QTableView* grantsTable() const { return m_grantsTable; }
    QTableView* sessionsTable() const { return m_sessionsTable; }
    EffectTracker* tracker() const { return m_tracker; }
    QSplitter* splitter() const { return m_splitter; }
    QString effectText() const;
    bool selectGrant(const QString& grantId);
    bool selectSession(const QString& sessionId);

public slots:
    void revokeSelected();
    void terminateSelected();
    void lockOutSelected();

private:
    QString selectedGrantId() const;
    QString selectedSessionId() const;
    QString selectedPrincipal() const;
    void updateActions();
    void showProblem(const QString& text);
    void showEffect(const QString& text, bool complete);
    bool refuseWhenStale();

    Backend* m_backend;
    GrantsModel* m_grants;
    SessionsModel* m_sessions;
    QSortFilterProxyModel* m_grantsProxy;
    QSortFilterProxyModel* m_sessionsProxy;
    QTableView* m_grantsTable;
    QTableView* m_sessionsTable;
    QSplitter* m_splitter;
    QLabel* m_sessionsTitle;
    QPushButton* m_revoke;
    QPushButton* m_terminate;
    QPushButton* m_lockout;
    QLabel* m_effect;
    EffectTracker* m_tracker;
    bool m_stale = false;
    bool m_busy = false;
};

} // namespace lapse
