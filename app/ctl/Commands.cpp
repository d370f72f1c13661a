#include "Commands.h"

#include "core/Clock.h"
#include "engine/CheckpointWitness.h"
#include "engine/LogKey.h"
#include "engine/LogVerification.h"
#include "engine/SqliteStore.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QThread>
#include <QTimer>
#include <cstdio>

namespace lapse::ctl
{

namespace
{

struct CommandError {
    Failure failure;
};

} // namespace

QString printable(const QString& text)
{
    // What a store written before strict input could still hold (ESC sequences, line breaks in a reason, C1
    // controls) must not reach a terminal as such: shown as \xNN or \u00NN.
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u < 0x20 || u == 0x7f)
            out += QStringLiteral("\\x%1").arg(uint(u), 2, 16, QLatin1Char('0'));
        else if (u >= 0x80 && u <= 0x9f)
            out += QStringLiteral("\\u%1").arg(uint(u), 4, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out;
}

namespace
{

void out(const QString& line)
{
    std::fputs(qPrintable(printable(line) + QLatin1Char('\n')), stdout);
    std::fflush(stdout);
}

void printJson(const QJsonObject& o)
{
    std::fputs(QJsonDocument(o).toJson(QJsonDocument::Indented).constData(), stdout);
    std::fflush(stdout);
}

QJsonObject expectOk(const ApiResponse& r)
{
    if (r.status < 200 || r.status >= 300)
        throw CommandError {failureOf(r)};
    return r.jsonBody();
}

QJsonObject postJson(Context& c, const QString& path, const QJsonObject& body)
{
    return expectOk(c.transport->call("POST", path, {}, QJsonDocument(body).toJson(QJsonDocument::Compact)));
}

QJsonObject get(Context& c, const QString& path, const QUrlQuery& q = {})
{
    return expectOk(c.transport->call("GET", path, q));
}

QString need(Context& c, int index, const char* what)
{
    if (c.args.size() <= index)
        throw CommandError {{Usage, QStringLiteral("missing %1").arg(QLatin1String(what))}};
    return c.args.at(index);
}

QStringList list(const QString& csv)
{
    QStringList items;
    for (const QString& s : csv.split(QLatin1Char(','), Qt::SkipEmptyParts))
        items << s.trimmed();
    return items;
}

QString joined(const QJsonValue& v)
{
    QStringList items;
    for (const auto& x : v.toArray())
        items << x.toString();
    return items.join(QLatin1Char(','));
}

QString requestLine(const QJsonObject& r)
{
    QString line
        = QStringLiteral("%1 %2 %3 on %4 [%5] ttl %6s")
              .arg(r["id"].toString(), r["status"].toString(), r["requester"].toString(),
                  r["target"].toString(), joined(r["privileges"]), QString::number(r["ttl_seconds"].toInt()));
    if (r["status"].toString() == QLatin1String("pending"))
        line += QStringLiteral(" (%1/%2 approvals)")
                    .arg(r["approvals"].toArray().size())
                    .arg(r["approvals_required"].toInt());
    if (r.contains("grant_id"))
        line += QStringLiteral(" grant %1").arg(r["grant_id"].toString());
    if (r["break_glass"].toBool())
        line += QStringLiteral(" BREAK-GLASS");
    return line;
}

// Where enforcement on the target stands, when the target is enforced: " enforcement pending: <why>",
// " verified: login refused at <time>, 3 of 3 sessions gone".
QString enforcementText(const QJsonObject& g)
{
    const QJsonObject e = g["enforcement"].toObject();
    const QString state = e["state"].toString();
    if (state == QLatin1String("verified"))
        return QStringLiteral(" verified: login refused at %1, %2 of %3 sessions gone")
            .arg(e["login_refused_at"].toString())
            .arg(e["sessions_gone"].toInt())
            .arg(e["sessions_at_end"].toInt());
    if (state == QLatin1String("pending"))
        return e["error"].toString().isEmpty()
            ? QStringLiteral(" enforcement pending")
            : QStringLiteral(" enforcement pending: %1").arg(e["error"].toString());
    if (state == QLatin1String("provisioned"))
        return QStringLiteral(" login provisioned");
    return {};
}

QString grantLine(const QJsonObject& g)
{
    return QStringLiteral("%1 %2 %3 on %4 [%5] %6 .. %7%8%9")
        .arg(g["id"].toString(), g["status"].toString(), g["principal"].toString(), g["target"].toString(),
            joined(g["privileges"]), g["starts_at"].toString(),
            g["ended_at"].isNull() ? g["expires_at"].toString() : g["ended_at"].toString(),
            g["break_glass"].toBool() ? QStringLiteral(" BREAK-GLASS") : QString(), enforcementText(g));
}

QString eventLine(const QJsonObject& e)
{
    return QStringLiteral("%1 %2 %3 %4 %5")
        .arg(QString::number(e["seq"].toInteger()), e["ts"].toString(), e["type"].toString(),
            e["actor"].toString(), e["subject"].toString());
}

int show(Context& c, const QJsonObject& o, const QString& text)
{
    if (c.json)
        printJson(o);
    else
        out(text);
    return Ok;
}

// Blocks until the request leaves pending or the timeout passes; polls the request, which its requester
// may read (the event log is for approvers and auditors).
QJsonObject waitForDecision(Context& c, const QString& id, int timeoutSeconds)
{
    QDeadlineTimer deadline(qint64(timeoutSeconds) * 1000);
    int delayMs = 250;
    for (;;) {
        const QJsonObject r = get(c, QStringLiteral("/v1/requests/") + id);
        if (r["status"].toString() != QLatin1String("pending"))
            return r;
        if (deadline.hasExpired())
            throw CommandError {
                {Other, QStringLiteral("request %1 still pending after %2 s").arg(id).arg(timeoutSeconds)}};
        QEventLoop loop;
        QTimer::singleShot(
            qMin<qint64>(delayMs, qMax<qint64>(1, deadline.remainingTime())), &loop, &QEventLoop::quit);
        loop.exec();
        delayMs = qMin(delayMs * 2, 2000);
    }
}

int cmdRequest(Context& c)
{
    const auto& o = c.options;
    QJsonObject body {{"target", o.value("target")},
        {"privileges", QJsonArray::fromStringList(list(o.value("privileges")))}, {"task", o.value("task")},
        {"reason", o.value("reason")}};
    if (o.isSet("min-privileges"))
        body["min_privileges"] = QJsonArray::fromStringList(list(o.value("min-privileges")));
    if (o.isSet("ticket"))
        body["ticket"] = o.value("ticket");
    if (o.isSet("break-glass"))
        body["break_glass"] = true;
    bool ok = true;
    body["ttl_seconds"] = o.value("ttl").toInt(&ok);
    if (!ok)
        throw CommandError {{Usage, QStringLiteral("--ttl takes seconds")}};
    QJsonObject r = postJson(c, QStringLiteral("/v1/requests"), body);
    if (!o.isSet("wait"))
        return show(c, r, requestLine(r));
    const int timeout = o.value("timeout").toInt();
    if (r["status"].toString() == QLatin1String("pending"))
        std::fprintf(stderr, "%s pending; waiting for a decision...\n", qPrintable(r["id"].toString()));
    r = waitForDecision(c, r["id"].toString(), timeout > 0 ? timeout : 600);
    if (r["status"].toString() != QLatin1String("approved")) {
        if (c.json)
            printJson(r);
        throw CommandError {{Rejected,
            QStringLiteral("request %1 %2%3")
                .arg(r["id"].toString(), r["status"].toString(),
                    r.contains("deny_reason") ? QStringLiteral(": ") + r["deny_reason"].toString()
                                              : QString())}};
    }
    if (!r.contains("credential"))
        r = get(c, QStringLiteral("/v1/requests/") + r["id"].toString());
    const QJsonObject cred = r["credential"].toObject();
    if (cred["token"].toString().isEmpty())
        throw CommandError {{Other,
            QStringLiteral("request %1 approved but no credential was returned").arg(r["id"].toString())}};
    const QJsonObject login = cred["login"].toObject();
    if (o.isSet("conninfo") && login["conninfo"].toString().isEmpty())
        throw CommandError {{Other,
            QStringLiteral("grant %1 is on %2, which has no database login")
                .arg(r["grant_id"].toString(), r["target"].toString())}};
    if (c.json)
        printJson(r);
    else if (o.isSet("conninfo"))
        out(login["conninfo"].toString()); // for psql "$(lapsectl request --wait --conninfo ...)"
    else
        out(cred["token"].toString()); // stdout holds only the token, for $(lapsectl request --wait ...)
    std::fprintf(stderr, "approved: grant %s, expires %s\n", qPrintable(r["grant_id"].toString()),
        qPrintable(cred["expires_at"].toString()));
    return Ok;
}

int cmdStatus(Context& c)
{
    const QString id = need(c, 0, "ID (req_... or grt_...)");
    if (id.startsWith(QLatin1String("grt_"))) {
        const QJsonObject g = get(c, QStringLiteral("/v1/grants/") + id);
        return show(c, g, grantLine(g));
    }
    const QJsonObject r = get(c, QStringLiteral("/v1/requests/") + id);
    QString text = requestLine(r);
    if (r.contains("credential"))
        text += QStringLiteral("\ncredential expires %1")
                    .arg(r["credential"].toObject()["expires_at"].toString());
    return show(c, r, text);
}

int cmdList(Context& c)
{
    const bool grants = c.args.value(0) == QLatin1String("grants");
    QUrlQuery q;
    if (c.options.isSet("status"))
        q.addQueryItem(QStringLiteral("status"), c.options.value("status"));
    q.addQueryItem(
        QStringLiteral("limit"), c.options.isSet("limit") ? c.options.value("limit") : QStringLiteral("100"));
    const QJsonObject page
        = get(c, grants ? QStringLiteral("/v1/grants") : QStringLiteral("/v1/requests"), q);
    if (c.json) {
        printJson(page);
        return Ok;
    }
    for (const auto& v : page["items"].toArray())
        out(grants ? grantLine(v.toObject()) : requestLine(v.toObject()));
    return Ok;
}

int cmdApprove(Context& c)
{
    const QString id = need(c, 0, "request ID");
    QJsonObject body;
    if (c.options.isSet("privileges"))
        body["privileges"] = QJsonArray::fromStringList(list(c.options.value("privileges")));
    if (c.options.isSet("ttl"))
        body["ttl_seconds"] = c.options.value("ttl").toInt();
    if (c.options.isSet("comment"))
        body["comment"] = c.options.value("comment");
    const QJsonObject r = postJson(c, QStringLiteral("/v1/requests/%1/approve").arg(id), body);
    if (r.contains("grant"))
        return show(c, r, QStringLiteral("approved: ") + grantLine(r["grant"].toObject()));
    return show(c, r,
        QStringLiteral("approval recorded: %1 of %2")
            .arg(r["approvals"].toInt())
            .arg(r["approvals_required"].toInt()));
}

int cmdDeny(Context& c)
{
    const QString id = need(c, 0, "request ID");
    const QJsonObject r = postJson(c, QStringLiteral("/v1/requests/%1/deny").arg(id),
        QJsonObject {{"reason", c.options.value("reason")}});
    return show(c, r, requestLine(r));
}

int cmdRevoke(Context& c)
{
    const QString id = need(c, 0, "grant ID");
    const QJsonObject g = postJson(c, QStringLiteral("/v1/grants/%1/revoke").arg(id),
        QJsonObject {{"reason", c.options.value("reason")}});
    return show(c, g, grantLine(g));
}

int cmdComplete(Context& c)
{
    const QString id = need(c, 0, "grant ID");
    const QJsonObject g = postJson(c, QStringLiteral("/v1/grants/%1/complete").arg(id), {});
    return show(c, g, grantLine(g));
}

int cmdLockout(Context& c)
{
    const QString who = need(c, 0, "principal ID");
    const QJsonObject r = postJson(c, QStringLiteral("/v1/principals/%1/lockout").arg(who),
        QJsonObject {{"reason", c.options.value("reason")}});
    return show(c, r,
        QStringLiteral(
            "%1 locked out at %2: %3 grants revoked, %4 sessions ordered closed, %5 requests denied")
            .arg(who, r["locked_at"].toString())
            .arg(r["revoked_grants"].toArray().size())
            .arg(r["terminated_sessions"].toArray().size())
            .arg(r["denied_requests"].toArray().size()));
}

int cmdUnlock(Context& c)
{
    const QString who = need(c, 0, "principal ID");
    const QJsonObject r = postJson(c, QStringLiteral("/v1/principals/%1/unlock").arg(who), {});
    return show(
        c, r, QStringLiteral("%1 unlocked; credentials issued before the lockout stay invalid").arg(who));
}

int cmdEvents(Context& c)
{
    qint64 after = c.options.value("after").toLongLong();
    const QString limit = c.options.isSet("limit") ? c.options.value("limit") : QStringLiteral("1000");
    const bool follow = c.options.isSet("follow");
    for (;;) {
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("after"), QString::number(after));
        q.addQueryItem(QStringLiteral("limit"), limit);
        if (follow)
            q.addQueryItem(QStringLiteral("wait"), QStringLiteral("25"));
        const QJsonObject page = get(c, QStringLiteral("/v1/events"), q);
        const QJsonArray items = page["items"].toArray();
        for (const auto& v : items) {
            const QJsonObject e = v.toObject();
            if (c.json)
                out(QString::fromUtf8(QJsonDocument(e).toJson(QJsonDocument::Compact)));
            else
                out(eventLine(e));
            after = e["seq"].toInteger();
        }
        if (!follow)
            return Ok;
    }
}

QByteArray readFile(const QString& path, const char* what)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw CommandError {{Usage, QStringLiteral("cannot read the %1 %2").arg(QLatin1String(what), path)}};
    return f.readAll();
}

