// Wires the backend, the live feed, the item models and the tabs; shows connection state and staleness.
#include "MainWindow.h"

#include "InsightsView.h"

#include "ActiveWidget.h"
#include "ApprovalPane.h"
#include "ApproverNotifier.h"
#include "AuditLogWidget.h"
#include "ConsoleSettings.h"
#include "EvidenceExportDialog.h"
#include "EvidenceExporter.h"
#include "EvidenceReport.h"
#include "QueueWidget.h"
#include "ReviewsWidget.h"
#include "core/Clock.h"
#include "itemmodels/AuditLogModel.h"
#include "itemmodels/GrantsModel.h"
#include "itemmodels/LiveFeed.h"
#include "itemmodels/RequestQueueModel.h"
#include "itemmodels/SessionsModel.h"

#include <QCloseEvent>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QMenuBar>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace lapse
{

MainWindow::MainWindow(
    Backend* backend, const QString& auditStoreFile, ConsoleSettings* settings, QWidget* parent)
    : QMainWindow(parent)
    , m_backend(backend)
    , m_settings(settings)
{
    setWindowTitle(tr("Lapse — just-in-time access console"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/lapse.svg")));
    resize(1560, 940);

    m_feed = new LiveFeed(backend, this);
    m_queueModel = new RequestQueueModel(backend, this);
    m_grantsModel = new GrantsModel(backend, this);
    m_sessionsModel = new SessionsModel(backend, this);

    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 6, 6, 0);
    m_banner = new QLabel(central);
    m_banner->setObjectName(QStringLiteral("staleBanner"));
    m_banner->setWordWrap(true);
    m_banner->setStyleSheet(QStringLiteral(
        "QLabel { background: #fdecea; color: #8a1c1c; border: 1px solid #e0a0a0; padding: 6px; "
        "font-weight: bold; }"));
    m_banner->setVisible(false);
    layout->addWidget(m_banner);

    m_tabs = new QTabWidget(central);
    m_tabs->setDocumentMode(true);
    m_queue = new QueueWidget(backend, m_queueModel, m_tabs);
    m_active = new ActiveWidget(backend, m_grantsModel, m_sessionsModel, m_tabs);
    m_tabs->addTab(m_queue, tr("&Queue"));
    m_tabs->addTab(m_active, tr("A&ctive"));
    if (!auditStoreFile.isEmpty()) {
        m_auditModel = new AuditLogModel(auditStoreFile, this);
        m_audit = new AuditLogWidget(backend, m_auditModel, m_tabs);
        m_tabs->addTab(m_audit, tr("Audit &log"));
    } else {
        auto* none
            = new QLabel(tr("The audit log needs a local copy of the event log; none is open."), m_tabs);
        none->setAlignment(Qt::AlignCenter);
        m_tabs->addTab(none, tr("Audit &log"));
    }
    m_insights = new InsightsView(backend, auditStoreFile, m_tabs);
    m_tabs->addTab(m_insights, tr("&Insights"));
    m_reviews = new ReviewsWidget(backend, m_tabs);
    m_tabs->addTab(m_reviews, tr("Re&views"));
    // Insights and reviews are computed when looked at, and again each time their tab is opened.
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (m_tabs->widget(index) == m_insights)
            m_insights->refresh();
        else if (m_tabs->widget(index) == m_reviews)
            m_reviews->refresh();
    });
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);

    // The pack is built from the local store (the engine's, or the mirror), so it needs one.
    m_exporter = new EvidenceExporter(backend, auditStoreFile, this, this);
    m_exporter->setRenderer(&renderEvidenceReport);
    QMenu* fileMenu = menuBar()->addMenu(tr("&File"));
    m_exportEvidence = fileMenu->addAction(tr("Export &evidence pack…"));
    m_exportEvidence->setObjectName(QStringLiteral("exportEvidence"));
    m_exportEvidence->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_exportEvidence->setEnabled(!auditStoreFile.isEmpty());
    m_exportEvidence->setStatusTip(auditStoreFile.isEmpty()
            ? tr("An evidence pack needs a local copy of the event log; none is open.")
            : tr("Export the grants and requests of a period as one zip an auditor verifies offline"));
    connect(m_exportEvidence, &QAction::triggered, this, &MainWindow::exportEvidencePack);
    connect(m_insights, &InsightsView::evidencePackRequested, this, &MainWindow::exportEvidencePack);
    connect(m_exporter, &EvidenceExporter::finished, this, [this] { m_exportEvidence->setEnabled(true); });

    // The approver hears of new requests they may decide while the window is elsewhere; targets can be muted.
    m_notifier = new ApproverNotifier(this, this);
    m_notificationsMenu = menuBar()->addMenu(tr("&Notifications"));
    m_notificationsMenu->setObjectName(QStringLiteral("notificationsMenu"));
    fillNotificationsMenu({});
    if (m_settings) {
        const QStringList muted = m_settings->mutedTargets();
        m_notifier->alerts().setMutedTargets(QSet<QString>(muted.cbegin(), muted.cend()));
    }
    connect(m_notifier, &ApproverNotifier::openRequested, this, &MainWindow::openRequest);

    m_connection = new QLabel(this);
    m_connection->setObjectName(QStringLiteral("connectionState"));
    m_seq = new QLabel(this);
    m_seq->setObjectName(QStringLiteral("lastSeq"));
    m_identity = new QLabel(backend->describe(), this);
    statusBar()->addWidget(m_connection);
    statusBar()->addWidget(m_seq);
    statusBar()->addPermanentWidget(m_identity);

    connect(m_feed, &LiveFeed::batch, m_queueModel, &RequestQueueModel::applyEvents);
    connect(m_feed, &LiveFeed::batch, m_grantsModel, &GrantsModel::applyEvents);
    connect(m_feed, &LiveFeed::batch, m_sessionsModel, &SessionsModel::applyEvents);
    connect(m_feed, &LiveFeed::batch, this, [this] { updateSeq(); });
    // After the queue model: a notification's request is in the queue by the time anyone clicks it.
    connect(m_feed, &LiveFeed::batch, m_notifier, &ApproverNotifier::applyEvents);
    const auto countPending = [this] { m_notifier->setPendingCount(m_queueModel->rowCount()); };
    connect(m_queueModel, &QAbstractItemModel::rowsInserted, this, countPending);
    connect(m_queueModel, &QAbstractItemModel::rowsRemoved, this, countPending);
    connect(m_queueModel, &QAbstractItemModel::modelReset, this, countPending);
    connect(backend, &Backend::stateChanged, this, &MainWindow::onStateChanged);
    connect(backend, &Backend::problem, this, &MainWindow::onProblem);
    connect(m_queueModel, &RequestQueueModel::loadFailed, this,
        [this](const QString& message) { onProblem(tr("Could not load the queue: %1").arg(message)); });

    // Countdowns and waiting times move once a second without touching the backend.
    m_tick = new QTimer(this);
    m_tick->setInterval(1000);
    connect(m_tick, &QTimer::timeout, this, [this] {
        m_queueModel->tick();
        m_grantsModel->tick();
        m_sessionsModel->tick();
    });
    m_tick->start();

    onStateChanged(backend->state());
    updateSeq();
    restoreSettings();
}

