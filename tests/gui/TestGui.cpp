// The console as a person uses it: keys and clicks on the real widgets, results read from the engine.
#include "TestGui.h"

#include "ActiveWidget.h"
#include "ApprovalPane.h"
#include "AuditLogWidget.h"
#include "ConfirmDialog.h"
#include "EngineFixture.h"
#include "KeyDialog.h"
#include "KindIcons.h"
#include "MainWindow.h"
#include "QueueWidget.h"
#include "SwitchableBackend.h"
#include "console/EffectTracker.h"
#include "itemmodels/GrantsModel.h"
#include "itemmodels/QueueFilterProxy.h"
#include "itemmodels/RequestQueueModel.h"
#include "itemmodels/SessionsModel.h"

#include <QApplication>
#include <QCheckBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTimer>
#include <functional>
#include <memory>

using namespace lapse;
using namespace lapse::test;

namespace
{
unsigned R(Role r)
{
    return unsigned(r);
}

// ops is the console's identity: approver, responder and auditor, and also a requester, so it can try to
// approve its own request. agent-7 belongs to ops.
Directory guiDirectory()
{
    Directory d;
    auto human = [&d](const QString& id, unsigned roles) {
        Principal p;
        p.id = id;
        p.kind = PrincipalKind::Human;
        p.roles = roles;
        d.addPrincipal(p);
    };
    human(QStringLiteral("ops"),
        R(Role::Approver) | R(Role::Responder) | R(Role::Auditor) | R(Role::Requester));
    human(QStringLiteral("alice"), R(Role::Requester));
    human(QStringLiteral("bob"), R(Role::Approver));
    Principal agent;
    agent.id = QStringLiteral("agent-7");
    agent.kind = PrincipalKind::Agent;
    agent.owner = QStringLiteral("ops");
    agent.roles = R(Role::Requester);
    d.addPrincipal(agent);
    Principal gw;
    gw.id = QStringLiteral("api-gw");
    gw.kind = PrincipalKind::Service;
    gw.owner = QStringLiteral("bob");
    gw.roles = R(Role::ResourceServer);
    d.addPrincipal(gw);

    Target billing;
    billing.id = QStringLiteral("billing-db");
    billing.kind = QStringLiteral("database");
    billing.owner = QStringLiteral("bob");
    billing.privileges = QStringList {"read", "write", "ddl"};
    billing.maxTtlSeconds = 3600;
    d.addTarget(billing);
    // Break-glass needs a target that allows it.
    Target vault;
    vault.id = QStringLiteral("vault");
    vault.kind = QStringLiteral("secrets");
    vault.owner = QStringLiteral("bob");
    vault.privileges = QStringList {"read"};
    vault.maxTtlSeconds = 3600;
    vault.breakGlassAllowed = true;
    d.addTarget(vault);
    return d;
}

ApprovalPane* pane(MainWindow* w)
{
    return w->queue()->pane();
}

// Runs answer on the confirmation dialog the next action opens, once it is shown; the action's modal loop
// keeps running events meanwhile. Fails the test (through the returned flag) when no dialog came up.
std::shared_ptr<bool> whenConfirmationShows(const std::function<void(ConfirmDialog*)>& answer)
{
    auto done = std::make_shared<bool>(false);
    auto* poll = new QTimer;
    poll->setInterval(10);
    QObject::connect(poll, &QTimer::timeout, poll, [poll, answer, done] {
        auto* dialog = qobject_cast<ConfirmDialog*>(QApplication::activeModalWidget());
        if (!dialog || !dialog->isVisible())
            return;
        poll->stop();
        poll->deleteLater();
        *done = true;
        answer(dialog);
    });
    poll->start();
    QTimer::singleShot(5000, poll, [poll] { poll->deleteLater(); });
    return done;
}
} // namespace

void TestGui::init()
{
    m_fx = std::make_unique<EngineFixture>(guiDirectory());
    QVERIFY2(m_fx->ok(), qPrintable(m_fx->openError()));
    m_backend = std::make_unique<SwitchableBackend>(m_fx->engine(), QStringLiteral("ops"));
    m_window = std::make_unique<MainWindow>(m_backend.get(), m_fx->dbPath(), nullptr);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QSignalSpy loaded(m_window->queueModel(), &RequestQueueModel::loaded);
    m_window->start();
    QVERIFY(loaded.wait());
    QTRY_COMPARE(m_window->connectionText().contains(QStringLiteral("Live")), true);
}

void TestGui::cleanup()
{
    m_window.reset();
    m_backend.reset();
    m_fx.reset();
}

