// Real SQLite failures under the store (FaultyVfs): a disk-full write or a failed fsync at every step of an
// approval, a revoke and a mirror page leaves the store as it was or fully written, is reported, is never
// acknowledged unless durable, and leaves neither the engine nor the mirror believing what the disk does not
// say.
#include "EngineFixture.h"
#include "FaultyVfs.h"

#include "backend/Mirror.h"
#include "engine/LogVerification.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QtTest>

#include <functional>

using namespace lapse;
using namespace lapse::test;

namespace
{

// One place to fail: the nth write or the nth sync of the operation (0: count only).
struct FaultPoint {
    enum Kind { None, Write, Sync } kind = None;
    int nth = 0;

    void arm() const
    {
        if (kind == Write)
            FaultyVfs::failWrite(nth);
        else if (kind == Sync)
            FaultyVfs::failSync(nth);
    }
    QString name() const
    {
        return kind == Write ? QStringLiteral("write %1").arg(nth)
            : kind == Sync   ? QStringLiteral("sync %1").arg(nth)
                             : QStringLiteral("no fault");
    }
};

// What a store holds, for comparing before and after: the state tables and the chain's head.
struct Image {
    QString tables;
    qint64 lastSeq = 0;
    QByteArray headHash;
    bool operator==(const Image& o) const
    {
        return tables == o.tables && lastSeq == o.lastSeq && headHash == o.headHash;
    }
};

Image imageOf(Store& store)
{
    Image out;
    QSqlQuery q(storeDb(store));
    for (const char* table : {"requests", "grants", "sessions", "lockouts", "api_keys"}) {
        out.tables += QStringLiteral("## %1\n").arg(QLatin1String(table));
        if (!q.exec(QStringLiteral("SELECT * FROM %1 ORDER BY 1").arg(QLatin1String(table))))
            continue;
        while (q.next()) {
            QStringList row;
            for (int i = 0; i < q.record().count(); ++i)
                row << (q.value(i).isNull() ? QStringLiteral("NULL") : q.value(i).toString());
            out.tables += row.join(QLatin1Char('|')) + QLatin1Char('\n');
        }
    }
    out.lastSeq = store.lastSeq();
    out.headHash = store.headHash();
    return out;
}

// A copy of the store's files as they are on disk this instant, the shared-memory index left behind: what
// a process killed right now would find on its next start (SQLite recovers the WAL from the file itself).
bool crashImage(const QString& dbPath, const QString& intoDir, QString* copy)
{
    *copy = QDir(intoDir).filePath(QStringLiteral("crashed.db"));
    for (const char* suffix : {"", "-wal", "-journal"}) {
        const QString from = dbPath + QLatin1String(suffix);
        if (QFile::exists(from) && !QFile::copy(from, *copy + QLatin1String(suffix)))
            return false;
    }
    return true;
}

// A result's error message, or nothing: QVERIFY2 builds its message even when the check passes.
template <typename T> QString messageOf(const Result<T>& r)
{
    return r.ok() ? QString() : r.error().message;
}

enum class State { Before, After, Half };

const char* stateName(State s)
{
    return s == State::Before ? "as before" : s == State::After ? "fully written" : "HALF WRITTEN";
}

} // namespace

class TestSqliteFaults : public QObject
{
    Q_OBJECT

    // One operation under test: what it does, and how its completed effect looks in a store.
    struct Operation {
        QString name;
        // Builds the state before the operation (on a fresh fixture); false when that failed.
        std::function<bool(EngineFixture&)> setup;
        std::function<Status(EngineFixture&)> run;
        // The operation's whole effect is in the store (events after beforeSeq included).
        std::function<bool(Store&, qint64 beforeSeq)> done;
        // What the engine in memory believes: true when it holds the operation's effect.
        std::function<bool(EngineFixture&)> engineClaims;
    };

    struct Counts {
        int writes = 0;
        int syncs = 0;
    };

