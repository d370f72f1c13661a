// A dialog that asks for one line of text before an action: what is asked, the field, Cancel and the action.
#pragma once

#include <QDialog>

class QLineEdit;
class QPushButton;

namespace lapse
{

// The action button is the default and is enabled only while the trimmed text is not empty, so Enter in
// the field acts once the text is valid and does nothing before; Escape cancels.
class TextPromptDialog : public QDialog
{
    Q_OBJECT
public:
    QString text() const; // trimmed

protected:
    TextPromptDialog(const QString& title, const QString& question, const QString& fieldLabel,
        const QString& actionLabel, QWidget* parent);
    QLineEdit* field() const { return m_field; }

private:
    QLineEdit* m_field = nullptr;
    QPushButton* m_action = nullptr;
};

} // namespace lapse
