// The evidence pack's scope dialog; Export stays disabled, with the reason shown, until the scope is valid.
#include "EvidenceExportDialog.h"

#include "KindIcons.h"
#include "core/Clock.h"

#include <QCheckBox>
#include <QDateEdit>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QStandardPaths>
#include <QVBoxLayout>

namespace lapse
{

namespace
{
constexpr qint64 kDayMs = 86'400'000;

QDate utcDay(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).date();
}

qint64 dayStartMs(const QDate& day)
{
    return QDateTime(day, QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
}

QString defaultFolder()
{
    const QString docs = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    return !docs.isEmpty() && QFileInfo(docs).isDir() ? docs : QDir::homePath();
}
} // namespace

EvidenceExportDialog::EvidenceExportDialog(const QStringList& targets, QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Export evidence pack"));

    // The period is whole UTC days, both ends included, as an auditor states it.
    const QDate today = utcDay(Clock::now());
    m_from = new QDateEdit(today.addDays(-30));
    m_to = new QDateEdit(today);
    for (QDateEdit* edit : {m_from, m_to}) {
        edit->setCalendarPopup(true);
        edit->setTimeSpec(Qt::UTC);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
    }
    m_from->setObjectName(QStringLiteral("from"));
    m_to->setObjectName(QStringLiteral("to"));
    auto* period = new QHBoxLayout;
    period->addWidget(m_from);
    period->addWidget(new QLabel(tr("to")));
    period->addWidget(m_to);
    period->addWidget(new QLabel(tr("(UTC, both days included)")));
    period->addStretch();

    m_targets = new QListWidget;
    m_targets->setObjectName(QStringLiteral("targets"));
    for (const QString& t : targets) {
        auto* item = new QListWidgetItem(t, m_targets);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
        item->setCheckState(Qt::Unchecked);
    }
    m_targets->setMaximumHeight(m_targets->sizeHintForRow(0) * 6 + 2 * m_targets->frameWidth() + 4);
    auto* targetsHint = new QLabel(tr("None checked: every target."));

    auto* kinds = new QHBoxLayout;
    for (const auto& [label, kind] : {std::pair {QT_TR_NOOP("Humans"), "human"},
             std::pair {QT_TR_NOOP("Services"), "service"}, std::pair {QT_TR_NOOP("Workloads"), "workload"},
             std::pair {QT_TR_NOOP("Pipelines"), "pipeline"}, std::pair {QT_TR_NOOP("Agents"), "agent"}}) {
        auto* box = new QCheckBox(tr(label));
        box->setObjectName(QStringLiteral("kind_") + QLatin1String(kind));
        box->setIcon(kindIcon(QLatin1String(kind)));
        m_kinds.insert(QLatin1String(kind), box);
        kinds->addWidget(box);
    }
    kinds->addWidget(new QLabel(tr("(none: every kind)")));
    kinds->addStretch();

    m_sample = new QSpinBox;
    m_sample->setObjectName(QStringLiteral("sampleSize"));
    m_sample->setRange(0, 10'000);
    m_sample->setValue(25);
    m_sample->setMinimumWidth(m_sample->fontMetrics().horizontalAdvance(QStringLiteral("0000000")) + 40);
    m_sample->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    m_sample->setToolTip(tr("How many grants to draw at random for the auditor to test"));
    m_seed = new QLineEdit;
    m_seed->setObjectName(QStringLiteral("seed"));
    m_seed->setPlaceholderText(tr("random"));
    m_seed->setMaximumWidth(m_seed->fontMetrics().horizontalAdvance(QString(22, QLatin1Char('0'))) + 16);
    m_seed->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{0,20}")), m_seed));
    m_seed->setToolTip(tr("The sample's seed: the same seed draws the same sample. Empty or 0: a random one, "
                          "printed in the pack."));

    m_folder = new QLineEdit(defaultFolder());
    m_folder->setObjectName(QStringLiteral("folder"));
    auto* browseButton = new QPushButton(tr("&Browse…"));
    browseButton->setObjectName(QStringLiteral("browse"));
    browseButton->setAutoDefault(false); // Enter exports wherever the focus is
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(m_folder, 1);
    folderRow->addWidget(browseButton);

    m_fileName = new QLabel;
    m_fileName->setObjectName(QStringLiteral("fileName"));
    m_fileName->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problem = new QLabel;
    m_problem->setObjectName(QStringLiteral("problem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("QLabel { color: #b00020; }"));

    auto* form = new QFormLayout;
    form->addRow(tr("&Period:"), period);
    form->addRow(tr("&Targets:"), m_targets);
    form->addRow(QString(), targetsHint);
    form->addRow(tr("Identity kinds:"), kinds);
    form->addRow(tr("&Sample size:"), m_sample);
    form->addRow(tr("See&d:"), m_seed);
    form->addRow(tr("&Folder:"), folderRow);
    form->addRow(tr("File:"), m_fileName);
    // Rows whose field is a layout name their first widget as the label's buddy, so the mnemonic works.
    qobject_cast<QLabel*>(form->labelForField(period))->setBuddy(m_from);
    qobject_cast<QLabel*>(form->labelForField(folderRow))->setBuddy(m_folder);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    m_export = buttons->button(QDialogButtonBox::Ok);
    m_export->setText(tr("&Export"));
    m_export->setObjectName(QStringLiteral("export"));
    m_export->setDefault(true);
    buttons->button(QDialogButtonBox::Cancel)->setAutoDefault(false);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (problem().isEmpty()) // Export is disabled then; a shortcut must not get round that
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browseButton, &QPushButton::clicked, this, &EvidenceExportDialog::browse);
    connect(m_from, &QDateEdit::dateChanged, this, &EvidenceExportDialog::update);
    connect(m_to, &QDateEdit::dateChanged, this, &EvidenceExportDialog::update);
    connect(m_targets, &QListWidget::itemChanged, this, &EvidenceExportDialog::update);
    for (QCheckBox* box : std::as_const(m_kinds))
        connect(box, &QCheckBox::toggled, this, &EvidenceExportDialog::update);
    connect(m_sample, &QSpinBox::valueChanged, this, &EvidenceExportDialog::update);
    connect(m_seed, &QLineEdit::textChanged, this, &EvidenceExportDialog::update);
    connect(m_folder, &QLineEdit::textChanged, this, &EvidenceExportDialog::update);
    update();
}

void EvidenceExportDialog::setScope(const EvidenceScope& scope)
{
    if (scope.toMs > scope.fromMs) {
        m_from->setDate(utcDay(scope.fromMs));
        m_to->setDate(utcDay(scope.toMs - 1)); // toMs is exclusive; the dialog shows the last day
    }
    for (int i = 0; i < m_targets->count(); ++i) {
        QListWidgetItem* item = m_targets->item(i);
        item->setCheckState(scope.targets.contains(item->text()) ? Qt::Checked : Qt::Unchecked);
    }
    for (auto it = m_kinds.cbegin(); it != m_kinds.cend(); ++it)
        it.value()->setChecked(scope.kinds.contains(it.key()));
    m_sample->setValue(scope.sampleSize);
    m_seed->setText(scope.seed ? QString::number(scope.seed) : QString());
    update();
}

EvidenceScope EvidenceExportDialog::scope() const
{
    EvidenceScope s;
    s.fromMs = dayStartMs(m_from->date());
    s.toMs = dayStartMs(m_to->date()) + kDayMs;
    for (int i = 0; i < m_targets->count(); ++i)
        if (m_targets->item(i)->checkState() == Qt::Checked)
            s.targets << m_targets->item(i)->text();
    for (auto it = m_kinds.cbegin(); it != m_kinds.cend(); ++it)
        if (it.value()->isChecked())
            s.kinds << it.key();
    s.sampleSize = m_sample->value();
    s.seed = m_seed->text().toULongLong(); // empty (or too long, which update() refuses): 0, a random seed
    return s;
}

QString EvidenceExportDialog::folder() const
{
    return m_folder->text().trimmed();
}

void EvidenceExportDialog::setFolder(const QString& folder)
{
    m_folder->setText(folder);
}

QString EvidenceExportDialog::outFile() const
{
    return QDir(folder()).filePath(scope().fileName());
}

QString EvidenceExportDialog::problem() const
{
    return m_problemText;
}

void EvidenceExportDialog::update()
{
    const EvidenceScope s = scope();
    bool seedOk = true;
    if (!m_seed->text().isEmpty())
        m_seed->text().toULongLong(&seedOk);
    const QFileInfo dir(folder());

    // The dialog's own words for what a person can get wrong here; the scope's check for anything else.
    if (m_to->date() < m_from->date())
        m_problemText = tr("The period ends before it starts: pick a last day on or after the first.");
    else if (!seedOk)
        m_problemText = tr("The seed is too large: at most 20 digits below 18446744073709551616.");
    else if (folder().isEmpty() || !dir.isDir())
        m_problemText = tr("The folder does not exist: pick one with Browse….");
    else if (!dir.isWritable())
        m_problemText = tr("The folder cannot be written to: pick another.");
    else if (const Status valid = s.validate(); !valid)
        m_problemText = valid.error().message;
    else
        m_problemText.clear();

    m_export->setEnabled(m_problemText.isEmpty());
    m_problem->setText(m_problemText);
    m_problem->setVisible(!m_problemText.isEmpty());
    m_fileName->setText(s.fileName());
    m_fileName->setToolTip(outFile());
    if (m_problemText.isEmpty() && QFileInfo::exists(outFile()))
        m_fileName->setText(tr("%1 (exists; a complete new pack replaces it)").arg(s.fileName()));
    emit scopeChanged();
}

void EvidenceExportDialog::browse()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder for the evidence pack"), folder());
    if (!dir.isEmpty())
        m_folder->setText(dir);
}

} // namespace lapse