int cmdVerify(Context& c)
{
    const QString dataDir = c.options.value("data");
    if (dataDir.isEmpty())
        throw CommandError {{Usage, QStringLiteral("verify needs --data DIR")}};
    const QString file = QDir(dataDir).filePath(QStringLiteral("lapse.db"));
    if (!QFileInfo::exists(file))
        throw CommandError {{Rejected, QStringLiteral("no store at %1").arg(file)}};
    qint64 breakSeq = -1;
    // Read-only, so verifying a broker's store while it runs neither blocks nor changes it.
    auto store = SqliteStore::openReadOnly(file);
    if (!store)
        throw CommandError {{Other, QStringLiteral("cannot open %1: %2").arg(file, store.error().message)}};
    // A checkpoint kept elsewhere: its signature first (by --log-key, or the store's own log keys).
    std::optional<CheckpointBody> given;
    if (c.options.isSet("checkpoint")) {
        const QByteArray note = readFile(c.options.value("checkpoint"), "checkpoint");
        auto parsed = SignedNote::parse(note);
        if (!parsed)
            throw CommandError {{Rejected,
                QStringLiteral("the checkpoint is not a signed note: %1").arg(parsed.error().message)}};
        auto body = CheckpointBody::parse(parsed->text);
        if (!body)
            throw CommandError {
                {Rejected, QStringLiteral("the checkpoint is malformed: %1").arg(body.error().message)}};
        QStringList vkeys;
        if (c.options.isSet("log-key")) {
            vkeys = QString::fromUtf8(readFile(c.options.value("log-key"), "log key"))
                        .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        } else {
            auto key = LogKey::open(dataDir, body->origin);
            if (!key)
                throw CommandError {{Other,
                    QStringLiteral("no log key to check the checkpoint with: %1").arg(key.error().message)}};
            vkeys << key.value()->vkey();
            for (const NoteVerifier& v : key.value()->retired())
                vkeys << v.vkey();
        }
        auto witness = CheckpointWitness::trusting(vkeys);
        if (!witness)
            throw CommandError {{Usage, witness.error().message}};
        if (auto opened = witness->open(note); !opened)
            throw CommandError {{Other,
                QStringLiteral("the checkpoint's signature does not verify: %1")
                    .arg(opened.error().message)}};
        given = body.value();
    }
    const auto verified = verifyLog(*store.value(), given, &breakSeq);
    if (!verified) {
        if (c.json)
            printJson(QJsonObject {
                {"intact", false}, {"break_seq", breakSeq}, {"reason", verified.error().message}});
        throw CommandError {{Other, verified.error().message}};
    }
    QString summary
        = QStringLiteral("chain intact: %1 events verified; state agrees (%2 rows); tree matches %3 "
                         "checkpoint(s)")
              .arg(verified->events)
              .arg(verified->stateRows)
              .arg(verified->checkpointsMatched);
    if (given)
        summary += QStringLiteral("; checkpoint at size %1 verified").arg(given->size);
    return show(c,
        QJsonObject {{"intact", true}, {"events", verified->events}, {"state_rows", verified->stateRows},
            {"checkpoints_matched", verified->checkpointsMatched},
            {"checkpoint_size", given ? QJsonValue(given->size) : QJsonValue()}},
        summary);
}