QString TestGui::submit(
    const QString& requester, const QStringList& privileges, const QStringList& minimum, int ttlSeconds)
{
    RequestInput in;
    in.target = QStringLiteral("billing-db");
    in.privileges = privileges;
    if (!minimum.isEmpty())
        in.minPrivileges = minimum;
    in.task = QStringLiteral("fix invoice numbering");
    in.reason = QStringLiteral("INC-42 duplicate invoice numbers");
    in.ttlSeconds = ttlSeconds;
    auto d = m_fx->submit(requester, in);
    if (!d)
        qWarning("submit failed: %s", qPrintable(d.error().message));
    return d ? d->request.id : QString();
}

bool TestGui::selectInQueue(const QString& id)
{
    auto* table = m_window->queue()->table();
    table->setFocus();
    for (int i = 0; i < 50; ++i) {
        if (m_window->queue()->currentId() == id && pane(m_window.get())->currentId() == id)
            return true;
        QTest::keyClick(table, Qt::Key_J);
    }
    return false;
}

// What the mirror reports about the broker's signed checkpoints is shown under the chain state: verified in
// plain text, an inconsistency in red; nothing at all without a mirror.
void TestGui::auditShowsCheckpointState()
{
    AuditLogWidget* audit = m_window->audit();
    QVERIFY(audit);
    auto* label = audit->findChild<QLabel*>(QStringLiteral("checkpointState"));
    QVERIFY(label);
    QVERIFY(label->isHidden());
    audit->showCheckpointVerified(41200, QDateTime(QDate(2026, 12, 3), QTime(12, 3, 55)).toMSecsSinceEpoch());
    QVERIFY(!label->isHidden());
    QVERIFY2(
        audit->checkpointText().contains(QStringLiteral("12:03:55")), qPrintable(audit->checkpointText()));
    QVERIFY(audit->checkpointText().contains(QLocale().toString(41200)));
    QVERIFY(!label->styleSheet().contains(QLatin1String("color")));
    audit->showLogInconsistent(QStringLiteral("log inconsistent: two checkpoints at size 8 and 8"));
    QVERIFY(audit->checkpointText().contains(QStringLiteral("size 8 and 8")));
    QVERIFY(label->styleSheet().contains(QLatin1String("#a81b1b")));
}

void TestGui::approveWithKeyboardAlone()
{
    const QString first = submit(QStringLiteral("alice"), {"read"});
    const QString second = submit(QStringLiteral("alice"), {"read", "write"});
    QTRY_COMPARE(m_window->queue()->proxy()->rowCount(), 2);

    // J selects, K moves back; Enter approves; A approves.
    auto* table = m_window->queue()->table();
    table->setFocus();
    QTest::keyClick(table, Qt::Key_J);
    const QString selected = m_window->queue()->currentId();
    QVERIFY(!selected.isEmpty());
    QTest::keyClick(table, Qt::Key_K);
    QVERIFY(m_window->queue()->currentId() != selected);
    QTest::keyClick(table, Qt::Key_J);
    QCOMPARE(m_window->queue()->currentId(), selected);
    QTRY_COMPARE(pane(m_window.get())->currentId(), selected);

    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
    QTRY_COMPARE(int(m_fx->engine().store().request(selected)->status), int(RequestStatus::Approved));
    QTRY_VERIFY2(
        pane(m_window.get())->lastDecision().startsWith(QStringLiteral("Approved alice → billing-db")),
        qPrintable(pane(m_window.get())->lastDecision()));
    // The decided request leaves the queue; the selection moved on to the other one.
    QTRY_COMPARE(m_window->queue()->proxy()->rowCount(), 1);
    const QString other = selected == first ? second : first;
    QTRY_COMPARE(m_window->queue()->currentId(), other);
    QTRY_COMPARE(pane(m_window.get())->currentId(), other);

    QTest::keyClick(QApplication::focusWidget(), Qt::Key_A);
    QTRY_COMPARE(int(m_fx->engine().store().request(other)->status), int(RequestStatus::Approved));
    QTRY_COMPARE(m_window->queue()->proxy()->rowCount(), 0);
}

