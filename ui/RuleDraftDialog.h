// "Draft rule…" for a redesign candidate: the proposed approve rule as JSON to copy into the directory, the
// lapsectl line that checks it, and what it would have approved over the period.
#pragma once

#include "insights/RuleDraft.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace lapse
{

class RuleDraftDialog : public QDialog
{
    Q_OBJECT
public:
    // directoryFile: the directory file the command names (a placeholder when the console has none).
    RuleDraftDialog(const QString& identity, const QString& target, const QString& directoryFile,
        QWidget* parent = nullptr);

    // The draft, or why there is none; until then the dialog says it is reading the grants.
    void showDraft(const Result<RuleDraft>& draft);

    QString ruleText() const;
    QString command() const;
    QString note() const;
    QPushButton* copyRuleButton() const { return m_copyRule; }
    QPushButton* copyCommandButton() const { return m_copyCommand; }

    // The note on a replay, as the dialog words it.
    static QString describe(const RuleReplay& replay);

signals:
    void ready();

private:
    void copyRule();

    QString m_directoryFile;
    QLabel* m_status;
    QPlainTextEdit* m_json;
    QLineEdit* m_command;
    QLabel* m_note;
    QPushButton* m_copyRule;
    QPushButton* m_copyCommand;
};

} // namespace lapse
