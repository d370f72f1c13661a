// ApproverAlerts: whom the console tells about a new request. Only an approver, never about their own
// request, one of a non-human identity they own, one they approved already, one no longer pending or on a
// muted target; anything the directory does not know is a no. And which requests in a batch of events are new
// and still pending.
#include "console/ApproverAlerts.h"

#include <QJsonDocument>
#include <QtTest>

using namespace lapse;

namespace
{
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
    person(QStringLiteral("aud"), unsigned(Role::Auditor));
    Principal agent;
    agent.id = QStringLiteral("agent-7");
    agent.kind = PrincipalKind::Agent;
    agent.owner = QStringLiteral("ops");
    agent.roles = unsigned(Role::Requester);
    d.addPrincipal(agent);
    Target t;
    t.id = QStringLiteral("billing-db");
    t.owner = QStringLiteral("ops");
    t.privileges = QStringList {"read"};
    t.approvalsRequired = 2;
    d.addTarget(t);
    return d;
}

AccessRequest request(const QString& requester, const QString& target = QStringLiteral("billing-db"))
{
    AccessRequest r;
    r.id = QStringLiteral("req-1");
    r.requester = requester;
    r.target = target;
    r.privileges = QStringList {"read"};
    r.ttlSeconds = 600;
    r.reason = QStringLiteral("INC-1");
    return r;
}

Event logEvent(qint64 seq, const QString& type, const AccessRequest& r)
{
    Event e;
    e.seq = seq;
    e.type = type;
    e.subject = r.id;
    e.body = QJsonDocument(r.toJson()).toJson(QJsonDocument::Compact);
    return e;
}
} // namespace

class TestApproverAlerts : public QObject
{
    Q_OBJECT
private slots:
    void decides_data()
    {
        QTest::addColumn<QString>("approver");
        QTest::addColumn<QString>("requester");
        QTest::addColumn<QString>("target");
        QTest::addColumn<bool>("approvedByMe");
        QTest::addColumn<bool>("pending");
        QTest::addColumn<bool>("muted");
        QTest::addColumn<bool>("notify");
        const QString ops = QStringLiteral("ops"), alice = QStringLiteral("alice"),
                      db = QStringLiteral("billing-db");
        QTest::newRow("alice's request") << ops << alice << db << false << true << false << true;
        QTest::newRow("its own") << ops << ops << db << false << true << false << false;
        QTest::newRow("an agent it owns")
            << ops << QStringLiteral("agent-7") << db << false << true << false << false;
        QTest::newRow("approved by it already") << ops << alice << db << true << true << false << false;
        QTest::newRow("no longer pending") << ops << alice << db << false << false << false << false;
        QTest::newRow("muted target") << ops << alice << db << false << true << true << false;
        QTest::newRow("not an approver")
            << QStringLiteral("aud") << alice << db << false << true << false << false;
        QTest::newRow("unknown approver")
            << QStringLiteral("eve") << alice << db << false << true << false << false;
        QTest::newRow("unknown requester")
            << ops << QStringLiteral("gone") << db << false << true << false << false;
        QTest::newRow("unknown target")
            << ops << alice << QStringLiteral("gone-db") << false << true << false << false;
    }

    void decides()
    {
        QFETCH(QString, approver);
        QFETCH(QString, requester);
        QFETCH(QString, target);
        QFETCH(bool, approvedByMe);
        QFETCH(bool, pending);
        QFETCH(bool, muted);
        QFETCH(bool, notify);
        ApproverAlerts alerts;
        alerts.setDirectory(directory());
        alerts.setApprover(approver);
        if (muted)
            alerts.setMutedTargets({target});
        AccessRequest r = request(requester, target);
        if (approvedByMe) {
            Approval a;
            a.approver = approver;
            a.privileges = r.privileges;
            r.approvals << a;
        }
        if (!pending)
            r.status = RequestStatus::Denied;
        const Status s = alerts.shouldNotify(r);
        QVERIFY2(s.ok() == notify, s.ok() ? "notifies" : qPrintable(s.error().message));
    }

    void nothingBeforeItKnowsWhoItIs()
    {
        ApproverAlerts alerts;
        QVERIFY(!alerts.isReady());
        QVERIFY(!alerts.shouldNotify(request(QStringLiteral("alice"))).ok());
        alerts.setApprover(QStringLiteral("ops"));
        QVERIFY(!alerts.shouldNotify(request(QStringLiteral("alice"))).ok());
        alerts.setDirectory(directory());
        QVERIFY(alerts.shouldNotify(request(QStringLiteral("alice"))).ok());
    }

    // A request a rule approves (or a break-glass) is created pending and decided in the same write: not new
    // work for anyone.
    void newRequestsAreThoseStillPending()
    {
        AccessRequest waiting = request(QStringLiteral("alice"));
        AccessRequest ruled = request(QStringLiteral("alice"));
        ruled.id = QStringLiteral("req-2");
        AccessRequest decided = ruled;
        decided.status = RequestStatus::Approved;
        decided.decidedBy = QStringLiteral("policy:alice-billing-db");
        AccessRequest old = request(QStringLiteral("alice"));
        old.id = QStringLiteral("req-0");
        old.status = RequestStatus::Denied;
        const QList<AccessRequest> fresh
            = ApproverAlerts::newRequests({logEvent(1, QStringLiteral("request.created"), waiting),
                logEvent(2, QStringLiteral("request.created"), ruled),
                logEvent(3, QStringLiteral("request.approved"), decided),
                logEvent(4, QStringLiteral("request.denied"), old)});
        QCOMPARE(fresh.size(), 1);
        QCOMPARE(fresh.first().id, QStringLiteral("req-1"));
        QCOMPARE(fresh.first().requester, QStringLiteral("alice"));
    }
};

QTEST_GUILESS_MAIN(TestApproverAlerts)
#include "TestApproverAlerts.moc"
