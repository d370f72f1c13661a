// The scope of an evidence pack, as a person picks it: period, targets, identity kinds, sample and folder.
#pragma once

#include "evidence/EvidenceData.h"

#include <QDialog>
#include <QMap>

class QCheckBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace lapse
{

class EvidenceExportDialog : public QDialog
{
    Q_OBJECT
public:
    // targets: the directory's target ids, offered as a checkable list.
    explicit EvidenceExportDialog(const QStringList& targets, QWidget* parent = nullptr);

    // Starts from this scope: its period (UTC days; toMs exclusive), targets, kinds, sample size and seed.
    void setScope(const EvidenceScope& scope);
    // The scope as chosen: fromMs the start of the first day, toMs the start of the day after the last.
    EvidenceScope scope() const;
    QString folder() const;
    void setFolder(const QString& folder);
    // The zip to write: the folder and the scope's file name.
    QString outFile() const;
    // Why Export is disabled, or empty when it is enabled.
    QString problem() const;

    QPushButton* exportButton() const { return m_export; }

signals:
    void scopeChanged();

private:
    void update();
    void browse();

    QDateEdit* m_from;
    QDateEdit* m_to;
    QListWidget* m_targets;
    QMap<QString, QCheckBox*> m_kinds;
    QSpinBox* m_sample;
    QLineEdit* m_seed;
    QLineEdit* m_folder;
    QLabel* m_fileName;
    QLabel* m_problem;
    QPushButton* m_export;
    QString m_problemText;
};

} // namespace lapse