    QString m_approveRequest; // the request the approval case decides
    QString m_revokeGrant; // the grant the revoke case ends
    QByteArray m_revokeToken;
    QString m_revokeSession; // open on the grant when it is revoked
    int m_points = 0; // fault points run, over the whole suite
    int m_injected = 0; // of them, the ones where a fault was actually returned to SQLite
    int m_failedCalls = 0; // operations that reported the fault
    int m_absorbed = 0; // faults SQLite recovered from by itself, the call succeeding with everything written
    int m_durableDespiteError = 0; // crash images holding a write that was reported failed

    static State classify(Store& store, const Image& before, const Operation& op)
    {
        if (imageOf(store) == before)
            return State::Before;
        return op.done(store, before.lastSeq) ? State::After : State::Half;
    }

    static bool eventsAfter(
        Store& store, qint64 seq, const QList<std::pair<QString, QString>>& typeAndSubject)
    {
        const QList<Event> events = store.events(seq, 1000);
        if (events.size() != typeAndSubject.size())
            return false;
        for (int i = 0; i < events.size(); ++i)
            if (events[i].type != typeAndSubject[i].first || events[i].subject != typeAndSubject[i].second)
                return false;
        return true;
    }

    Operation approval()
    {
        Operation op;
        op.name = QStringLiteral("approval");
        op.setup = [this](EngineFixture& f) {
            auto d = f.submit(QStringLiteral("alice"), QStringLiteral("billing-db"));
            if (!d || d->grant)
                return false;
            m_approveRequest = d->request.id;
            return true;
        };
        op.run = [this](EngineFixture& f) -> Status {
            auto d = f.approve(QStringLiteral("bob"), m_approveRequest);
            if (!d)
                return d.error();
            return d->grant ? Status(Ok {}) : makeError(ErrorCode::Internal, QStringLiteral("no grant"));
        };
        op.done = [this](Store& s, qint64 beforeSeq) {
            const auto r = s.request(m_approveRequest);
            if (!r || r->status != RequestStatus::Approved || r->grantId.isEmpty())
                return false;
            const auto g = s.grant(r->grantId);
            return g && g->status == GrantStatus::Active
                && eventsAfter(s, beforeSeq,
                    {{QStringLiteral("request.approved"), r->id},
                        {QStringLiteral("grant.activated"), g->id}});
        };
        op.engineClaims = [](EngineFixture& f) { return f.engine().activeGrantCount() == 1; };
        return op;
    }

    Operation revocation()
    {
        Operation op;
        op.name = QStringLiteral("revoke");
        op.setup = [this](EngineFixture& f) {
            auto g = f.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
            if (!g)
                return false;
            m_revokeGrant = g->id;
            m_revokeToken = f.token(g.value());
            if (m_revokeToken.isEmpty() || !f.isActive(QStringLiteral("api-gw"), m_revokeToken))
                return false;
            // A live session too, so the revoke also orders it closed: more rows, more steps to fail at.
            auto session = f.engine().openSession(
                f.who(QStringLiteral("db-proxy")), m_revokeToken, {QStringLiteral("read")});
            if (!session)
                return false;
            m_revokeSession = session->id;
            return true;
        };
        op.run = [this](EngineFixture& f) -> Status {
            auto g = f.engine().revoke(
                f.who(QStringLiteral("rita")), m_revokeGrant, QStringLiteral("INC-1234 is closed"));
            if (!g)
                return g.error();
            return Ok {};
        };
        op.done = [this](Store& s, qint64 beforeSeq) {
            const auto g = s.grant(m_revokeGrant);
            const auto session = s.session(m_revokeSession);
            return g && g->status == GrantStatus::Revoked && session && session->terminateRequestedMs > 0
                && eventsAfter(s, beforeSeq,
                    {{QStringLiteral("grant.revoked"), m_revokeGrant},
                        {QStringLiteral("session.terminate_requested"), m_revokeSession}});
        };
        // Both the engine's table of active grants and its introspection answer must have let it go.
        op.engineClaims = [this](EngineFixture& f) {
            const bool inTable = f.engine().activeGrantCount() == 0;
            const bool answer = !f.isActive(QStringLiteral("api-gw"), m_revokeToken);
            return inTable && answer;
        };
        return op;
    }