QByteArray getText(Context& c, const QString& path, const QUrlQuery& q = {})
{
    const ApiResponse r = c.transport->callText("GET", path, q);
    if (r.status < 200 || r.status >= 300)
        throw CommandError {failureOf(r)};
    return r.body;
}

// Follows the log as a witness: each new checkpoint must be signed by a trusted log key and consistent with
// the last one kept in the state file; a rotated key is trusted once a checkpoint signed by the old and the
// new key shows the hand-over.
int logWatch(Context& c)
{
    const QString stateFile = c.options.value("state");
    if (stateFile.isEmpty())
        throw CommandError {{Usage, QStringLiteral("log watch needs --state FILE")}};
    std::optional<CheckpointWitness> witness;
    if (QFileInfo::exists(stateFile)) {
        const QJsonObject saved = QJsonDocument::fromJson(readFile(stateFile, "state file")).object();
        auto w = CheckpointWitness::fromJson(saved);
        if (!w)
            throw CommandError {
                {Other, QStringLiteral("the state file %1: %2").arg(stateFile, w.error().message)}};
        witness = std::move(w).value();
    } else {
        QStringList vkeys;
        if (c.options.isSet("log-key")) {
            vkeys = QString::fromUtf8(readFile(c.options.value("log-key"), "log key"))
                        .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        } else {
            vkeys << QString::fromUtf8(getText(c, QStringLiteral("/.well-known/lapse-log-key"))).trimmed();
            std::fprintf(
                stderr, "lapsectl: trusting the log key %s on first use\n", qPrintable(vkeys.first()));
        }
        auto w = CheckpointWitness::trusting(vkeys);
        if (!w)
            throw CommandError {{Usage, w.error().message}};
        witness = std::move(w).value();
    }
    auto save = [&] {
        QSaveFile f(stateFile);
        if (!f.open(QIODevice::WriteOnly) || f.write(QJsonDocument(witness->toJson()).toJson()) < 0
            || !f.commit())
            throw CommandError {{Other, QStringLiteral("cannot write the state file %1").arg(stateFile)}};
    };
    auto consistency = [&](qint64 from, qint64 to) {
        QList<merkle::Hash> proof;
        if (from == 0 || from >= to)
            return proof;
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("from"), QString::number(from));
        q.addQueryItem(QStringLiteral("to"), QString::number(to));
        for (const QByteArray& line : getText(c, QStringLiteral("/v1/log/consistency"), q).split('\n')) {
            if (line.isEmpty())
                continue;
            const auto h = merkle::fromBase64(line);
            if (!h)
                throw CommandError {{Other,
                    QStringLiteral("the consistency proof from %1 to %2 is malformed").arg(from).arg(to)}};
            proof << *h;
        }
        return proof;
    };
    auto acceptNote = [&](const QByteArray& note) {
        auto body = witness->open(note);
        if (!body)
            throw CommandError {{Other, body.error().message}};
        const qint64 kept = witness->size();
        if (const Status s = witness->accept(note, consistency(kept, body->size)); !s)
            throw CommandError {{Other, s.error().message}};
        save();
        out(kept ? QStringLiteral("checkpoint %1 verified: consistent with %2").arg(body->size).arg(kept)
                 : QStringLiteral("checkpoint %1 verified").arg(body->size));
    };
    // A checkpoint signed by a key not trusted yet: find the rotation that introduced it and its hand-over.
    auto learnRotatedKey = [&]() {
        const QString current
            = QString::fromUtf8(getText(c, QStringLiteral("/.well-known/lapse-log-key"))).trimmed();
        for (qint64 after = witness->size();;) {
            QUrlQuery q;
            q.addQueryItem(QStringLiteral("after"), QString::number(after));
            q.addQueryItem(QStringLiteral("limit"), QStringLiteral("10000"));
            const QJsonArray items
                = get(c, QStringLiteral("/v1/events"), q)[QLatin1String("items")].toArray();
            if (items.isEmpty())
                break;
            for (const auto& v : items) {
                const QJsonObject e = v.toObject();
                after = e[QLatin1String("seq")].toInteger();
                if (e[QLatin1String("type")].toString() != QLatin1String("log.key_rotated"))
                    continue;
                // The body travels as the exact text that was hashed.
                const QString next = QJsonDocument::fromJson(e[QLatin1String("body")].toString().toUtf8())
                                         .object()[QLatin1String("current")]
                                         .toString();
                QUrlQuery at;
                at.addQueryItem(QStringLiteral("size"), QString::number(after));
                const QByteArray handOver = getText(c, QStringLiteral("/v1/log/checkpoint"), at);
                if (const Status s = witness->learnKey(handOver, next); !s)
                    throw CommandError {{Other,
                        QStringLiteral("log key rotation at event %1: %2")
                            .arg(after)
                            .arg(s.error().message)}};
                acceptNote(handOver);
                if (next == current)
                    return;
            }
        }
        throw CommandError {{Other,
            QStringLiteral("the latest checkpoint is signed by a key no trusted key handed over to")}};
    };
    const int intervalMs = c.options.value("interval").toInt() * 1000;
    for (;;) {
        const QByteArray note = getText(c, QStringLiteral("/v1/log/checkpoint"));
        if (!witness->open(note))
            learnRotatedKey();
        if (witness->note() != note)
            acceptNote(note);
        else
            out(QStringLiteral("checkpoint %1 unchanged").arg(witness->size()));
        if (!c.options.isSet("follow"))
            return Ok;
        QThread::msleep(std::max(1000, intervalMs));
    }
}

