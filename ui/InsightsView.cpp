#include "InsightsView.h"

#include "Format.h"
#include "InsightCharts.h"
#include "RuleDraftDialog.h"
#include "backend/Backend.h"
#include "core/Clock.h"
#include "insights/InsightTables.h"
#include "insights/InsightsSource.h"

#include <QAbstractBarSeries>
#include <QBarSet>
#include <QBuffer>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QMenu>
#include <QPointer>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace lapse
{

namespace
{
QStringList strings(const QJsonValue& v)
{
    QStringList out;
    for (const auto& x : v.toArray())
        out << x.toString();
    return out;
}
} // namespace

InsightsView::InsightsView(Backend* backend, const QString& storeFile, QWidget* parent)
    : QWidget(parent)
    , m_backend(backend)
    , m_source(new InsightsSource(backend, storeFile, this))
{
    m_period = new QComboBox;
    m_period->addItem(tr("Last 7 days"), 7);
    m_period->addItem(tr("Last 30 days"), 30);
    m_period->addItem(tr("Last 90 days"), 90);
    m_period->addItem(tr("All time"), 0);
    m_period->setCurrentIndex(1);
    m_target = new QComboBox;
    m_target->addItem(tr("All targets"), QString());
    m_kind = new QComboBox;
    m_kind->addItem(tr("All kinds"), QString());
    for (const auto& [label, kind] : {std::pair {QT_TR_NOOP("Humans"), "human"},
             std::pair {QT_TR_NOOP("Services"), "service"}, std::pair {QT_TR_NOOP("Workloads"), "workload"},
             std::pair {QT_TR_NOOP("Pipelines"), "pipeline"}, std::pair {QT_TR_NOOP("Agents"), "agent"}})
        m_kind->addItem(tr(label), QString::fromLatin1(kind));
    auto* refreshButton = new QPushButton(tr("&Refresh"));
    auto* evidenceButton = new QPushButton(tr("Evidence pack…"));
    evidenceButton->setObjectName(QStringLiteral("evidencePack"));
    evidenceButton->setToolTip(tr("Export the grants and requests these filters select as an evidence pack"));
    m_status = new QLabel;
    m_summary = new QLabel;
    m_summary->setWordWrap(true);

    auto* filters = new QHBoxLayout;
    filters->addWidget(new QLabel(tr("Period:")));
    filters->addWidget(m_period);
    filters->addWidget(new QLabel(tr("Target:")));
    filters->addWidget(m_target);
    filters->addWidget(new QLabel(tr("Kind:")));
    filters->addWidget(m_kind);
    filters->addWidget(refreshButton);
    filters->addStretch();
    filters->addWidget(m_status);
    filters->addWidget(evidenceButton);

    auto* grid = new QGridLayout;
    grid->addWidget(chartBox(QStringLiteral("grants_per_day"), tr("Elevations per day")), 0, 0);
    grid->addWidget(
        chartBox(QStringLiteral("by_identity"), tr("Grants by identity (click a bar for its grants)")), 0, 1);
    grid->addWidget(chartBox(QStringLiteral("width"), tr("Grant width")), 0, 2);
    grid->addWidget(
        chartBox(QStringLiteral("lingering"), tr("Lingering sessions and post-expiry uses per day")), 1, 0);
    grid->addWidget(
        chartBox(QStringLiteral("revocation"), tr("Revocation: time until sessions confirmed closed")), 1, 1);
    grid->addWidget(chartBox(QStringLiteral("endings"), tr("How grants ended")), 1, 2);
    auto* charts = new QWidget;
    charts->setLayout(grid);

    m_repeated = new QTableWidget(0, 4);
    m_repeated->setObjectName(QStringLiteral("redesignCandidates"));
    m_repeated->setHorizontalHeaderLabels(
        {tr("Identity"), tr("Target"), tr("Privileges"), tr("Times in 7 days")});
    m_repeated->horizontalHeader()->setStretchLastSection(true);
    m_repeated->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_repeated->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_repeated->setSelectionMode(QAbstractItemView::SingleSelection);
    connect(m_repeated, &QTableWidget::cellDoubleClicked, this,
        [this](int row, int) { drillIntoIdentity(m_repeated->item(row, 0)->text()); });
    m_draftRule = new QPushButton(tr("Draft rule…"));
    m_draftRule->setObjectName(QStringLiteral("draftRule"));
    m_draftRule->setToolTip(
        tr("Propose a policy rule that approves what the selected candidate keeps asking for"));
    m_draftRule->setEnabled(false);
    connect(m_repeated, &QTableWidget::itemSelectionChanged, this,
        [this] { m_draftRule->setEnabled(!m_repeated->selectedItems().isEmpty()); });
    connect(m_draftRule, &QPushButton::clicked, this, [this] { draftRule(); });
    m_repeated->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_repeated, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        const QTableWidgetItem* item = m_repeated->itemAt(pos);
        if (!item)
            return;
        m_repeated->selectRow(item->row());
        QMenu menu(m_repeated);
        menu.addAction(tr("Draft rule…"), this, [this] { draftRule(); });
        menu.addAction(tr("List its grants"), this,
            [this, row = item->row()] { drillIntoIdentity(m_repeated->item(row, 0)->text()); });
        menu.exec(m_repeated->viewport()->mapToGlobal(pos));
    });
    m_drill = new QTableWidget(0, 6);
    m_drill->setHorizontalHeaderLabels(
        {tr("Grant"), tr("Identity"), tr("Target"), tr("Privileges"), tr("Started"), tr("Status")});
    m_drill->horizontalHeader()->setStretchLastSection(true);
    m_drill->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_drillTitle = new QLabel(tr(
        "Click a bar in “Grants by identity”, or double-click a candidate, to list the grants behind it."));

    auto* lower = new QWidget;
    auto* lowerLayout = new QGridLayout(lower);
    lowerLayout->setContentsMargins(0, 0, 0, 0);
    auto* candidatesTitle
        = new QLabel(tr("Redesign candidates: the same identity, privileges and target again and again — a "
                        "narrow standing entitlement or a workload identity may serve better"));
    candidatesTitle->setWordWrap(true); // long in some languages: wrap rather than widen the window
    m_drillTitle->setWordWrap(true);
    lowerLayout->addWidget(candidatesTitle, 0, 0);
    lowerLayout->addWidget(m_repeated, 1, 0);
    auto* candidateButtons = new QHBoxLayout;
    candidateButtons->addWidget(m_draftRule);
    candidateButtons->addStretch();
    lowerLayout->addLayout(candidateButtons, 2, 0);
    lowerLayout->addWidget(m_drillTitle, 0, 1);
    lowerLayout->addWidget(m_drill, 1, 1);

    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(charts);
    split->addWidget(lower);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    // The candidates and the drill-down show at least five rows each, never just two.
    for (QTableWidget* table : {m_repeated, m_drill})
        table->setMinimumHeight(table->horizontalHeader()->sizeHint().height()
            + 5 * table->verticalHeader()->defaultSectionSize() + 2 * table->frameWidth());

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(m_summary);
    layout->addWidget(split, 1);

    for (QComboBox* box : {m_period, m_target, m_kind})
        connect(box, &QComboBox::currentIndexChanged, this, &InsightsView::refresh);
    connect(refreshButton, &QPushButton::clicked, this, &InsightsView::refresh);
    connect(evidenceButton, &QPushButton::clicked, this, &InsightsView::evidencePackRequested);
    if (m_backend)
        m_backend->directory([this, guard = QPointer<InsightsView>(this)](const ApiResult& r) {
            if (!guard || !r)
                return;
            const QSignalBlocker block(m_target);
            for (const auto& t : r.value()[QLatin1String("targets")].toArray())
                m_target->addItem(t.toObject()[QLatin1String("id")].toString(),
                    t.toObject()[QLatin1String("id")].toString());
        });
}

