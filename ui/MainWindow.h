// The console's main window: Queue, Active and Audit log tabs over one backend, with its connection state,
// the evidence pack export, and the approver's tray icon and notifications.
#pragma once

#include "backend/Backend.h"

#include <QMainWindow>

class QAction;
class QLabel;
class QMenu;
class QTabWidget;
class QTimer;

namespace lapse
{

class ActiveWidget;
class ApproverNotifier;
class AuditLogModel;
class AuditLogWidget;
class ConsoleSettings;
class EvidenceExporter;
class GrantsModel;
class LiveFeed;
class QueueWidget;
class InsightsView;
class ReviewsWidget;
class RequestQueueModel;
class SessionsModel;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    // auditStoreFile: the SQLite file the audit log pages through (the engine's store, or a local mirror);
    // empty when there is none. settings may be null (nothing restored or saved).
    MainWindow(Backend* backend, const QString& auditStoreFile, ConsoleSettings* settings,
        QWidget* parent = nullptr);
    ~MainWindow() override;

    // Loads the directory and the models, then follows the event log.
    void start();
    // Plugs in another view (e.g. Insights) as a tab.
    int addTab(QWidget* widget, const QString& title);
    // "queue", "active", "audit" or the index of a tab added later.
    bool showTab(const QString& name);

    QueueWidget* queue() const { return m_queue; }
    ActiveWidget* active() const { return m_active; }
    InsightsView* insights() const { return m_insights; }
    AuditLogModel* auditModel() const { return m_auditModel; } // null without a local event log
    AuditLogWidget* audit() const { return m_audit; }
    QTabWidget* tabs() const { return m_tabs; }
    bool isStale() const { return m_stale; }
    QString connectionText() const;
    QString bannerText() const;
    RequestQueueModel* queueModel() const { return m_queueModel; }
    GrantsModel* grantsModel() const { return m_grantsModel; }
    SessionsModel* sessionsModel() const { return m_sessionsModel; }
    QAction* exportEvidenceAction() const { return m_exportEvidence; }
    EvidenceExporter* evidenceExporter() const { return m_exporter; }
    ApproverNotifier* notifier() const { return m_notifier; }
    QMenu* notificationsMenu() const { return m_notificationsMenu; }
    // The directory file the engine was opened with, named in drafted rules' lapsectl commands.
    void setDirectoryFile(const QString& file);
    // Raises the window on the Queue tab with this request selected.
    bool openRequest(const QString& id);

    // Asks for an evidence pack's scope, starting from the Insights filters, then builds it.
    void exportEvidencePack();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void onStateChanged(Backend::ConnectionState state);
    void onProblem(const QString& message);
    void setStale(bool stale, const QString& why);
    void updateSeq();
    void restoreSettings();
    void saveSettings();
    void fillNotificationsMenu(const QStringList& targets);

    Backend* m_backend;
    ConsoleSettings* m_settings;
    LiveFeed* m_feed;
    RequestQueueModel* m_queueModel;
    GrantsModel* m_grantsModel;
    SessionsModel* m_sessionsModel;
    AuditLogModel* m_auditModel = nullptr;
    QTabWidget* m_tabs;
    QueueWidget* m_queue;
    ActiveWidget* m_active;
    InsightsView* m_insights = nullptr;
    ReviewsWidget* m_reviews = nullptr;
    AuditLogWidget* m_audit = nullptr;
    QLabel* m_banner;
    QLabel* m_connection;
    QLabel* m_seq;
    QLabel* m_identity;
    QTimer* m_tick;
    QAction* m_exportEvidence;
    EvidenceExporter* m_exporter;
    ApproverNotifier* m_notifier;
    QMenu* m_notificationsMenu;
    QStringList m_targetIds; // from the directory, for the evidence pack's scope
    bool m_started = false;
    bool m_stale = false;
    bool m_everLive = false;
};

} // namespace lapse
