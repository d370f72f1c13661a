// Incident response: every action asks once, then reports only what the backend confirmed.
#include "ActiveWidget.h"

#include "ConfirmDialog.h"
#include "RowColours.h"
#include "backend/Backend.h"
#include "console/EffectTracker.h"
#include "itemmodels/GrantsModel.h"
#include "itemmodels/SessionsModel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace lapse
{

namespace
{
// A sorting proxy that colours the rows its colouring function picks out.
class ColouringProxy : public QSortFilterProxyModel
{
public:
    using Colour = QVariant (*)(const QModelIndex&, int);
    ColouringProxy(Colour colour, QObject* parent)
        : QSortFilterProxyModel(parent)
        , m_colour(colour)
    {
    }
    QVariant data(const QModelIndex& index, int role) const override
    {
        if (role == Qt::BackgroundRole || role == Qt::ForegroundRole) {
            const QVariant colour = m_colour(index, role);
            if (colour.isValid())
                return colour;
        }
        return QSortFilterProxyModel::data(index, role);
    }

private:
    Colour m_colour;
};

void setUpTable(QTableView* t)
{
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setSelectionMode(QAbstractItemView::SingleSelection);
    t->setSortingEnabled(true);
    t->setAlternatingRowColors(true);
    t->setWordWrap(false);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->verticalHeader()->setVisible(false);
    t->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    t->verticalHeader()->setDefaultSectionSize(t->fontMetrics().height() + 8);
    t->horizontalHeader()->setSectionsMovable(true);
    t->horizontalHeader()->setStretchLastSection(true);
}
} // namespace

ActiveWidget::ActiveWidget(Backend* backend, GrantsModel* grants, SessionsModel* sessions, QWidget* parent)
    : QWidget(parent)
    , m_backend(backend)
    , m_grants(grants)
    , m_sessions(sessions)
{
    auto* layout = new QVBoxLayout(this);

    auto* actions = new QHBoxLayout;
    m_revoke = new QPushButton(tr("&Revoke grant…"), this);
    m_revoke->setObjectName(QStringLiteral("revokeButton"));
    m_revoke->setToolTip(tr("End the selected grant now: its credential stops working and its sessions are "
                            "ordered closed"));
    m_terminate = new QPushButton(tr("&Terminate session…"), this);
    m_terminate->setObjectName(QStringLiteral("terminateButton"));
    m_terminate->setToolTip(tr("Order the selected session closed at its resource server"));
    m_lockout = new QPushButton(tr("&Lock out identity…"), this);
    m_lockout->setObjectName(QStringLiteral("lockoutButton"));
    m_lockout->setToolTip(tr("Revoke everything the identity holds, terminate its sessions and refuse its "
                             "requests until unlocked"));
    actions->addWidget(m_revoke);
    actions->addWidget(m_terminate);
    actions->addWidget(m_lockout);
    actions->addStretch(1);
    layout->addLayout(actions);

    m_effect = new QLabel(this);
    m_effect->setObjectName(QStringLiteral("effect"));
    m_effect->setWordWrap(true);
    m_effect->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_effect->setVisible(false);
    layout->addWidget(m_effect);

    m_grantsProxy = new ColouringProxy(&RowColours::grant, this);
    m_grantsProxy->setSourceModel(m_grants);
    m_grantsTable = new QTableView(this);
    m_grantsTable->setObjectName(QStringLiteral("grantsTable"));
    m_grantsTable->setModel(m_grantsProxy);
    setUpTable(m_grantsTable);
    static const int grantWidths[] = {140, 80, 120, 200, 90, 140, 140, 90, 70};
    for (int c = 0; c < int(std::size(grantWidths)) && c < m_grants->columnCount(); ++c)
        m_grantsTable->setColumnWidth(
            c, qMax(grantWidths[c], m_grantsTable->horizontalHeader()->sectionSizeHint(c)));

    // Sessions of the selected grant (all sessions when none is selected), lingering ones highlighted.
    m_sessionsProxy = new ColouringProxy(&RowColours::session, this);
    m_sessionsProxy->setSourceModel(m_sessions);
    m_sessionsProxy->setFilterRole(SessionsModel::GrantIdRole);
    m_sessionsTable = new QTableView(this);
    m_sessionsTable->setObjectName(QStringLiteral("sessionsTable"));
    m_sessionsTable->setModel(m_sessionsProxy);
    setUpTable(m_sessionsTable);
    // The resource server column holds "billing-pg backend 48211 from 10.20.30.40" for a target's own
    // sessions.
    static const int sessionWidths[] = {230, 120, 120, 260, 170, 150, 150, 90};
    for (int c = 0; c < int(std::size(sessionWidths)) && c < m_sessions->columnCount(); ++c)
        m_sessionsTable->setColumnWidth(
            c, qMax(sessionWidths[c], m_sessionsTable->horizontalHeader()->sectionSizeHint(c)));

    auto* grantsBox = new QWidget(this);
    auto* grantsLayout = new QVBoxLayout(grantsBox);
    grantsLayout->setContentsMargins(0, 0, 0, 0);
    grantsLayout->addWidget(new QLabel(tr("Active grants (countdown to expiry)"), grantsBox));
    grantsLayout->addWidget(m_grantsTable);
    auto* sessionsBox = new QWidget(this);
    auto* sessionsLayout = new QVBoxLayout(sessionsBox);
    sessionsLayout->setContentsMargins(0, 0, 0, 0);
    m_sessionsTitle = new QLabel(sessionsBox);
    m_sessionsTitle->setWordWrap(true);
    auto* sessionsHeader = new QHBoxLayout;
    auto* all = new QPushButton(tr("Show &all sessions"), sessionsBox);
    all->setObjectName(QStringLiteral("allSessionsButton"));
    all->setToolTip(
        tr("Clear the grant selection: list the sessions of every grant, including lingering ones "
           "whose grant already ended"));
    connect(all, &QPushButton::clicked, this, [this] {
        m_grantsTable->selectionModel()->clear();
        m_grantsTable->setCurrentIndex({});
    });
    sessionsHeader->addWidget(m_sessionsTitle, 1);
    sessionsHeader->addWidget(all);
    sessionsLayout->addLayout(sessionsHeader);
    sessionsLayout->addWidget(m_sessionsTable);

    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->addWidget(grantsBox);
    m_splitter->addWidget(sessionsBox);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    layout->addWidget(m_splitter, 1);

    m_tracker = new EffectTracker(backend, this);
    connect(backend, &Backend::eventsReceived, m_tracker, &EffectTracker::applyEvents);
    connect(m_tracker, &EffectTracker::changed, this, &ActiveWidget::showEffect);

    connect(m_revoke, &QPushButton::clicked, this, &ActiveWidget::revokeSelected);
    connect(m_terminate, &QPushButton::clicked, this, &ActiveWidget::terminateSelected);
    connect(m_lockout, &QPushButton::clicked, this, &ActiveWidget::lockOutSelected);
    connect(m_grantsTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        const QString grant = selectedGrantId();
        m_sessionsProxy->setFilterFixedString(grant);
        m_sessionsTitle->setText(grant.isEmpty()
                ? tr(
                    "Sessions of every grant — lingering ones (open after their grant ended) are highlighted")
                : tr("Sessions of grant %1 — lingering ones are highlighted").arg(grant));
        updateActions();
    });
    connect(m_sessionsTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        &ActiveWidget::updateActions);
    m_sessionsTitle->setText(
        tr("Sessions of every grant — lingering ones (open after their grant ended) are highlighted"));
    updateActions();
}