void TestGui::narrowPrivileges()
{
    const QString id = submit(QStringLiteral("alice"), {"read", "write", "ddl"}, {"read"});
    QTRY_COMPARE(m_window->queue()->proxy()->rowCount(), 1);
    QVERIFY(selectInQueue(id));

    auto* ddl = pane(m_window.get())->findChild<QCheckBox*>(QStringLiteral("privilege:ddl"));
    QVERIFY(ddl);
    QVERIFY(ddl->isChecked());
    QVERIFY(ddl->text().contains(QStringLiteral("beyond")));
    QTest::mouseClick(ddl, Qt::LeftButton, {}, QPoint(8, ddl->height() / 2));
    QVERIFY(!ddl->isChecked());
    QCOMPARE(pane(m_window.get())->checkedPrivileges(), (QStringList {"read", "write"}));

    auto* approve = pane(m_window.get())->findChild<QPushButton*>(QStringLiteral("approveButton"));
    QTest::mouseClick(approve, Qt::LeftButton);
    QTRY_COMPARE(int(m_fx->engine().store().request(id)->status), int(RequestStatus::Approved));
    const auto grant = m_fx->engine().store().grant(m_fx->engine().store().request(id)->grantId);
    QVERIFY(grant);
    QCOMPARE(grant->privileges, (QStringList {"read", "write"}));
    QCOMPARE(grant->requestedPrivileges, (QStringList {"read", "write", "ddl"}));
}

void TestGui::denyWithoutReasonRefused()
{
    const QString id = submit(QStringLiteral("alice"), {"read"});
    QTRY_COMPARE(m_window->queue()->proxy()->rowCount(), 1);
    QVERIFY(selectInQueue(id));

    QTest::keyClick(m_window->queue()->table(), Qt::Key_D);
    QVERIFY2(pane(m_window.get())->message().contains(QStringLiteral("reason is required")),
        qPrintable(pane(m_window.get())->message()));
    auto* reason = pane(m_window.get())->findChild<QLineEdit*>(QStringLiteral("denyReason"));
    QTRY_COMPARE(QApplication::focusWidget(), reason);
    QCOMPARE(int(m_fx->engine().store().request(id)->status), int(RequestStatus::Pending));
    // Enter on an empty reason is refused too (it must not approve either).
    QTest::keyClick(reason, Qt::Key_Return);
    QCOMPARE(int(m_fx->engine().store().request(id)->status), int(RequestStatus::Pending));
    QVERIFY(pane(m_window.get())->message().contains(QStringLiteral("reason is required")));

    // Typing letters in the reason field types them (no shortcut fires), Enter denies.
    QTest::keyClicks(reason, QStringLiteral("ask the DBA on duty"));
    QCOMPARE(reason->text(), QStringLiteral("ask the DBA on duty"));
    QCOMPARE(int(m_fx->engine().store().request(id)->status), int(RequestStatus::Pending));
    QTest::keyClick(reason, Qt::Key_Return);
    QTRY_COMPARE(int(m_fx->engine().store().request(id)->status), int(RequestStatus::Denied));
    QCOMPARE(m_fx->engine().store().request(id)->denyReason, QStringLiteral("ask the DBA on duty"));
    QTRY_VERIFY2(pane(m_window.get())->lastDecision().startsWith(QStringLiteral("Denied alice")),
        qPrintable(pane(m_window.get())->lastDecision()));
}

void TestGui::selfApprovalRefused()
{
    // The console's own identity asks; then an agent it owns asks. Neither may be approved from here.
    const QString own = submit(QStringLiteral("ops"), {"read"});
    const QString agents = submit(QStringLiteral("agent-7"), {"read"});
    QTRY_COMPARE(m_window->queue()->proxy()->rowCount(), 2);
    const auto eventsBefore = m_fx->engine().store().lastSeq();

    for (const QString& id : {own, agents}) {
        QVERIFY(selectInQueue(id));
        QTest::keyClick(m_window->queue()->table(), Qt::Key_A);
        QTRY_VERIFY2(pane(m_window.get())->message().contains(QStringLiteral("separation of duties")),
            qPrintable(pane(m_window.get())->message()));
        QVERIFY(pane(m_window.get())->message().contains(QStringLiteral("Not allowed")));
        QCOMPARE(int(m_fx->engine().store().request(id)->status), int(RequestStatus::Pending));
    }
    QCOMPARE(m_fx->engine().store().lastSeq(), eventsBefore);
    QCOMPARE(m_window->queue()->proxy()->rowCount(), 2);
}

void TestGui::requestDecidedElsewhere()
{
    const QString id = submit(QStringLiteral("alice"), {"read"});
    QTRY_COMPARE(m_window->queue()->proxy()->rowCount(), 1);
    QVERIFY(selectInQueue(id));
    QVERIFY(m_fx->approve(QStringLiteral("bob"), id).ok());
    QTRY_VERIFY2(pane(m_window.get())->message().contains(QStringLiteral("decided elsewhere")),
        qPrintable(pane(m_window.get())->message()));
    auto* approve = pane(m_window.get())->findChild<QPushButton*>(QStringLiteral("approveButton"));
    QVERIFY(!approve->isEnabled());
    QCOMPARE(m_window->queue()->proxy()->rowCount(), 0);
}

