// The Queue tab: pending requests with filters, and the approval pane for the selected one.
#pragma once

#include <QJsonObject>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QModelIndex;
class QSplitter;
class QTableView;

namespace lapse
{

class ApprovalPane;
class Backend;
class QueueFilterProxy;
class RequestQueueModel;

class QueueWidget : public QWidget
{
    Q_OBJECT
public:
    QueueWidget(Backend* backend, RequestQueueModel* model, QWidget* parent = nullptr);

    void setDirectory(const QJsonObject& directory);
    void setStale(bool stale);
    QTableView* table() const { return m_table; }
    ApprovalPane* pane() const { return m_pane; }
    QueueFilterProxy* proxy() const { return m_proxy; }
    QSplitter* splitter() const { return m_splitter; }
    QString currentId() const;
    // Makes this request the current one, clearing the filters when they hide it; false when it is not
    // pending.
    bool select(const QString& id);

public slots:
    void next();
    void previous();

private:
    void onCurrentChanged(const QModelIndex& current);
    void onDecided(const QString& id);
    void refreshPaneFromModel();
    void updateCount();
    void moveBy(int delta);

    Backend* m_backend;
    RequestQueueModel* m_model;
    QueueFilterProxy* m_proxy;
    QTableView* m_table;
    ApprovalPane* m_pane;
    QSplitter* m_splitter;
    QComboBox* m_targetFilter;
    QComboBox* m_kindFilter;
    QLineEdit* m_search;
    QLabel* m_count;
    QString m_decidedHere; // the last id this console decided: its removal is not "decided elsewhere"
};

} // namespace lapse
