// The log as outsiders check it, through the engine: checkpoints cut by rule and on demand, each signed by
// the log key; inclusion proofs for every event and consistency proofs between checkpoints that verify with
// nothing but the RFC 9162 algorithms; the tree kept across reopen and rollback; key rotation handed over to
// a witness; and a cut, a consistent rewrite and a fork each refused with the sizes named.
#include "EngineFixture.h"
#include "ReadmeScript.h"
#include "engine/CheckpointWitness.h"
#include "engine/LogVerification.h"
#include "engine/StateAudit.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace lapse;
using namespace lapse::test;

namespace
{
QList<NewEvent> batchOf(int n)
{
    QList<NewEvent> out;
    for (int i = 0; i < n; ++i)
        out.append({QStringLiteral("test.event"), QStringLiteral("svc-ci"), QStringLiteral("s%1").arg(i),
            QJsonObject {{"i", i}}});
    return out;
}

CheckpointBody bodyOf(const QByteArray& note)
{
    auto parsed = SignedNote::parse(note);
    if (!parsed)
        return {};
    auto body = CheckpointBody::parse(parsed->text);
    return body ? body.value() : CheckpointBody {};
}

merkle::Hash hashOf(const QByteArray& bytes)
{
    merkle::Hash h {};
    std::memcpy(h.data(), bytes.constData(), std::min<size_t>(32, size_t(bytes.size())));
    return h;
}

// The brute-force root over the first n events' hashes, straight from RFC 9162 2.1.1.
merkle::Hash referenceRoot(const QList<Event>& events, qint64 lo, qint64 hi)
{
    if (hi - lo == 1) {
        const auto leaf = merkle::fromHex(events[lo].hash);
        return merkle::leafHash(leaf->data(), leaf->size());
    }
    qint64 k = 1;
    while (k * 2 < hi - lo)
        k *= 2;
    return merkle::nodeHash(referenceRoot(events, lo, lo + k), referenceRoot(events, lo + k, hi));
}
} // namespace

