// The Draft rule dialog. Enter copies the rule and closes, as the one thing a person came for; Escape closes.
#include "RuleDraftDialog.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace lapse
{

RuleDraftDialog::RuleDraftDialog(
    const QString& identity, const QString& target, const QString& directoryFile, QWidget* parent)
    : QDialog(parent)
    , m_directoryFile(directoryFile)
{
    setWindowTitle(tr("Draft rule for %1 on %2").arg(identity, target));
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);

    auto* intro
        = new QLabel(tr("An approve rule for what %1 keeps asking for on %2, shaped by its grants over "
                        "the period. Review it, add it to the \"rules\" of the directory file, then "
                        "check it with the command below.")
                         .arg(identity, target));
    intro->setWordWrap(true);
    m_status = new QLabel(tr("Reading the grants of %1 on %2…").arg(identity, target));
    m_status->setObjectName(QStringLiteral("draftStatus"));
    m_status->setWordWrap(true);

    m_json = new QPlainTextEdit;
    m_json->setObjectName(QStringLiteral("ruleJson"));
    m_json->setReadOnly(true);
    m_json->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_json->setFont(mono);
    m_json->setLineWrapMode(QPlainTextEdit::NoWrap);
    // Room for a drafted rule's longest line, its description, without scrolling.
    const QFontMetrics metrics(mono);
    m_json->setMinimumSize(106 * metrics.horizontalAdvance(QLatin1Char('x')), 12 * metrics.lineSpacing());

    m_note = new QLabel;
    m_note->setObjectName(QStringLiteral("replayNote"));
    m_note->setWordWrap(true);
    m_note->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_command = new QLineEdit;
    m_command->setObjectName(QStringLiteral("testCommand"));
    m_command->setReadOnly(true);
    m_command->setFont(mono);
    m_copyCommand = new QPushButton(tr("Copy co&mmand"));
    m_copyCommand->setObjectName(QStringLiteral("copyCommand"));
    m_copyCommand->setAutoDefault(false);
    auto* commandRow = new QHBoxLayout;
    commandRow->addWidget(m_command, 1);
    commandRow->addWidget(m_copyCommand);

    m_copyRule = new QPushButton(tr("&Copy rule"));
    m_copyRule->setObjectName(QStringLiteral("copyRule"));
    m_copyRule->setToolTip(tr("Copy the rule's JSON to the clipboard and close (Enter)"));
    m_copyRule->setDefault(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    buttons->addButton(m_copyRule, QDialogButtonBox::AcceptRole);
    for (QPushButton* b : {m_copyRule, m_copyCommand})
        b->setEnabled(false);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_status);
    layout->addWidget(m_json, 1);
    layout->addWidget(m_note);
    layout->addWidget(new QLabel(tr("Check it against the directory file:")));
    layout->addLayout(commandRow);
    layout->addWidget(buttons);

    connect(m_copyRule, &QPushButton::clicked, this, &RuleDraftDialog::copyRule);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_copyCommand, &QPushButton::clicked, this,
        [this] { QApplication::clipboard()->setText(m_command->text()); });
}

void RuleDraftDialog::showDraft(const Result<RuleDraft>& draft)
{
    if (!draft) {
        m_status->setText(tr("No rule to draft: %1").arg(draft.error().message));
        m_status->setVisible(true);
        emit ready();
        return;
    }
    m_status->setVisible(false);
    m_json->setPlainText(draft->ruleText());
    m_command->setText(draft->testCommand(m_directoryFile));
    m_command->setCursorPosition(0);
    m_note->setText(describe(draft->replay));
    for (QPushButton* b : {m_copyRule, m_copyCommand})
        b->setEnabled(true);
    m_copyRule->setFocus();
    emit ready();
}

QString RuleDraftDialog::describe(const RuleReplay& r)
{
    QString text = tr("Over the period it would have approved %1 of %2 grants; %3 over the daily budget; %4 "
                      "asked for more than it allows.")
                       .arg(r.approved)
                       .arg(r.grants)
                       .arg(r.overBudget)
                       .arg(r.beyondRule);
    if (r.breakGlass > 0)
        text += QLatin1Char(' ') + tr("%1 break-glass (never a rule's to approve).").arg(r.breakGlass);
    if (r.otherwise > 0)
        text += QLatin1Char(' ')
            + tr("%1 refused for another reason (a ticket its pattern does not accept).").arg(r.otherwise);
    return text;
}

QString RuleDraftDialog::ruleText() const
{
    return m_json->toPlainText();
}

QString RuleDraftDialog::command() const
{
    return m_command->text();
}

QString RuleDraftDialog::note() const
{
    return m_note->text();
}

void RuleDraftDialog::copyRule()
{
    if (m_json->toPlainText().isEmpty())
        return;
    QApplication::clipboard()->setText(m_json->toPlainText());
    accept();
}

} // namespace lapse
