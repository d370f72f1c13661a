// The mirror: resumes after an interruption with no gap or duplicate, keeps nothing after a chain break,
// and refuses to continue a tampered copy.
#include "EngineFixture.h"

#include "backend/EmbeddedBackend.h"
#include "backend/Mirror.h"
#include "engine/Checkpoint.h"

#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace lapse;
using namespace lapse::test;

class TestMirror : public QObject
{
    Q_OBJECT

    static QList<QPair<qint64, QByteArray>> rows(const QString& file)
    {
        QList<QPair<qint64, QByteArray>> out;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("peek"));
            db.setDatabaseName(file);
            if (db.open()) {
                QSqlQuery q(db);
                q.exec(QStringLiteral("SELECT seq, hash FROM events ORDER BY seq"));
                while (q.next())
                    out << qMakePair(q.value(0).toLongLong(), q.value(1).toByteArray());
            }
        }
        QSqlDatabase::removeDatabase(QStringLiteral("peek"));
        return out;
    }

    static void activity(EngineFixture& f, int n)
    {
        for (int i = 0; i < n; ++i) {
            auto g = f.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
            QVERIFY(g.ok());
            f.clock().advance(1000);
        }
    }

private slots:
    void resumesWithoutGapsOrDuplicates()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        activity(f, 5);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("mirror.db"));
        {
            EmbeddedBackend source(f.engine(), QStringLiteral("aud"));
            auto mirror = Mirror::open(file, &source);
            QVERIFY(mirror.ok());
            mirror.value()->start();
            QTRY_COMPARE(mirror.value()->lastSeq(), f.engine().store().lastSeq());
            mirror.value()->stop();
        } // interrupted
        const qint64 before = f.engine().store().lastSeq();
        activity(f, 4); // the source moves on while the mirror is away
        {
            EmbeddedBackend source(f.engine(), QStringLiteral("aud"));
            auto mirror = Mirror::open(file, &source);
            QVERIFY(mirror.ok());
            QCOMPARE(mirror.value()->lastSeq(), before);
            mirror.value()->start();
            QTRY_COMPARE(mirror.value()->lastSeq(), f.engine().store().lastSeq());
            activity(f, 1); // and live events keep arriving
            QTRY_COMPARE(mirror.value()->lastSeq(), f.engine().store().lastSeq());
        }
        const auto copy = rows(file);
        const QList<Event> original = f.engine().store().events(0, 100000);
        QCOMPARE(copy.size(), original.size());
        for (int i = 0; i < copy.size(); ++i) {
            QCOMPARE(copy.at(i).first, original.at(i).seq);
            QCOMPARE(copy.at(i).second, original.at(i).hash);
        }
    }

    void stopsLoudlyAtABreak()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        activity(f, 3);
        QList<Event> events = f.engine().store().events(0, 1000);
        QVERIFY(events.size() > 6);
        events[4].body.replace("billing-db", "vault-xxxx"); // edited in transit
        QTemporaryDir dir;
        auto mirror = Mirror::open(dir.filePath(QStringLiteral("m.db")), nullptr);
        QVERIFY(mirror.ok());
        QSignalSpy broken(mirror.value().get(), &Mirror::chainBroken);
        const Status s = mirror.value()->append(events);
        QVERIFY(!s.ok());
        QCOMPARE(broken.count(), 1);
        QCOMPARE(broken.first().first().toLongLong(), events[4].seq);
        QCOMPARE(mirror.value()->lastSeq(), events[3].seq); // what verified before the break is kept
        QCOMPARE(rows(mirror.value()->file()).size(), 4);
        QVERIFY(!mirror.value()->append(events.mid(5)).ok()); // and nothing after it, ever
        QCOMPARE(rows(mirror.value()->file()).size(), 4);
    }

    // A page whose hashes are checked as it is written: the break undoes the write and what came before it
    // is written again, so the copy still verifies; a missing event and a first-event forgery too.
    void aBreakAnywhereKeepsExactlyThePrefix_data()
    {
        QTest::addColumn<int>("at");
        QTest::addColumn<bool>("gap");
        QTest::newRow("first event forged") << 0 << false;
        QTest::newRow("middle forged") << 7 << false;
        QTest::newRow("last forged") << -1 << false;
        QTest::newRow("an event missing") << 5 << true;
    }
    void aBreakAnywhereKeepsExactlyThePrefix()
    {
        QFETCH(int, at);
        QFETCH(bool, gap);
        EngineFixture f;
        QVERIFY(f.ok());
        activity(f, 4);
        QList<Event> events = f.engine().store().events(0, 1000);
        QVERIFY(events.size() > 10);
        if (at < 0)
            at = int(events.size()) - 1;
        const qint64 breakSeq = events[at].seq;
        if (gap)
            events.removeAt(at);
        else
            events[at].hash = EventChain::hash(events[at].hash, events[at]); // a well-formed but wrong hash
        QTemporaryDir dir;
        auto mirror = Mirror::open(dir.filePath(QStringLiteral("m.db")), nullptr);
        QVERIFY(mirror.ok());
        QSignalSpy broken(mirror.value().get(), &Mirror::chainBroken);
        // Two pages: the first is whole, the break is in the second (or the first, for event 1).
        const int split = at > 2 ? 2 : 0;
        if (split)
            QVERIFY(mirror.value()->append(events.mid(0, split)).ok());
        QVERIFY(!mirror.value()->append(events.mid(split)).ok());
        QCOMPARE(broken.count(), 1);
        QCOMPARE(broken.first().first().toLongLong(), breakSeq);
        QVERIFY2(broken.first().at(1).toString().contains(
                     gap ? QStringLiteral("missing") : QStringLiteral("hash")),
            qPrintable(broken.first().at(1).toString()));
        QCOMPARE(mirror.value()->lastSeq(), breakSeq - 1);
        QVERIFY(mirror.value()->broken());
        const auto copy = rows(mirror.value()->file());
        QCOMPARE(copy.size(), at);
        for (int i = 0; i < copy.size(); ++i)
            QCOMPARE(copy.at(i).second, events.at(i).hash);
        mirror.value().reset();
        // What was kept is a whole chain, and a mirror opened on it resumes after it.
        auto reopened = Mirror::open(dir.filePath(QStringLiteral("m.db")), nullptr);
        QVERIFY2(reopened.ok(), reopened.ok() ? "" : qPrintable(reopened.error().message));
        QCOMPARE(reopened.value()->lastSeq(), breakSeq - 1);
    }

    void refusesToContinueATamperedCopy()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        activity(f, 2);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("m.db"));
        {
            auto mirror = Mirror::open(file, nullptr);
            QVERIFY(mirror.ok());
            QVERIFY(mirror.value()->append(f.engine().store().events(0, 1000)).ok());
        }
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tamper"));
            db.setDatabaseName(file);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("DELETE FROM events WHERE seq = 3")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("tamper"));
        auto reopened = Mirror::open(file, nullptr);
        QVERIFY(!reopened.ok());
        QCOMPARE(reopened.error().code, ErrorCode::Conflict);
        QVERIFY(reopened.error().message.contains(QStringLiteral("event 3")));
    }

    // The mirror checks the broker's signed checkpoints against its own copy: the root at the checkpoint's
    // size must be its own; one beyond the copy waits for it; a fork (another note at a kept size) or a
    // rewrite (another root) stops the mirror, loudly; a rotated key is learnt from its hand-over checkpoint
    // only.
    void checksSignedCheckpoints()
    {
        EngineFixture f;
        QVERIFY(f.ok());
        activity(f, 3);
        const Principal& aud = f.who(QStringLiteral("aud"));
        QTemporaryDir dir;
        auto opened = Mirror::open(dir.filePath(QStringLiteral("mirror.db")), nullptr);
        LAPSE_VERIFY_OK(opened);
        Mirror& m = *opened.value();
        QSignalSpy verified(&m, &Mirror::checkpointVerified);
        QSignalSpy inconsistent(&m, &Mirror::logInconsistent);
        LAPSE_VERIFY_OK(m.append(f.events()));
        auto first = f.engine().cutCheckpoint(aud);
        LAPSE_VERIFY_OK(first);
        LAPSE_VERIFY_ERROR(m.checkCheckpoint(first->second), ErrorCode::Invalid, "no log key");
        LAPSE_VERIFY_OK(m.trustLogKey(f.engine().logVkey()));
        LAPSE_VERIFY_OK(m.checkCheckpoint(first->second));
        QCOMPARE(m.verifiedCheckpointSize(), first->first);
        QCOMPARE(verified.count(), 1);

        // Beyond the copy: it waits, and is checked as the copy reaches it.
        activity(f, 2);
        auto ahead = f.engine().cutCheckpoint(aud);
        LAPSE_VERIFY_OK(ahead);
        LAPSE_VERIFY_OK(m.checkCheckpoint(ahead->second));
        QCOMPARE(m.verifiedCheckpointSize(), first->first);
        LAPSE_VERIFY_OK(m.append(f.events()));
        QCOMPARE(m.verifiedCheckpointSize(), ahead->first);
        QCOMPARE(verified.count(), 2);

        // A rotated key: refused until its hand-over, learnt from it.
        auto handOver = f.engine().rotateLogKey(f.who(QStringLiteral("adm")));
        LAPSE_VERIFY_OK(handOver);
        activity(f, 1);
        auto later = f.engine().cutCheckpoint(aud);
        LAPSE_VERIFY_OK(later);
        LAPSE_VERIFY_OK(m.append(f.events()));
        LAPSE_VERIFY_OK(m.checkCheckpoint(handOver->second));
        QCOMPARE(m.trustedLogKeys().size(), 2);
        LAPSE_VERIFY_OK(m.checkCheckpoint(later->second));
        QCOMPARE(m.verifiedCheckpointSize(), later->first);
        QCOMPARE(inconsistent.count(), 0);

        // The trusted keys are kept beside the mirror for the next start.
        opened.value().reset();
        auto again = Mirror::open(dir.filePath(QStringLiteral("mirror.db")), nullptr);
        LAPSE_VERIFY_OK(again);
        QCOMPARE(again.value()->trustedLogKeys().size(), 2);
        QCOMPARE(again.value()->verifiedCheckpointSize(), later->first);

        // A signed checkpoint at a kept size with another root: the log forked; the mirror stops.
        Mirror& m2 = *again.value();
        QSignalSpy stopped(&m2, &Mirror::logInconsistent);
        const QByteArray kept = *f.engine().store().checkpoint(later->first);
        CheckpointBody forged = CheckpointBody::parse(SignedNote::parse(kept)->text).value();
        forged.root[0] = char(forged.root[0] ^ 1);
        auto forgedNote = f.engine().log().key().signNote(forged.text());
        LAPSE_VERIFY_OK(forgedNote);
        LAPSE_VERIFY_ERROR(m2.checkCheckpoint(forgedNote.value()), ErrorCode::Conflict,
            QStringLiteral("checkpoint at size %1 names another root").arg(later->first));
        QCOMPARE(stopped.count(), 1);
        QVERIFY(m2.inconsistent());
        LAPSE_VERIFY_ERROR(m2.append(f.events()), ErrorCode::Conflict, "stopped");
    }

    // A checkpoint no trusted key signed, with no rotation to explain it, is refused.
    void refusesAnUntrustedCheckpoint()
    {
        EngineFixture f, other;
        QVERIFY(f.ok() && other.ok());
        activity(f, 2);
        activity(other, 2);
        QTemporaryDir dir;
        auto m = Mirror::open(dir.filePath(QStringLiteral("mirror.db")), nullptr);
        LAPSE_VERIFY_OK(m);
        LAPSE_VERIFY_OK(m.value()->append(f.events()));
        LAPSE_VERIFY_OK(m.value()->trustLogKey(f.engine().logVkey()));
        auto foreign = other.engine().cutCheckpoint(other.who(QStringLiteral("aud")));
        LAPSE_VERIFY_OK(foreign);
        LAPSE_VERIFY_ERROR(
            m.value()->checkCheckpoint(foreign->second), ErrorCode::Conflict, "not signed by a trusted");
        QVERIFY(m.value()->inconsistent());
    }
};

QTEST_GUILESS_MAIN(TestMirror)
#include "TestMirror.moc"
