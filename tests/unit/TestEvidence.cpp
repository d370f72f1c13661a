// Evidence packs: the rows, exceptions and sample a known history gives; the zip a verifier accepts, and
// every change to it the verifier names; the CSV read back by Python's csv module; a mirror's pack equal to
// the broker's; an empty period; a cancel that leaves nothing behind; the manifest signature the broker
// attests.
#include "EngineFixture.h"
#include "ReadmeScript.h"
#include "engine/Engine.h"
#include "engine/EventChain.h"
#include "engine/SqliteStore.h"
#include "evidence/EvidenceCollector.h"
#include "evidence/EvidencePack.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>
#include <quazip/quazip.h>
#include <quazip/quazipfile.h>
#include <quazip/quazipnewinfo.h>

using namespace lapse;
using namespace lapse::test;

namespace
{
// The known history: six grants and two requests that never became one.
struct History {
    Grant completed; // alice, billing-db: a session that ended in time, then a use after the end
    Grant revokedOpen; // svc-ci: revoked with a session never confirmed closed
    Grant revokedClosed; // dave: revoked, its session confirmed closed 5 s later
    Grant breakGlass; // agent-7 on vault, reviewed by aud
    Grant expired; // alice on prod-k8s, left to expire
    Grant formula; // svc-ci, a task that starts with '='
    QString denied, unreviewed;
    qint64 endMs = 0;
};

Result<History> makeHistory(EngineFixture& f)
{
    History h;
    Engine& e = f.engine();
    const auto grant = [&](const QString& who, const RequestInput& in) -> Result<Grant> {
        f.clock().advance(1000);
        return f.grantFor(who, in);
    };
    auto g = grant(QStringLiteral("alice"), EngineFixture::input(QStringLiteral("billing-db")));
    if (!g)
        return g.error();
    h.completed = g.value();
    const QByteArray token = f.token(h.completed);
    auto s = e.openSession(f.who(QStringLiteral("api-gw")), token, {QStringLiteral("read")});
    if (!s)
        return s.error();
    f.clock().advance(2000);
    if (auto ended = e.endSession(f.who(QStringLiteral("api-gw")), s->id, {}); !ended)
        return ended.error();
    if (auto c = e.complete(f.who(QStringLiteral("alice")), h.completed.id); !c)
        return c.error();
    f.clock().advance(1000);
    e.introspect(f.who(QStringLiteral("api-gw")), token); // a use after the end: evidence

    g = grant(QStringLiteral("svc-ci"), EngineFixture::input(QStringLiteral("billing-db")));
    if (!g)
        return g.error();
    h.revokedOpen = g.value();
    if (auto open = e.openSession(f.who(QStringLiteral("api-gw")), f.token(h.revokedOpen), {}); !open)
        return open.error();
    if (auto r = e.revoke(f.who(QStringLiteral("rita")), h.revokedOpen.id, QStringLiteral("suspicious")); !r)
        return r.error();

    g = grant(QStringLiteral("dave"), EngineFixture::input(QStringLiteral("billing-db")));
    if (!g)
        return g.error();
    h.revokedClosed = g.value();
    auto s2 = e.openSession(f.who(QStringLiteral("api-gw")), f.token(h.revokedClosed), {});
    if (!s2)
        return s2.error();
    f.clock().advance(500);
    if (auto r = e.revoke(f.who(QStringLiteral("rita")), h.revokedClosed.id, QStringLiteral("done early"));
        !r)
        return r.error();
    f.clock().advance(5000);
    if (auto ended = e.endSession(f.who(QStringLiteral("api-gw")), s2->id, {}); !ended)
        return ended.error();

    RequestInput glass = EngineFixture::input(QStringLiteral("vault"));
    glass.breakGlass = true;
    glass.ttlSeconds = 120;
    f.clock().advance(1000);
    auto d = f.submit(QStringLiteral("agent-7"), glass);
    if (!d)
        return d.error();
    if (!d->grant)
        return makeError(ErrorCode::Internal, QStringLiteral("break-glass did not grant at once"));
    h.breakGlass = *d->grant;
    if (auto r = e.review(f.who(QStringLiteral("aud")), h.breakGlass.id, QStringLiteral("checked with bob"));
        !r)
        return r.error();

    g = grant(QStringLiteral("alice"), EngineFixture::input(QStringLiteral("prod-k8s")));
    if (!g)
        return g.error();
    h.expired = g.value();

    RequestInput formula = EngineFixture::input(QStringLiteral("billing-db"));
    formula.task = QStringLiteral("=HYPERLINK(\"http://evil.example\",\"x\")");
    g = grant(QStringLiteral("svc-ci"), formula);
    if (!g)
        return g.error();
    h.formula = g.value();

    f.clock().advance(1000);
    auto denied = f.submit(QStringLiteral("alice"), EngineFixture::input(QStringLiteral("billing-db")));
    if (!denied)
        return denied.error();
    h.denied = denied->request.id;
    if (auto r = e.deny(f.who(QStringLiteral("bob")), h.denied, QStringLiteral("not needed")); !r)
        return r.error();
    auto unreviewed = f.submit(QStringLiteral("dave"), EngineFixture::input(QStringLiteral("billing-db")));
    if (!unreviewed)
        return unreviewed.error();
    h.unreviewed = unreviewed->request.id;
    f.clock().advance(3LL * 86'400 * 1000); // past every review deadline and grant window
    e.sweep();
    h.endMs = f.now() + 1;
    return h;
}

// The known history with a signed checkpoint of it: what a pack is anchored to.
Result<History> checkpointedHistory(EngineFixture& f)
{
    auto h = makeHistory(f);
    if (!h)
        return h;
    if (auto cp = f.engine().cutCheckpoint(f.who(QStringLiteral("aud"))); !cp)
        return cp.error();
    return h;
}

EvidenceScope everything(const History& h)
{
    EvidenceScope scope;
    scope.fromMs = kStartMs - 86'400'000;
    scope.toMs = h.endMs;
    scope.seed = 42;
    return scope;
}

// A build that signs with the engine's own log key and renders a stand-in report (the real one is tested in
// TestEvidenceReport).
EvidenceBuild buildFor(Engine& e, const EvidenceScope& scope, const QString& out)
{
    EvidenceBuild b;
    b.scope = scope;
    b.outFile = out;
    b.generatedBy = QStringLiteral("aud");
    b.logKey = e.log().key().verifier();
    b.renderReport = [](const EvidenceData& d) -> Result<QByteArray> {
        return QByteArray("%PDF-1.4 stand-in: ") + QByteArray::number(d.grants.size()) + " grants "
            + d.dataDigest;
    };
    b.signManifest = [&e](const QByteArray& m) -> Result<QByteArray> { return e.log().key().sign(m); };
    return b;
}

// Every entry of a zip, in order.
QList<std::pair<QString, QByteArray>> readZip(const QString& file)
{
    QList<std::pair<QString, QByteArray>> out;
    QuaZip zip(file);
    if (!zip.open(QuaZip::mdUnzip))
        return out;
    for (bool more = zip.goToFirstFile(); more; more = zip.goToNextFile()) {
        QuaZipFile f(&zip);
        f.open(QIODevice::ReadOnly);
        out.append({zip.getCurrentFileName(), f.readAll()});
    }
    return out;
}

QByteArray entry(const QString& file, const QString& name)
{
    for (const auto& [n, bytes] : readZip(file))
        if (n == name)
            return bytes;
    return {};
}

bool writeZip(const QString& file, const QList<std::pair<QString, QByteArray>>& entries)
{
    QuaZip zip(file);
    zip.setZip64Enabled(true);
    if (!zip.open(QuaZip::mdCreate))
        return false;
    for (const auto& [name, bytes] : entries) {
        QuaZipFile f(&zip);
        if (!f.open(QIODevice::WriteOnly, QuaZipNewInfo(name)) || f.write(bytes) != bytes.size())
            return false;
        f.close();
    }
    zip.close();
    return zip.getZipError() == 0;
}

QByteArray hex256(const QByteArray& b)
{
    return QCryptographicHash::hash(b, QCryptographicHash::Sha256).toHex();
}
} // namespace

class TestEvidence : public QObject
{
    Q_OBJECT

private slots:
    void rowsExceptionsAndSampleOfAKnownHistory()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        const auto h = checkpointedHistory(f);
        LAPSE_VERIFY_OK(h);
        const auto d = collectEvidence(f.engine().store(), f.engine().directory(), everything(h.value()),
            f.engine().log().key().verifier());
        LAPSE_VERIFY_OK(d);
        const EvidenceData& data = d.value();
        QCOMPARE(data.treeSize, f.engine().store().lastSeq());