QWidget* InsightsView::chartBox(const QString& name, const QString& title)
{
    auto* box = new QGroupBox(title);
    auto* view = new QChartView;
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(260, 180);
    auto* png = new QPushButton(tr("PNG…"));
    auto* csvButton = new QPushButton(tr("CSV…"));
    png->setToolTip(tr("Save this chart as a PNG image"));
    csvButton->setToolTip(tr("Save the numbers behind this chart as CSV"));
    connect(png, &QPushButton::clicked, this, [this, name] {
        const QString file = QFileDialog::getSaveFileName(
            this, tr("Save chart"), name + QStringLiteral(".png"), tr("PNG images (*.png)"));
        if (!file.isEmpty() && !exportPng(name, file))
            m_status->setText(tr("Could not write %1").arg(file));
    });
    connect(csvButton, &QPushButton::clicked, this, [this, name] {
        const QString file = QFileDialog::getSaveFileName(
            this, tr("Save data"), name + QStringLiteral(".csv"), tr("CSV files (*.csv)"));
        if (!file.isEmpty() && !exportCsv(name, file))
            m_status->setText(tr("Could not write %1").arg(file));
    });
    auto* buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(png);
    buttons->addWidget(csvButton);
    auto* layout = new QVBoxLayout(box);
    layout->addWidget(view, 1);
    layout->addLayout(buttons);
    m_charts.insert(name, ChartSlot {view});
    return box;
}