void TestGui::paneFollowsTheSelectionWhileTheQueueMoves()
{
    // What is highlighted, what is current and what the pane shows (and would approve) stay one request
    // while others are decided elsewhere, new ones arrive and the waiting-time sort moves rows.
    QStringList ids;
    for (int i = 0; i < 4; ++i) {
        ids << submit(i % 2 ? QStringLiteral("alice") : QStringLiteral("agent-7"), {"read"});
        m_fx->clock().advance(1000);
    }
    QTRY_COMPARE(m_window->queue()->proxy()->rowCount(), 4);
    QVERIFY(selectInQueue(ids.at(2)));
    auto agree = [this] {
        auto* table = m_window->queue()->table();
        const QModelIndexList selected = table->selectionModel()->selectedRows();
        const QString highlighted
            = selected.size() == 1 ? selected.first().data(RequestQueueModel::IdRole).toString() : QString();
        if (highlighted == m_window->queue()->currentId() && highlighted == pane(m_window.get())->currentId())
            return true;
        qWarning() << "highlighted" << highlighted << "current" << m_window->queue()->currentId() << "pane"
                   << pane(m_window.get())->currentId() << "selected rows" << selected.size() << "row"
                   << table->currentIndex().row();
        return false;
    };
    QVERIFY(agree());
    QVERIFY(m_fx->approve(QStringLiteral("bob"), ids.at(3)).ok()); // the newest leaves, decided elsewhere
    QTRY_COMPARE(m_window->queue()->proxy()->rowCount(), 3);
    QVERIFY(agree());
    for (int i = 0; i < 3; ++i) {
        m_fx->clock().advance(1000);
        submit(QStringLiteral("alice"), {"read", "write"});
    }
    QTRY_COMPARE(m_window->queue()->proxy()->rowCount(), 6);
    QVERIFY(agree());
    QCOMPARE(pane(m_window.get())->currentId(), ids.at(2));
    QVERIFY(m_fx->approve(QStringLiteral("bob"), ids.at(0)).ok());
    QTRY_COMPARE(m_window->queue()->proxy()->rowCount(), 5);
    QVERIFY(agree());
    QCOMPARE(pane(m_window.get())->currentId(), ids.at(2));
}

void TestGui::revoke()
{
    const QString id = submit(QStringLiteral("alice"), {"read"});
    auto d = m_fx->approve(QStringLiteral("bob"), id);
    QVERIFY(d && d->grant);
    const QByteArray token = m_fx->token(*d->grant);
    auto session = m_fx->engine().openSession(m_fx->who(QStringLiteral("api-gw")), token, {"read"});
    QVERIFY(session);
    QVERIFY(m_fx->isActive(QStringLiteral("api-gw"), token));

    m_window->showTab(QStringLiteral("active"));
    auto* active = m_window->active();
    QTRY_VERIFY(active->selectGrant(d->grant->id));
    QTRY_COMPARE(active->sessionsTable()->model()->rowCount(), 1);

    ConfirmDialog::setNextAnswer(QStringLiteral("suspicious activity"));
    QTest::mouseClick(active->findChild<QPushButton*>(QStringLiteral("revokeButton")), Qt::LeftButton);
    QVERIFY(ConfirmDialog::lastQuestion().contains(d->grant->id));
    QTRY_VERIFY2(active->effectText().contains(QStringLiteral("0 of 1 sessions confirmed closed")),
        qPrintable(active->effectText()));
    QVERIFY(active->effectText().startsWith(QStringLiteral("Revoked at")));
    QVERIFY(active->effectText().contains(QStringLiteral("introspection refusing")));
    QVERIFY(!active->tracker()->complete());
    QVERIFY(!m_fx->isActive(QStringLiteral("api-gw"), token));
    QCOMPARE(m_fx->engine().store().grant(d->grant->id)->endReason, QStringLiteral("suspicious activity"));

    // The session is lingering until the resource server confirms it closed.
    QTRY_COMPARE(m_window->sessionsModel()->index(0, 0).data(SessionsModel::LingeringRole).toBool(), true);
    QVERIFY(m_fx->engine().endSession(m_fx->who(QStringLiteral("api-gw")), session->id, {}).ok());
    QTRY_VERIFY2(active->effectText().contains(QStringLiteral("1 of 1 sessions confirmed closed")),
        qPrintable(active->effectText()));
    QVERIFY(active->tracker()->complete());
}

