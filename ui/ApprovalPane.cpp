// The approver's decision surface. Every outcome, good or bad, ends as a sentence in the pane.
#include "ApprovalPane.h"

#include "Format.h"
#include "backend/Backend.h"
#include "core/Clock.h"
#include "itemmodels/TimeFormat.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

namespace lapse
{

namespace
{
QLabel* valueLabel(QWidget* parent)
{
    auto* l = new QLabel(parent);
    l->setWordWrap(true);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    l->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    return l;
}

QStringList toList(const QJsonValue& v)
{
    QStringList out;
    for (const auto& x : v.toArray())
        out << x.toString();
    return out;
}
} // namespace

ApprovalPane::ApprovalPane(Backend* backend, QWidget* parent)
    : QWidget(parent)
    , m_backend(backend)
{
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);

    m_lastDecision = new QLabel(this);
    m_lastDecision->setObjectName(QStringLiteral("lastDecision"));
    m_lastDecision->setWordWrap(true);
    m_lastDecision->setStyleSheet(
        QStringLiteral("QLabel { color: #1b5e20; background: #e8f5e9; padding: 4px; }"));
    m_lastDecision->setVisible(false);
    outer->addWidget(m_lastDecision);

    m_empty = new QLabel(tr("Select a request in the queue to decide on it."), this);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    outer->addWidget(m_empty);

    auto* scroll = m_scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_body = new QWidget(scroll);
    scroll->setWidget(m_body);
    outer->addWidget(scroll, 1);

    auto* layout = new QVBoxLayout(m_body);
    m_title = new QLabel(m_body);
    m_title->setWordWrap(true);
    QFont f = m_title->font();
    f.setPointSizeF(f.pointSizeF() * 1.25);
    f.setBold(true);
    m_title->setFont(f);
    layout->addWidget(m_title);

    m_form = new QFormLayout;
    m_form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    m_form->setRowWrapPolicy(QFormLayout::WrapLongRows);
    m_requester = valueLabel(m_body);
    m_target = valueLabel(m_body);
    m_task = valueLabel(m_body);
    m_reason = valueLabel(m_body);
    m_ticket = valueLabel(m_body);
    m_timing = valueLabel(m_body);
    m_approvals = valueLabel(m_body);
    m_form->addRow(tr("Requester:"), m_requester);
    m_form->addRow(tr("Target:"), m_target);
    m_form->addRow(tr("Task:"), m_task);
    m_form->addRow(tr("Reason:"), m_reason);
    m_form->addRow(tr("Ticket:"), m_ticket);
    m_form->addRow(tr("Timing:"), m_timing);
    m_form->addRow(tr("Approvals:"), m_approvals);
    layout->addLayout(m_form);

    auto* contextBox = new QGroupBox(tr("Requester context"), m_body);
    auto* contextLayout = new QVBoxLayout(contextBox);
    m_context = valueLabel(contextBox);
    m_context->setObjectName(QStringLiteral("context"));
    contextLayout->addWidget(m_context);
    layout->addWidget(contextBox);

    auto* decisionBox = new QGroupBox(tr("Decision"), m_body);
    auto* decision = new QVBoxLayout(decisionBox);
    m_privilegeBox = new QWidget(decisionBox);
    m_privilegeLayout = new QVBoxLayout(m_privilegeBox);
    m_privilegeLayout->setContentsMargins(0, 0, 0, 0);
    decision->addWidget(new QLabel(tr("Privileges to grant (uncheck to narrow):"), decisionBox));
    decision->addWidget(m_privilegeBox);
    auto* widthRow = new QHBoxLayout;
    m_width = valueLabel(decisionBox);
    m_narrow = new QPushButton(tr("Narrow to &minimum"), decisionBox);
    m_narrow->setObjectName(QStringLiteral("narrowButton"));
    m_narrow->setToolTip(tr("Keep only the privileges the task declared it needs"));
    widthRow->addWidget(m_width, 1);
    widthRow->addWidget(m_narrow);
    decision->addLayout(widthRow);

