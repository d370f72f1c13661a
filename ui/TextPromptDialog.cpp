// The shared body of the console's one-field prompts (the API key, the reason for an incident action).
#include "TextPromptDialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace lapse
{

TextPromptDialog::TextPromptDialog(const QString& title, const QString& question, const QString& fieldLabel,
    const QString& actionLabel, QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(title);
    auto* layout = new QVBoxLayout(this);
    auto* label = new QLabel(question, this);
    label->setWordWrap(true);
    label->setMinimumWidth(420);
    layout->addWidget(label);
    auto* form = new QFormLayout;
    m_field = new QLineEdit(this);
    m_field->setObjectName(QStringLiteral("promptField"));
    form->addRow(fieldLabel, m_field);
    layout->addLayout(form);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_action = buttons->addButton(actionLabel, QDialogButtonBox::AcceptRole);
    m_action->setObjectName(QStringLiteral("promptAction"));
    m_action->setEnabled(false);
    // Cancel must not take the default when it gets focus: Enter in the field is meant for the action.
    buttons->button(QDialogButtonBox::Cancel)->setAutoDefault(false);
    m_action->setDefault(true);
    layout->addWidget(buttons);
    connect(m_field, &QLineEdit::textChanged, this,
        [this](const QString& t) { m_action->setEnabled(!t.trimmed().isEmpty()); });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

QString TextPromptDialog::text() const
{
    return m_field->text().trimmed();
}

} // namespace lapse