class TestTransparencyLog : public QObject
{
    Q_OBJECT

private slots:
    // Checkpoints come at every 10,000 events, 60 s after the last cut while events arrive, and on demand;
    // never twice for one size; each signed by the log key and naming the root of the tree at its size.
    void checkpointsAreCutByRule()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        Engine& e = f.engine();
        QVERIFY(!e.store().latestCheckpoint()); // an empty log has nothing to checkpoint
        LAPSE_VERIFY_OK(f.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db")));
        const qint64 head = e.store().lastSeq();
        e.cutCheckpointIfDue(); // no cut yet: it is the first, so due at once
        QVERIFY(e.store().latestCheckpoint());
        QCOMPARE(e.store().latestCheckpoint()->first, head);
        LAPSE_VERIFY_OK(f.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db")));
        f.clock().advance(59'000);
        e.cutCheckpointIfDue();
        QCOMPARE(e.store().latestCheckpoint()->first, head); // not yet
        f.clock().advance(1'000);
        e.cutCheckpointIfDue();
        QCOMPARE(e.store().latestCheckpoint()->first, e.store().lastSeq());

        // A batch that passes two multiples of 10,000 gets a checkpoint at each.
        LAPSE_VERIFY_OK(e.appendBatch(batchOf(20'500)));
        const QList<qint64> sizes = e.store().checkpointSizes();
        QVERIFY2(sizes.contains(10'000) && sizes.contains(20'000), qPrintable(QString::number(sizes.size())));

        // On demand, by an auditor; refused to a requester.
        auto cut = e.cutCheckpoint(f.who(QStringLiteral("aud")));
        LAPSE_VERIFY_OK(cut);
        QCOMPARE(cut->first, e.store().lastSeq());
        auto again = e.cutCheckpoint(f.who(QStringLiteral("aud")));
        LAPSE_VERIFY_OK(again);
        QCOMPARE(again->second, cut->second); // the same one: never two for one size
        LAPSE_VERIFY_ERROR(e.cutCheckpoint(f.who(QStringLiteral("alice"))), ErrorCode::Forbidden, "");

        // Every kept checkpoint verifies under the log key and names the reference root at its size.
        auto witness = CheckpointWitness::trusting({e.logVkey()});
        LAPSE_VERIFY_OK(witness);
        CheckpointWitness w = witness.value();
        const QList<Event> events = f.events();
        for (const qint64 size : e.store().checkpointSizes()) {
            const QByteArray note = *e.store().checkpoint(size);
            auto body = w.open(note);
            LAPSE_VERIFY_OK(body);
            QCOMPARE(body->size, size);
            QCOMPARE(body->origin, QStringLiteral("localhost/lapse"));
            const merkle::Hash root = referenceRoot(events, 0, size);
            QCOMPARE(body->root, QByteArray(reinterpret_cast<const char*>(root.data()), 32));
        }
    }

    // Inclusion proofs for every event against a checkpoint, and consistency proofs between every pair of
    // checkpoints, verify with the RFC 9162 algorithms alone; a wrong index or leaf does not.
    void proofsVerify()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        Engine& e = f.engine();
        const Principal& aud = f.who(QStringLiteral("aud"));
        QList<qint64> cuts;
        for (int round = 0; round < 4; ++round) {
            LAPSE_VERIFY_OK(e.appendBatch(batchOf(17 + round * 5)));
            auto cp = e.cutCheckpoint(aud);
            LAPSE_VERIFY_OK(cp);
            cuts << cp->first;
        }
        const QList<Event> events = f.events();
        for (const qint64 size : cuts) {
            const CheckpointBody body = bodyOf(*e.store().checkpoint(size));
            for (qint64 seq = 1; seq <= size; ++seq) {
                auto text = e.inclusionProof(aud, seq, size);
                LAPSE_VERIFY_OK(text);
                auto proof = TlogProof::parse(text.value());
                LAPSE_VERIFY_OK(proof);
                QCOMPARE(proof->index, seq - 1);
                QCOMPARE(proof->checkpoint, *e.store().checkpoint(size));
                QList<merkle::Hash> hashes;
                for (const QByteArray& h : proof->hashes)
                    hashes << hashOf(h);
                const auto leaf = merkle::fromHex(events[seq - 1].hash);
                const merkle::Hash leafHash = merkle::leafHash(leaf->data(), leaf->size());
                QVERIFY(merkle::verifyInclusion(seq - 1, size, leafHash, hashes, hashOf(body.root)));
                if (size > 1)
                    QVERIFY(!merkle::verifyInclusion(seq % size, size, leafHash, hashes, hashOf(body.root)));
            }
        }
        for (const qint64 a : cuts)
            for (const qint64 b : cuts) {
                if (a > b)
                    continue;
                auto proof = e.consistencyProof(aud, a, b);
                LAPSE_VERIFY_OK(proof);
                QVERIFY(merkle::verifyConsistency(a, b, hashOf(bodyOf(*e.store().checkpoint(a)).root),
                    hashOf(bodyOf(*e.store().checkpoint(b)).root), proof.value()));
            }
        // Bad requests: beyond the checkpoint, no checkpoint at that size, reversed sizes, a requester.
        LAPSE_VERIFY_ERROR(e.inclusionProof(aud, cuts.first() + 1, cuts.first()), ErrorCode::Invalid, "seq");
        LAPSE_VERIFY_ERROR(e.inclusionProof(aud, 1, cuts.first() + 1), ErrorCode::NotFound, "no checkpoint");
        LAPSE_VERIFY_ERROR(e.consistencyProof(aud, cuts.last(), cuts.first()), ErrorCode::Invalid, "from");
        LAPSE_VERIFY_ERROR(e.inclusionProof(f.who(QStringLiteral("alice")), 1, {}), ErrorCode::Forbidden, "");
    }

    // The tree survives a reopen, ignores a rolled-back transaction, and a store from before the tree gets
    // one built from its log.
    void treeAcrossReopenRollbackAndBackfill()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        LAPSE_VERIFY_OK(f.engine().appendBatch(batchOf(300)));
        Store& s = f.engine().store();
        LAPSE_VERIFY_OK(s.begin());
        LAPSE_VERIFY_OK(
            s.append(QStringLiteral("test.event"), QStringLiteral("x"), QStringLiteral("y"), {}, f.now()));
        s.rollback();
        const merkle::Hash root = s.treeRoot();
        QCOMPARE(root, referenceRoot(f.events(), 0, 300));
        QVERIFY(f.reopen());
        QCOMPARE(f.engine().store().treeRoot(), root);
        LAPSE_VERIFY_OK(f.engine().appendBatch(batchOf(5)));
        QCOMPARE(f.engine().store().treeRoot(), referenceRoot(f.events(), 0, 305));

        // Lose the tree, as a store from before it: reopening rebuilds it from the events.
        f.close();
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("lose"));
            db.setDatabaseName(f.dbPath());
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("DELETE FROM log_tree")));
            QVERIFY(q.exec(QStringLiteral("DELETE FROM meta WHERE key = 'tree_size'")));
        }
        QSqlDatabase::removeDatabase(QStringLiteral("lose"));
        QVERIFY2(f.reopen(), qPrintable(f.openError()));
        QCOMPARE(f.engine().store().treeRoot(), referenceRoot(f.events(), 0, 305));
        auto proof = f.engine().consistencyProof(f.who(QStringLiteral("aud")), 300, 305);
        LAPSE_VERIFY_OK(proof);
    }