    // Runs op once with fault point p on a fresh engine and checks everything the fault may not break.
    void engineCase(const Operation& op, const FaultPoint& p, Counts* counted = nullptr)
    {
        const QString where = op.name + QStringLiteral(", ") + p.name();
        EngineFixture f;
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        QVERIFY2(op.setup(f), qPrintable(where + QStringLiteral(": setup")));
        const Image before = imageOf(f.engine().store());
        FaultyVfs::watch(QFile::encodeName(f.dataDir() + QLatin1Char('/')));
        // What the engine tells followers (the broker's event stream, mirrors) is an acknowledgement too.
        QSignalSpy published(&f.engine(), &Engine::eventsAppended);
        FaultyVfs::reset();
        p.arm();
        const Status s = op.run(f);
        const bool injected = FaultyVfs::injected() > 0;
        const Counts seen {FaultyVfs::writes(), FaultyVfs::syncs()};
        FaultyVfs::reset();
        m_points += p.kind == FaultPoint::None ? 0 : 1;
        m_injected += injected ? 1 : 0;
        if (counted) {
            LAPSE_VERIFY_OK(s);
            *counted = seen;
        }
        QList<qint64> publishedSeqs;
        for (const QList<QVariant>& call : std::as_const(published))
            for (const Event& e : call.at(0).value<QList<Event>>())
                publishedSeqs << e.seq;
        QVERIFY2(s || publishedSeqs.isEmpty(),
            qPrintable(where + QStringLiteral(": a failed write was published")));
        if (!s) {
            ++m_failedCalls;
            QVERIFY2(
                injected, qPrintable(where + QStringLiteral(": failed with no fault: ") + s.error().message));
            // SQLite's own words ("database or disk is full", "disk I/O error") reach the caller.
            QVERIFY2(s.error().message.contains(QLatin1String("disk"), Qt::CaseInsensitive),
                qPrintable(where + QStringLiteral(": unclear error: ") + s.error().message));
        }

        // A crash right now: the files hold the store as it was or the operation whole, and an Ok is in them.
        QTemporaryDir crashDir;
        QString crashed;
        QVERIFY(crashImage(f.dbPath(), crashDir.path(), &crashed));
        State onCrash = State::Half;
        {
            auto image = SqliteStore::open(crashed);
            QVERIFY2(image.ok(), qPrintable(where + QStringLiteral(": crash image: ") + messageOf(image)));
            const auto verified = verifyLog(*image.value());
            QVERIFY2(
                verified.ok(), qPrintable(where + QStringLiteral(": crash image: ") + messageOf(verified)));
            onCrash = classify(*image.value(), before, op);
        }
        QVERIFY2(
            onCrash != State::Half, qPrintable(where + QStringLiteral(": the crash image is half written")));
        if (s)
            QVERIFY2(onCrash == State::After,
                qPrintable(where + QStringLiteral(": acknowledged, but not on disk")));
        else if (onCrash == State::After)
            ++m_durableDespiteError; // written and synced but the fsync said no: durable, never acknowledged

        // The engine believes what the store says, read from disk by another connection.
        State onDisk = State::Half;
        {
            auto reader = SqliteStore::openReadOnly(f.dbPath());
            QVERIFY2(reader.ok(), qPrintable(messageOf(reader)));
            onDisk = classify(*reader.value(), before, op);
        }
        QVERIFY2(onDisk != State::Half, qPrintable(where + QStringLiteral(": the store is half written")));
        QCOMPARE(onDisk == State::After, s.ok());
        if (s) {
            QList<qint64> stored;
            for (const Event& e : f.engine().store().events(before.lastSeq, 1000))
                stored << e.seq;
            QCOMPARE(publishedSeqs, stored); // published: exactly what is stored, once
        }
        QVERIFY2(op.engineClaims(f) == (onDisk == State::After),
            qPrintable(where
                + QStringLiteral(": the engine believes otherwise than the store (%1)")
                      .arg(QLatin1String(stateName(onDisk)))));

        // The fault cleared, the same engine carries on: the operation again, or the next one.
        if (!s)
            QVERIFY2(op.run(f).ok(), qPrintable(where + QStringLiteral(": the retry failed")));
        LAPSE_VERIFY_OK(f.submit(QStringLiteral("dave"), QStringLiteral("billing-db")));

        // Closed and opened again: the log verifies and holds the operation once.
        f.close();
        QVERIFY2(f.reopen(), qPrintable(f.openError()));
        const auto verified = verifyLog(f.engine().store());
        QVERIFY2(verified.ok(), qPrintable(where + QStringLiteral(": ") + messageOf(verified)));
        const QList<Event> events = f.engine().store().events(before.lastSeq, 1000);
        QVERIFY(!events.isEmpty());
        QCOMPARE(events.last().type, QStringLiteral("request.created"));
        // The reopened engine believes the effect too.
        QVERIFY2(op.engineClaims(f), qPrintable(where + QStringLiteral(": not in effect after a reopen")));
    }