int logProve(Context& c)
{
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("seq"), c.options.value("seq"));
    if (c.options.isSet("size"))
        q.addQueryItem(QStringLiteral("size"), c.options.value("size"));
    std::fputs(getText(c, QStringLiteral("/v1/log/proof"), q).constData(), stdout);
    std::fflush(stdout);
    return Ok;
}

// The latest signed checkpoint (cut now first with --cut), or the one at --size; raw, to keep or to check.
int logCheckpoint(Context& c)
{
    QByteArray note;
    if (c.options.isSet("cut")) {
        const ApiResponse r = c.transport->callText("POST", QStringLiteral("/v1/log/checkpoint"));
        if (r.status != 200)
            throw CommandError {failureOf(r)};
        note = r.body;
    } else {
        QUrlQuery q;
        if (c.options.isSet("size"))
            q.addQueryItem(QStringLiteral("size"), c.options.value("size"));
        note = getText(c, QStringLiteral("/v1/log/checkpoint"), q);
    }
    std::fputs(note.constData(), stdout);
    std::fflush(stdout);
    return Ok;
}

int logRotateKey(Context& c)
{
    const ApiResponse r = c.transport->callText("POST", QStringLiteral("/v1/log/key/rotate"));
    if (r.status != 200)
        throw CommandError {failureOf(r)};
    std::fputs(r.body.constData(), stdout);
    std::fflush(stdout);
    return Ok;
}

