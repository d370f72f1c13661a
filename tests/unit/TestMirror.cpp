// The mirror: resumes after an interruption with no gap or duplicate, keeps nothing after a chain break,
// and refuses to continue a tampered copy.
#include "EngineFixture.h"

#include "backend/EmbeddedBackend.h"
#include "metrics/Mirror.h"

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
};

QTEST_GUILESS_MAIN(TestMirror)
#include "TestMirror.moc"