MainWindow::~MainWindow() = default;

void MainWindow::start()
{
    m_started = true;
    m_backend->me([this, guard = QPointer<MainWindow>(this)](const ApiResult& r) {
        if (!guard)
            return;
        if (r) {
            const QStringList roles = [&] {
                QStringList out;
                for (const auto& v : r->value("roles").toArray())
                    out << v.toString();
                return out;
            }();
            m_exporter->setGeneratedBy(r->value("id").toString());
            m_notifier->alerts().setApprover(r->value("id").toString());
            m_identity->setText(
                tr("acting as %1 (%2) · %3")
                    .arg(r->value("id").toString(), roles.join(QStringLiteral(", ")), m_backend->describe()));
        }
    });
    m_backend->directory([this, guard = QPointer<MainWindow>(this)](const ApiResult& r) {
        if (!guard)
            return;
        if (!r) {
            onProblem(tr("Could not load the directory: %1").arg(r.error().message));
            return;
        }
        m_queueModel->setDirectory(r.value());
        m_grantsModel->setDirectory(r.value());
        m_queue->setDirectory(r.value());
        m_targetIds.clear();
        for (const auto& t : r.value()[QLatin1String("targets")].toArray())
            m_targetIds << t.toObject()[QLatin1String("id")].toString();
        fillNotificationsMenu(m_targetIds);
        auto directory = Directory::fromJson(QJsonDocument(r.value()).toJson(QJsonDocument::Compact));
        if (directory)
            m_notifier->alerts().setDirectory(directory.value());
        else // fails closed: without a directory nobody is notified
            onProblem(
                tr("Notifications are off: the directory is not valid: %1").arg(directory.error().message));
    });
    // Follow the log from its current head; the models load the current state themselves and apply
    // anything newer on top (they ignore what they already reflect).
    m_backend->events(0, 1, [this, guard = QPointer<MainWindow>(this)](const ApiResult& r) {
        if (!guard)
            return;
        if (!r) {
            onProblem(tr("Could not read the event log: %1").arg(r.error().message));
            return;
        }
        m_backend->follow(r->value("last_seq").toInteger());
        updateSeq();
    });
    m_queueModel->reload();
    m_grantsModel->reload();
    m_sessionsModel->reload();
    onStateChanged(m_backend->state());
}

