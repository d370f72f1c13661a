// The API key prompt: a masked field, a connect button enabled once a key is typed.
#include "KeyDialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace lapse
{

KeyDialog::KeyDialog(const QString& broker, QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(tr("API key"));
    auto* layout = new QVBoxLayout(this);
    auto* label = new QLabel(
        tr("Enter the API key for %1. It is kept for this session only and never saved.").arg(broker), this);
    label->setWordWrap(true);
    label->setMinimumWidth(420);
    layout->addWidget(label);
    auto* form = new QFormLayout;
    m_key = new QLineEdit(this);
    m_key->setEchoMode(QLineEdit::Password);
    m_key->setPlaceholderText(tr("lapse_…"));
    form->addRow(tr("&Key:"), m_key);
    layout->addLayout(form);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_ok = buttons->addButton(tr("&Connect"), QDialogButtonBox::AcceptRole);
    m_ok->setEnabled(false);
    m_ok->setDefault(true);
    layout->addWidget(buttons);
    connect(m_key, &QLineEdit::textChanged, this,
        [this](const QString& t) { m_ok->setEnabled(!t.trimmed().isEmpty()); });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

QByteArray KeyDialog::key() const
{
    return m_key->text().trimmed().toUtf8();
}

QByteArray KeyDialog::ask(const QString& broker, QWidget* parent)
{
    KeyDialog dialog(broker, parent);
    if (dialog.exec() != QDialog::Accepted)
        return {};
    return dialog.key();
}

} // namespace lapse
