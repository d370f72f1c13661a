// The approver's notifications on the real main window: a request they may decide, arriving while the window
// is not active, raises exactly one notification naming requester and target; their own, their agent's, a
// muted target's or one arriving while they look raise none; clicking the message selects the request in the
// queue. The tray icon's tooltip carries the pending count.
#include "ApproverNotifier.h"
#include "ConsoleSettings.h"
#include "EngineFixture.h"
#include "MainWindow.h"
#include "QueueWidget.h"
#include "SwitchableBackend.h"
#include "itemmodels/QueueFilterProxy.h"
#include "itemmodels/RequestQueueModel.h"

#include <QAction>
#include <QApplication>
#include <QDialog>
#include <QLineEdit>
#include <QMenu>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>
#include <memory>

using namespace lapse;
using namespace lapse::test;

namespace
{
// ops is the console's identity: an approver who also requests, and owns agent-7.
Directory directory()
{
    Directory d;
    auto person = [&d](const QString& id, unsigned roles) {
        Principal p;
        p.id = id;
        p.roles = roles;
        d.addPrincipal(p);
    };
    person(QStringLiteral("ops"), unsigned(Role::Approver) | unsigned(Role::Requester));
    person(QStringLiteral("alice"), unsigned(Role::Requester));
    person(QStringLiteral("bob"), unsigned(Role::Approver));
    Principal agent;
    agent.id = QStringLiteral("agent-7");
    agent.kind = PrincipalKind::Agent;
    agent.owner = QStringLiteral("ops");
    agent.roles = unsigned(Role::Requester);
    d.addPrincipal(agent);
    for (const char* id : {"billing-db", "vault"}) {
        Target t;
        t.id = QString::fromLatin1(id);
        t.kind = QStringLiteral("database");
        t.owner = QStringLiteral("bob");
        t.privileges = QStringList {"read", "write"};
        d.addTarget(t);
    }
    return d;
}
} // namespace