    // Counts the operation's writes and syncs, then fails each of them in turn.
    void everyFaultPoint(const Operation& op)
    {
        Counts counts;
        engineCase(op, {}, &counts);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(counts.writes > 0 && counts.syncs > 0, "the operation wrote nothing through the shim");
        qInfo("%s: %d writes, %d syncs", qPrintable(op.name), counts.writes, counts.syncs);
        for (int k = 1; k <= counts.writes; ++k) {
            engineCase(op, {FaultPoint::Write, k});
            if (QTest::currentTestFailed())
                return;
        }
        for (int k = 1; k <= counts.syncs; ++k) {
            engineCase(op, {FaultPoint::Sync, k});
            if (QTest::currentTestFailed())
                return;
        }
    }

private slots:
    void initTestCase() { QVERIFY(FaultyVfs::install()); }

    void cleanupTestCase()
    {
        FaultyVfs::reset();
        FaultyVfs::watch({});
        FaultyVfs::uninstall();
        qInfo("%d fault points, %d faults injected: %d calls reported them, SQLite recovered from %d itself; "
              "%d "
              "failed commits were on disk after all (never acknowledged)",
            m_points, m_injected, m_failedCalls, m_absorbed, m_durableDespiteError);
    }

    void cleanup()
    {
        FaultyVfs::reset();
        FaultyVfs::watch({});
    }

    // The shim is under the store: the store's own SQLite traffic passes through it.
    void shimSeesTheStore()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        FaultyVfs::watch(QFile::encodeName(f.dataDir() + QLatin1Char('/')));
        FaultyVfs::reset();
        LAPSE_VERIFY_OK(f.submit(QStringLiteral("alice"), QStringLiteral("billing-db")));
        QVERIFY(FaultyVfs::writes() > 0);
        QVERIFY(FaultyVfs::syncs() > 0); // synchronous=FULL: every commit syncs the WAL
        QCOMPARE(FaultyVfs::injected(), 0);