int InsightsView::periodDays() const
{
    return m_period->currentData().toInt();
}

QString InsightsView::targetFilter() const
{
    return m_target->currentData().toString();
}

QString InsightsView::kindFilter() const
{
    return m_kind->currentData().toString();
}

bool InsightsView::computesLocally() const
{
    return m_source->isLocal();
}

void InsightsView::refresh()
{
    if (!m_backend && !m_source->isLocal())
        return;
    QUrlQuery q;
    const int days = m_period->currentData().toInt();
    if (days > 0)
        q.addQueryItem(QStringLiteral("from"), Clock::toIso(Clock::now() - qint64(days) * 86'400'000));
    if (!m_target->currentData().toString().isEmpty())
        q.addQueryItem(QStringLiteral("target"), m_target->currentData().toString());
    if (!m_kind->currentData().toString().isEmpty())
        q.addQueryItem(QStringLiteral("kind"), m_kind->currentData().toString());
    const quint64 gen = ++m_generation;
    m_status->setText(tr("Loading…"));
    m_source->query(q, [this, gen, guard = QPointer<InsightsView>(this)](const ApiResult& r) {
        if (!guard || gen != m_generation)
            return;
        if (!r) {
            m_status->setText(tr("Could not load insights: %1").arg(r.error().message));
            return;
        }
        m_metrics = r.value();
        display(m_metrics);
        m_status->setText(tr("Updated %1").arg(Format::dateTime(Clock::now())));
        emit loaded();
    });
}

void InsightsView::setChart(const QString& name, QChart* chart)
{
    QChartView* view = m_charts.value(name).view;
    QChart* old = view->chart();
    view->setChart(chart);
    delete old;
}

void InsightsView::display(const QJsonObject& m)
{
    const QJsonObject ef = m[QLatin1String("elevation_frequency")].toObject();
    const QJsonObject co = m[QLatin1String("completeness")].toObject();
    m_summary->setText(
        tr("%1 grants · %2 repeated-elevation candidates · %3 privileges beyond declared minimums · "
           "%4 lingering sessions · %5 post-expiry uses · %6 of %7 records complete")
            .arg(ef[QLatin1String("grants")].toInt())
            .arg(ef[QLatin1String("repeated")].toArray().size())
            .arg(m[QLatin1String("grant_width")].toObject()[QLatin1String("excess_privileges")].toInt())
            .arg(m[QLatin1String("lingering_sessions")].toObject()[QLatin1String("count")].toInt())
            .arg(m[QLatin1String("lingering_sessions")].toObject()[QLatin1String("post_expiry_uses")].toInt())
            .arg(co[QLatin1String("complete")].toInt())
            .arg(co[QLatin1String("grants")].toInt()));
    // The charts draw the same tables the CSV export writes.
    m_tables = insightTables(m);
    showGrantsPerDay();
    showByIdentity();
    showWidth();
    showLingering();
    showRevocation();
    showEndings();

    const QJsonArray rep = ef[QLatin1String("repeated")].toArray();
    m_repeated->setRowCount(int(rep.size()));
    for (int i = 0; i < rep.size(); ++i) {
        const QJsonObject r = rep.at(i).toObject();
        m_repeated->setItem(i, 0, new QTableWidgetItem(r[QLatin1String("identity")].toString()));
        m_repeated->setItem(i, 1, new QTableWidgetItem(r[QLatin1String("target")].toString()));
        m_repeated->setItem(
            i, 2, new QTableWidgetItem(strings(r[QLatin1String("privileges")]).join(QStringLiteral(", "))));
        auto* count = new QTableWidgetItem;
        count->setData(Qt::DisplayRole, r[QLatin1String("count")].toInt());
        m_repeated->setItem(i, 3, count);
    }
    m_repeated->sortItems(3, Qt::DescendingOrder);
}

void InsightsView::showGrantsPerDay()
{
    setChart(QStringLiteral("grants_per_day"), InsightCharts::grantsPerDay(m_tables));
}

