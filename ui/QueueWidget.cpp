// The approver's working view. Live updates go through the model; the view keeps selection and scroll.
#include "QueueWidget.h"

#include "ApprovalPane.h"
#include "KindIcons.h"
#include "RowColours.h"
#include "itemmodels/QueueFilterProxy.h"
#include "itemmodels/RequestQueueModel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QShortcut>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace lapse
{

namespace
{
// The queue's proxy plus an icon for the requester's kind and the colour of an excess width.
class IconQueueProxy : public QueueFilterProxy
{
public:
    using QueueFilterProxy::QueueFilterProxy;
    QVariant data(const QModelIndex& index, int role) const override
    {
        if (role == Qt::DecorationRole && index.column() == RequestQueueModel::Requester)
            return kindIcon(index.data(RequestQueueModel::KindRole).toString());
        if (role == Qt::ForegroundRole) {
            const QVariant colour = RowColours::queue(index, role);
            if (colour.isValid())
                return colour;
        }
        return QueueFilterProxy::data(index, role);
    }
};
} // namespace

QueueWidget::QueueWidget(Backend* backend, RequestQueueModel* model, QWidget* parent)
    : QWidget(parent)
    , m_backend(backend)
    , m_model(model)
{
    auto* layout = new QVBoxLayout(this);
    auto* filters = new QHBoxLayout;
    m_targetFilter = new QComboBox(this);
    m_targetFilter->setObjectName(QStringLiteral("targetFilter"));
    m_targetFilter->addItem(tr("All targets"), QString());
    m_targetFilter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_kindFilter = new QComboBox(this);
    m_kindFilter->setObjectName(QStringLiteral("kindFilter"));
    m_kindFilter->addItem(tr("All kinds"), QString());
    m_kindFilter->addItem(tr("Humans"), QStringLiteral("human"));
    m_kindFilter->addItem(tr("Services"), QStringLiteral("service"));
    m_kindFilter->addItem(tr("Workloads"), QStringLiteral("workload"));
    m_kindFilter->addItem(tr("Pipelines"), QStringLiteral("pipeline"));
    m_kindFilter->addItem(tr("Agents"), QStringLiteral("agent"));
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("search"));
    m_search->setClearButtonEnabled(true);
    m_search->setPlaceholderText(tr("Filter by requester, owner, task, reason, ticket…"));
    m_count = new QLabel(this);
    filters->addWidget(new QLabel(tr("Target:"), this));
    filters->addWidget(m_targetFilter);
    filters->addWidget(new QLabel(tr("Kind:"), this));
    filters->addWidget(m_kindFilter);
    filters->addWidget(m_search, 1);
    filters->addWidget(m_count);
    layout->addLayout(filters);

    m_proxy = new IconQueueProxy(this);
    m_proxy->setSourceModel(m_model);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("queueTable"));
    m_table->setModel(m_proxy);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(RequestQueueModel::Waiting, Qt::DescendingOrder);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionsMovable(true);
    m_table->setIconSize(QSize(16, 16));
    static const int widths[] = {140, 70, 70, 100, 140, 60, 190, 220, 80, 60, 70, 80};
    for (int c = 0; c < int(std::size(widths)) && c < m_model->columnCount(); ++c)
        m_table->setColumnWidth(
            c, qMax(widths[c], m_table->horizontalHeader()->sectionSizeHint(c))); // fits a translated header

    m_pane = new ApprovalPane(backend, this);
    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->addWidget(m_table);
    m_splitter->addWidget(m_pane);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setChildrenCollapsible(false);
    m_pane->setMinimumWidth(380);
    m_splitter->setSizes({900, 520});
    layout->addWidget(m_splitter, 1);

    connect(m_targetFilter, &QComboBox::currentIndexChanged, this, [this] {
        m_proxy->setTargetFilter(m_targetFilter->currentData().toString());
        updateCount();
    });
    connect(m_kindFilter, &QComboBox::currentIndexChanged, this, [this] {
        m_proxy->setKindFilter(m_kindFilter->currentData().toString());
        updateCount();
    });
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_proxy->setText(text);
        updateCount();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& current) { onCurrentChanged(current); });
    connect(m_pane, &ApprovalPane::decided, this, [this](const QString& id) { onDecided(id); });
    // The model announces each changed request on its own: only a change to the one shown redraws the pane.
    connect(m_model, &QAbstractItemModel::dataChanged, this,
        [this](const QModelIndex& topLeft, const QModelIndex& bottomRight) {
            const QString shown = m_pane->currentId();
            const int row = shown.isEmpty() ? -1 : m_model->rowOf(shown);
            if (row < 0 || (row >= topLeft.row() && row <= bottomRight.row()))
                refreshPaneFromModel();
        });
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, [this] { refreshPaneFromModel(); });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] { refreshPaneFromModel(); });
    // Once the queue has loaded, start on its first request so the keys work at once.
    connect(m_model, &RequestQueueModel::loaded, this, [this] {
        if (!m_table->currentIndex().isValid() && m_proxy->rowCount() > 0)
            moveBy(0);
    });
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, [this] {
        if (!m_table->currentIndex().isValid() && m_pane->currentId().isEmpty())
            moveBy(0);
        updateCount();
    });
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, [this] { updateCount(); });
    connect(m_proxy, &QAbstractItemModel::modelReset, this, [this] { updateCount(); });

    // Keyboard alone: the shortcuts live on the whole tab; line edits keep their letters (they claim
    // printable keys first), and Enter in the deny reason denies instead of approving.
    auto shortcut = [this](const QKeySequence& key, auto slot) {
        auto* s = new QShortcut(key, this);
        s->setContext(Qt::WidgetWithChildrenShortcut);
        connect(s, &QShortcut::activated, this, slot);
    };
    auto approveOrDeny = [this] {
        if (QWidget* f = focusWidget(); f && f->objectName() == QLatin1String("denyReason"))
            m_pane->deny();
        else
            m_pane->approve();
    };
    shortcut(QKeySequence(Qt::Key_Return), approveOrDeny);
    shortcut(QKeySequence(Qt::Key_Enter), approveOrDeny);
    shortcut(QKeySequence(Qt::Key_A), [this] { m_pane->approve(); });
    shortcut(QKeySequence(Qt::Key_D), [this] { m_pane->deny(); });
    shortcut(QKeySequence(Qt::Key_J), [this] { next(); });
    shortcut(QKeySequence(Qt::Key_K), [this] { previous(); });
    updateCount();
}