QString ActiveWidget::effectText() const
{
    return m_effect->text();
}

QString ActiveWidget::selectedGrantId() const
{
    const QModelIndex i = m_grantsTable->currentIndex();
    return i.isValid() ? i.data(GrantsModel::IdRole).toString() : QString();
}

QString ActiveWidget::selectedSessionId() const
{
    const QModelIndex i = m_sessionsTable->currentIndex();
    return i.isValid() ? i.data(SessionsModel::IdRole).toString() : QString();
}

QString ActiveWidget::selectedPrincipal() const
{
    if (m_grantsTable->currentIndex().isValid())
        return m_grantsTable->currentIndex()
            .data(GrantsModel::JsonRole)
            .toJsonObject()["principal"]
            .toString();
    if (m_sessionsTable->currentIndex().isValid())
        return m_sessionsTable->currentIndex()
            .data(SessionsModel::JsonRole)
            .toJsonObject()["principal"]
            .toString();
    return {};
}

bool ActiveWidget::selectGrant(const QString& grantId)
{
    for (int r = 0; r < m_grantsProxy->rowCount(); ++r) {
        const QModelIndex i = m_grantsProxy->index(r, 0);
        if (i.data(GrantsModel::IdRole).toString() == grantId) {
            m_grantsTable->selectionModel()->setCurrentIndex(
                i, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            return true;
        }
    }
    return false;
}

bool ActiveWidget::selectSession(const QString& sessionId)
{
    for (int r = 0; r < m_sessionsProxy->rowCount(); ++r) {
        const QModelIndex i = m_sessionsProxy->index(r, 0);
        if (i.data(SessionsModel::IdRole).toString() == sessionId) {
            m_sessionsTable->selectionModel()->setCurrentIndex(
                i, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            return true;
        }
    }
    return false;
}

void ActiveWidget::setStale(bool stale)
{
    m_stale = stale;
    updateActions();
}

void ActiveWidget::updateActions()
{
    const bool can = !m_stale && !m_busy;
    m_revoke->setEnabled(can && !selectedGrantId().isEmpty());
    m_terminate->setEnabled(can && !selectedSessionId().isEmpty());
    m_lockout->setEnabled(can && !selectedPrincipal().isEmpty());
}

bool ActiveWidget::refuseWhenStale()
{
    if (!m_stale)
        return false;
    showProblem(tr("Not done: the connection to the broker is down. Actions are never queued; try again when "
                   "the status bar says live."));
    return true;
}

void ActiveWidget::showProblem(const QString& text)
{
    m_effect->setVisible(true);
    m_effect->setText(text);
    m_effect->setStyleSheet(QStringLiteral("color: #b00020; font-weight: bold;"));
}

void ActiveWidget::showEffect(const QString& text, bool complete)
{
    m_effect->setVisible(!text.isEmpty());
    m_effect->setText(text);
    m_effect->setStyleSheet(complete ? QStringLiteral("color: #1b5e20; font-weight: bold;")
                                     : QStringLiteral("color: #8a5a00; font-weight: bold;"));
}

void ActiveWidget::revokeSelected()
{
    const QString grant = selectedGrantId();
    if (grant.isEmpty() || refuseWhenStale())
        return;
    const QJsonObject g = m_grantsTable->currentIndex().data(GrantsModel::JsonRole).toJsonObject();
    const auto reason = ConfirmDialog::ask(this, tr("Revoke grant"),
        tr("Revoke grant %1 of %2 on %3 now? Its credential stops working at once and its sessions are "
           "ordered closed.")
            .arg(grant, g["principal"].toString(), g["target"].toString()),
        tr("Revoke"));
    if (!reason)
        return;
    m_busy = true;
    updateActions();
    m_tracker->clear();
    showEffect(tr("Revoking %1…").arg(grant), false);
    m_backend->revoke(
        grant, *reason, [this, grant, guard = QPointer<ActiveWidget>(this)](const ApiResult& r) {
            if (!guard)
                return;
            m_busy = false;
            updateActions();
            if (!r) {
                showProblem(tr("Revoke failed: %1").arg(r.error().message));
                return;
            }
            m_tracker->trackRevoke(grant, r.value());
        });
}

void ActiveWidget::terminateSelected()
{
    const QString session = selectedSessionId();
    if (session.isEmpty() || refuseWhenStale())
        return;
    const QJsonObject s = m_sessionsTable->currentIndex().data(SessionsModel::JsonRole).toJsonObject();
    const auto reason = ConfirmDialog::ask(this, tr("Terminate session"),
        tr("Order session %1 of %2 on %3 closed? The resource server %4 is told to end it.")
            .arg(session, s["principal"].toString(), s["target"].toString(), s["resource_server"].toString()),
        tr("Terminate"));
    if (!reason)
        return;
    m_busy = true;
    updateActions();
    m_tracker->clear();
    showEffect(tr("Ordering session %1 closed…").arg(session), false);
    m_backend->terminateSession(
        session, *reason, [this, session, guard = QPointer<ActiveWidget>(this)](const ApiResult& r) {
            if (!guard)
                return;
            m_busy = false;
            updateActions();
            if (!r) {
                showProblem(tr("Terminate failed: %1").arg(r.error().message));
                return;
            }
            m_tracker->trackTerminate(session, r.value());
        });
}

void ActiveWidget::lockOutSelected()
{
    const QString principal = selectedPrincipal();
    if (principal.isEmpty() || refuseWhenStale())
        return;
    const auto reason = ConfirmDialog::ask(this, tr("Lock out identity"),
        tr("Lock out %1? Every grant it holds is revoked, its sessions are ordered closed, its pending "
           "requests "
           "are denied and new ones refused until it is unlocked.")
            .arg(principal),
        tr("Lock out"));
    if (!reason)
        return;
    m_busy = true;
    updateActions();
    m_tracker->clear();
    showEffect(tr("Locking out %1…").arg(principal), false);
    m_backend->lockout(
        principal, *reason, [this, principal, guard = QPointer<ActiveWidget>(this)](const ApiResult& r) {
            if (!guard)
                return;
            m_busy = false;
            updateActions();
            if (!r) {
                showProblem(tr("Lockout failed: %1").arg(r.error().message));
                return;
            }
            m_tracker->trackLockout(principal, r.value());
        });
}

} // namespace lapse