void InsightsView::showByIdentity()
{
    QStringList names;
    QChart* chart = InsightCharts::byIdentity(m_tables, &names);
    auto* series = static_cast<QAbstractBarSeries*>(chart->series().first());
    connect(series, &QAbstractBarSeries::clicked, this, [this, names](int index, QBarSet*) {
        if (index >= 0 && index < names.size())
            drillIntoIdentity(names.at(index));
    });
    setChart(QStringLiteral("by_identity"), chart);
}

void InsightsView::showWidth()
{
    setChart(QStringLiteral("width"), InsightCharts::width(m_tables));
}

void InsightsView::showLingering()
{
    setChart(QStringLiteral("lingering"), InsightCharts::lingering(m_tables));
}

void InsightsView::showRevocation()
{
    setChart(QStringLiteral("revocation"), InsightCharts::revocation(m_tables, m_metrics));
}

void InsightsView::showEndings()
{
    setChart(QStringLiteral("endings"), InsightCharts::endings(m_metrics));
}

void InsightsView::drillIntoIdentity(const QString& identity)
{
    if (!m_backend)
        return;
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("principal"), identity);
    q.addQueryItem(QStringLiteral("limit"), QStringLiteral("1000"));
    m_drillTitle->setText(tr("Grants of %1").arg(identity));
    m_backend->call("GET", QStringLiteral("/v1/grants"), {}, q,
        [this, identity, guard = QPointer<InsightsView>(this)](const ApiResult& r) {
            if (!guard)
                return;
            if (!r) {
                m_drillTitle->setText(
                    tr("Could not list the grants of %1: %2").arg(identity, r.error().message));
                return;
            }
            const QJsonArray items = r.value()[QLatin1String("items")].toArray();
            m_drill->setRowCount(int(items.size()));
            for (int i = 0; i < items.size(); ++i) {
                const QJsonObject g = items.at(i).toObject();
                m_drill->setItem(i, 0, new QTableWidgetItem(g[QLatin1String("id")].toString()));
                m_drill->setItem(i, 1, new QTableWidgetItem(g[QLatin1String("principal")].toString()));
                m_drill->setItem(i, 2, new QTableWidgetItem(g[QLatin1String("target")].toString()));
                m_drill->setItem(i, 3,
                    new QTableWidgetItem(strings(g[QLatin1String("privileges")]).join(QStringLiteral(", "))));
                m_drill->setItem(i, 4, new QTableWidgetItem(g[QLatin1String("starts_at")].toString()));
                m_drill->setItem(i, 5, new QTableWidgetItem(g[QLatin1String("status")].toString()));
            }
            m_drillTitle->setText(tr("Grants of %1: %2").arg(identity).arg(items.size()));
            emit drilledDown(identity);
        });
}

RuleDraftDialog* InsightsView::draftRule()
{
    const int row = m_repeated->currentRow();
    if (row < 0 || m_repeated->selectedItems().isEmpty())
        return nullptr;
    const QString identity = m_repeated->item(row, 0)->text();
    const QString target = m_repeated->item(row, 1)->text();
    auto* dialog = new RuleDraftDialog(identity, target,
        m_directoryFile.isEmpty() ? QStringLiteral("directory.json") : m_directoryFile, this);
    dialog->setObjectName(QStringLiteral("ruleDraftDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
    // The same period as the charts: the candidates were found in it.
    const qint64 now = Clock::now();
    const int days = periodDays();
    RuleDraft::load(m_backend, dialog, identity, target, days > 0 ? now - qint64(days) * 86'400'000 : 0,
        now + 1, [dialog](const Result<RuleDraft>& draft) { dialog->showDraft(draft); });
    return dialog;
}

bool InsightsView::exportPng(const QString& name, const QString& file) const
{
    QChartView* view = m_charts.value(name).view;
    return view && view->grab().save(file, "PNG");
}

QString InsightsView::csv(const QString& name) const
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    CsvWriter writer(&buffer);
    writer.write(m_tables.value(name));
    return QString::fromUtf8(buffer.data());
}

bool InsightsView::exportCsv(const QString& name, const QString& file) const
{
    if (!m_tables.contains(name))
        return false;
    QSaveFile f(file); // all of it or nothing: a failed export leaves no half-written file
    if (!f.open(QIODevice::WriteOnly))
        return false;
    CsvWriter writer(&f);
    writer.write(m_tables.value(name));
    return writer.status().ok() && f.commit();
}

} // namespace lapse
