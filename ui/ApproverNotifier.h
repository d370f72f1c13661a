// The approver's tray icon and desktop notifications: the pending count on the icon, and a message when a
// request they may decide arrives while the console's window is not active; clicking it opens that request.
#pragma once

#include "console/ApproverAlerts.h"
#include "domain/Event.h"

#include <QObject>
#include <QPointer>

class QSystemTrayIcon;
class QWidget;

namespace lapse
{

class ApproverNotifier : public QObject
{
    Q_OBJECT
public:
    // window: the console's window; a notification is raised only while it is not the active one.
    explicit ApproverNotifier(QWidget* window, QObject* parent = nullptr);

    ApproverAlerts& alerts() { return m_alerts; }
    // Always there; shown only where the desktop has a tray.
    QSystemTrayIcon* trayIcon() const { return m_tray; }
    int pendingCount() const { return m_pending; }
    QString lastNotified() const { return m_last; } // the request the last message was about

public slots:
    void applyEvents(const QList<lapse::Event>& events);
    void setPendingCount(int count);
    // Raises the window and asks for the last notified request (messageClicked, the icon activated).
    void openLast();

signals:
    // A notification was raised (and shown where there is a tray).
    void notified(const QString& requestId, const QString& title, const QString& text);
    void openRequested(const QString& requestId);

private:
    void notify(const AccessRequest& request);
    bool isLookedAt() const;

    QPointer<QWidget> m_window;
    ApproverAlerts m_alerts;
    QSystemTrayIcon* m_tray;
    int m_pending = -1;
    QString m_last;
};

} // namespace lapse