int cmdLog(Context& c)
{
    const QString what = need(c, 0, "log command (watch, checkpoint, prove or rotate-key)");
    if (what == QLatin1String("watch"))
        return logWatch(c);
    if (what == QLatin1String("checkpoint"))
        return logCheckpoint(c);
    if (what == QLatin1String("rotate-key"))
        return logRotateKey(c);
    if (what == QLatin1String("prove")) {
        if (!c.options.isSet("seq"))
            throw CommandError {{Usage, QStringLiteral("log prove needs --seq N")}};
        return logProve(c);
    }
    throw CommandError {{Usage,
        QStringLiteral("unknown log command '%1' (watch, checkpoint, prove or rotate-key)").arg(what)}};
}

int cmdMetrics(Context& c)
{
    QUrlQuery q;
    for (const char* key : {"from", "to", "target", "kind", "repeat"})
        if (c.options.isSet(QLatin1String(key)))
            q.addQueryItem(QLatin1String(key), c.options.value(QLatin1String(key)));
    const QJsonObject m = get(c, QStringLiteral("/v1/insights"), q);
    if (c.json) {
        printJson(m);
        return Ok;
    }
    const QJsonObject ef = m["elevation_frequency"].toObject(), gw = m["grant_width"].toObject(),
                      ls = m["lingering_sessions"].toObject(), rv = m["revocation"].toObject(),
                      du = m["duration"].toObject(), co = m["completeness"].toObject();
    out(QStringLiteral("grants: %1 by %2 identities; repeated elevations: %3")
            .arg(ef["grants"].toInt())
            .arg(ef["by_identity"].toArray().size())
            .arg(ef["repeated"].toArray().size()));
    for (const auto& v : ef["repeated"].toArray()) {
        const QJsonObject r = v.toObject();
        out(QStringLiteral("  %1 on %2 [%3] x%4")
                .arg(r["identity"].toString(), r["target"].toString(), joined(r["privileges"]))
                .arg(r["count"].toInt()));
    }
    out(QStringLiteral("width: %1 privileges beyond declared minimums, %2 grants narrowed, %3 approved "
                       "privileges never used")
            .arg(gw["excess_privileges"].toInt())
            .arg(gw["narrowed"].toInt())
            .arg(gw["unused_privileges"].toInt()));
    out(QStringLiteral("lingering: %1 sessions, %2 s in all; %3 post-expiry uses")
            .arg(ls["count"].toInt())
            .arg(ls["total_seconds"].toDouble(), 0, 'f', 1)
            .arg(ls["post_expiry_uses"].toInt()));
    out(QStringLiteral("revocation: %1, sessions confirmed closed p50 %2 ms, p99 %3 ms")
            .arg(rv["count"].toInt())
            .arg(rv["p50_ms"].toDouble())
            .arg(rv["p99_ms"].toDouble()));
    out(QStringLiteral("duration: %1 ended (%2 completed, %3 expired, %4 revoked), %5 break-glass")
            .arg(du["ended"].toInt())
            .arg(du["completed"].toInt())
            .arg(du["expired"].toInt())
            .arg(du["revoked"].toInt())
            .arg(du["break_glass"].toInt()));
    out(QStringLiteral("complete records: %1 of %2").arg(co["complete"].toInt()).arg(co["grants"].toInt()));
    return Ok;
}