    auto* decisionForm = new QFormLayout;
    decisionForm->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    auto* ttlRow = new QHBoxLayout;
    m_ttl = new QSpinBox(decisionBox);
    m_ttl->setObjectName(QStringLiteral("ttlMinutes"));
    m_ttl->setSuffix(tr(" min"));
    m_ttl->setMinimum(1);
    m_ttlNote = new QLabel(decisionBox);
    m_ttlNote->setWordWrap(true);
    ttlRow->addWidget(m_ttl);
    ttlRow->addWidget(m_ttlNote, 1);
    auto* ttlLabel = new QLabel(tr("&TTL:"), decisionBox);
    ttlLabel->setBuddy(m_ttl);
    decisionForm->addRow(ttlLabel, ttlRow);
    m_comment = new QLineEdit(decisionBox);
    m_comment->setObjectName(QStringLiteral("comment"));
    m_comment->setPlaceholderText(tr("Optional, recorded with the approval"));
    decisionForm->addRow(tr("&Comment:"), m_comment);
    m_denyReason = new QLineEdit(decisionBox);
    m_denyReason->setObjectName(QStringLiteral("denyReason"));
    m_denyReason->setPlaceholderText(tr("Required to deny; Enter denies"));
    decisionForm->addRow(tr("Deny &reason:"), m_denyReason);
    decision->addLayout(decisionForm);

    auto* buttons = new QHBoxLayout;
    m_approve = new QPushButton(tr("Approve (A / Enter)"), decisionBox);
    m_approve->setObjectName(QStringLiteral("approveButton"));
    m_approve->setToolTip(tr("Approve with the checked privileges and TTL. Keys: A or Enter"));
    m_deny = new QPushButton(tr("Deny (D)"), decisionBox);
    m_deny->setObjectName(QStringLiteral("denyButton"));
    m_deny->setToolTip(tr("Deny with the reason typed above. Key: D focuses the reason, Enter denies"));
    m_approve->setAutoDefault(false);
    m_deny->setAutoDefault(false);
    buttons->addWidget(m_approve);
    buttons->addWidget(m_deny);
    buttons->addStretch(1);
    decision->addLayout(buttons);