void TestGui::terminateSession()
{
    const QString id = submit(QStringLiteral("alice"), {"read"});
    auto d = m_fx->approve(QStringLiteral("bob"), id);
    QVERIFY(d && d->grant);
    auto session
        = m_fx->engine().openSession(m_fx->who(QStringLiteral("api-gw")), m_fx->token(*d->grant), {});
    QVERIFY(session);
    m_window->showTab(QStringLiteral("active"));
    auto* active = m_window->active();
    QTRY_VERIFY(active->selectSession(session->id));
    ConfirmDialog::setNextAnswer(QStringLiteral("stray shell"));
    QTest::mouseClick(active->findChild<QPushButton*>(QStringLiteral("terminateButton")), Qt::LeftButton);
    QTRY_VERIFY2(active->effectText().contains(QStringLiteral("waiting for the resource server")),
        qPrintable(active->effectText()));
    QVERIFY(m_fx->engine().endSession(m_fx->who(QStringLiteral("api-gw")), session->id, {}).ok());
    QTRY_VERIFY2(active->effectText().startsWith(QStringLiteral("Session closed at")),
        qPrintable(active->effectText()));
}

void TestGui::lockout()
{
    const QString held = submit(QStringLiteral("alice"), {"read"});
    auto d = m_fx->approve(QStringLiteral("bob"), held);
    QVERIFY(d && d->grant);
    const QByteArray token = m_fx->token(*d->grant);
    const QString pending = submit(QStringLiteral("alice"), {"write"});
    m_window->showTab(QStringLiteral("active"));
    auto* active = m_window->active();
    QTRY_VERIFY(active->selectGrant(d->grant->id));

    // Cancelling the one confirmation changes nothing.
    const qint64 before = m_fx->engine().store().lastSeq();
    ConfirmDialog::setNextAnswer(std::nullopt);
    QTest::mouseClick(active->findChild<QPushButton*>(QStringLiteral("lockoutButton")), Qt::LeftButton);
    QCOMPARE(m_fx->engine().store().lastSeq(), before);
    QVERIFY(!m_fx->engine().isLockedOut(QStringLiteral("alice")));

    ConfirmDialog::setNextAnswer(QStringLiteral("credentials leaked"));
    QTest::mouseClick(active->findChild<QPushButton*>(QStringLiteral("lockoutButton")), Qt::LeftButton);
    QVERIFY(ConfirmDialog::lastQuestion().contains(QStringLiteral("alice")));
    QTRY_VERIFY2(active->effectText().contains(QStringLiteral("new requests refused")),
        qPrintable(active->effectText()));
    QVERIFY(active->effectText().contains(QStringLiteral("alice locked out at")));
    QVERIFY(active->effectText().contains(QStringLiteral("introspection refusing")));
    QVERIFY(active->tracker()->complete());
    QVERIFY(m_fx->engine().isLockedOut(QStringLiteral("alice")));
    QVERIFY(!m_fx->isActive(QStringLiteral("api-gw"), token));
    QCOMPARE(int(m_fx->engine().store().request(pending)->status), int(RequestStatus::Denied));
    QTRY_COMPARE(m_window->grantsModel()->rowCount(), 0);
    QTRY_COMPARE(m_window->queue()->proxy()->rowCount(), 0);
}

