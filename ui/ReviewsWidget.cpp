// Access reviews in the console: GET /v1/reviews/repeated for the list, POST /v1/reviews to decide.
#include "ReviewsWidget.h"

#include "Format.h"
#include "backend/Backend.h"
#include "core/Clock.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace lapse
{

namespace
{
QString joined(const QJsonValue& v, const QString& separator = QStringLiteral(", "))
{
    QStringList items;
    for (const auto& x : v.toArray())
        items << x.toString();
    return items.join(separator);
}

QString describe(const QJsonObject& c)
{
    return QStringLiteral("%1 · %2 [%3]")
        .arg(c[QLatin1String("identity")].toString(), c[QLatin1String("target")].toString(),
            joined(c[QLatin1String("privileges")], QStringLiteral(" ")));
}

const QStringList kOutcomes {
    QStringLiteral("keep-jit"), QStringLiteral("convert-to-rule"), QStringLiteral("standing-entitlement")};
} // namespace

ReviewDialog::ReviewDialog(const QString& candidate, const QString& outcome, QWidget* parent)
    : TextPromptDialog(tr("Access review"),
        tr("Record the decision on %1: %2. Say why; the comment goes into the log and the evidence pack.")
            .arg(candidate, outcomeLabel(outcome)),
        tr("&Comment:"), outcomeLabel(outcome), parent)
{
    setObjectName(QStringLiteral("reviewDialog"));
}

QString ReviewDialog::outcomeLabel(const QString& outcome)
{
    if (outcome == QLatin1String("keep-jit"))
        return tr("Keep just-in-time");
    if (outcome == QLatin1String("convert-to-rule"))
        return tr("Convert to a rule");
    return tr("Standing entitlement outside Lapse");
}

ReviewsWidget::ReviewsWidget(Backend* backend, QWidget* parent)
    : QWidget(parent)
    , m_backend(backend)
{
    auto* layout = new QVBoxLayout(this);
    auto* intro
        = new QLabel(tr("Identities that keep asking for the same access. For each, its owner decides: "
                        "keep asking just in time, convert it to a policy rule, or grant a narrow "
                        "standing entitlement outside Lapse."),
            this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto* bar = new QHBoxLayout;
    m_period = new QComboBox(this);
    m_period->setObjectName(QStringLiteral("reviewPeriod"));
    m_period->addItem(tr("Last 7 days"), 7);
    m_period->addItem(tr("Last 30 days"), 30);
    m_period->addItem(tr("Last 90 days"), 90);
    m_period->addItem(tr("All time"), 0);
    m_period->setCurrentIndex(1);
    auto* periodLabel = new QLabel(tr("&Period:"), this);
    periodLabel->setBuddy(m_period);
    bar->addWidget(periodLabel);
    bar->addWidget(m_period);
    auto* reload = new QPushButton(tr("&Refresh"), this);
    bar->addWidget(reload);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("reviewStatus"));
    bar->addWidget(m_status, 1);
    layout->addLayout(bar);

    m_table = new QTableWidget(0, 8, this);
    m_table->setObjectName(QStringLiteral("reviewCandidates"));
    m_table->setHorizontalHeaderLabels({tr("Identity"), tr("Kind"), tr("Target"), tr("Privileges"),
        tr("Grants"), tr("Decided by"), tr("Covered by rule"), tr("Decision")});
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->setVisible(false);
    layout->addWidget(m_table, 1);

    auto* actions = new QHBoxLayout;
    actions->addStretch(1);
    const QStringList labels {
        tr("&Keep just-in-time…"), tr("Convert to a &rule…"), tr("&Standing entitlement…")};
    for (int i = 0; i < kOutcomes.size(); ++i) {
        auto* b = new QPushButton(labels[i], this);
        b->setObjectName(QStringLiteral("decide-%1").arg(kOutcomes[i]));
        b->setEnabled(false);
        const QString outcome = kOutcomes[i];
        connect(b, &QPushButton::clicked, this, [this, outcome] { decide(outcome); });
        actions->addWidget(b);
        m_buttons << b;
    }
    layout->addLayout(actions);

    connect(m_period, &QComboBox::currentIndexChanged, this, &ReviewsWidget::refresh);
    connect(reload, &QPushButton::clicked, this, &ReviewsWidget::refresh);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &ReviewsWidget::updateButtons);
}

QPushButton* ReviewsWidget::decideButton(const QString& outcome) const
{
    const int i = int(kOutcomes.indexOf(outcome));
    return i < 0 ? nullptr : m_buttons[i];
}

