// A thin view over AuditLogModel: the model pages and sorts in SQL, this widget only asks it to.
#include "AuditLogWidget.h"

#include "backend/Backend.h"
#include "itemmodels/AuditLogModel.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace lapse
{

AuditLogWidget::AuditLogWidget(Backend* backend, AuditLogModel* model, QWidget* parent)
    : QWidget(parent)
    , m_model(model)
{
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("auditSearch"));
    m_search->setClearButtonEnabled(true);
    m_search->setPlaceholderText(tr("Search type, actor, subject or content…"));
    m_count = new QLabel(this);
    m_verify = new QPushButton(tr("&Verify chain"), this);
    m_verify->setToolTip(tr("Recompute every event's SHA-256 hash and check each links to the one before"));
    top->addWidget(m_search, 1);
    top->addWidget(m_count);
    top->addWidget(m_verify);
    layout->addLayout(top);

    m_chain = new QLabel(tr("Chain: not verified yet"), this);
    m_chain->setObjectName(QStringLiteral("chainState"));
    m_chain->setWordWrap(true);
    layout->addWidget(m_chain);
    m_checkpoint = new QLabel(this);
    m_checkpoint->setObjectName(QStringLiteral("checkpointState"));
    m_checkpoint->setWordWrap(true);
    m_checkpoint->hide(); // only a mirror of a broker's log has signed checkpoints to check
    layout->addWidget(m_checkpoint);

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("auditTable"));
    m_table->setModel(m_model);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(AuditLogModel::Seq, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setStretchLastSection(true);
    static const int widths[] = {70, 170, 190, 120, 200, 420, 140};
    for (int c = 0; c < int(std::size(widths)) && c < m_model->columnCount(); ++c)
        m_table->setColumnWidth(c, widths[c]);
    layout->addWidget(m_table, 1);

    m_searchTimer = new QTimer(this);
    m_searchTimer->setSingleShot(true);
    m_searchTimer->setInterval(150);
    connect(m_search, &QLineEdit::textChanged, m_searchTimer, qOverload<>(&QTimer::start));
    connect(m_searchTimer, &QTimer::timeout, this, [this] {
        m_model->setSearch(m_search->text());
        updateCount();
    });
    // New events: refresh the visible page at most twice a second.
    m_refreshTimer = new QTimer(this);
    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(500);
    connect(backend, &Backend::eventsReceived, this, [this] {
        if (!m_refreshTimer->isActive())
            m_refreshTimer->start();
    });
    connect(m_refreshTimer, &QTimer::timeout, this, [this] {
        m_model->refresh();
        updateCount();
    });
    connect(m_verify, &QPushButton::clicked, this, &AuditLogWidget::verify);
    connect(
        m_model, &AuditLogModel::chainVerified, this, [this](bool ok, qint64 seq, const QString& message) {
            m_verify->setEnabled(true);
            if (ok) {
                m_chain->setText(tr("Chain verified: intact through event %1").arg(seq));
                m_chain->setStyleSheet(QStringLiteral("color: #1b5e20; font-weight: bold;"));
            } else {
                m_chain->setText(tr("Chain BROKEN at event %1: %2").arg(seq).arg(message));
                m_chain->setStyleSheet(QStringLiteral("color: #b00020; font-weight: bold;"));
            }
        });
    updateCount();
    // Check the chain once on open; the button re-checks on demand.
    QTimer::singleShot(0, this, &AuditLogWidget::verify);
}

QString AuditLogWidget::chainText() const
{
    return m_chain->text();
}

void AuditLogWidget::verify()
{
    m_verify->setEnabled(false);
    m_chain->setText(tr("Chain: verifying…"));
    m_chain->setStyleSheet(QString());
    m_model->verifyChain();
}

void AuditLogWidget::updateCount()
{
    m_count->setText(tr("Events: %1").arg(m_model->totalCount()));
}

QString AuditLogWidget::checkpointText() const
{
    return m_checkpoint->text();
}

void AuditLogWidget::showCheckpointVerified(qint64 size, qint64 atMs)
{
    const QString at = QDateTime::fromMSecsSinceEpoch(atMs).time().toString(Qt::ISODate); // 12:03:55
    m_checkpoint->setStyleSheet(QString());
    m_checkpoint->setText(tr("Signed checkpoint %1 verified %2").arg(QLocale().toString(size), at));
    m_checkpoint->show();
}

void AuditLogWidget::showLogInconsistent(const QString& reason)
{
    m_checkpoint->setStyleSheet(QStringLiteral("color: #a81b1b; font-weight: bold;"));
    m_checkpoint->setText(tr("Audit mirror stopped: %1").arg(reason));
    m_checkpoint->show();
}

} // namespace lapse