void QueueWidget::setDirectory(const QJsonObject& directory)
{
    m_pane->setDirectory(directory);
    const QString current = m_targetFilter->currentData().toString();
    QSignalBlocker block(m_targetFilter);
    while (m_targetFilter->count() > 1)
        m_targetFilter->removeItem(1);
    for (const auto& v : directory["targets"].toArray()) {
        const QString id = v.toObject()["id"].toString();
        m_targetFilter->addItem(id, id);
    }
    m_targetFilter->setCurrentIndex(qMax(0, m_targetFilter->findData(current)));
}

void QueueWidget::setStale(bool stale)
{
    m_pane->setStale(stale);
}

QString QueueWidget::currentId() const
{
    const QModelIndex current = m_table->currentIndex();
    return current.isValid() ? current.data(RequestQueueModel::IdRole).toString() : QString();
}

bool QueueWidget::select(const QString& id)
{
    const int row = m_model->rowOf(id);
    if (row < 0)
        return false;
    QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    if (!index.isValid()) {
        m_targetFilter->setCurrentIndex(0);
        m_kindFilter->setCurrentIndex(0);
        m_search->clear();
        index = m_proxy->mapFromSource(m_model->index(m_model->rowOf(id), 0));
        if (!index.isValid())
            return false;
    }
    m_table->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
    m_table->setFocus();
    return true;
}

void QueueWidget::moveBy(int delta)
{
    const int rows = m_proxy->rowCount();
    if (rows == 0)
        return;
    const QModelIndex current = m_table->currentIndex();
    const int row = current.isValid() ? qBound(0, current.row() + delta, rows - 1) : 0;
    const QModelIndex index = m_proxy->index(row, current.isValid() ? current.column() : 0);
    m_table->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
}

void QueueWidget::next()
{
    moveBy(1);
}

void QueueWidget::previous()
{
    moveBy(-1);
}

void QueueWidget::onCurrentChanged(const QModelIndex& current)
{
    if (!current.isValid()) {
        if (m_pane->currentId().isEmpty() || m_model->rowOf(m_pane->currentId()) < 0)
            refreshPaneFromModel();
        return;
    }
    m_pane->showRequest(current.data(RequestQueueModel::JsonRole).toJsonObject());
}

void QueueWidget::onDecided(const QString& id)
{
    m_decidedHere = id;
    // Go on to the next request; the decided one leaves the queue when its event arrives.
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid() || current.data(RequestQueueModel::IdRole).toString() != id)
        return;
    const int rows = m_proxy->rowCount();
    if (rows <= 1)
        return;
    const int row = current.row() + 1 < rows ? current.row() + 1 : current.row() - 1;
    const QModelIndex index = m_proxy->index(row, current.column());
    m_table->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
}

void QueueWidget::refreshPaneFromModel()
{
    const QString shown = m_pane->currentId();
    if (shown.isEmpty()) {
        if (m_table->currentIndex().isValid())
            onCurrentChanged(m_table->currentIndex());
        return;
    }
    const int row = m_model->rowOf(shown);
    if (row >= 0) {
        m_pane->showRequest(m_model->index(row, 0).data(RequestQueueModel::JsonRole).toJsonObject());
        return;
    }
    if (shown == m_decidedHere)
        return; // our own decision; the pane already says what happened
    m_pane->markGone(
        tr("This request left the queue: it was decided elsewhere (another approver, the policy) "
           "or expired unreviewed."));
}

void QueueWidget::updateCount()
{
    m_count->setText(tr("%1 of %2 pending").arg(m_proxy->rowCount()).arg(m_model->rowCount()));
}

} // namespace lapse
