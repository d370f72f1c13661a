// The confirmation dialog; a reason is required because every incident action is logged with one.
#include "ConfirmDialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace lapse
{

namespace
{
bool g_hasNext = false;
std::optional<QString> g_next;
QString g_lastQuestion;
} // namespace

ConfirmDialog::ConfirmDialog(
    const QString& title, const QString& text, const QString& actionLabel, QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(title);
    auto* layout = new QVBoxLayout(this);
    auto* label = new QLabel(text, this);
    label->setWordWrap(true);
    label->setMinimumWidth(420);
    layout->addWidget(label);
    auto* form = new QFormLayout;
    m_reason = new QLineEdit(this);
    m_reason->setPlaceholderText(tr("Why? (recorded in the audit log)"));
    form->addRow(tr("&Reason:"), m_reason);
    layout->addLayout(form);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_ok = buttons->addButton(actionLabel, QDialogButtonBox::AcceptRole);
    m_ok->setEnabled(false);
    buttons->button(QDialogButtonBox::Cancel)->setDefault(true);
    layout->addWidget(buttons);
    connect(m_reason, &QLineEdit::textChanged, this,
        [this](const QString& t) { m_ok->setEnabled(!t.trimmed().isEmpty()); });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

QString ConfirmDialog::reason() const
{
    return m_reason->text().trimmed();
}

std::optional<QString> ConfirmDialog::ask(QWidget* parent, const QString& title, const QString& text,
    const QString& actionLabel, const QString& defaultReason)
{
    g_lastQuestion = text;
    if (g_hasNext) {
        g_hasNext = false;
        return std::exchange(g_next, std::nullopt);
    }
    ConfirmDialog dialog(title, text, actionLabel, parent);
    dialog.m_reason->setText(defaultReason);
    dialog.m_reason->selectAll();
    if (dialog.exec() != QDialog::Accepted || dialog.reason().isEmpty())
        return std::nullopt;
    return dialog.reason();
}

void ConfirmDialog::setNextAnswer(std::optional<QString> reason)
{
    g_hasNext = true;
    g_next = std::move(reason);
}

QString ConfirmDialog::lastQuestion()
{
    return g_lastQuestion;
}

} // namespace lapse