class TestNotifications : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_settings = std::make_unique<ConsoleSettings>(m_dir.filePath(QStringLiteral("console.ini")));
        m_fx = std::make_unique<EngineFixture>(directory());
        QVERIFY2(m_fx->ok(), qPrintable(m_fx->openError()));
        m_backend = std::make_unique<SwitchableBackend>(m_fx->engine(), QStringLiteral("ops"));
        m_window = std::make_unique<MainWindow>(m_backend.get(), m_fx->dbPath(), m_settings.get());
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QSignalSpy loaded(m_window->queueModel(), &RequestQueueModel::loaded);
        m_window->start();
        QVERIFY(loaded.wait());
        // Who the console acts as and the directory are known: until then nobody is notified.
        QTRY_VERIFY(m_window->notifier()->alerts().isReady());
        QCOMPARE(m_window->notifier()->alerts().approver(), QStringLiteral("ops"));
        // Another window has the focus: the person is elsewhere.
        m_elsewhere = std::make_unique<QWidget>();
        m_elsewhere->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_elsewhere.get()));
        QApplication::setActiveWindow(m_elsewhere.get());
        QTRY_VERIFY(!m_window->isActiveWindow());
    }

    void cleanup()
    {
        m_elsewhere.reset();
        m_window.reset();
        m_backend.reset();
        m_fx.reset();
        m_settings.reset();
    }

    void aRequestToDecideNotifiesOnce()
    {
        QSignalSpy notified(m_window->notifier(), &ApproverNotifier::notified);
        const QString id = submit(QStringLiteral("alice"), QStringLiteral("billing-db"));
        QVERIFY(!id.isEmpty());
        QTRY_VERIFY(m_window->queueModel()->rowOf(id) >= 0);
        // The same batch that put it in the queue notified, exactly once.
        QCOMPARE(notified.count(), 1);
        QCOMPARE(notified.at(0).at(0).toString(), id);
        const QString shown
            = notified.at(0).at(1).toString() + QLatin1Char('\n') + notified.at(0).at(2).toString();
        QVERIFY2(shown.contains(QLatin1String("alice")), qPrintable(shown));
        QVERIFY2(shown.contains(QLatin1String("billing-db")), qPrintable(shown));
        // The tray icon counts what is pending.
        QCOMPARE(m_window->notifier()->pendingCount(), 1);
        QVERIFY2(m_window->notifier()->trayIcon()->toolTip().contains(QLatin1String("1")),
            qPrintable(m_window->notifier()->trayIcon()->toolTip()));
    }

    void ownMutedAndWatchedRequestsDoNot()
    {
        QSignalSpy notified(m_window->notifier(), &ApproverNotifier::notified);
        // billing-db muted through the Notifications menu, and remembered.
        QAction* mute = m_window->notificationsMenu()->findChild<QAction*>(QStringLiteral("mute:billing-db"));
        QVERIFY(mute);
        QVERIFY(mute->isCheckable() && !mute->isChecked());
        mute->trigger();
        QVERIFY(mute->isChecked());
        QCOMPARE(m_settings->mutedTargets(), QStringList {QStringLiteral("billing-db")});

        const QStringList quiet {submit(QStringLiteral("alice"), QStringLiteral("billing-db")), // muted
            submit(QStringLiteral("ops"), QStringLiteral("vault")), // its own
            submit(QStringLiteral("agent-7"), QStringLiteral("vault"))}; // an agent it owns
        for (const QString& id : quiet) {
            QVERIFY(!id.isEmpty());
            QTRY_VERIFY(m_window->queueModel()->rowOf(id) >= 0);
        }
        QCOMPARE(notified.count(), 0);

        // While the person looks at the console, a request is seen in the queue, not announced.
        QApplication::setActiveWindow(m_window.get());
        QTRY_VERIFY(m_window->isActiveWindow());
        const QString watched = submit(QStringLiteral("alice"), QStringLiteral("vault"));
        QTRY_VERIFY(m_window->queueModel()->rowOf(watched) >= 0);
        QCOMPARE(notified.count(), 0);
        // A dialog of the console in front of it is the console too.
        {
            QDialog dialog(m_window.get());
            dialog.show();
            QVERIFY(QTest::qWaitForWindowExposed(&dialog));
            QApplication::setActiveWindow(&dialog);
            QTRY_COMPARE(QApplication::activeWindow(), static_cast<QWidget*>(&dialog));
            const QString inDialog = submit(QStringLiteral("alice"), QStringLiteral("vault"));
            QTRY_VERIFY(m_window->queueModel()->rowOf(inDialog) >= 0);
            QCOMPARE(notified.count(), 0);
        }

        // Elsewhere again, the same kind of request on an unmuted target is announced: the silence above was
        // the decision, not a notifier that never fires.
        QApplication::setActiveWindow(m_elsewhere.get());
        QTRY_VERIFY(!m_window->isActiveWindow());
        const QString heard = submit(QStringLiteral("alice"), QStringLiteral("vault"));
        QTRY_COMPARE(notified.count(), 1);
        QCOMPARE(notified.at(0).at(0).toString(), heard);
        QCOMPARE(m_window->notifier()->pendingCount(), 6);

        // Unmuted, billing-db is heard again.
        mute->trigger();
        QVERIFY(m_settings->mutedTargets().isEmpty());
        submit(QStringLiteral("alice"), QStringLiteral("billing-db"));
        QTRY_COMPARE(notified.count(), 2);
    }

    void clickingTheMessageOpensTheRequest()
    {
        QSignalSpy notified(m_window->notifier(), &ApproverNotifier::notified);
        QSignalSpy opened(m_window->notifier(), &ApproverNotifier::openRequested);
        const QString first = submit(QStringLiteral("alice"), QStringLiteral("billing-db"));
        const QString second = submit(QStringLiteral("alice"), QStringLiteral("vault"));
        QTRY_COMPARE(notified.count(), 2);
        QTRY_VERIFY(m_window->queueModel()->rowOf(second) >= 0);
        m_window->showTab(QStringLiteral("insights"));
        QVERIFY(m_window->queue()->currentId() != second);

        // The desktop reports the click on the message as the tray icon's signal.
        QVERIFY(QMetaObject::invokeMethod(m_window->notifier()->trayIcon(), "messageClicked"));
        QCOMPARE(opened.count(), 1);
        QCOMPARE(opened.at(0).at(0).toString(), second);
        QCOMPARE(m_window->tabs()->currentWidget(), static_cast<QWidget*>(m_window->queue()));
        const QModelIndex current = m_window->queue()->table()->currentIndex();
        QVERIFY(current.isValid());
        QCOMPARE(current.data(RequestQueueModel::IdRole).toString(), second);
        QCOMPARE(m_window->queue()->currentId(), second);
        QVERIFY(m_window->queue()->table()->selectionModel()->isRowSelected(current.row(), {}));
        QTRY_VERIFY(m_window->isActiveWindow());

        // Hidden by a filter, it is still found: the filter gives way.
        QLineEdit* search = m_window->queue()->findChild<QLineEdit*>(QStringLiteral("search"));
        QVERIFY(search);
        QTest::keyClicks(search, QStringLiteral("nothing-matches-this"));
        QCOMPARE(m_window->queue()->proxy()->rowCount(), 0);
        QVERIFY(m_window->openRequest(first));
        QCOMPARE(m_window->queue()->currentId(), first);
        QVERIFY(search->text().isEmpty());
    }

private:
    QString submit(const QString& requester, const QString& target)
    {
        RequestInput in = EngineFixture::input(QStringLiteral("billing-db"));
        in.target = target;
        auto d = m_fx->submit(requester, in);
        if (!d)
            qWarning("submit failed: %s", qPrintable(d.error().message));
        return d ? d->request.id : QString();
    }

    QTemporaryDir m_dir;
    std::unique_ptr<ConsoleSettings> m_settings;
    std::unique_ptr<EngineFixture> m_fx;
    std::unique_ptr<SwitchableBackend> m_backend;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<QWidget> m_elsewhere;
};

QTEST_MAIN(TestNotifications)
#include "TestNotifications.moc"
