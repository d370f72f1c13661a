// auditState: one pass over the log to learn what each row should say, then one pass over each table.
#include "StateAudit.h"

#include "Store.h"

#include <QHash>
#include <QJsonDocument>
#include <QSet>

namespace lapse
{

namespace
{
// The "status" member of a request or grant body. The bodies are compact JSON of flat objects whose only
// "status" key is their own (a string value holding those bytes would have its quotes escaped), so a search
// finds it without parsing the whole body; anything unexpected falls back to the parser.
QString statusOf(const QByteArray& body)
{
    static const QByteArray key = QByteArrayLiteral("\"status\":\"");
    const qsizetype at = body.indexOf(key);
    if (at < 0)
        return {};
    const qsizetype from = at + key.size(), to = body.indexOf('"', from);
    if (to < 0 || body.indexOf(key, to) >= 0)
        return QJsonDocument::fromJson(body).object().value(QLatin1String("status")).toString();
    return QString::fromLatin1(body.constData() + from, to - from);
}

Error disagrees(const QString& what)
{
    return makeError(ErrorCode::Conflict, QStringLiteral("state disagrees with the log: %1").arg(what));
}
} // namespace

Result<qint64> auditState(const Store& store)
{
    // What the log says: the status in the last request.* / grant.* event of each id, the sessions opened and
    // ended, and whether each principal's last lockout event locked it out.
    QHash<QString, QString> requestStatus, grantStatus;
    QSet<QString> sessionsOpened, sessionsEnded;
    QHash<QString, bool> lockedOut;
    for (qint64 after = 0;;) {
        const QList<Event> page = store.events(after, 10000);
        for (const Event& e : page) {
            const QStringView type = e.type;
            if (type.startsWith(QLatin1String("request.")) || type.startsWith(QLatin1String("grant."))) {
                const QString status = statusOf(e.body);
                if (!status.isEmpty())
                    (type.startsWith(QLatin1String("request.")) ? requestStatus : grantStatus)[e.subject]
                        = status;
            } else if (type == QLatin1String("session.opened")) {
                sessionsOpened.insert(e.subject);
            } else if (type == QLatin1String("session.ended")) {
                sessionsEnded.insert(e.subject);
            } else if (type == QLatin1String("principal.locked_out")) {
                lockedOut[e.subject] = true;
            } else if (type == QLatin1String("principal.unlocked")) {
                lockedOut[e.subject] = false;
            }
        }
        if (page.isEmpty())
            break;
        after = page.last().seq;
    }

    qint64 checked = 0;
    RequestFilter rf;
    rf.limit = 10000;
    for (;;) {
        const QList<AccessRequest> page = store.requests(rf);
        for (const AccessRequest& r : page) {
            ++checked;
            const auto it = requestStatus.constFind(r.id);
            if (it == requestStatus.cend())
                return disagrees(QStringLiteral("request %1 has no request event").arg(r.id));
            if (*it != requestStatusName(r.status))
                return disagrees(QStringLiteral("request %1 is %2 in its table but %3 in the log")
                                     .arg(r.id, requestStatusName(r.status), *it));
        }
        if (page.size() < rf.limit)
            break;
        rf.afterId = page.last().id;
    }
    GrantFilter gf;
    gf.limit = 10000;
    for (;;) {
        const QList<Grant> page = store.grants(gf);
        for (const Grant& g : page) {
            ++checked;
            const auto it = grantStatus.constFind(g.id);
            if (it == grantStatus.cend())
                return disagrees(QStringLiteral("grant %1 has no grant event").arg(g.id));
            if (*it != grantStatusName(g.status))
                return disagrees(QStringLiteral("grant %1 is %2 in its table but %3 in the log")
                                     .arg(g.id, grantStatusName(g.status), *it));
        }
        if (page.size() < gf.limit)
            break;
        gf.afterId = page.last().id;
    }
    SessionFilter sf;
    sf.limit = 100000;
    for (const Session& s : store.sessions(sf)) {
        ++checked;
        if (!sessionsOpened.contains(s.id))
            return disagrees(QStringLiteral("session %1 has no session.opened event").arg(s.id));
        if ((s.endedMs != 0) != sessionsEnded.contains(s.id))
            return disagrees(
                QStringLiteral("session %1 is %2 in its table but %3 in the log")
                    .arg(s.id, s.endedMs ? QStringLiteral("ended") : QStringLiteral("open"),
                        sessionsEnded.contains(s.id) ? QStringLiteral("ended") : QStringLiteral("open")));
    }
    for (const LockoutRecord& l : store.lockouts()) {
        ++checked;
        if (l.active != lockedOut.value(l.principal, false))
            return disagrees(
                QStringLiteral("%1 is %2 in the lockout table but %3 in the log")
                    .arg(l.principal, l.active ? QStringLiteral("locked out") : QStringLiteral("unlocked"),
                        lockedOut.value(l.principal, false) ? QStringLiteral("locked out")
                                                            : QStringLiteral("unlocked")));
    }
    return checked;
}

} // namespace lapse