    m_message = new QLabel(decisionBox);
    m_message->setObjectName(QStringLiteral("message"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    decision->addWidget(m_message);
    layout->addWidget(decisionBox);

    auto* help = new QLabel(
        tr("Keys: Enter or A approve · D deny (type the reason, then Enter) · J / K next / previous request"),
        m_body);
    help->setObjectName(QStringLiteral("keyHelp"));
    help->setWordWrap(true);
    help->setEnabled(false);
    layout->addWidget(help);
    layout->addStretch(1);

    connect(m_approve, &QPushButton::clicked, this, &ApprovalPane::approve);
    connect(m_deny, &QPushButton::clicked, this, &ApprovalPane::deny);
    connect(m_denyReason, &QLineEdit::returnPressed, this, &ApprovalPane::deny);
    connect(m_comment, &QLineEdit::returnPressed, this, &ApprovalPane::approve);
    connect(m_narrow, &QPushButton::clicked, this, [this] {
        const QStringList minimum = toList(m_request["min_privileges"]);
        for (auto* box : m_privileges)
            box->setChecked(minimum.contains(box->property("privilege").toString()));
    });
    clear();
}

void ApprovalPane::setDirectory(const QJsonObject& directory)
{
    m_directory = directory;
    if (!m_request.isEmpty())
        showRequest(m_request);
}

QJsonObject ApprovalPane::principal(const QString& id) const
{
    for (const auto& v : m_directory["principals"].toArray())
        if (v.toObject()["id"].toString() == id)
            return v.toObject();
    return {};
}

QJsonObject ApprovalPane::target(const QString& id) const
{
    for (const auto& v : m_directory["targets"].toArray())
        if (v.toObject()["id"].toString() == id)
            return v.toObject();
    return {};
}

void ApprovalPane::clear()
{
    ++m_generation;
    m_request = {};
    m_id.clear();
    m_gone = false;
    m_scroll->setVisible(false);
    m_empty->setVisible(true);
}

void ApprovalPane::showRequest(const QJsonObject& request)
{
    const bool same = request["id"].toString() == m_id;
    // A refresh of the same request keeps answers in flight (its context, a decision) valid.
    if (!same)
        ++m_generation;
    m_request = request;
    m_id = request["id"].toString();
    m_empty->setVisible(false);
    m_scroll->setVisible(true);

    const QString requesterId = request["requester"].toString();
    const QJsonObject p = principal(requesterId);
    const QJsonObject t = target(request["target"].toString());
    m_title->setText(tr("%1 asks for %2").arg(requesterId, request["target"].toString()));

    QString who = p["display_name"].toString();
    who = who.isEmpty() ? requesterId : tr("%1 (%2)").arg(who, requesterId);
    QStringList facts {who, tr("kind: %1").arg(p["kind"].toString(tr("unknown")))};
    if (p.contains("owner"))
        facts << tr("owned by %1").arg(p["owner"].toString());
    if (p.contains("spiffe_id"))
        facts << p["spiffe_id"].toString();
    else if (p.contains("oidc_subject"))
        facts << p["oidc_subject"].toString();
    m_requester->setText(facts.join(QStringLiteral(" · ")));

    QStringList targetFacts {request["target"].toString()};
    if (!t["description"].toString().isEmpty())
        targetFacts << t["description"].toString();
    if (t.contains("max_ttl_seconds"))
        targetFacts << tr("TTL cap %1").arg(timefmt::duration(qint64(t["max_ttl_seconds"].toInt()) * 1000));
    m_target->setText(targetFacts.join(QStringLiteral(" · ")));

    m_task->setText(request["task"].toString().isEmpty() ? tr("(none given)") : request["task"].toString());
    QString reason = request["reason"].toString();
    if (request["break_glass"].toBool())
        reason = tr("BREAK-GLASS — %1").arg(reason);
    m_reason->setText(reason);
    m_ticket->setText(request["ticket"].toString().isEmpty() ? tr("(none)") : request["ticket"].toString());

    const qint64 now = Clock::now();
    const qint64 created = Clock::fromIso(request["created_at"].toString());
    const qint64 expires = Clock::fromIso(request["expires_at"].toString());
    const int ttl = request["ttl_seconds"].toInt();
    m_timing->setText(tr("requested %1 for %2 · waiting %3 · expires unreviewed in %4")
                          .arg(Format::dateTime(created), timefmt::duration(qint64(ttl) * 1000),
                              timefmt::duration(now - created), timefmt::duration(expires - now)));

    const QJsonArray approvals = request["approvals"].toArray();
    QStringList by;
    for (const auto& a : approvals)
        by << a.toObject()["approver"].toString();
    m_approvals->setText(by.isEmpty()
            ? tr("%1 required, none yet").arg(request["approvals_required"].toInt(1))
            : tr("%1 of %2 (%3)")
                  .arg(approvals.size())
                  .arg(request["approvals_required"].toInt(1))
                  .arg(by.join(QStringLiteral(", "))));
    // A directory rule that raised the quorum says so: approvers see why one approval is not enough.
    const QString rule = request["rule"].toObject()["id"].toString();
    if (!rule.isEmpty())
        m_approvals->setText(tr("%1 — as rule %2 requires").arg(m_approvals->text(), rule));

    if (!same) {
        buildPrivileges(request);
        const int cap = t.contains("max_ttl_seconds") ? qMin(ttl, t["max_ttl_seconds"].toInt()) : ttl;
        const int maxMinutes = qMax(1, (cap + 59) / 60);
        m_ttl->setMaximum(maxMinutes);
        m_ttl->setValue(maxMinutes);
        m_ttlNote->setText(tr("at most the requested %1").arg(timefmt::duration(qint64(ttl) * 1000)));
        m_comment->clear();
        m_denyReason->clear();
        m_message->clear();
        m_gone = false;
        m_context->setText(tr("Loading…"));
        loadContext();
    }
    updateButtons();
}

void ApprovalPane::buildPrivileges(const QJsonObject& request)
{
    qDeleteAll(m_privileges);
    m_privileges.clear();
    const QStringList requested = toList(request["privileges"]);
    const bool hasMinimum = request["min_privileges"].isArray();
    const QStringList minimum = toList(request["min_privileges"]);
    for (const QString& priv : requested) {
        auto* box = new QCheckBox(m_privilegeBox);
        box->setObjectName(QStringLiteral("privilege:") + priv);
        box->setProperty("privilege", priv);
        if (!hasMinimum)
            box->setText(priv);
        else if (minimum.contains(priv))
            box->setText(tr("%1 — needed for the task").arg(priv));
        else
            box->setText(tr("%1 — beyond the declared minimum").arg(priv));
        box->setChecked(true);
        connect(box, &QCheckBox::toggled, this, [this] {
            updateWidth();
            updateButtons();
        });
        m_privilegeLayout->addWidget(box);
        m_privileges << box;
    }
    m_narrow->setEnabled(hasMinimum);
    updateWidth();
}

void ApprovalPane::updateWidth()
{
    const QStringList checked = checkedPrivileges();
    if (!m_request["min_privileges"].isArray()) {
        m_width->setText(tr("Checked: %1; no minimum declared").arg(checked.size()));
        return;
    }
    const QStringList minimum = toList(m_request["min_privileges"]);
    int excess = 0;
    for (const auto& p : checked)
        if (!minimum.contains(p))
            ++excess;
    m_width->setText(excess == 0 ? tr("Checked: %1, none beyond the minimum").arg(checked.size())
                                 : tr("%1 checked, %2 beyond the minimum").arg(checked.size()).arg(excess));
}

QStringList ApprovalPane::checkedPrivileges() const
{
    QStringList out;
    for (auto* box : m_privileges)
        if (box->isChecked())
            out << box->property("privilege").toString();
    return out;
}

void ApprovalPane::loadContext()
{
    if (!m_backend || m_id.isEmpty())
        return;
    const quint64 gen = m_generation;
    const QString target = m_request["target"].toString();
    m_backend->requestContext(m_id, [this, gen, target, guard = QPointer<ApprovalPane>(this)](const auto& r) {
        if (!guard || gen != m_generation)
            return;
        if (!r) {
            m_context->setText(tr("Context unavailable: %1").arg(plainError(r.error())));
            return;
        }
        const QJsonObject c = r.value();
        QStringList lines;
        lines << tr("Elevations of %1 in the last 30 days: %2").arg(target).arg(c["elevations_30d"].toInt());
        if (c["last_grant"].isObject()) {
            const QJsonObject g = c["last_grant"].toObject();
            lines << (c["last_grant_used"].toBool()
                    ? tr("Last grant (%1) was used: a session was opened with it")
                          .arg(Format::isoToLocal(g["starts_at"].toString()))
                    : tr("Last grant (%1) was never used")
                          .arg(Format::isoToLocal(g["starts_at"].toString())));
        } else {
            lines << tr("No earlier grant on this target");
        }
        const QJsonArray active = c["active_grants"].toArray();
        if (active.isEmpty()) {
            lines << tr("Holds nothing right now");
        } else {
            QStringList held;
            for (const auto& v : active) {
                const QJsonObject g = v.toObject();
                held << tr("%1 [%2]").arg(
                    g["target"].toString(), toList(g["privileges"]).join(QStringLiteral(", ")));
            }
            lines << tr("Holds now: %1").arg(held.join(QStringLiteral("; ")));
        }
        if (c["locked_out"].toBool())
            lines << tr("LOCKED OUT — new requests are refused");
        m_context->setText(lines.join(QLatin1Char('\n')));
    });
}

QString ApprovalPane::plainError(const Error& e) const
{
    switch (e.code) {
    case ErrorCode::Forbidden:
        return tr("Not allowed — %1").arg(e.message);
    case ErrorCode::Conflict:
        return tr("No longer possible — %1").arg(e.message);
    case ErrorCode::Invalid:
    case ErrorCode::Malformed:
        return tr("Not accepted — %1").arg(e.message);
    case ErrorCode::NotFound:
        return tr("Not found — %1").arg(e.message);
    case ErrorCode::Unavailable:
        return tr("The broker cannot be reached; nothing was decided. %1").arg(e.message);
    case ErrorCode::Unauthenticated:
        return tr("The broker does not accept the console's key — %1").arg(e.message);
    default:
        return tr("The broker failed; nothing was changed — %1").arg(e.message);
    }
}

void ApprovalPane::showMessage(const QString& text, bool error)
{
    m_message->setText(text);
    m_message->setStyleSheet(
        error ? QStringLiteral("color: #b00020; font-weight: bold;") : QStringLiteral("color: #1b5e20;"));
}

QString ApprovalPane::message() const
{
    return m_message->text();
}

QString ApprovalPane::lastDecision() const
{
    return m_lastDecision->text();
}

void ApprovalPane::showDecision(const QString& text)
{
    m_lastDecision->setText(text);
    m_lastDecision->setVisible(true);
}

void ApprovalPane::setBusy(bool busy)
{
    m_busy = busy;
    updateButtons();
}

void ApprovalPane::updateButtons()
{
    const bool can = !m_id.isEmpty() && !m_stale && !m_busy && !m_gone;
    m_approve->setEnabled(can && !checkedPrivileges().isEmpty());
    m_deny->setEnabled(can);
}

void ApprovalPane::setStale(bool stale)
{
    m_stale = stale;
    updateButtons();
}

void ApprovalPane::markGone(const QString& why)
{
    m_gone = true;
    showMessage(why, false);
    updateButtons();
}

void ApprovalPane::focusReason()
{
    m_denyReason->setFocus(Qt::ShortcutFocusReason);
}

void ApprovalPane::approve()
{
    if (m_id.isEmpty() || m_busy)
        return;
    if (m_stale || !m_backend) {
        showMessage(tr("Not approved: the connection to the broker is down. Decisions are never queued; "
                       "try again when the status bar says live."),
            true);
        return;
    }
    if (m_gone)
        return;
    const QStringList checked = checkedPrivileges();
    if (checked.isEmpty()) {
        showMessage(tr("Check at least one privilege to approve, or deny the request."), true);
        return;
    }
    const QStringList requested = toList(m_request["privileges"]);
    std::optional<QStringList> privileges;
    if (checked.size() != requested.size())
        privileges = checked;
    std::optional<int> ttl;
    const int requestedTtl = m_request["ttl_seconds"].toInt();
    if (m_ttl->value() * 60 < requestedTtl)
        ttl = m_ttl->value() * 60; // shortened; otherwise the requested TTL, capped by the broker

    const QString id = m_id;
    const quint64 gen = m_generation;
    setBusy(true);
    showMessage(tr("Approving…"), false);
    m_backend->approve(id, privileges, ttl, m_comment->text().trimmed(),
        [this, id, gen, guard = QPointer<ApprovalPane>(this)](const auto& r) {
            if (!guard)
                return;
            setBusy(false);
            if (gen != m_generation)
                return;
            if (!r) {
                showMessage(plainError(r.error()), true);
                return;
            }
            const QJsonObject out = r.value();
            if (out["grant"].isObject()) {
                const QJsonObject g = out["grant"].toObject();
                const QString text = tr("Approved %1 → %2: %3 until %4")
                                         .arg(g["principal"].toString(), g["target"].toString(),
                                             toList(g["privileges"]).join(QStringLiteral(", ")),
                                             Format::isoToLocal(g["expires_at"].toString()));
                showMessage(text, false);
                showDecision(text);
            } else {
                const QString text
                    = tr("Your approval of %1 is recorded: %2 of %3 approvals; the request stays "
                         "pending until another approver agrees.")
                          .arg(id)
                          .arg(out["approvals"].toInt())
                          .arg(out["approvals_required"].toInt());
                showMessage(text, false);
                showDecision(text);
            }
            emit decided(id, true);
        });
}

void ApprovalPane::deny()
{
    if (m_id.isEmpty() || m_busy)
        return;
    if (m_stale || !m_backend) {
        showMessage(tr("Not denied: the connection to the broker is down. Decisions are never queued; "
                       "try again when the status bar says live."),
            true);
        return;
    }
    if (m_gone)
        return;
    const QString reason = m_denyReason->text().trimmed();
    if (reason.isEmpty()) {
        showMessage(tr("A reason is required to deny. Type it in the field below and press Enter."), true);
        focusReason();
        return;
    }
    const QString id = m_id;
    const quint64 gen = m_generation;
    setBusy(true);
    showMessage(tr("Denying…"), false);
    m_backend->deny(id, reason, [this, id, gen, reason, guard = QPointer<ApprovalPane>(this)](const auto& r) {
        if (!guard)
            return;
        setBusy(false);
        if (gen != m_generation)
            return;
        if (!r) {
            showMessage(plainError(r.error()), true);
            return;
        }
        const QString text
            = tr("Denied %1 → %2: %3")
                  .arg(r->value("requester").toString(), r->value("target").toString(), reason);
        showMessage(text, false);
        showDecision(text);
        emit decided(id, false);
    });
}

} // namespace lapse
