// The confirmation dialog; a reason is required because every incident action is logged with one.
#include "ConfirmDialog.h"

#include <QLineEdit>

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
    : TextPromptDialog(title, text, tr("&Reason:"), actionLabel, parent)
{
    field()->setObjectName(QStringLiteral("reason"));
    field()->setPlaceholderText(tr("Why? (recorded in the audit log)"));
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
    dialog.field()->setText(defaultReason);
    dialog.field()->selectAll();
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