void TestGui::backendAwayAndBack()
{
    const QString first = submit(QStringLiteral("alice"), {"read"});
    QTRY_COMPARE(m_window->queue()->proxy()->rowCount(), 1);
    QVERIFY(selectInQueue(first));
    auto* approve = pane(m_window.get())->findChild<QPushButton*>(QStringLiteral("approveButton"));
    QVERIFY(approve->isEnabled());

    m_backend->setOnline(false);
    QTRY_VERIFY(m_window->isStale());
    QVERIFY(m_window->connectionText().contains(QStringLiteral("Reconnecting")));
    QVERIFY2(
        m_window->bannerText().contains(QStringLiteral("out of date")), qPrintable(m_window->bannerText()));
    QVERIFY(!approve->isEnabled());
    QVERIFY(!m_window->active()->findChild<QPushButton*>(QStringLiteral("revokeButton"))->isEnabled());

    // A decision is refused with a message, never queued.
    QTest::keyClick(m_window->queue()->table(), Qt::Key_A);
    QVERIFY2(pane(m_window.get())->message().contains(QStringLiteral("connection to the broker is down")),
        qPrintable(pane(m_window.get())->message()));
    // Meanwhile the world moves on: a new request and a decision by someone else.
    const QString second = submit(QStringLiteral("alice"), {"write"});
    const QString third = submit(QStringLiteral("alice"), {"ddl"});
    QVERIFY(m_fx->approve(QStringLiteral("bob"), third).ok());
    QTest::qWait(50); // let a wrongly delivered event show up, if any
    QCOMPARE(m_window->queue()->proxy()->rowCount(), 1);
    QCOMPARE(int(m_fx->engine().store().request(first)->status), int(RequestStatus::Pending));

    QSignalSpy received(m_backend.get(), &Backend::eventsReceived);
    m_backend->setOnline(true);
    QTRY_VERIFY(!m_window->isStale());
    QVERIFY(m_window->connectionText().contains(QStringLiteral("Live")));
    // Caught up from the last sequence number: every missed event exactly once, in order.
    QList<qint64> seqs;
    for (const auto& args : received)
        for (const auto& e : args.at(0).value<QList<Event>>())
            seqs << e.seq;
    QVERIFY(!seqs.isEmpty());
    for (int i = 1; i < seqs.size(); ++i)
        QCOMPARE(seqs[i], seqs[i - 1] + 1);
    QCOMPARE(seqs.last(), m_fx->engine().store().lastSeq());
    QTRY_COMPARE(m_window->queue()->proxy()->rowCount(), 2);
    QVERIFY(m_window->queueModel()->rowOf(second) >= 0);
    QVERIFY(m_window->queueModel()->rowOf(third) < 0);

    // The selection survived; deciding works again.
    QCOMPARE(m_window->queue()->currentId(), first);
    QTRY_VERIFY(approve->isEnabled());
    QTest::keyClick(m_window->queue()->table(), Qt::Key_A);
    QTRY_COMPARE(int(m_fx->engine().store().request(first)->status), int(RequestStatus::Approved));
}

void TestGui::auditLogSearchAndChain()
{
    submit(QStringLiteral("alice"), {"read"});
    const QString id = submit(QStringLiteral("alice"), {"write"});
    QVERIFY(m_fx->approve(QStringLiteral("bob"), id).ok());
    m_window->showTab(QStringLiteral("audit"));
    auto* audit = m_window->audit();
    QVERIFY(audit);
    QTRY_COMPARE(audit->table()->model()->rowCount(), int(m_fx->engine().store().lastSeq()));
    auto* search = audit->findChild<QLineEdit*>(QStringLiteral("auditSearch"));
    QTest::keyClicks(search, QStringLiteral("grant.activated"));
    QTRY_COMPARE(audit->table()->model()->rowCount(), 1);
    audit->verify();
    QTRY_VERIFY2(audit->chainText().contains(QStringLiteral("intact")), qPrintable(audit->chainText()));
}

void TestGui::keyPromptMasksAndNeedsAKey()
{
    KeyDialog dialog(QStringLiteral("https://broker.example:8443"));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto* field = dialog.findChild<QLineEdit*>();
    QVERIFY(field);
    QCOMPARE(field->echoMode(), QLineEdit::Password); // nobody reads it over a shoulder
    QPushButton* connectButton = nullptr;
    for (auto* b : dialog.findChildren<QPushButton*>())
        if (b->text().contains(QStringLiteral("Connect")))
            connectButton = b;
    QVERIFY(connectButton);
    QVERIFY(!connectButton->isEnabled());
    QTest::keyClicks(field, QStringLiteral("   "));
    QVERIFY(!connectButton->isEnabled()); // blanks are no key
    QTest::keyClick(field, Qt::Key_Return);
    QVERIFY(dialog.isVisible());
    field->clear();
    QTest::keyClicks(field, QStringLiteral(" lapse_s3cret "));
    QVERIFY(connectButton->isEnabled());
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    QTest::keyClick(field, Qt::Key_Return);
    QCOMPARE(accepted.count(), 1);
    QCOMPARE(dialog.key(), QByteArray("lapse_s3cret"));

    KeyDialog cancelled(QStringLiteral("https://broker.example:8443"));
    cancelled.show();
    QVERIFY(QTest::qWaitForWindowExposed(&cancelled));
    QSignalSpy rejected(&cancelled, &QDialog::rejected);
    QTest::keyClicks(cancelled.findChild<QLineEdit*>(), QStringLiteral("lapse_x"));
    QTest::keyClick(cancelled.findChild<QLineEdit*>(), Qt::Key_Escape);
    QCOMPARE(rejected.count(), 1);
}

QTEST_MAIN(TestGui)