// lapsectl review repeated|decide: the access review of repeated elevations.
int cmdReview(Context& c)
{
    const QString what = need(c, 0, "review command (repeated or decide)");
    if (what == QLatin1String("repeated")) {
        QUrlQuery q;
        for (const char* key : {"from", "to", "target", "kind", "repeat"})
            if (c.options.isSet(QLatin1String(key)))
                q.addQueryItem(QLatin1String(key), c.options.value(QLatin1String(key)));
        const QJsonObject r = get(c, QStringLiteral("/v1/reviews/repeated"), q);
        if (c.json) {
            printJson(r);
            return Ok;
        }
        const QJsonArray candidates = r["candidates"].toArray();
        out(QStringLiteral(
            "%1 repeated-elevation candidates; for each, its owner decides: keep-jit (keep asking "
            "just in time), convert-to-rule (a policy rule approves it), or standing-entitlement "
            "(a narrow standing grant outside Lapse)")
                .arg(candidates.size()));
        for (const auto& v : candidates) {
            const QJsonObject x = v.toObject();
            QStringList owners;
            for (const auto& o : x["decided_by_owners"].toArray())
                owners << o.toString();
            QString line = QStringLiteral("%1 (%2) on %3 [%4] x%5 - decided by %6")
                               .arg(x["identity"].toString(), x["kind"].toString(), x["target"].toString(),
                                   joined(x["privileges"]))
                               .arg(x["count"].toInt())
                               .arg(owners.isEmpty() ? QStringLiteral("an admin")
                                                     : owners.join(QStringLiteral(" or ")));
            if (x.contains("rule"))
                line += QStringLiteral("; rule %1 already approves it").arg(x["rule"].toString());
            const QJsonObject d = x["decision"].toObject();
            line += d.isEmpty()
                ? QStringLiteral("; undecided")
                : QStringLiteral("; %1 by %2 at %3 (seq %4): %5")
                      .arg(d["outcome"].toString(), d["reviewer"].toString(), d["decided_at"].toString(),
                          QString::number(d["seq"].toInteger()), d["comment"].toString());
            out(line);
        }
        return Ok;
    }
    if (what == QLatin1String("decide")) {
        for (const char* key : {"identity", "target", "privileges", "outcome", "comment"})
            if (!c.options.isSet(QLatin1String(key)))
                throw CommandError {{Usage,
                    QStringLiteral("review decide needs --identity, --target, --privileges, --outcome "
                                   "(keep-jit, convert-to-rule, standing-entitlement) and --comment")}};
        QJsonObject body {{"identity", c.options.value("identity")}, {"target", c.options.value("target")},
            {"privileges", QJsonArray::fromStringList(list(c.options.value("privileges")))},
            {"outcome", c.options.value("outcome")}, {"comment", c.options.value("comment")}};
        for (const char* key : {"from", "to"})
            if (c.options.isSet(QLatin1String(key)))
                body.insert(QLatin1String(key), c.options.value(QLatin1String(key)));
        const QJsonObject d = postJson(c, QStringLiteral("/v1/reviews"), body);
        if (c.json) {
            printJson(d);
            return Ok;
        }
        out(QStringLiteral("review.decided at seq %1: %2 on %3 [%4]: %5 (%6 grants in the period)")
                .arg(QString::number(d["seq"].toInteger()), d["identity"].toString(), d["target"].toString(),
                    joined(d["privileges"]), d["outcome"].toString())
                .arg(d["grants"].toInt()));
        return Ok;
    }
    throw CommandError {{Usage, QStringLiteral("unknown review command '%1' (repeated, decide)").arg(what)}};
}

} // namespace

