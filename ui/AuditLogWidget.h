// The Audit log tab: the hash-chained event log, searchable, paged and sorted in SQLite.
#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
class QTimer;

namespace lapse
{

class AuditLogModel;
class Backend;

class AuditLogWidget : public QWidget
{
    Q_OBJECT
public:
    AuditLogWidget(Backend* backend, AuditLogModel* model, QWidget* parent = nullptr);
    QTableView* table() const { return m_table; }
    QString chainText() const;
    QString checkpointText() const;

public slots:
    void verify();
    // The mirror verified the broker's signed checkpoint at size (remote mode).
    void showCheckpointVerified(qint64 size, qint64 atMs);
    // The broker's checkpoints contradict the mirror: shown in red, as a broken chain is.
    void showLogInconsistent(const QString& reason);

private:
    void updateCount();

    AuditLogModel* m_model;
    QTableView* m_table;
    QLineEdit* m_search;
    QLabel* m_count;
    QLabel* m_chain;
    QLabel* m_checkpoint;
    QPushButton* m_verify;
    QTimer* m_searchTimer;
    QTimer* m_refreshTimer;
};

} // namespace lapse