        // Another directory is not watched: its writes are neither counted nor failed.
        FaultyVfs::watch("/nowhere/");
        FaultyVfs::reset();
        FaultyVfs::setDiskFull(true);
        LAPSE_VERIFY_OK(f.submit(QStringLiteral("alice"), QStringLiteral("billing-db")));
        QCOMPARE(FaultyVfs::writes(), 0);
    }

    void approvalAtEveryFaultPoint() { everyFaultPoint(approval()); }

    void revokeAtEveryFaultPoint() { everyFaultPoint(revocation()); }

    // A disk that stays full: every write fails cleanly, nothing is believed that is not stored, and once
    // space is back the same engine works again.
    void diskFullForAWhile()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        auto pending = f.submit(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(pending);
        auto held = f.grantFor(QStringLiteral("svc-ci"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(held);
        const Image before = imageOf(f.engine().store());
        FaultyVfs::watch(QFile::encodeName(f.dataDir() + QLatin1Char('/')));
        FaultyVfs::reset();
        FaultyVfs::setDiskFull(true);
        for (int i = 0; i < 5; ++i) {
            const auto submitted = f.submit(QStringLiteral("dave"), QStringLiteral("billing-db"));
            QVERIFY(!submitted.ok());
            QVERIFY2(submitted.error().message.contains(QLatin1String("disk is full"), Qt::CaseInsensitive),
                qPrintable(submitted.error().message));
            QVERIFY(!f.approve(QStringLiteral("bob"), pending->request.id).ok());
            QVERIFY(!f.engine().revoke(f.who(QStringLiteral("rita")), held->id, QStringLiteral("full")).ok());
            f.clock().advance(1000);
        }
        QVERIFY(FaultyVfs::injected() >= 15);
        QCOMPARE(f.engine().activeGrantCount(), 1);
        QVERIFY(f.isActive(QStringLiteral("api-gw"), f.token(held.value())));
        QVERIFY(imageOf(f.engine().store()) == before);

        FaultyVfs::setDiskFull(false);
        auto approved = f.approve(QStringLiteral("bob"), pending->request.id);
        LAPSE_VERIFY_OK(approved);
        QVERIFY(approved->grant.has_value());
        LAPSE_VERIFY_OK(f.engine().revoke(f.who(QStringLiteral("rita")), held->id, QStringLiteral("done")));
        LAPSE_VERIFY_OK(f.submit(QStringLiteral("dave"), QStringLiteral("billing-db")));
        QCOMPARE(f.engine().activeGrantCount(), 1);
        f.close();
        QVERIFY(f.reopen());
        LAPSE_VERIFY_OK(verifyLog(f.engine().store()));
        QCOMPARE(f.engine().activeGrantCount(), 1);
        QCOMPARE(f.eventsOfType(QStringLiteral("grant.revoked")).size(), 1);
        QCOMPARE(f.eventsOfType(QStringLiteral("request.created")).size(), 3);
    }

    // The disk fills up as a store is created: the engine does not open and says why; once space is back
    // it opens on the same directory, and the store it makes is whole.
    void openOnAFullDisk()
    {
        FaultyVfs::reset();
        FaultyVfs::setDiskFull(true);
        EngineFixture f;
        const int injected = FaultyVfs::injected();
        FaultyVfs::reset();
        QVERIFY(!f.ok());
        QVERIFY(injected > 0);
        QVERIFY2(
            f.openError().contains(QLatin1String("disk"), Qt::CaseInsensitive), qPrintable(f.openError()));
        QVERIFY2(f.reopen(), qPrintable(f.openError()));
        LAPSE_VERIFY_OK(verifyLog(f.engine().store()));
        LAPSE_VERIFY_OK(f.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db")));
    }

    // A store being created, failed at each of its writes and syncs: the engine opens, or refuses to with
    // SQLite's reason; either way the next open on the same directory finishes the store, and it works.
    void createAtEveryFaultPoint()
    {
        Counts counts;
        {
            FaultyVfs::reset();
            EngineFixture f;
            counts = {FaultyVfs::writes(), FaultyVfs::syncs()};
            QVERIFY(f.ok());
        }
        qInfo("a new store: %d writes, %d syncs", counts.writes, counts.syncs);
        QVERIFY(counts.writes > 0 && counts.syncs > 0);
        QList<FaultPoint> points;
        for (int k = 1; k <= counts.writes; ++k)
            points << FaultPoint {FaultPoint::Write, k};
        for (int k = 1; k <= counts.syncs; ++k)
            points << FaultPoint {FaultPoint::Sync, k};
        for (const FaultPoint& p : points) {
            const QString where = QStringLiteral("new store, ") + p.name();
            FaultyVfs::reset();
            p.arm();
            EngineFixture f;
            const bool injected = FaultyVfs::injected() > 0;
            FaultyVfs::reset();
            m_points += p.kind == FaultPoint::None ? 0 : 1;
            m_injected += injected ? 1 : 0;
            if (f.ok() && injected)
                ++m_absorbed; // SQLite got over it itself (the empty file's rollback journal, as WAL is set)
            if (!f.ok()) {
                ++m_failedCalls;
                QVERIFY2(injected, qPrintable(where + QStringLiteral(": ") + f.openError()));
                QVERIFY2(f.openError().contains(QLatin1String("disk"), Qt::CaseInsensitive),
                    qPrintable(where + QStringLiteral(": unclear error: ") + f.openError()));
                QVERIFY2(f.reopen(), qPrintable(where + QStringLiteral(": ") + f.openError()));
            }
            const auto verified = verifyLog(f.engine().store());
            QVERIFY2(verified.ok(), qPrintable(where + QStringLiteral(": ") + messageOf(verified)));
            LAPSE_VERIFY_OK(f.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db")));
            f.close();
            QVERIFY2(f.reopen(), qPrintable(where + QStringLiteral(": ") + f.openError()));
            QCOMPARE(f.engine().activeGrantCount(), 1);
        }
    }

    // The disk fills part-way through a commit and stays full, then through the checkpoint as the store
    // closes: what was acknowledged before is all there on the next open.
    void fullWhileCommittingAndClosing()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        auto held = f.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(held);
        const Image before = imageOf(f.engine().store());
        FaultyVfs::watch(QFile::encodeName(f.dataDir() + QLatin1Char('/')));
        FaultyVfs::reset();
        FaultyVfs::failWritesAfter(3);
        const auto revoked
            = f.engine().revoke(f.who(QStringLiteral("rita")), held->id, QStringLiteral("full"));
        QVERIFY(!revoked.ok());
        QVERIFY2(revoked.error().message.contains(QLatin1String("disk is full"), Qt::CaseInsensitive),
            qPrintable(revoked.error().message));
        QCOMPARE(FaultyVfs::writes(), 4); // SQLite gave up at the first failed write
        QCOMPARE(f.engine().activeGrantCount(), 1);
        QVERIFY(f.isActive(QStringLiteral("api-gw"), f.token(held.value())));

        // Closing checkpoints the WAL into the main file; on a full disk that fails and the WAL stays.
        FaultyVfs::reset();
        FaultyVfs::setDiskFull(true);
        f.close();
        QVERIFY2(FaultyVfs::injected() > 0, "closing the store wrote nothing");
        FaultyVfs::reset();
        QVERIFY2(f.reopen(), qPrintable(f.openError()));
        LAPSE_VERIFY_OK(verifyLog(f.engine().store()));
        QVERIFY(imageOf(f.engine().store()) == before);
        QCOMPARE(f.engine().activeGrantCount(), 1);
    }

    // The disk fills part-way through a mirror page, at every write and sync: the page is copied whole or
    // not at all, the mirror's own idea of its last event follows the file, and the page goes in once space
    // is back.
    void mirrorPageAtEveryFaultPoint()
    {
        EngineFixture source;
        QVERIFY(source.ok());
        for (int i = 0; i < 4; ++i) {
            LAPSE_VERIFY_OK(source.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db")));
            source.clock().advance(1000);
        }
        const QList<Event> all = source.events();
        QVERIFY(all.size() >= 8);
        const QList<Event> first = all.mid(0, all.size() / 2);
        const QList<Event> page = all.mid(all.size() / 2);

        // One case: a mirror holding the first half, the page appended with fault point p.
        auto mirrorCase = [&](const FaultPoint& p, Counts* counted) {
            const QString where = QStringLiteral("mirror page, ") + p.name();
            QTemporaryDir dir;
            const QString file = dir.filePath(QStringLiteral("mirror.db"));
            auto opened = Mirror::open(file, nullptr);
            LAPSE_VERIFY_OK(opened);
            Mirror& m = *opened.value();
            LAPSE_VERIFY_OK(m.append(first));
            FaultyVfs::watch(QFile::encodeName(dir.path() + QLatin1Char('/')));
            FaultyVfs::reset();
            p.arm();
            const Status s = m.append(page);
            const bool injected = FaultyVfs::injected() > 0;
            const Counts seen {FaultyVfs::writes(), FaultyVfs::syncs()};
            FaultyVfs::reset();
            m_points += p.kind == FaultPoint::None ? 0 : 1;
            m_injected += injected ? 1 : 0;
            if (counted) {
                LAPSE_VERIFY_OK(s);
                *counted = seen;
            }
            if (!s) {
                ++m_failedCalls;
                QVERIFY2(injected, qPrintable(where + QStringLiteral(": ") + s.error().message));
                QVERIFY2(s.error().message.contains(QLatin1String("disk"), Qt::CaseInsensitive),
                    qPrintable(where + QStringLiteral(": unclear error: ") + s.error().message));
                QVERIFY2(!m.broken(), "a failed write is not a chain break");
            }
            const qint64 whole = all.last().seq;
            const qint64 half = first.last().seq;

            // A crash right now: the page is there whole or not at all.
            QTemporaryDir crashDir;
            QString crashed;
            QVERIFY(crashImage(file, crashDir.path(), &crashed));
            {
                auto image = SqliteStore::open(crashed);
                LAPSE_VERIFY_OK(image);
                const auto verified = verifyLog(*image.value(), std::nullopt, nullptr, false);
                QVERIFY2(verified.ok(), qPrintable(where + QStringLiteral(": ") + messageOf(verified)));
                const qint64 last = image.value()->lastSeq();
                QVERIFY2(last == half || last == whole,
                    qPrintable(where + QStringLiteral(": crash image ends at %1").arg(last)));
                if (s)
                    QCOMPARE(last, whole);
                else if (last == whole)
                    ++m_durableDespiteError;
            }
            // The mirror's own idea of its last event is the file's.
            {
                auto reader = SqliteStore::openReadOnly(file);
                LAPSE_VERIFY_OK(reader);
                QCOMPARE(m.lastSeq(), reader.value()->lastSeq());
                QCOMPARE(m.lastSeq(), s ? whole : half);
            }
            // Space is back: the same mirror takes the page, and a reopened one resumes after it.
            LAPSE_VERIFY_OK(m.append(page));
            QCOMPARE(m.lastSeq(), whole);
            opened.value().reset();
            auto again = Mirror::open(file, nullptr);
            LAPSE_VERIFY_OK(again);
            QCOMPARE(again.value()->lastSeq(), whole);
            QCOMPARE(again.value()->lastSeq(), all.last().seq);
        };

        Counts counts;
        mirrorCase({}, &counts);
        if (QTest::currentTestFailed())
            return;
        QVERIFY(counts.writes > 0 && counts.syncs > 0);
        qInfo("mirror page of %lld events: %d writes, %d syncs", qint64(page.size()), counts.writes,
            counts.syncs);
        for (int k = 1; k <= counts.writes; ++k) {
            mirrorCase({FaultPoint::Write, k}, nullptr);
            if (QTest::currentTestFailed())
                return;
        }
        for (int k = 1; k <= counts.syncs; ++k) {
            mirrorCase({FaultPoint::Sync, k}, nullptr);
            if (QTest::currentTestFailed())
                return;
        }
    }
};

QTEST_GUILESS_MAIN(TestSqliteFaults)
#include "TestSqliteFaults.moc"