void MainWindow::setDirectoryFile(const QString& file)
{
    m_insights->setDirectoryFile(file);
}

bool MainWindow::openRequest(const QString& id)
{
    if (isMinimized())
        showNormal();
    raise();
    activateWindow();
    showTab(QStringLiteral("queue"));
    if (m_queue->select(id))
        return true;
    onProblem(tr("Request %1 is no longer pending.").arg(id));
    return false;
}

void MainWindow::fillNotificationsMenu(const QStringList& targets)
{
    m_notificationsMenu->clear();
    if (targets.isEmpty()) {
        m_notificationsMenu->addAction(tr("No targets yet"))->setEnabled(false);
        return;
    }
    m_notificationsMenu->addSection(tr("Mute new requests for"));
    const QSet<QString> muted = m_notifier->alerts().mutedTargets();
    for (const QString& target : targets) {
        QAction* mute = m_notificationsMenu->addAction(target);
        mute->setObjectName(QStringLiteral("mute:") + target);
        mute->setCheckable(true);
        mute->setChecked(muted.contains(target));
        connect(mute, &QAction::toggled, this, [this, target](bool on) {
            QSet<QString> now = m_notifier->alerts().mutedTargets();
            if (on)
                now.insert(target);
            else
                now.remove(target);
            m_notifier->alerts().setMutedTargets(now);
            if (m_settings)
                m_settings->setMutedTargets(QStringList(now.cbegin(), now.cend()));
        });
    }
}

int MainWindow::addTab(QWidget* widget, const QString& title)
{
    return m_tabs->addTab(widget, title);
}

bool MainWindow::showTab(const QString& name)
{
    QWidget* w = nullptr;
    if (name == QLatin1String("queue"))
        w = m_queue;
    else if (name == QLatin1String("active"))
        w = m_active;
    else if (name == QLatin1String("audit"))
        w = m_tabs->widget(2);
    else if (name == QLatin1String("insights"))
        w = m_insights;
    else if (name == QLatin1String("reviews"))
        w = m_reviews;
    else {
        bool ok = false;
        const int i = name.toInt(&ok);
        if (ok)
            w = m_tabs->widget(i);
    }
    if (!w)
        return false;
    m_tabs->setCurrentWidget(w);
    return true;
}