        // Every grant, by start: exactly the six of the history.
        QStringList ids;
        for (const GrantRecord& r : data.grants)
            ids << r.grant.id;
        QCOMPARE(ids,
            (QStringList {h->completed.id, h->revokedOpen.id, h->revokedClosed.id, h->breakGlass.id,
                h->expired.id, h->formula.id}));
        const auto rec = [&](const QString& id) {
            for (const GrantRecord& r : data.grants)
                if (r.grant.id == id)
                    return r;
            return GrantRecord {};
        };
        QCOMPARE(rec(h->completed.id).ending, QStringLiteral("completed"));
        QCOMPARE(rec(h->completed.id).sessions, 1);
        QCOMPARE(rec(h->completed.id).postExpiryUses, 1);
        QCOMPARE(rec(h->completed.id).approvedBy, QStringLiteral("bob"));
        QCOMPARE(rec(h->completed.id).kind, QStringLiteral("human"));
        QCOMPARE(rec(h->revokedOpen.id).revocationEffectMs, qint64(-2));
        QCOMPARE(rec(h->revokedOpen.id).unconfirmedSessions, 1);
        QCOMPARE(rec(h->revokedOpen.id).owner, QStringLiteral("alice"));
        QCOMPARE(rec(h->revokedClosed.id).revocationEffectMs, qint64(5000));
        QCOMPARE(rec(h->revokedClosed.id).lingeringMs, qint64(5000));
        QCOMPARE(rec(h->breakGlass.id).approvedBy, QStringLiteral("policy:break-glass"));
        QVERIFY(rec(h->breakGlass.id).grant.reviewed);
        QVERIFY(rec(h->breakGlass.id).reviewedSeq > rec(h->breakGlass.id).activatedSeq);
        QCOMPARE(rec(h->expired.id).ending, QStringLiteral("expired"));
        QCOMPARE(rec(h->expired.id).revocationEffectMs, qint64(-1));
        // Lifecycle seqs point at the events they name.
        const GrantRecord done = rec(h->completed.id);
        const auto typeAt = [&](qint64 seq) { return f.engine().store().events(seq - 1, 1).value(0).type; };
        QCOMPARE(typeAt(done.createdSeq), QStringLiteral("request.created"));
        QCOMPARE(typeAt(done.approvedSeq), QStringLiteral("request.approved"));
        QCOMPARE(typeAt(done.activatedSeq), QStringLiteral("grant.activated"));
        QCOMPARE(typeAt(done.endedSeq), QStringLiteral("grant.completed"));
        QVERIFY(done.eventSeqs.contains(done.createdSeq) && done.eventSeqs.size() >= 7);