QString ReviewsWidget::status() const
{
    return m_status->text();
}

void ReviewsWidget::refresh()
{
    QUrlQuery q;
    const int days = m_period->currentData().toInt();
    if (days > 0)
        q.addQueryItem(QStringLiteral("from"), Clock::toIso(Clock::now() - qint64(days) * 86'400'000));
    const quint64 generation = ++m_generation;
    m_status->setText(tr("Loading…"));
    m_backend->call(
        "GET", QStringLiteral("/v1/reviews/repeated"), {}, q, [this, generation](const ApiResult& r) {
            if (generation != m_generation)
                return; // a newer refresh is on its way
            if (!r) {
                m_status->setText(tr("Cannot load the reviews: %1").arg(r.error().message));
                emit failed(r.error().message);
                return;
            }
            showCandidates(r.value()[QLatin1String("candidates")].toArray());
            emit loaded();
        });
}

void ReviewsWidget::showCandidates(const QJsonArray& candidates)
{
    const QString selected = m_table->currentRow() >= 0 && m_table->currentRow() < m_candidates.size()
        ? describe(m_candidates[m_table->currentRow()].toObject())
        : QString();
    m_candidates = candidates;
    m_table->setRowCount(int(candidates.size()));
    int undecided = 0;
    for (int i = 0; i < candidates.size(); ++i) {
        const QJsonObject c = candidates[i].toObject();
        const QJsonObject d = c[QLatin1String("decision")].toObject();
        undecided += d.isEmpty() ? 1 : 0;
        const QString decision = d.isEmpty()
            ? tr("undecided")
            : tr("%1 by %2, %3: %4")
                  .arg(ReviewDialog::outcomeLabel(d[QLatin1String("outcome")].toString()),
                      d[QLatin1String("reviewer")].toString(),
                      Format::isoToLocal(d[QLatin1String("decided_at")].toString()),
                      d[QLatin1String("comment")].toString());
        const QStringList cells {c[QLatin1String("identity")].toString(), c[QLatin1String("kind")].toString(),
            c[QLatin1String("target")].toString(), joined(c[QLatin1String("privileges")]),
            QString::number(c[QLatin1String("count")].toInt()),
            c[QLatin1String("decided_by_owners")].toArray().isEmpty()
                ? tr("an admin")
                : joined(c[QLatin1String("decided_by_owners")]),
            c[QLatin1String("rule")].toString(), decision};
        for (int col = 0; col < cells.size(); ++col) {
            auto* item = new QTableWidgetItem(cells[col]);
            if (col == 7 && d.isEmpty())
                item->setForeground(QColor(0xb0, 0x5a, 0x00));
            m_table->setItem(i, col, item);
        }
        if (describe(c) == selected)
            m_table->selectRow(i);
    }
    m_table->resizeColumnsToContents();
    m_status->setText(tr("%1 candidates, %2 undecided").arg(candidates.size()).arg(undecided));
    updateButtons();
}

void ReviewsWidget::updateButtons()
{
    const bool one = !m_table->selectedItems().isEmpty() && !m_dialog;
    for (QPushButton* b : std::as_const(m_buttons))
        b->setEnabled(one);
}

void ReviewsWidget::decide(const QString& outcome)
{
    const int row = m_table->currentRow();
    if (row < 0 || row >= m_candidates.size() || m_dialog)
        return;
    const QJsonObject c = m_candidates[row].toObject();
    m_dialog = new ReviewDialog(describe(c), outcome, this);
    m_dialog->setAttribute(Qt::WA_DeleteOnClose);
    updateButtons();
    connect(m_dialog, &QDialog::finished, this, [this, c, outcome](int result) {
        const QString comment = m_dialog ? m_dialog->text() : QString();
        m_dialog = nullptr;
        updateButtons();
        if (result != QDialog::Accepted)
            return;
        const QJsonObject body {{"identity", c[QLatin1String("identity")]},
            {"target", c[QLatin1String("target")]}, {"privileges", c[QLatin1String("privileges")]},
            {"outcome", outcome}, {"comment", comment}};
        m_status->setText(tr("Recording the decision…"));
        m_backend->call("POST", QStringLiteral("/v1/reviews"), body, {}, [this](const ApiResult& r) {
            if (!r) {
                m_status->setText(tr("The decision was not recorded: %1").arg(r.error().message));
                emit failed(r.error().message);
                return;
            }
            emit decided(r.value()[QLatin1String("seq")].toInteger());
            refresh();
        });
    });
    m_dialog->open();
}

} // namespace lapse