void MainWindow::exportEvidencePack()
{
    if (m_exporter->isRunning())
        return;
    if (!m_auditModel) { // no local store (the action is disabled; the Insights button is not)
        onProblem(m_exportEvidence->statusTip());
        return;
    }
    auto* dialog = new EvidenceExportDialog(m_targetIds, this);
    dialog->setObjectName(QStringLiteral("evidenceExportDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    // Start from what the Insights tab shows: its period up to today, its target and kind.
    EvidenceScope initial = dialog->scope();
    if (const int days = m_insights->periodDays(); days > 0)
        initial.fromMs = Clock::now() - qint64(days) * 86'400'000;
    if (!m_insights->targetFilter().isEmpty())
        initial.targets = QStringList {m_insights->targetFilter()};
    if (!m_insights->kindFilter().isEmpty())
        initial.kinds = QStringList {m_insights->kindFilter()};
    dialog->setScope(initial);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (m_exporter->start(dialog->scope(), dialog->outFile()))
            m_exportEvidence->setEnabled(false);
    });
    dialog->open();
}

QString MainWindow::connectionText() const
{
    return m_connection->text();
}

QString MainWindow::bannerText() const
{
    return m_banner->isVisible() ? m_banner->text() : QString();
}

void MainWindow::onStateChanged(Backend::ConnectionState state)
{
    switch (state) {
    case Backend::ConnectionState::Live:
        m_connection->setText(tr("● Live"));
        m_connection->setStyleSheet(QStringLiteral("color: #1b5e20; font-weight: bold;"));
        m_everLive = true;
        setStale(false, {});
        break;
    case Backend::ConnectionState::Connecting:
        m_connection->setText(tr("Connecting…"));
        m_connection->setStyleSheet(QStringLiteral("color: #8a5a00; font-weight: bold;"));
        if (m_everLive)
            setStale(true,
                tr("Connecting to the broker. What you see may be out of date; decisions are "
                   "disabled until the connection is live."));
        break;
    case Backend::ConnectionState::Reconnecting:
        m_connection->setText(tr("Reconnecting…"));
        m_connection->setStyleSheet(QStringLiteral("color: #8a5a00; font-weight: bold;"));
        setStale(true,
            tr("Connection to the broker lost — reconnecting. Everything shown is as of event %1 "
               "and may be out of date; decisions are disabled and never queued.")
                .arg(m_backend->lastSeq()));
        break;
    case Backend::ConnectionState::Offline:
        m_connection->setText(tr("Offline"));
        m_connection->setStyleSheet(QStringLiteral("color: #b00020; font-weight: bold;"));
        if (m_started)
            setStale(true,
                tr("Offline — the broker cannot be reached. Everything shown is as of event %1 and "
                   "may be out of date; decisions are disabled and never queued.")
                    .arg(m_backend->lastSeq()));
        break;
    }
}

void MainWindow::onProblem(const QString& message)
{
    statusBar()->showMessage(message, 15000);
}

void MainWindow::setStale(bool stale, const QString& why)
{
    m_stale = stale;
    m_banner->setText(why);
    m_banner->setVisible(stale);
    m_queue->setStale(stale);
    m_active->setStale(stale);
}

void MainWindow::updateSeq()
{
    m_seq->setText(tr("last event #%1").arg(m_backend->lastSeq()));
}

void MainWindow::restoreSettings()
{
    if (!m_settings)
        return;
    using K = ConsoleSettings::Key;
    restoreGeometry(m_settings->value(K::WindowGeometry).toByteArray());
    restoreState(m_settings->value(K::WindowState).toByteArray());
    m_queue->splitter()->restoreState(m_settings->value(K::QueueSplitter).toByteArray());
    m_active->splitter()->restoreState(m_settings->value(K::ActiveSplitter).toByteArray());
    m_tabs->setCurrentIndex(m_settings->value(K::LastTab, 0).toInt());
}

void MainWindow::saveSettings()
{
    if (!m_settings)
        return;
    using K = ConsoleSettings::Key;
    m_settings->setValue(K::WindowGeometry, saveGeometry());
    m_settings->setValue(K::WindowState, saveState());
    m_settings->setValue(K::QueueSplitter, m_queue->splitter()->saveState());
    m_settings->setValue(K::ActiveSplitter, m_active->splitter()->saveState());
    m_settings->setValue(K::LastTab, m_tabs->currentIndex());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveSettings();
    QMainWindow::closeEvent(event);
}

} // namespace lapse