        // Requests created in the period, including the denied and the unreviewed.
        QCOMPARE(data.requests.size(), 8);
        QHash<QString, RequestStatus> statuses;
        for (const RequestRecord& r : data.requests)
            statuses.insert(r.request.id, r.request.status);
        QCOMPARE(statuses.value(h->denied), RequestStatus::Denied);
        QCOMPARE(statuses.value(h->unreviewed), RequestStatus::Expired);

        // The exceptions, by category.
        QMultiHash<QString, QString> byCategory;
        for (const EvidenceException& x : data.exceptions)
            byCategory.insert(x.category, x.subject);
        QCOMPARE(byCategory.values(QStringLiteral("break_glass")), QStringList {h->breakGlass.id});
        QCOMPARE(byCategory.values(QStringLiteral("post_expiry_use")), QStringList {h->completed.id});
        QCOMPARE(
            byCategory.values(QStringLiteral("unconfirmed_revocation")), QStringList {h->revokedOpen.id});
        QCOMPARE(byCategory.count(QStringLiteral("lingering_session")), 2); // one still open, one closed late
        QVERIFY(byCategory.values(QStringLiteral("incomplete_record")).isEmpty());
        for (const EvidenceException& x : data.exceptions)
            if (x.category == QLatin1String("break_glass"))
                QVERIFY2(x.detail.contains(QStringLiteral("reviewed by aud")), qPrintable(x.detail));

        // The sample: as large as asked, drawn again the same from the same seed, another from another.
        QCOMPARE(data.sample.size(), 6); // 25 asked, six grants
        EvidenceScope three = everything(h.value());
        three.sampleSize = 3;
        const auto a = collectEvidence(
            f.engine().store(), f.engine().directory(), three, f.engine().log().key().verifier());
        const auto b = collectEvidence(
            f.engine().store(), f.engine().directory(), three, f.engine().log().key().verifier());
        LAPSE_VERIFY_OK(a);
        LAPSE_VERIFY_OK(b);
        QCOMPARE(a->sample.size(), 3);
        QCOMPARE(a->sample, b->sample);
        QCOMPARE(a->seed, quint64(42));
        QCOMPARE(a->grants[a->sample[0]].timeline.isEmpty(), false);
        bool differs = false;
        for (quint64 seed = 1; seed < 20 && !differs; ++seed) {
            three.seed = seed;
            const auto c = collectEvidence(
                f.engine().store(), f.engine().directory(), three, f.engine().log().key().verifier());
            differs = c && c->sample != a->sample;
        }
        QVERIFY(differs);

        // A scope on one target keeps only its grants.
        EvidenceScope vault = everything(h.value());
        vault.targets = QStringList {QStringLiteral("vault")};
        const auto v = collectEvidence(
            f.engine().store(), f.engine().directory(), vault, f.engine().log().key().verifier());
        LAPSE_VERIFY_OK(v);
        QCOMPARE(v->grants.size(), 1);
        QCOMPARE(v->grants[0].grant.id, h->breakGlass.id);
        QCOMPARE(vault.fileName().left(21), QStringLiteral("lapse-evidence-vault-"));
    }

    // events.jsonl lines are written without QJsonDocument (for speed): they must read back as exactly the
    // event, whatever its text holds.
    void eventLinesReadBackAsTheEvent()
    {
        Event e;
        e.seq = 42;
        e.tsMs = kStartMs + 123;
        e.type = QStringLiteral("request.created");
        e.actor = QStringLiteral("o\"brien\\x");
        e.subject = QStringLiteral("req_\u00fc\u2192\U0001F600");
        e.body = QByteArray("{\"task\":\"line\\nbreak \\\"quoted\\\" tab\\t\",\"raw\":\"") + "\x01\x1f\x7f"
            + "\u00e9\"}";
        e.hash = QByteArray(64, 'a');
        const QByteArray line = evidenceEventLine(e, QByteArray(64, 'b'));
        QJsonParseError err;
        const QJsonObject o = QJsonDocument::fromJson(line, &err).object();
        QCOMPARE(err.error, QJsonParseError::NoError);
        QJsonObject expected = e.toJson();
        expected.insert(QStringLiteral("prev_hash"), QString(64, QLatin1Char('b')));
        QCOMPARE(o, expected);
        QCOMPARE(Event::fromJson(o).body, e.body);
        QVERIFY(!line.contains('\n'));
    }

