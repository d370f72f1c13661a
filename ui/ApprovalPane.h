// The detail pane of the queue: everything a request records, the requester's context, and the decision.
#pragma once

#include <QJsonObject>
#include <QPointer>
#include <QWidget>

class QCheckBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QScrollArea;
class QSpinBox;
class QVBoxLayout;

namespace lapse
{

class Backend;
struct Error;

class ApprovalPane : public QWidget
{
    Q_OBJECT
public:
    explicit ApprovalPane(Backend* backend, QWidget* parent = nullptr);

    void setDirectory(const QJsonObject& directory);
    void showRequest(const QJsonObject& request);
    void clear();
    QString currentId() const { return m_id; }
    // Stale: the backend is away; every decision is refused with a message instead of being queued.
    void setStale(bool stale);
    // The request was decided elsewhere (another approver, policy, expiry) while it was shown.
    void markGone(const QString& why);
    QString message() const;
    // The outcome of this console's last decision; stays visible while the pane moves on to the next request.
    QString lastDecision() const;
    QStringList checkedPrivileges() const;

public slots:
    void approve();
    // Denies when a reason is typed; otherwise focuses the reason field and says a reason is needed.
    void deny();
    void focusReason();

signals:
    // The backend acknowledged a decision (approve may be partial: quorum not reached yet).
    void decided(const QString& requestId, bool approved);

private:
    void buildPrivileges(const QJsonObject& request);
    void loadContext();
    void setBusy(bool busy);
    void showMessage(const QString& text, bool error);
    void showDecision(const QString& text);
    void updateWidth();
    void updateButtons();
    QString plainError(const Error& e) const;
    QJsonObject principal(const QString& id) const;
    QJsonObject target(const QString& id) const;

    QPointer<Backend> m_backend;
    QJsonObject m_directory;
    QJsonObject m_request;
    QString m_id;
    bool m_stale = false;
    bool m_busy = false;
    bool m_gone = false;
    quint64 m_generation = 0;

    QLabel* m_title = nullptr;
    QFormLayout* m_form = nullptr;
    QLabel* m_requester = nullptr;
    QLabel* m_target = nullptr;
    QLabel* m_task = nullptr;
    QLabel* m_reason = nullptr;
    QLabel* m_ticket = nullptr;
    QLabel* m_timing = nullptr;
    QLabel* m_approvals = nullptr;
    QLabel* m_context = nullptr;
    QWidget* m_privilegeBox = nullptr;
    QVBoxLayout* m_privilegeLayout = nullptr;
    QList<QCheckBox*> m_privileges;
    QLabel* m_width = nullptr;
    QPushButton* m_narrow = nullptr;
    QSpinBox* m_ttl = nullptr;
    QLabel* m_ttlNote = nullptr;
    QLineEdit* m_comment = nullptr;
    QLineEdit* m_denyReason = nullptr;
    QPushButton* m_approve = nullptr;
    QPushButton* m_deny = nullptr;
    QLabel* m_message = nullptr;
    QLabel* m_lastDecision = nullptr;
    QScrollArea* m_scroll = nullptr;
    QWidget* m_body = nullptr;
    QLabel* m_empty = nullptr;
};

} // namespace lapse
