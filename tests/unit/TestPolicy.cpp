// Policy asked directly: roles, request rules, separation of duties, narrowing only, quorum folding.
// Every refusal is checked for its code and for a message that names what is wrong.
#include "engine/Policy.h"

#include "EngineFixture.h"

#include <QTest>

using namespace lapse;
using namespace lapse::test;

namespace
{
const Directory& dir()
{
    static const Directory d = makeDirectory();
    return d;
}

const Principal& P(const char* id)
{
    return *dir().principal(QString::fromLatin1(id));
}

const Target& T(const char* id)
{
    return *dir().target(QString::fromLatin1(id));
}

// A pending billing-db request by alice for read + write, 1800 s.
AccessRequest pending(const QString& requester = QStringLiteral("alice"))
{
    AccessRequest r;
    r.id = QStringLiteral("req_1");
    r.requester = requester;
    r.target = QStringLiteral("billing-db");
    r.privileges = QStringList {"read", "write"};
    r.reason = QStringLiteral("INC-1");
    r.ttlSeconds = 1800;
    r.status = RequestStatus::Pending;
    r.approvalsRequired = 1;
    return r;
}

Approval approval(const char* who, const QStringList& privileges, int ttl)
{
    Approval a;
    a.approver = QString::fromLatin1(who);
    a.privileges = privileges;
    a.ttlSeconds = ttl;
    return a;
}

ApproveInput narrowTo(const QStringList& privileges)
{
    ApproveInput in;
    in.privileges = privileges;
    return in;
}

ApproveInput shortenTo(int ttl)
{
    ApproveInput in;
    in.ttlSeconds = ttl;
    return in;
}

// "" when the status is ok, else its code name; the message goes to *message.
QString outcome(const Status& s, QString* message)
{
    *message = s.ok() ? QString() : s.error().message;
    return s.ok() ? QString() : s.error().codeName();
}
} // namespace

class TestPolicy : public QObject
{
    Q_OBJECT
private slots:
    // One-line text: printable Unicode passes (accents, CJK, emoji as a surrogate pair); every C0 and C1
    // control character, DEL and a lone surrogate is refused with the field and the position named.
    void oneLineTextIsPrintable()
    {
        for (const QString& ok :
            {QStringLiteral("INC-1234: invoices stuck since 09:00"), QStringLiteral("Prüfung der Rechnungen"),
                QStringLiteral("请求访问"), QStringLiteral("deploy \U0001F680 now"), QString()})
            LAPSE_VERIFY_OK(Policy::checkOneLine(ok, QStringLiteral("task")));
        for (char16_t c = 0; c < 0x20; ++c)
            LAPSE_VERIFY_ERROR(Policy::checkOneLine(QStringLiteral("a") + QChar(c), QStringLiteral("task")),
                ErrorCode::Invalid, QStringLiteral("task holds a control character"));
        for (char16_t c = 0x7f; c <= 0x9f; ++c)
            LAPSE_VERIFY_ERROR(
                Policy::checkOneLine(QStringLiteral("ab") + QChar(c), QStringLiteral("reason")),
                ErrorCode::Invalid, QStringLiteral("position 3"));
        LAPSE_VERIFY_ERROR(
            Policy::checkOneLine(QStringLiteral("x") + QChar(0xd800), QStringLiteral("ticket")),
            ErrorCode::Invalid, QStringLiteral("lone surrogate"));
        LAPSE_VERIFY_ERROR(
            Policy::checkOneLine(QString(QChar(0xdc00)) + QStringLiteral("x"), QStringLiteral("ticket")),
            ErrorCode::Invalid, QStringLiteral("lone surrogate"));
        LAPSE_VERIFY_ERROR(Policy::checkOneLine(QString(201, QLatin1Char('x')), QStringLiteral("label"), 200),
            ErrorCode::Invalid, QStringLiteral("too long"));
    }