    void refusedWithoutACheckpointOrWithAnotherKey()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        const auto h = makeHistory(f);
        LAPSE_VERIFY_OK(h);
        const Store& store = f.engine().store();
        if (!store.latestCheckpoint())
            LAPSE_VERIFY_ERROR(collectEvidence(store, f.engine().directory(), everything(h.value()),
                                   f.engine().log().key().verifier()),
                ErrorCode::NotFound, QStringLiteral("no signed checkpoint"));
        LAPSE_VERIFY_OK(f.engine().cutCheckpoint(f.who(QStringLiteral("aud"))));
        const auto other = NoteSigner::fromSeed(f.engine().log().origin(), QByteArray(32, 'x'));
        LAPSE_VERIFY_OK(other);
        LAPSE_VERIFY_ERROR(
            collectEvidence(store, f.engine().directory(), everything(h.value()), other->verifier()),
            ErrorCode::Invalid, QStringLiteral("not signed by the log key"));
        EvidenceScope inverted = everything(h.value());
        std::swap(inverted.fromMs, inverted.toMs);
        LAPSE_VERIFY_ERROR(
            collectEvidence(store, f.engine().directory(), inverted, f.engine().log().key().verifier()),
            ErrorCode::Invalid, QStringLiteral("period"));
    }

    void packVerifiesAndItsCsvReadsBackInPython()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        const auto h = checkpointedHistory(f);
        LAPSE_VERIFY_OK(h);
        QTemporaryDir dir;
        const QString out = dir.filePath(everything(h.value()).fileName());
        const auto sum = buildEvidencePack(
            f.engine().store(), f.engine().directory(), buildFor(f.engine(), everything(h.value()), out));
        LAPSE_VERIFY_OK(sum);
        QCOMPARE(sum->grants, 6);
        QCOMPARE(sum->requests, 8);
        QVERIFY(sum->events > 30);
        QCOMPARE(
            QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList {QFileInfo(out).fileName()});

        const EvidenceVerdict ok = verifyEvidencePack(out);
        QVERIFY2(ok.ok, qPrintable(ok.line));
        QVERIFY2(ok.line.contains(QStringLiteral("%1 events").arg(sum->events)), qPrintable(ok.line));
        QVERIFY(ok.line.contains(QStringLiteral("pin it")));
        const EvidenceVerdict pinned = verifyEvidencePack(out, f.engine().log().key().verifier());
        QVERIFY2(pinned.ok && pinned.line.contains(QStringLiteral("pinned")), qPrintable(pinned.line));
        const auto other = NoteSigner::fromSeed(f.engine().log().origin(), QByteArray(32, 'y'));
        const EvidenceVerdict wrongKey = verifyEvidencePack(out, other->verifier());
        QVERIFY(!wrongKey.ok);
        QVERIFY2(wrongKey.line.contains(QStringLiteral("not the pinned key")), qPrintable(wrongKey.line));

        // The files a pack holds, and the manifest naming each.
        QStringList names;
        for (const auto& [name, bytes] : readZip(out))
            names << name;
        for (const char* n : {"report.pdf", "grants.csv", "requests.csv", "events.jsonl", "checkpoint.txt",
                 "log-key.vkey", "query.json", "manifest.json", "manifest.sig"})
            QVERIFY2(names.contains(QLatin1String(n)), n);
        QCOMPARE(names.filter(QStringLiteral("proofs/")).size(), int(sum->events));
        const QJsonObject query = QJsonDocument::fromJson(entry(out, QStringLiteral("query.json"))).object();
        QCOMPARE(query[QStringLiteral("rows")][QStringLiteral("grants")].toInt(), 6);
        QCOMPARE(query[QStringLiteral("sample")][QStringLiteral("seed")].toString(), QStringLiteral("42"));
        QCOMPARE(query[QStringLiteral("log")][QStringLiteral("tree_size")].toInteger(),
            f.engine().store().lastSeq());

        // grants.csv through Python's csv module: the population, the seqs, and a neutralised formula.
        const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
        if (python.isEmpty())
            QSKIP("python3 is not installed");
        QFile csv(dir.filePath(QStringLiteral("grants.csv")));
        QVERIFY(csv.open(QIODevice::WriteOnly));
        csv.write(entry(out, QStringLiteral("grants.csv")));
        csv.close();
        QProcess py;
        py.start(python,
            {QStringLiteral("-c"),
                QStringLiteral("import csv,json,sys\n"
                               "rows=list(csv.DictReader(open(sys.argv[1],newline='',encoding='utf-8')))\n"
                               "print(json.dumps(rows))\n"),
                csv.fileName()});
        QVERIFY(py.waitForFinished(30000));
        QCOMPARE(py.exitCode(), 0);
        const QJsonArray rows = QJsonDocument::fromJson(py.readAllStandardOutput()).array();
        QCOMPARE(rows.size(), 6);
        QJsonObject formulaRow, revokedRow;
        for (const QJsonValue& r : rows) {
            if (r[QStringLiteral("grant_id")] == h->formula.id)
                formulaRow = r.toObject();
            if (r[QStringLiteral("grant_id")] == h->revokedClosed.id)
                revokedRow = r.toObject();
        }
        QCOMPARE(formulaRow[QStringLiteral("task")].toString(), QLatin1Char('\'') + h->formula.task);
        QCOMPARE(revokedRow[QStringLiteral("revocation_effect_ms")].toString(), QStringLiteral("5000"));
        QCOMPARE(revokedRow[QStringLiteral("ending")].toString(), QStringLiteral("revoked"));
        QCOMPARE(revokedRow[QStringLiteral("ended_by")].toString(), QStringLiteral("rita"));
        QVERIFY(!revokedRow[QStringLiteral("event_seqs")].toString().isEmpty());
    }

    // An owner's review decision on the period is in the pack: reviews.csv (neutralised like every CSV), its
    // event with a proof in events.jsonl, and counted in query.json; one outside the scope's target is not.
    void accessReviewsAreInThePack()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        auto h = makeHistory(f);
        LAPSE_VERIFY_OK(h);
        ReviewDecision r;
        r.identity = QStringLiteral("svc-ci");
        r.target = QStringLiteral("billing-db");
        r.privileges = QStringList {QStringLiteral("read")};
        r.outcome = QStringLiteral("convert-to-rule");
        r.comment = QStringLiteral("=HYPERLINK(\"http://x\") the batch gets a rule");
        r.fromMs = kStartMs - 3'600'000;
        const auto decided = f.engine().decideReview(f.who(QStringLiteral("carol")), r);
        LAPSE_VERIFY_OK(decided);
        ReviewDecision other = r;
        other.target = QStringLiteral("prod-k8s");
        other.privileges = QStringList {QStringLiteral("get")};
        other.comment = QStringLiteral("keep asking");
        other.outcome = QStringLiteral("keep-jit");
        LAPSE_VERIFY_OK(f.engine().decideReview(f.who(QStringLiteral("bob")), other));
        f.clock().set(f.now() + 1000);
        LAPSE_VERIFY_OK(f.engine().cutCheckpoint(f.who(QStringLiteral("aud"))));
        EvidenceScope scope = everything(h.value());
        scope.toMs = f.now();
        scope.targets = QStringList {QStringLiteral("billing-db")};
        QTemporaryDir dir;
        const QString out = dir.filePath(scope.fileName());
        LAPSE_VERIFY_OK(
            buildEvidencePack(f.engine().store(), f.engine().directory(), buildFor(f.engine(), scope, out)));
        const EvidenceVerdict ok = verifyEvidencePack(out);
        QVERIFY2(ok.ok, qPrintable(ok.line));

        const QList<QByteArray> lines = entry(out, QStringLiteral("reviews.csv")).split('\n');
        QCOMPARE(lines.size(), 3); // the header, one decision, the final line break
        QVERIFY(
            lines[0].startsWith("seq,decided_at,reviewer,identity,kind,target,privileges,outcome,comment"));
        QVERIFY2(lines[1].startsWith(QByteArray::number(decided->seq) + ','), lines[1].constData());
        QVERIFY2(lines[1].contains(",carol,svc-ci,service,billing-db,read,convert-to-rule,\"'=HYPERLINK"),
            lines[1].constData());
        const QJsonObject query = QJsonDocument::fromJson(entry(out, QStringLiteral("query.json"))).object();
        QCOMPARE(query[QStringLiteral("rows")][QStringLiteral("reviews")].toInt(), 1);
        bool inEvents = false;
        for (const QByteArray& line : entry(out, QStringLiteral("events.jsonl")).split('\n'))
            inEvents = inEvents
                || (line.contains("\"review.decided\"")
                    && line.contains("\"seq\":" + QByteArray::number(decided->seq) + ","));
        QVERIFY(inEvents);
        QVERIFY(
            !entry(out, QStringLiteral("proofs/%1.tlog-proof").arg(decided->seq, 12, 10, QLatin1Char('0')))
                 .isEmpty());
    }

    void everyChangeIsNamed_data()
    {
        QTest::addColumn<QString>("change");
        QTest::addColumn<bool>("resign"); // someone holding the log key re-signs the changed manifest
        QTest::addColumn<QString>("named");
        QTest::newRow("a csv byte") << "grants.csv" << false << "grants.csv does not match the manifest";
        QTest::newRow("the report") << "report.pdf" << false << "report.pdf does not match the manifest";
        QTest::newRow("a file removed") << "remove:requests.csv" << false << "requests.csv is missing";
        QTest::newRow("a proof removed") << "remove-proof" << false << "has no proof";
        QTest::newRow("a file added") << "add:notes.txt" << false << "notes.txt is not in the manifest";
        QTest::newRow("a proof added")
            << "add-proof" << false << "proves an event events.jsonl does not hold";
        QTest::newRow("an event byte") << "event-body" << false << "its hash does not match its content";
        QTest::newRow("an event byte, re-signed")
            << "event-body" << true << "its hash does not match its content";
        QTest::newRow("an event and its hash, re-signed")
            << "event-rehash" << true << "is not in the log the checkpoint signs";
        QTest::newRow("the signature") << "manifest.sig" << false << "manifest.sig is not a signature";
        QTest::newRow("the signature removed") << "remove:manifest.sig" << false << "manifest.sig is missing";
        QTest::newRow("the checkpoint") << "checkpoint.txt" << false << "checkpoint.txt";
    }

    void everyChangeIsNamed()
    {
        QFETCH(QString, change);
        QFETCH(bool, resign);
        QFETCH(QString, named);
        EngineFixture f;
        QVERIFY(f.ok());
        const auto h = checkpointedHistory(f);
        LAPSE_VERIFY_OK(h);
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("pack.zip"));
        LAPSE_VERIFY_OK(buildEvidencePack(
            f.engine().store(), f.engine().directory(), buildFor(f.engine(), everything(h.value()), out)));
        auto entries = readZip(out);
        const auto find = [&](const QString& name) {
            for (qsizetype i = 0; i < entries.size(); ++i)
                if (entries[i].first == name)
                    return i;
            return qsizetype(-1);
        };
        QByteArray& events = entries[find(QStringLiteral("events.jsonl"))].second;
        const QByteArray firstLine = events.left(events.indexOf('\n'));
        const qint64 firstSeq
            = QJsonDocument::fromJson(firstLine).object()[QStringLiteral("seq")].toInteger();
        if (change.startsWith(QLatin1String("remove:"))) {
            entries.removeAt(find(change.mid(7)));
        } else if (change == QLatin1String("remove-proof")) {
            entries.removeAt(
                find(QStringLiteral("proofs/%1.tlog-proof").arg(firstSeq, 12, 10, QLatin1Char('0'))));
        } else if (change.startsWith(QLatin1String("add:"))) {
            entries.append({change.mid(4), QByteArray("hello")});
        } else if (change == QLatin1String("add-proof")) {
            qint64 outside = 1;
            while (find(QStringLiteral("proofs/%1.tlog-proof").arg(outside, 12, 10, QLatin1Char('0'))) >= 0)
                ++outside;
            entries.append({QStringLiteral("proofs/%1.tlog-proof").arg(outside, 12, 10, QLatin1Char('0')),
                entries[find(QStringLiteral("proofs/%1.tlog-proof").arg(firstSeq, 12, 10, QLatin1Char('0')))]
                    .second});
        } else if (change == QLatin1String("event-body") || change == QLatin1String("event-rehash")) {
            QJsonObject o = QJsonDocument::fromJson(firstLine).object();
            o[QStringLiteral("actor")] = QStringLiteral("mallory");
            if (change == QLatin1String("event-rehash")) {
                Event e = Event::fromJson(o);
                o[QStringLiteral("hash")] = QString::fromLatin1(
                    EventChain::hash(o[QStringLiteral("prev_hash")].toString().toLatin1(), e));
            }
            events.replace(0, firstLine.size(), QJsonDocument(o).toJson(QJsonDocument::Compact));
        } else {
            QByteArray& bytes = entries[find(change)].second;
            bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x01);
        }
        if (resign) {
            // Fix the manifest's hash of events.jsonl and sign it again with the real key: only the deeper
            // checks (the event's own hash, its proof) can still catch the change.
            QByteArray& manifest = entries[find(QStringLiteral("manifest.json"))].second;
            QJsonObject m = QJsonDocument::fromJson(manifest).object();
            QJsonObject files = m[QStringLiteral("files")].toObject();
            files[QStringLiteral("events.jsonl")] = QString::fromLatin1(hex256(events));
            m[QStringLiteral("files")] = files;
            manifest = QJsonDocument(m).toJson(QJsonDocument::Compact);
            entries[find(QStringLiteral("manifest.sig"))].second = f.engine().log().key().sign(manifest);
        }
        const QString changed = dir.filePath(QStringLiteral("changed.zip"));
        QVERIFY(writeZip(changed, entries));
        const EvidenceVerdict v = verifyEvidencePack(changed);
        QVERIFY2(!v.ok, qPrintable(v.line));
        QVERIFY2(v.line.startsWith(QStringLiteral("FAILED: ")), qPrintable(v.line));
        QVERIFY2(v.line.contains(named), qPrintable(v.line));
        // The untouched entries, written the same way, still verify: the change, not the rewrite, is refused.
        QVERIFY(writeZip(changed, readZip(out)));
        QVERIFY2(verifyEvidencePack(changed).ok, qPrintable(verifyEvidencePack(changed).line));
    }

    // The sizes in a zip's central directory are the sender's word: a pack claiming entries of 2 GiB is
    // refused by name without anything of that size being allocated (the fuzzer found an earlier verifier
    // resizing a buffer to a claimed 2 GiB), and so is a manifest counting more proofs than the zip has
    // entries.
    void sizesAZipOnlyClaimsAreNotTrusted_data()
    {
        QTest::addColumn<QString>("entry"); // whose claimed size is raised; empty: the proof count instead
        QTest::addColumn<QString>("named");
        QTest::newRow("the manifest") << "manifest.json"
                                      << "manifest.json is too large";
        QTest::newRow("the report") << "report.pdf"
                                    << "report.pdf is damaged";
        QTest::newRow("a proof") << "proof"
                                 << "proofs/000000000001.tlog-proof";
        QTest::newRow("the proof count") << ""
                                         << "the zip holds";
    }
    void sizesAZipOnlyClaimsAreNotTrusted()
    {
        QFETCH(QString, entry);
        QFETCH(QString, named);
        EngineFixture f;
        QVERIFY(f.ok());
        const auto h = checkpointedHistory(f);
        LAPSE_VERIFY_OK(h);
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("pack.zip"));
        LAPSE_VERIFY_OK(buildEvidencePack(
            f.engine().store(), f.engine().directory(), buildFor(f.engine(), everything(h.value()), out)));
        QByteArray zip;
        if (entry.isEmpty()) {
            auto entries = readZip(out);
            for (auto& [name, bytes] : entries) {
                if (name != QLatin1String("manifest.json"))
                    continue;
                QJsonObject m = QJsonDocument::fromJson(bytes).object();
                QJsonObject proofs = m[QStringLiteral("proofs")].toObject();
                proofs[QStringLiteral("count")] = 100'000'000; // 4 GB of leaves, were it reserved
                m[QStringLiteral("proofs")] = proofs;
                bytes = QJsonDocument(m).toJson(QJsonDocument::Compact);
                for (auto& [n2, sig] : entries)
                    if (n2 == QLatin1String("manifest.sig"))
                        sig = f.engine().log().key().sign(bytes);
            }
            QVERIFY(writeZip(out, entries));
        }
        QFile in(out);
        QVERIFY(in.open(QIODevice::ReadOnly));
        zip = in.readAll();
        in.close();
        if (!entry.isEmpty()) {
            // Central directory records: signature PK\1\2, the uncompressed size at 24, the name's length at
            // 28 and the name at 46.
            bool patched = false;
            for (qsizetype at = zip.indexOf("PK\x01\x02"); at >= 0 && !patched;
                 at = zip.indexOf("PK\x01\x02", at + 4)) {
                const int nameLength = qFromLittleEndian<quint16>(zip.constData() + at + 28);
                const QByteArray name = zip.mid(at + 46, nameLength);
                if (name == entry.toUtf8()
                    || (entry == QLatin1String("proof") && name.startsWith("proofs/"))) {
                    qToLittleEndian<quint32>(0x7FFFFFF0u, zip.data() + at + 24);
                    patched = true;
                }
            }
            QVERIFY(patched);
        }
        const QString changed = dir.filePath(QStringLiteral("claims.zip"));
        QFile w(changed);
        QVERIFY(w.open(QIODevice::WriteOnly));
        QCOMPARE(w.write(zip), zip.size());
        w.close();
        const EvidenceVerdict v = verifyEvidencePack(changed);
        QVERIFY2(!v.ok, qPrintable(v.line));
        QVERIFY2(v.line.contains(named), qPrintable(v.line));
    }

    void aMirrorsPackEqualsTheBrokers()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        const auto h = checkpointedHistory(f);
        LAPSE_VERIFY_OK(h);
        // The mirror holds the events verbatim (as Mirror copies them) and the checkpoint it verified.
        QTemporaryDir dir;
        auto mirror = SqliteStore::open(dir.filePath(QStringLiteral("mirror.db")));
        LAPSE_VERIFY_OK(mirror);
        const Store& broker = f.engine().store();
        LAPSE_VERIFY_OK(mirror.value()->begin());
        qint64 breakSeq = 0;
        LAPSE_VERIFY_OK(mirror.value()->appendVerbatimMany(broker.events(0, 100000), &breakSeq));
        const auto cp = broker.latestCheckpoint();
        LAPSE_VERIFY_OK(mirror.value()->putCheckpoint(cp->first, cp->second, f.now()));
        LAPSE_VERIFY_OK(mirror.value()->commit());

        const QString a = dir.filePath(QStringLiteral("broker.zip")),
                      b = dir.filePath(QStringLiteral("mirror.zip"));
        LAPSE_VERIFY_OK(buildEvidencePack(
            broker, f.engine().directory(), buildFor(f.engine(), everything(h.value()), a)));
        LAPSE_VERIFY_OK(buildEvidencePack(
            *mirror.value(), f.engine().directory(), buildFor(f.engine(), everything(h.value()), b)));
        QVERIFY(verifyEvidencePack(b).ok);
        const auto fromBroker = readZip(a), fromMirror = readZip(b);
        QCOMPARE(fromBroker.size(), fromMirror.size());
        for (qsizetype i = 0; i < fromBroker.size(); ++i) {
            const QString& name = fromBroker[i].first;
            QCOMPARE(fromMirror[i].first, name);
            if (name == QLatin1String("query.json") || name.startsWith(QLatin1String("manifest"))
                || name == QLatin1String("report.pdf"))
                continue; // the generation time differs, and what names it
            QVERIFY2(fromBroker[i].second == fromMirror[i].second, qPrintable(name));
        }
    }

    void anEmptyPeriodGivesAValidPackThatSaysSo()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        const auto h = checkpointedHistory(f);
        LAPSE_VERIFY_OK(h);
        EvidenceScope empty;
        empty.fromMs = kStartMs - 10 * 86'400'000LL;
        empty.toMs = kStartMs - 9 * 86'400'000LL;
        QTemporaryDir dir;
        const QString out = dir.filePath(empty.fileName());
        const auto sum
            = buildEvidencePack(f.engine().store(), f.engine().directory(), buildFor(f.engine(), empty, out));
        LAPSE_VERIFY_OK(sum);
        QCOMPARE(sum->grants, 0);
        QCOMPARE(sum->events, 0);
        const EvidenceVerdict v = verifyEvidencePack(out, f.engine().log().key().verifier());
        QVERIFY2(v.ok, qPrintable(v.line));
        QVERIFY2(v.line.contains(QStringLiteral(" 0 events")), qPrintable(v.line));
        const QJsonObject query = QJsonDocument::fromJson(entry(out, QStringLiteral("query.json"))).object();
        QCOMPARE(query[QStringLiteral("rows")][QStringLiteral("grants")].toInt(), 0);
        QCOMPARE(query[QStringLiteral("events")][QStringLiteral("count")].toInt(), 0);
        // The CSVs still carry their header rows.
        QVERIFY(entry(out, QStringLiteral("grants.csv")).startsWith("grant_id,request_id,"));
        QVERIFY(entry(out, QStringLiteral("events.jsonl")).isEmpty());
    }

    void cancelLeavesNoFile_data()
    {
        QTest::addColumn<int>("atPercent");
        QTest::newRow("reading the log") << 0;
        QTest::newRow("collecting events") << 50;
        QTest::newRow("writing files") << 91;
    }

    void cancelLeavesNoFile()
    {
        QFETCH(int, atPercent);
        EngineFixture f;
        QVERIFY(f.ok());
        const auto h = checkpointedHistory(f);
        LAPSE_VERIFY_OK(h);
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("pack.zip"));
        std::atomic_bool cancel = false;
        EvidenceBuild b = buildFor(f.engine(), everything(h.value()), out);
        b.cancel = &cancel;
        b.progress = [&](int percent, const QString&) {
            if (percent >= atPercent)
                cancel = true;
        };
        LAPSE_VERIFY_ERROR(buildEvidencePack(f.engine().store(), f.engine().directory(), b),
            ErrorCode::Cancelled, QStringLiteral("cancelled"));
        QVERIFY(!QFileInfo::exists(out));
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
            QStringList {});

        // A failed signature is the same: nothing is left.
        EvidenceBuild refused = buildFor(f.engine(), everything(h.value()), out);
        refused.signManifest = [](const QByteArray&) -> Result<QByteArray> {
            return makeError(ErrorCode::Unavailable, QStringLiteral("the broker cannot be reached"));
        };
        LAPSE_VERIFY_ERROR(buildEvidencePack(f.engine().store(), f.engine().directory(), refused),
            ErrorCode::Unavailable, QStringLiteral("cannot be reached"));
        QVERIFY(!QFileInfo::exists(out));
        // A signature by another key is refused before anything is written.
        EvidenceBuild forged = buildFor(f.engine(), everything(h.value()), out);
        forged.signManifest = [](const QByteArray& m) -> Result<QByteArray> {
            return NoteSigner::fromSeed(QStringLiteral("x"), QByteArray(32, 'z'))->sign(m);
        };
        LAPSE_VERIFY_ERROR(buildEvidencePack(f.engine().store(), f.engine().directory(), forged),
            ErrorCode::Invalid, QStringLiteral("does not verify"));
        QVERIFY(!QFileInfo::exists(out));
    }

    // The README's check of a pack with Python's standard library and OpenSSL only, run as written there: it
    // accepts a pack, and refuses one whose event was changed and whose manifest was signed again.
    void readmeCheckWithPythonAndOpenssl()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("python3")).isEmpty()
            || QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty())
            QSKIP("python3 or openssl is not installed");
        const QByteArray script = readmeScript("<!-- evidence-check -->");
        QVERIFY(!script.isEmpty());

        EngineFixture f;
        QVERIFY(f.ok());
        const auto h = checkpointedHistory(f);
        LAPSE_VERIFY_OK(h);
        QTemporaryDir dir;
        const QString pack = dir.filePath(QStringLiteral("pack.zip"));
        LAPSE_VERIFY_OK(buildEvidencePack(
            f.engine().store(), f.engine().directory(), buildFor(f.engine(), everything(h.value()), pack)));
        QFile vkey(dir.filePath(QStringLiteral("log.vkey")));
        QVERIFY(vkey.open(QIODevice::WriteOnly));
        vkey.write(f.engine().logVkey().toUtf8() + '\n');
        vkey.close();
        const auto run = [&](QByteArray* output) { return runScript(script, dir.path(), output); };
        QByteArray output;
        QVERIFY2(run(&output) == 0, output.constData());
        QCOMPARE(output.count("Signature Verified Successfully"), 2);
        QVERIFY2(output.contains("events, each hashed and proven"), output.constData());

        // One event changed, its manifest entry fixed and signed again by the real key: still refused.
        auto entries = readZip(pack);
        for (auto& [name, bytes] : entries)
            if (name == QLatin1String("events.jsonl"))
                bytes.replace("\"actor\":\"bob\"", "\"actor\":\"eve\"");
        QByteArray events;
        for (const auto& [name, bytes] : entries)
            if (name == QLatin1String("events.jsonl"))
                events = bytes;
        QVERIFY(events.contains("\"actor\":\"eve\""));
        for (auto& [name, bytes] : entries)
            if (name == QLatin1String("manifest.json")) {
                QJsonObject m = QJsonDocument::fromJson(bytes).object();
                QJsonObject files = m[QStringLiteral("files")].toObject();
                files[QStringLiteral("events.jsonl")] = QString::fromLatin1(hex256(events));
                m[QStringLiteral("files")] = files;
                // and the data digest over the changed listing, so only the event's own hash can tell
                QMap<QString, QByteArray> data;
                for (const auto& [other, content] : entries)
                    if (other != QLatin1String("report.pdf") && !other.startsWith(QLatin1String("manifest.")))
                        data.insert(other, other == QLatin1String("events.jsonl") ? events : content);
                QByteArray listing;
                for (auto it = data.cbegin(); it != data.cend(); ++it)
                    listing += hex256(it.value()) + "  " + it.key().toUtf8() + '\n';
                m[QStringLiteral("data_digest")] = QString::fromLatin1(hex256(listing));
                bytes = QJsonDocument(m).toJson(QJsonDocument::Compact);
                const QByteArray signature = f.engine().log().key().sign(bytes);
                for (auto& [other, sig] : entries)
                    if (other == QLatin1String("manifest.sig"))
                        sig = signature;
            }
        QVERIFY(writeZip(pack, entries));
        QVERIFY2(run(&output) != 0, output.constData());
        QVERIFY2(output.contains("was changed"), output.constData());
    }

    void theBrokerAttestsAManifestAndLogsIt()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        const auto h = checkpointedHistory(f);
        LAPSE_VERIFY_OK(h);
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("pack.zip"));
        EvidenceBuild b = buildFor(f.engine(), everything(h.value()), out);
        Engine& e = f.engine();
        b.signManifest = [&](const QByteArray& m) -> Result<QByteArray> {
            auto a = e.attestEvidence(f.who(QStringLiteral("aud")), m);
            if (!a)
                return a.error();
            return a->first;
        };
        LAPSE_VERIFY_OK(buildEvidencePack(e.store(), e.directory(), b));
        QVERIFY(verifyEvidencePack(out, e.log().key().verifier()).ok);
        const QByteArray manifest = entry(out, QStringLiteral("manifest.json"));
        const auto attested = f.eventsOfType(QStringLiteral("evidence.attested"));
        QCOMPARE(attested.size(), 1);
        QCOMPARE(attested[0].actor, QStringLiteral("aud"));
        QCOMPARE(attested[0].subject.toLatin1(), hex256(manifest));

        LAPSE_VERIFY_ERROR(
            e.attestEvidence(f.who(QStringLiteral("alice")), manifest), ErrorCode::Forbidden, "");
        // A signed note's shape is never signed: the key signs checkpoints that way.
        LAPSE_VERIFY_ERROR(
            e.attestEvidence(f.who(QStringLiteral("aud")), e.store().latestCheckpoint()->second),
            ErrorCode::Invalid, QStringLiteral("one line"));
        QByteArray otherCheckpoint = manifest;
        otherCheckpoint.replace("\"size\":", "\"size\":9");
        LAPSE_VERIFY_ERROR(e.attestEvidence(f.who(QStringLiteral("aud")), otherCheckpoint),
            ErrorCode::Invalid, QStringLiteral("checkpoint"));
        LAPSE_VERIFY_ERROR(
            e.attestEvidence(f.who(QStringLiteral("aud")), QByteArray("{\"format\":\"other\"}")),
            ErrorCode::Invalid, QStringLiteral("not an evidence manifest"));
        QCOMPARE(f.eventsOfType(QStringLiteral("evidence.attested")).size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestEvidence)
#include "TestEvidence.moc"