Failure failureOf(const ApiResponse& r)
{
    const QJsonObject err = r.jsonBody()["error"].toObject();
    QString message = err["message"].toString();
    if (message.isEmpty())
        message = QStringLiteral("HTTP %1").arg(r.status);
    int code = Other;
    if (r.status == 401 || r.status == 403)
        code = Denied;
    else if (r.status == 400 || r.status == 404 || r.status == 409 || r.status == 413 || r.status == 422)
        code = Rejected;
    else if (r.status == 503)
        code = Unavailable;
    return {code, message};
}

const QMap<QString, Command>& commands()
{
    static const QMap<QString, Command> table {
        {QStringLiteral("request"),
            {QStringLiteral("request --target T --privileges a,b --task X --reason Y [--ticket Z] [--ttl S] "
                            "[--min-privileges a] [--break-glass] [--wait [--timeout S]]"),
                true, cmdRequest}},
        {QStringLiteral("status"),
            {QStringLiteral("status ID                 a request (req_...) or grant (grt_...)"), true,
                cmdStatus}},
        {QStringLiteral("list"), {QStringLiteral("list [grants] [--status S] [--limit N]"), true, cmdList}},
        {QStringLiteral("approve"),
            {QStringLiteral("approve ID [--privileges a] [--ttl S] [--comment C]"), true, cmdApprove}},
        {QStringLiteral("deny"), {QStringLiteral("deny ID --reason R"), true, cmdDeny}},
        {QStringLiteral("revoke"), {QStringLiteral("revoke GRANT --reason R"), true, cmdRevoke}},
        {QStringLiteral("complete"),
            {QStringLiteral("complete GRANT            the task is done: end the grant now"), true,
                cmdComplete}},
        {QStringLiteral("lockout"), {QStringLiteral("lockout PRINCIPAL --reason R"), true, cmdLockout}},
        {QStringLiteral("unlock"), {QStringLiteral("unlock PRINCIPAL"), true, cmdUnlock}},
        {QStringLiteral("events"),
            {QStringLiteral("events [--after SEQ] [--limit N] [--follow]"), true, cmdEvents}},
        {QStringLiteral("metrics"),
            {QStringLiteral("metrics [--from ISO] [--to ISO] [--target T] [--kind K] [--repeat N]"), true,
                cmdMetrics}},
        {QStringLiteral("verify"),
            {QStringLiteral(
                 "verify --data DIR [--checkpoint FILE [--log-key FILE]]   the chain, the state tables "
                 "and the tree, offline"),
                false, cmdVerify}},
        {QStringLiteral("log"),
            {QStringLiteral(
                 "log watch --state FILE [--log-key FILE] [--follow [--interval S]] | log checkpoint "
                 "[--cut | --size M] | log prove --seq N [--size M] | log rotate-key"),
                true, cmdLog}},
        {QStringLiteral("review"),
            {QStringLiteral(
                 "review repeated [--from ISO] [--to ISO] [--target T] | review decide --identity I "
                 "--target T --privileges a,b --outcome O --comment C [--from ISO] [--to ISO]"),
                true, cmdReview}},
        {QStringLiteral("policy"),
            {QStringLiteral(
                 "policy test --directory FILE --request JSON|@FILE | policy lint --directory FILE"),
                false, cmdPolicy}},
        {QStringLiteral("evidence"),
            {QStringLiteral(
                 "evidence export --from ISO --to ISO [--target T]... [--kind K]... [--sample N] "
                 "[--seed S] --out FILE|DIR [--mirror FILE] | evidence verify FILE [--log-key FILE]"),
                true, cmdEvidence}},
    };
    return table;
}

int runCommand(const Command& cmd, Context& c)
{
    try {
        return cmd.run(c);
    } catch (const CommandError& e) {
        std::fprintf(stderr, "lapsectl: %s\n", qPrintable(printable(e.failure.message.simplified())));
        return e.failure.exitCode;
    }
}
} // namespace lapse::ctl