void TestGui::confirmationsActOnEnterAndCancelOnEscape()
{
    const QString id = submit(QStringLiteral("alice"), {"read"});
    auto d = m_fx->approve(QStringLiteral("bob"), id);
    QVERIFY(d && d->grant);
    auto session
        = m_fx->engine().openSession(m_fx->who(QStringLiteral("api-gw")), m_fx->token(*d->grant), {"read"});
    QVERIFY(session);
    m_window->showTab(QStringLiteral("active"));
    auto* active = m_window->active();

    // Terminate: Escape in the reason field cancels, nothing is recorded.
    QTRY_VERIFY(active->selectSession(session->id));
    const qint64 before = m_fx->engine().store().lastSeq();
    auto escaped = whenConfirmationShows([](ConfirmDialog* dialog) {
        auto* reason = dialog->findChild<QLineEdit*>(QStringLiteral("reason"));
        QTest::keyClicks(reason, QStringLiteral("stray shell"));
        QTest::keyClick(reason, Qt::Key_Escape);
    });
    QTest::mouseClick(active->findChild<QPushButton*>(QStringLiteral("terminateButton")), Qt::LeftButton);
    QVERIFY(*escaped);
    QCOMPARE(m_fx->engine().store().lastSeq(), before);

    // Terminate again: typing the reason and pressing Enter confirms.
    auto entered = whenConfirmationShows([](ConfirmDialog* dialog) {
        auto* reason = dialog->findChild<QLineEdit*>(QStringLiteral("reason"));
        QTest::keyClicks(reason, QStringLiteral("stray shell"));
        QTest::keyClick(reason, Qt::Key_Return);
    });
    QTest::mouseClick(active->findChild<QPushButton*>(QStringLiteral("terminateButton")), Qt::LeftButton);
    QVERIFY(*entered);
    QTRY_VERIFY2(active->effectText().contains(QStringLiteral("waiting for the resource server")),
        qPrintable(active->effectText()));

    // Revoke: Enter with a blank reason does nothing (the dialog stays), Enter with one revokes.
    QTRY_VERIFY(active->selectGrant(d->grant->id));
    bool stayedOpen = false;
    auto revoked = whenConfirmationShows([&stayedOpen](ConfirmDialog* dialog) {
        auto* reason = dialog->findChild<QLineEdit*>(QStringLiteral("reason"));
        reason->clear();
        QTest::keyClicks(reason, QStringLiteral("  "));
        QTest::keyClick(reason, Qt::Key_Return);
        stayedOpen = dialog->isVisible() && dialog->result() != QDialog::Accepted;
        QTest::keyClicks(reason, QStringLiteral("suspicious activity"));
        QTest::keyClick(reason, Qt::Key_Enter);
    });
    QTest::mouseClick(active->findChild<QPushButton*>(QStringLiteral("revokeButton")), Qt::LeftButton);
    QVERIFY(*revoked);
    QVERIFY(stayedOpen);
    QTRY_VERIFY2(
        active->effectText().startsWith(QStringLiteral("Revoked at")), qPrintable(active->effectText()));
    QCOMPARE(m_fx->engine().store().grant(d->grant->id)->endReason, QStringLiteral("suspicious activity"));

    // Lock out: Enter confirms here too.
    const QString other = submit(QStringLiteral("alice"), {"write"});
    auto d2 = m_fx->approve(QStringLiteral("bob"), other);
    QVERIFY(d2 && d2->grant);
    QTRY_VERIFY(active->selectGrant(d2->grant->id));
    auto locked = whenConfirmationShows([](ConfirmDialog* dialog) {
        auto* reason = dialog->findChild<QLineEdit*>(QStringLiteral("reason"));
        reason->clear();
        QTest::keyClicks(reason, QStringLiteral("credentials leaked"));
        QTest::keyClick(reason, Qt::Key_Return);
    });
    QTest::mouseClick(active->findChild<QPushButton*>(QStringLiteral("lockoutButton")), Qt::LeftButton);
    QVERIFY(*locked);
    QTRY_VERIFY(m_fx->engine().isLockedOut(QStringLiteral("alice")));
}

