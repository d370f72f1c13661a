// Tray icon and notifications; whether to notify is ApproverAlerts' decision, not this widget's.
#include "ApproverNotifier.h"

#include <QApplication>
#include <QIcon>
#include <QPainter>
#include <QPixmap>
#include <QSystemTrayIcon>
#include <QWidget>

namespace lapse
{

namespace
{
// The console's icon with the count in a red badge; the plain icon when nothing waits.
QIcon badged(int count)
{
    const QIcon base(QStringLiteral(":/icons/lapse.svg"));
    if (count <= 0)
        return base;
    QPixmap pixmap = base.pixmap(64, 64);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    const QRect badge(24, 24, 40, 40);
    p.setBrush(QColor(0xb0, 0x00, 0x20));
    p.setPen(Qt::NoPen);
    p.drawEllipse(badge);
    QFont font = p.font();
    font.setBold(true);
    font.setPixelSize(count > 99 ? 15 : 22);
    p.setFont(font);
    p.setPen(Qt::white);
    p.drawText(badge, Qt::AlignCenter, count > 999 ? QStringLiteral("999+") : QString::number(count));
    return QIcon(pixmap);
}
} // namespace

ApproverNotifier::ApproverNotifier(QWidget* window, QObject* parent)
    : QObject(parent)
    , m_window(window)
    , m_tray(new QSystemTrayIcon(QIcon(QStringLiteral(":/icons/lapse.svg")), this))
{
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, &ApproverNotifier::openLast);
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
            openLast();
    });
    setPendingCount(0);
    if (QSystemTrayIcon::isSystemTrayAvailable())
        m_tray->show();
}

void ApproverNotifier::applyEvents(const QList<Event>& events)
{
    // Someone looking at the console sees the queue grow; the message is for when they are elsewhere.
    if (!m_alerts.isReady() || isLookedAt())
        return;
    for (const AccessRequest& r : ApproverAlerts::newRequests(events))
        if (m_alerts.shouldNotify(r))
            notify(r);
}

bool ApproverNotifier::isLookedAt() const
{
    // The window, or a dialog of its own (a confirmation, the evidence export) in front of it.
    for (const QWidget* w = QApplication::activeWindow(); w; w = w->parentWidget())
        if (w == m_window)
            return true;
    return false;
}

void ApproverNotifier::notify(const AccessRequest& r)
{
    m_last = r.id;
    const QString title = tr("Access request from %1").arg(r.requester);
    QString text = tr("%1 asks for %2 on %3 for %4 min")
                       .arg(r.requester, r.privileges.join(QStringLiteral(", ")), r.target)
                       .arg((r.ttlSeconds + 59) / 60);
    if (!r.reason.isEmpty())
        text += QLatin1Char('\n') + tr("Reason: %1").arg(r.reason);
    if (m_tray->isVisible())
        m_tray->showMessage(title, text, QSystemTrayIcon::Information, 15000);
    emit notified(r.id, title, text);
}

void ApproverNotifier::setPendingCount(int count)
{
    if (count == m_pending)
        return;
    m_pending = count;
    m_tray->setIcon(badged(count));
    m_tray->setToolTip(tr("Lapse: %1 pending").arg(count));
}

void ApproverNotifier::openLast()
{
    if (m_window) {
        if (m_window->isMinimized())
            m_window->showNormal();
        m_window->show();
        m_window->raise();
        m_window->activateWindow();
    }
    if (!m_last.isEmpty())
        emit openRequested(m_last);
}

} // namespace lapse
