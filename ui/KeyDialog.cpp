// The API key prompt: a masked field, a connect button enabled once a key is typed.
#include "KeyDialog.h"

#include <QLineEdit>

namespace lapse
{

KeyDialog::KeyDialog(const QString& broker, QWidget* parent)
    : TextPromptDialog(tr("API key"),
        tr("Enter the API key for %1. It is kept for this session only and never saved.").arg(broker),
        tr("&Key:"), tr("&Connect"), parent)
{
    field()->setEchoMode(QLineEdit::Password);
    field()->setPlaceholderText(tr("lapse_…"));
}

QByteArray KeyDialog::key() const
{
    return text().toUtf8();
}

QByteArray KeyDialog::ask(const QString& broker, QWidget* parent)
{
    KeyDialog dialog(broker, parent);
    if (dialog.exec() != QDialog::Accepted)
        return {};
    return dialog.key();
}

} // namespace lapse