void TestGui::rowsThatNeedAttentionAreColoured()
{
    // The queue: a width beyond the declared minimum is coloured, a width within it is not.
    const QString wide = submit(QStringLiteral("alice"), {"read", "write"}, {"read"});
    const QString narrow = submit(QStringLiteral("alice"), {"read"}, {"read"});
    auto* queue = m_window->queue()->table()->model();
    QTRY_COMPARE(queue->rowCount(), 2);
    const auto queueRow = [queue](const QString& id) {
        for (int r = 0; r < queue->rowCount(); ++r)
            if (queue->index(r, 0).data(RequestQueueModel::IdRole).toString() == id)
                return r;
        return -1;
    };
    QVERIFY(queueRow(wide) >= 0 && queueRow(narrow) >= 0);
    const QVariant excess = queue->index(queueRow(wide), RequestQueueModel::Width).data(Qt::ForegroundRole);
    QVERIFY(excess.canConvert<QBrush>());
    QCOMPARE(excess.value<QBrush>().color(), QColor(0xb3, 0x5c, 0x00));
    QVERIFY(!queue->index(queueRow(narrow), RequestQueueModel::Width).data(Qt::ForegroundRole).isValid());
    QVERIFY(!queue->index(queueRow(wide), RequestQueueModel::Reason).data(Qt::ForegroundRole).isValid());

    // Grants: unreviewed break-glass shows in the policy column, an ordinary grant does not.
    auto plain = m_fx->approve(QStringLiteral("bob"), narrow);
    QVERIFY(plain && plain->grant);
    RequestInput bg;
    bg.target = QStringLiteral("vault");
    bg.privileges = QStringList {"read"};
    bg.task = QStringLiteral("restore service");
    bg.reason = QStringLiteral("INC-77 outage");
    bg.ttlSeconds = 600;
    bg.breakGlass = true;
    auto glass = m_fx->submit(QStringLiteral("alice"), bg);
    QVERIFY2(glass, glass ? "" : qPrintable(glass.error().message));
    QVERIFY(glass->grant);
    m_window->showTab(QStringLiteral("active"));
    auto* active = m_window->active();
    QTRY_VERIFY(active->selectGrant(glass->grant->id));
    auto* grants = active->findChild<QTableView*>(QStringLiteral("grantsTable"))->model();
    QTRY_COMPARE(grants->rowCount(), 2);
    for (int r = 0; r < grants->rowCount(); ++r) {
        const bool isGlass = grants->index(r, 0).data(GrantsModel::IdRole).toString() == glass->grant->id;
        const QVariant colour = grants->index(r, GrantsModel::Policy).data(Qt::ForegroundRole);
        QCOMPARE(colour.isValid(), isGlass);
        if (isGlass)
            QCOMPARE(colour.value<QBrush>().color(), QColor(0xa8, 0x1b, 0x1b));
        QVERIFY(!grants->index(r, GrantsModel::Target).data(Qt::ForegroundRole).isValid());
    }

    // Sessions: a lingering one gets its background, a live one none.
    auto live = m_fx->engine().openSession(
        m_fx->who(QStringLiteral("api-gw")), m_fx->token(*glass->grant), {"read"});
    auto stays = m_fx->engine().openSession(
        m_fx->who(QStringLiteral("api-gw")), m_fx->token(*plain->grant), {"read"});
    QVERIFY(live && stays);
    QVERIFY(m_fx->engine()
                .revoke(m_fx->who(QStringLiteral("ops")), plain->grant->id, QStringLiteral("contain"))
                .ok());
    active->findChild<QPushButton*>(QStringLiteral("allSessionsButton"))->click();
    auto* sessions = active->sessionsTable()->model();
    QTRY_COMPARE(sessions->rowCount(), 2);
    QTRY_VERIFY(m_window->sessionsModel()
                    ->index(m_window->sessionsModel()->rowOf(stays->id), 0)
                    .data(SessionsModel::LingeringRole)
                    .toBool());
    for (int r = 0; r < sessions->rowCount(); ++r) {
        const bool lingering = sessions->index(r, 0).data(SessionsModel::IdRole).toString() == stays->id;
        const QVariant background = sessions->index(r, SessionsModel::State).data(Qt::BackgroundRole);
        QCOMPARE(background.isValid(), lingering);
        if (lingering)
            QCOMPARE(background.value<QBrush>().color(), QColor(0xff, 0xe0, 0xb2));
    }
}

void TestGui::iconsShipWithTheWidgets()
{
    // This test links lapse_ui, not the lapse executable: the icons must come with the widgets.
    QVERIFY(QFile::exists(QStringLiteral(":/icons/lapse.svg")));
    for (const char* kind : {"human", "service", "workload", "agent", "pipeline"})
        QVERIFY2(QFile::exists(QStringLiteral(":/icons/kind-%1.svg").arg(QLatin1String(kind))), kind);
    const QIcon human(QStringLiteral(":/icons/kind-human.svg"));
    QVERIFY(!human.pixmap(32, 32).isNull());
    QVERIFY(!kindIcon(QStringLiteral("human")).pixmap(32, 32).isNull());
    QVERIFY(!QIcon(QStringLiteral(":/icons/lapse.svg")).pixmap(32, 32).isNull());
}