    // A store whose last events were deleted does not open: its tree covered more than its log now holds.
    void deletedTailIsRefusedAtOpen()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        LAPSE_VERIFY_OK(f.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db")));
        const qint64 size = f.engine().store().lastSeq();
        f.close();
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("cut"));
            db.setDatabaseName(f.dbPath());
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("DELETE FROM events WHERE seq > %1").arg(size - 2)));
        }
        QSqlDatabase::removeDatabase(QStringLiteral("cut"));
        QVERIFY(!f.reopen());
        QVERIFY2(f.openError().contains(
                     QStringLiteral("covers %1 events but its log holds %2").arg(size).arg(size - 2)),
            qPrintable(f.openError()));
    }

    // The witness: a later consistent checkpoint is accepted; a smaller one (a cut), another root at the same
    // size (a fork) and a larger one that does not extend the kept tree (a rewrite) are refused naming both
    // sizes.
    void witnessRefusesCutForkAndRewrite()
    {
        EngineFixture honest;
        QVERIFY(honest.ok());
        const Principal& aud = honest.who(QStringLiteral("aud"));
        LAPSE_VERIFY_OK(honest.engine().appendBatch(batchOf(8)));
        auto at8 = honest.engine().cutCheckpoint(aud);
        LAPSE_VERIFY_OK(at8);
        LAPSE_VERIFY_OK(honest.engine().appendBatch(batchOf(4)));
        auto at12 = honest.engine().cutCheckpoint(aud);
        LAPSE_VERIFY_OK(at12);

        auto witness = CheckpointWitness::trusting({honest.engine().logVkey()});
        LAPSE_VERIFY_OK(witness);
        CheckpointWitness w = witness.value();
        LAPSE_VERIFY_OK(w.accept(at8->second, {}));
        auto proof = honest.engine().consistencyProof(aud, 8, 12);
        LAPSE_VERIFY_OK(proof);
        LAPSE_VERIFY_OK(w.accept(at12->second, proof.value()));
        QCOMPARE(w.size(), qint64(12));
        LAPSE_VERIFY_ERROR(
            w.accept(at8->second, {}), ErrorCode::Conflict, "size 8 is older than the kept size 12");

        // Another history signed with the same log key: a fork at 12, a rewrite at 16.
        EngineFixture forked;
        QVERIFY(forked.ok());
        forked.close();
        QDir keys(forked.dataDir() + QStringLiteral("/keys"));
        for (const QString& name : QDir(honest.dataDir() + QStringLiteral("/keys")).entryList(QDir::Files)) {
            if (!name.startsWith(QLatin1String("log")))
                continue;
            QFile::remove(keys.filePath(name));
            QVERIFY(QFile::copy(honest.dataDir() + QStringLiteral("/keys/") + name, keys.filePath(name)));
        }
        QVERIFY(forked.reopen());
        QCOMPARE(forked.engine().logVkey(), honest.engine().logVkey());
        LAPSE_VERIFY_OK(forked.engine().appendBatch(batchOf(11)));
        LAPSE_VERIFY_OK(forked.engine().appendBatch({{QStringLiteral("test.other"), QStringLiteral("mallory"),
            QStringLiteral("x"), QJsonObject {}}}));
        auto fork12 = forked.engine().cutCheckpoint(forked.who(QStringLiteral("aud")));
        LAPSE_VERIFY_OK(fork12);
        QCOMPARE(fork12->first, qint64(12));
        LAPSE_VERIFY_ERROR(w.accept(fork12->second, {}), ErrorCode::Conflict, "size 12 and 12");
        LAPSE_VERIFY_OK(forked.engine().appendBatch(batchOf(4)));
        auto fork16 = forked.engine().cutCheckpoint(forked.who(QStringLiteral("aud")));
        LAPSE_VERIFY_OK(fork16);
        auto forkProof = forked.engine().consistencyProof(forked.who(QStringLiteral("aud")), 12, 16);
        LAPSE_VERIFY_OK(forkProof);
        LAPSE_VERIFY_ERROR(w.accept(fork16->second, forkProof.value()), ErrorCode::Conflict,
            "size 16 is not consistent with the kept size 12");
        QCOMPARE(w.size(), qint64(12)); // nothing refused was kept

        // Offline, the honest checkpoint at 12 refuses the forked store, naming the sizes.
        LAPSE_VERIFY_ERROR(
            verifyLog(forked.engine().store(), bodyOf(at12->second)), ErrorCode::Conflict, "12");
        LAPSE_VERIFY_OK(verifyLog(honest.engine().store(), bodyOf(at12->second)));
    }

    // A rotated log key: recorded as log.key_rotated, the hand-over checkpoint signed by both keys, so a
    // witness that trusted the old key learns the new one and accepts what it signs from then on.
    void keyRotationIsHandedOver()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        Engine& e = f.engine();
        LAPSE_VERIFY_OK(e.appendBatch(batchOf(5)));
        const QString oldKey = e.logVkey();
        auto witness = CheckpointWitness::trusting({oldKey});
        LAPSE_VERIFY_OK(witness);
        CheckpointWitness w = witness.value();
        LAPSE_VERIFY_OK(w.accept(e.cutCheckpoint(f.who(QStringLiteral("aud")))->second, {}));

        LAPSE_VERIFY_ERROR(e.rotateLogKey(f.who(QStringLiteral("aud"))), ErrorCode::Forbidden, "");
        auto handOver = e.rotateLogKey(f.who(QStringLiteral("adm")));
        LAPSE_VERIFY_OK(handOver);
        QVERIFY(e.logVkey() != oldKey);
        QCOMPARE(f.eventsOfType(QStringLiteral("log.key_rotated")).size(), 1);
        QCOMPARE(f.eventsOfType(QStringLiteral("log.key_rotated")).first().bodyJson()["current"].toString(),
            e.logVkey());

        LAPSE_VERIFY_OK(e.appendBatch(batchOf(3)));
        const QByteArray later = e.cutCheckpoint(f.who(QStringLiteral("aud")))->second;
        QVERIFY(!w.open(later)); // signed by a key the witness does not trust yet
        LAPSE_VERIFY_ERROR(w.learnKey(later, e.logVkey()), ErrorCode::Conflict, "trusted");
        LAPSE_VERIFY_OK(w.learnKey(handOver->second, e.logVkey()));
        auto proof = e.consistencyProof(f.who(QStringLiteral("aud")), w.size(), handOver->first);
        LAPSE_VERIFY_OK(proof);
        LAPSE_VERIFY_OK(w.accept(handOver->second, proof.value()));
        auto proof2 = e.consistencyProof(f.who(QStringLiteral("aud")), handOver->first, e.store().lastSeq());
        LAPSE_VERIFY_OK(proof2);
        LAPSE_VERIFY_OK(w.accept(later, proof2.value()));
        // The witness's state carries both keys across a restart.
        auto reloaded = CheckpointWitness::fromJson(w.toJson());
        LAPSE_VERIFY_OK(reloaded);
        QCOMPARE(reloaded->trustedVkeys().size(), 2);
        QCOMPARE(reloaded->size(), e.store().lastSeq());
    }

    // The state tables must say what the events say; an edited row is named.
    void stateAuditNamesADisagreement()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        auto g = f.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(g);
        LAPSE_VERIFY_OK(f.engine().revoke(f.who(QStringLiteral("rita")), g->id, QStringLiteral("done")));
        LAPSE_VERIFY_OK(f.submit(QStringLiteral("alice"), QStringLiteral("billing-db")));
        auto rows = auditState(f.engine().store());
        LAPSE_VERIFY_OK(rows);
        QVERIFY(rows.value() >= 3);
        QSqlQuery q(storeDb(f.engine().store()));
        QVERIFY(
            q.exec(QStringLiteral("UPDATE grants SET status = 'active', json = json_set(json, '$.status', "
                                  "'active') WHERE id = '%1'")
                       .arg(g->id)));
        LAPSE_VERIFY_ERROR(auditState(f.engine().store()), ErrorCode::Conflict,
            QStringLiteral("grant %1 is active in its table but revoked in the log").arg(g->id));
    }

    // The README's check of a checkpoint signature, with OpenSSL and Python's standard library only, run as
    // written there: it accepts a checkpoint the log key signed and refuses one changed by a byte.
    void readmeCheckWithOpenssl()
    {
        const QByteArray script = readmeScript("<!-- checkpoint-check -->");
        QVERIFY(!script.isEmpty());

        EngineFixture f;
        QVERIFY(f.ok());
        LAPSE_VERIFY_OK(f.engine().appendBatch(batchOf(7)));
        auto cp = f.engine().cutCheckpoint(f.who(QStringLiteral("aud")));
        LAPSE_VERIFY_OK(cp);
        QTemporaryDir dir;
        auto write = [&](const QString& name, const QByteArray& bytes) {
            QFile out(dir.filePath(name));
            return out.open(QIODevice::WriteOnly) && out.write(bytes) == bytes.size();
        };
        auto run = [&](QByteArray* output) { return runScript(script, dir.path(), output); };
        QVERIFY(write(QStringLiteral("log.vkey"), f.engine().logVkey().toUtf8() + '\n'));
        QVERIFY(write(QStringLiteral("checkpoint.txt"), cp->second));
        QByteArray output;
        const int code = run(&output);
        QVERIFY2(code == 0, output.constData());
        QVERIFY2(output.contains("Signature Verified Successfully"), output.constData());
        QByteArray changed = cp->second;
        changed.replace("\n7\n", "\n8\n");
        QVERIFY(changed != cp->second);
        QVERIFY(write(QStringLiteral("checkpoint.txt"), changed));
        QVERIFY(run(&output) != 0);
        QVERIFY2(output.contains("Signature Verification Failure"), output.constData());
    }
};

QTEST_GUILESS_MAIN(TestTransparencyLog)
#include "TestTransparencyLog.moc"
