// The access review of repeated elevations: each redesign candidate with who decides, a rule that already
// covers it and its latest decision; the owner records keep-jit, convert-to-rule or standing-entitlement with
// a comment (a review.decided event).
#pragma once

#include "TextPromptDialog.h"

#include <QJsonArray>
#include <QPointer>
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace lapse
{

class Backend;

// The comment for one decision; the action button names the outcome.
class ReviewDialog : public TextPromptDialog
{
    Q_OBJECT
public:
    ReviewDialog(const QString& candidate, const QString& outcome, QWidget* parent);
    static QString outcomeLabel(const QString& outcome);
};

class ReviewsWidget : public QWidget
{
    Q_OBJECT
public:
    explicit ReviewsWidget(Backend* backend, QWidget* parent = nullptr);

    void refresh();
    QTableWidget* table() const { return m_table; }
    QPushButton* decideButton(const QString& outcome) const;
    ReviewDialog* dialog() const { return m_dialog; } // the open decision's dialog, if any
    QJsonArray candidates() const { return m_candidates; }
    QString status() const;

signals:
    void loaded();
    void decided(qint64 seq);
    void failed(const QString& message);

private:
    void showCandidates(const QJsonArray& candidates);
    void decide(const QString& outcome);
    void updateButtons();

    Backend* m_backend;
    QComboBox* m_period;
    QLabel* m_status;
    QTableWidget* m_table;
    QList<QPushButton*> m_buttons;
    QJsonArray m_candidates;
    QPointer<ReviewDialog> m_dialog;
    quint64 m_generation = 0;
};

} // namespace lapse