    // Every engine entry point that takes a person's text refuses control characters, and changes nothing.
    void controlCharactersAreRefusedEverywhere()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        const QString esc = QStringLiteral("\x1b[2J");
        RequestInput in = EngineFixture::input(QStringLiteral("billing-db"));
        in.task += esc;
        const QByteArray before = f.stateDigest();
        LAPSE_VERIFY_ERROR(f.submit(QStringLiteral("alice"), in), ErrorCode::Invalid, QStringLiteral("task"));
        QCOMPARE(f.stateDigest(), before);
        auto g = f.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(g);
        Engine& e = f.engine();
        const QByteArray granted = f.stateDigest();
        const qint64 events = e.store().lastSeq();
        LAPSE_VERIFY_ERROR(e.revoke(f.who(QStringLiteral("rita")), g->id, QStringLiteral("bad") + esc),
            ErrorCode::Invalid, QStringLiteral("reason"));
        LAPSE_VERIFY_ERROR(
            e.lockout(f.who(QStringLiteral("rita")), QStringLiteral("alice"), QStringLiteral("x\ny")),
            ErrorCode::Invalid, QStringLiteral("reason"));
        auto s = e.openSession(f.who(QStringLiteral("api-gw")), f.token(*g), {});
        LAPSE_VERIFY_OK(s);
        const QByteArray opened = f.stateDigest();
        LAPSE_VERIFY_ERROR(
            e.terminateSession(f.who(QStringLiteral("rita")), s->id, QStringLiteral("x") + QChar(0x9b)),
            ErrorCode::Invalid, QStringLiteral("reason"));
        LAPSE_VERIFY_ERROR(e.createApiKey(QStringLiteral("alice"), QStringLiteral("laptop\x07")),
            ErrorCode::Invalid, QStringLiteral("label"));
        QCOMPARE(f.stateDigest(), opened);
        QVERIFY(granted != opened);
        QCOMPARE(e.store().lastSeq(), events + 1); // the session's own event, nothing else
        auto d = f.submit(QStringLiteral("dave"), EngineFixture::input(QStringLiteral("billing-db")));
        LAPSE_VERIFY_OK(d);
        ApproveInput comment;
        comment.comment = QStringLiteral("fine\r\nApproved by admin");
        LAPSE_VERIFY_ERROR(f.approve(QStringLiteral("bob"), d->request.id, comment), ErrorCode::Invalid,
            QStringLiteral("comment"));
        LAPSE_VERIFY_ERROR(e.deny(f.who(QStringLiteral("bob")), d->request.id, QStringLiteral("no\x1b")),
            ErrorCode::Invalid, QStringLiteral("reason"));
    }

    void roles_data()
    {
        QTest::addColumn<QString>("actor");
        QTest::addColumn<unsigned>("role");
        QTest::addColumn<bool>("locked");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("word");
        const unsigned approver = unsigned(Role::Approver), requester = unsigned(Role::Requester);
        QTest::newRow("approver approves") << "bob" << approver << false << ""
                                           << "";
        QTest::newRow("requester is no approver") << "alice" << approver << false << "forbidden"
                                                  << "lacks";
        QTest::newRow("role names the missing role") << "alice" << approver << false << "forbidden"
                                                     << "approver";
        QTest::newRow("locked-out approver") << "bob" << approver << true << "forbidden"
                                             << "locked out";
        QTest::newRow("locked-out without the role") << "alice" << approver << true << "forbidden"
                                                     << "locked out";
        QTest::newRow("dave holds both roles") << "dave" << requester << false << ""
                                               << "";
        QTest::newRow("resource server is no requester") << "api-gw" << requester << false << "forbidden"
                                                         << "requester";
    }
    void roles()
    {
        QFETCH(QString, actor);
        QFETCH(unsigned, role);
        QFETCH(bool, locked);
        QFETCH(QString, code);
        QFETCH(QString, word);
        QString message;
        QCOMPARE(outcome(Policy::requireRole(*dir().principal(actor), Role(role), locked), &message), code);
        QVERIFY2(message.contains(word, Qt::CaseInsensitive), qPrintable(message));
        if (!code.isEmpty())
            QVERIFY2(message.contains(actor), qPrintable(message));
    }

    void anyRole()
    {
        QVERIFY(Policy::requireAnyRole(P("aud"), {Role::Responder, Role::Auditor}, false).ok());
        const Status s = Policy::requireAnyRole(P("alice"), {Role::Responder, Role::Admin}, false);
        LAPSE_VERIFY_ERROR(s, ErrorCode::Forbidden, "responder or admin");
        LAPSE_VERIFY_ERROR(
            Policy::requireAnyRole(P("rita"), {Role::Responder}, true), ErrorCode::Forbidden, "locked out");
    }

    void checkRequest_data()
    {
        QTest::addColumn<QString>("requester");
        QTest::addColumn<RequestInput>("in");
        QTest::addColumn<bool>("locked");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("word");
        const RequestInput billing = EngineFixture::input(QStringLiteral("billing-db"));
        const RequestInput k8s = EngineFixture::input(QStringLiteral("prod-k8s"));
        const RequestInput vault = EngineFixture::input(QStringLiteral("vault"));
        auto with = [](RequestInput in, const std::function<void(RequestInput&)>& f) {
            f(in);
            return in;
        };
        const QString a = QStringLiteral("alice");

        QTest::newRow("valid") << a << billing << false << ""
                               << "";
        QTest::newRow("valid quorum target with ticket") << a << k8s << false << ""
                                                         << "";
        QTest::newRow("valid at the ttl cap")
            << a << with(billing, [](auto& in) { in.ttlSeconds = 3600; }) << false << ""
            << "";
        QTest::newRow("valid min within requested") << a
                                                    << with(billing,
                                                           [](auto& in) {
                                                               in.privileges = QStringList {"read", "write"};
                                                               in.minPrivileges = QStringList {"read"};
                                                           })
                                                    << false << ""
                                                    << "";
        QTest::newRow("valid break-glass at its cap") << a
                                                      << with(vault,
                                                             [](auto& in) {
                                                                 in.breakGlass = true;
                                                                 in.ttlSeconds = 300;
                                                             })
                                                      << false << ""
                                                      << "";
        QTest::newRow("agent requests") << "agent-7" << billing << false << ""
                                        << "";
        QTest::newRow("no requester role") << "bob" << billing << false << "forbidden"
                                           << "lacks";
        QTest::newRow("locked out") << a << billing << true << "forbidden"
                                    << "locked out";
        QTest::newRow("unknown target")
            << a << with(billing, [](auto& in) { in.target = QStringLiteral("nope"); }) << false << "invalid"
            << "unknown target 'nope'";
        QTest::newRow("empty privileges")
            << a << with(billing, [](auto& in) { in.privileges.clear(); }) << false << "invalid"
            << "at least one";
        QTest::newRow("privilege not offered") << a
                                               << with(billing,
                                                      [](auto& in) {
                                                          in.privileges = QStringList {"read", "drop"};
                                                      })
                                               << false << "invalid"
                                               << "no privilege 'drop'";
        QTest::newRow("duplicate privilege") << a
                                             << with(billing,
                                                    [](auto& in) {
                                                        in.privileges = QStringList {"read", "read"};
                                                    })
                                             << false << "invalid"
                                             << "twice";
        QTest::newRow("too many privileges") << a
                                             << with(billing,
                                                    [](auto& in) {
                                                        in.privileges.clear();
                                                        for (int i = 0; i <= Policy::kMaxPrivileges; ++i)
                                                            in.privileges << QStringLiteral("p%1").arg(i);
                                                    })
                                             << false << "invalid"
                                             << "more than";
        QTest::newRow("min not within requested")
            << a << with(billing, [](auto& in) { in.minPrivileges = QStringList {"write"}; }) << false
            << "invalid"
            << "min_privileges";
        QTest::newRow("min lists a privilege twice")
            << a
            << with(billing,
                   [](auto& in) {
                       in.minPrivileges = QStringList {"read", "read"};
                   })
            << false << "invalid"
            << "twice";
        QTest::newRow("missing reason")
            << a << with(billing, [](auto& in) { in.reason.clear(); }) << false << "invalid"
            << "reason";
        QTest::newRow("whitespace reason")
            << a << with(billing, [](auto& in) { in.reason = QStringLiteral(" \t\n "); }) << false
            << "invalid"
            << "reason";
        QTest::newRow("reason too long")
            << a << with(billing, [](auto& in) { in.reason = QString(Policy::kMaxTextLength + 1, 'x'); })
            << false << "invalid"
            << "too long";
        QTest::newRow("missing ticket where required")
            << a << with(k8s, [](auto& in) { in.ticket.clear(); }) << false << "invalid"
            << "ticket";
        QTest::newRow("whitespace ticket where required")
            << a << with(k8s, [](auto& in) { in.ticket = QStringLiteral("   "); }) << false << "invalid"
            << "ticket";
        QTest::newRow("ttl 0") << a << with(billing, [](auto& in) { in.ttlSeconds = 0; }) << false
                               << "invalid"
                               << "positive";
        QTest::newRow("ttl negative")
            << a << with(billing, [](auto& in) { in.ttlSeconds = -60; }) << false << "invalid"
            << "positive";
        QTest::newRow("ttl over cap")
            << a << with(billing, [](auto& in) { in.ttlSeconds = 3601; }) << false << "invalid"
            << "cap of 3600";
        QTest::newRow("ttl over vault cap")
            << a << with(vault, [](auto& in) { in.ttlSeconds = 1801; }) << false << "invalid"
            << "cap of 1800";
        QTest::newRow("break-glass not allowed")
            << a << with(billing, [](auto& in) { in.breakGlass = true; }) << false << "invalid"
            << "does not allow break-glass";
        QTest::newRow("break-glass over its cap") << a
                                                  << with(vault,
                                                         [](auto& in) {
                                                             in.breakGlass = true;
                                                             in.ttlSeconds = 301;
                                                         })
                                                  << false << "invalid"
                                                  << "capped at 300";
    }
    void checkRequest()
    {
        QFETCH(QString, requester);
        QFETCH(RequestInput, in);
        QFETCH(bool, locked);
        QFETCH(QString, code);
        QFETCH(QString, word);
        QString message;
        const Status s
            = Policy::checkRequest(*dir().principal(requester), dir().target(in.target), in, locked);
        QCOMPARE(outcome(s, &message), code);
        QVERIFY2(message.contains(word, Qt::CaseInsensitive), qPrintable(message));
    }

    void checkApproval_data()
    {
        QTest::addColumn<QString>("approver");
        QTest::addColumn<AccessRequest>("r");
        QTest::addColumn<ApproveInput>("in");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("word");
        auto withStatus = [](RequestStatus s) {
            AccessRequest r = pending();
            r.status = s;
            return r;
        };
        const ApproveInput asRequested;

        QTest::newRow("as requested") << "bob" << pending() << asRequested << ""
                                      << "";
        QTest::newRow("narrowing ok") << "bob" << pending() << narrowTo({"read"}) << ""
                                      << "";
        QTest::newRow("shortening ok") << "bob" << pending() << shortenTo(600) << ""
                                       << "";
        QTest::newRow("same ttl ok") << "bob" << pending() << shortenTo(1800) << ""
                                     << "";
        QTest::newRow("approved: not pending")
            << "bob" << withStatus(RequestStatus::Approved) << asRequested << "conflict"
            << "not pending";
        QTest::newRow("denied: not pending")
            << "bob" << withStatus(RequestStatus::Denied) << asRequested << "conflict"
            << "denied";
        QTest::newRow("expired: not pending")
            << "bob" << withStatus(RequestStatus::Expired) << asRequested << "conflict"
            << "expired";
        QTest::newRow("self-approval")
            << "dave" << pending(QStringLiteral("dave")) << asRequested << "forbidden"
            << "own request";
        QTest::newRow("owner approves its agent's request")
            << "bob" << pending(QStringLiteral("agent-7")) << asRequested << "forbidden"
            << "owns agent-7";
        QTest::newRow("another approver for the agent")
            << "carol" << pending(QStringLiteral("agent-7")) << asRequested << ""
            << "";
        QTest::newRow("requester left the directory")
            << "bob" << pending(QStringLiteral("ghost")) << asRequested << "forbidden"
            << "no longer";
        AccessRequest approvedByBob = pending();
        approvedByBob.approvalsRequired = 2;
        approvedByBob.approvals << approval("bob", {"read"}, 1800);
        QTest::newRow("already approved by the same approver")
            << "bob" << approvedByBob << asRequested << "conflict"
            << "already approved";
        QTest::newRow("second approver of a quorum") << "carol" << approvedByBob << asRequested << ""
                                                     << "";
        QTest::newRow("widening privileges")
            << "bob" << pending() << narrowTo({"read", "write", "ddl"}) << "invalid"
            << "'ddl' was not requested";
        QTest::newRow("empty privileges") << "bob" << pending() << narrowTo({}) << "invalid"
                                          << "at least one";
        QTest::newRow("privilege twice") << "bob" << pending() << narrowTo({"read", "read"}) << "invalid"
                                         << "twice";
        QTest::newRow("lengthening ttl") << "bob" << pending() << shortenTo(1801) << "invalid"
                                         << "shorten";
        QTest::newRow("zero ttl") << "bob" << pending() << shortenTo(0) << "invalid"
                                  << "positive";
        AccessRequest overCap = pending();
        overCap.ttlSeconds = 7200; // stored when the cap was higher
        QTest::newRow("ttl over the target cap") << "bob" << overCap << shortenTo(5000) << "invalid"
                                                 << "cap of 3600";
        ApproveInput longComment;
        longComment.comment = QString(Policy::kMaxTextLength + 1, 'c');
        QTest::newRow("comment too long") << "bob" << pending() << longComment << "invalid"
                                          << "too long";
    }
    void checkApproval()
    {
        QFETCH(QString, approver);
        QFETCH(AccessRequest, r);
        QFETCH(ApproveInput, in);
        QFETCH(QString, code);
        QFETCH(QString, word);
        QString message;
        const Status s = Policy::checkApproval(
            *dir().principal(approver), dir().principal(r.requester), r, T("billing-db"), in);
        QCOMPARE(outcome(s, &message), code);
        QVERIFY2(message.contains(word, Qt::CaseInsensitive), qPrintable(message));
    }

    void checkDenial_data()
    {
        QTest::addColumn<RequestStatus>("status");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("word");
        QTest::newRow("with a reason") << RequestStatus::Pending << "not needed"
                                       << ""
                                       << "";
        QTest::newRow("no reason") << RequestStatus::Pending << ""
                                   << "invalid"
                                   << "reason";
        QTest::newRow("whitespace reason") << RequestStatus::Pending << "   "
                                           << "invalid"
                                           << "reason";
        QTest::newRow("reason too long")
            << RequestStatus::Pending << QString(Policy::kMaxTextLength + 1, 'r') << "invalid"
            << "too long";
        QTest::newRow("already approved") << RequestStatus::Approved << "late"
                                          << "conflict"
                                          << "not pending";
    }
    void checkDenial()
    {
        QFETCH(RequestStatus, status);
        QFETCH(QString, reason);
        QFETCH(QString, code);
        QFETCH(QString, word);
        AccessRequest r = pending();
        r.status = status;
        QString message;
        QCOMPARE(outcome(Policy::checkDenial(P("bob"), r, reason), &message), code);
        QVERIFY2(message.contains(word, Qt::CaseInsensitive), qPrintable(message));
    }

    void combineIntersectsAndTakesTheShortestTtl()
    {
        AccessRequest r = pending();
        r.target = QStringLiteral("prod-k8s");
        r.privileges = QStringList {"get", "list", "exec"};
        r.ttlSeconds = 1800;
        r.approvalsRequired = 2;
        r.approvals << approval("bob", {"get", "list"}, 1200) << approval("carol", {"exec", "list"}, 900);
        auto o = Policy::combine(r, T("prod-k8s"));
        LAPSE_VERIFY_OK(o);
        QCOMPARE(o->privileges, QStringList({"list"}));
        QCOMPARE(o->ttlSeconds, 900);
    }

    void combineKeepsTheRequestedOrder()
    {
        AccessRequest r = pending();
        r.privileges = QStringList {"ddl", "read", "write"};
        r.approvals << approval("bob", {"write", "ddl"}, 1800);
        auto o = Policy::combine(r, T("billing-db"));
        LAPSE_VERIFY_OK(o);
        QCOMPARE(o->privileges, QStringList({"ddl", "write"}));
        QCOMPARE(o->ttlSeconds, 1800);
    }

    void combineCapsAtTheTarget()
    {
        AccessRequest r = pending();
        r.ttlSeconds = 7200; // over billing-db's 3600, e.g. the cap was lowered since
        auto o = Policy::combine(r, T("billing-db"));
        LAPSE_VERIFY_OK(o);
        QCOMPARE(o->ttlSeconds, 3600);
        QCOMPARE(o->privileges, r.privileges);

        AccessRequest bg = pending();
        bg.target = QStringLiteral("vault");
        bg.privileges = QStringList {"read"};
        bg.breakGlass = true;
        bg.ttlSeconds = 1000;
        auto b = Policy::combine(bg, T("vault"));
        LAPSE_VERIFY_OK(b);
        QCOMPARE(b->ttlSeconds, 300);
    }

    void combineRefusesDisjointApprovals()
    {
        AccessRequest r = pending();
        r.approvals << approval("bob", {"read"}, 1800) << approval("carol", {"write"}, 1800);
        LAPSE_VERIFY_ERROR(Policy::combine(r, T("billing-db")), ErrorCode::Invalid, "share no privilege");
    }

    void readersAndCompleters()
    {
        const QString alice = QStringLiteral("alice"), agent = QStringLiteral("agent-7");
        QVERIFY(Policy::canRead(P("alice"), &P("alice"), alice));
        QVERIFY(Policy::canRead(P("aud"), &P("alice"), alice));
        QVERIFY(Policy::canRead(P("bob"), &P("agent-7"), agent));
        QVERIFY(!Policy::canRead(P("svc-ci"), &P("alice"), alice)); // owned by alice, not her reader
        QVERIFY(Policy::canRead(P("dave"), &P("alice"), alice)); // dave is an approver
        QVERIFY(!Policy::canRead(P("api-gw"), &P("alice"), alice));

        QVERIFY(Policy::canComplete(P("alice"), &P("alice"), alice));
        QVERIFY(Policy::canComplete(P("bob"), &P("agent-7"), agent)); // the owner of the agent
        QVERIFY(!Policy::canComplete(P("carol"), &P("agent-7"), agent));
        QVERIFY(!Policy::canComplete(P("bob"), &P("alice"), alice)); // approving is not holding
        QVERIFY(Policy::canComplete(P("alice"), &P("svc-ci"), QStringLiteral("svc-ci")));
    }
};

QTEST_GUILESS_MAIN(TestPolicy)
#include "TestPolicy.moc"
