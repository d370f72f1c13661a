// The hash chain: what the hash covers, and that edits, deletions, insertions and reorderings made directly
// in the SQLite file are found, at the right event.
#include "engine/EventChain.h"

#include "EngineFixture.h"
#include "engine/SqliteStore.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>

#include <functional>

using namespace lapse;
using namespace lapse::test;

namespace
{

// A chain of n in-memory events, hashed as the store does.
QList<Event> chain(int n)
{
    QList<Event> out;
    QByteArray prev = EventChain::genesisHash();
    for (int i = 1; i <= n; ++i) {
        Event e;
        e.seq = i;
        e.tsMs = kStartMs + i * 1000;
        e.type = QStringLiteral("request.created");
        e.actor = QStringLiteral("alice");
        e.subject = QStringLiteral("req_%1").arg(i);
        e.body = QByteArray("{\"n\":") + QByteArray::number(i) + '}';
        e.hash = EventChain::hash(prev, e);
        prev = e.hash;
        out << e;
    }
    return out;
}

// A connection of its own to the store file, as a tamperer would open it.
class RawDb
{
public:
    explicit RawDb(const QString& path)
        : m_name(QStringLiteral("tamper-%1").arg(QUuid::createUuid().toString(QUuid::Id128)))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        db.open();
    }
    ~RawDb()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }
    QSqlDatabase db() const { return QSqlDatabase::database(m_name, false); }
    bool exec(const QString& sql, const QVariantList& binds = {})
    {
        QSqlQuery q(db());
        q.prepare(sql);
        for (const auto& b : binds)
            q.addBindValue(b);
        if (!q.exec()) {
            qWarning("tamper: %s: %s", qPrintable(sql), qPrintable(q.lastError().text()));
            return false;
        }
        return true;
    }
    Event event(qint64 seq)
    {
        QSqlQuery q(db());
        q.prepare(
            QStringLiteral("SELECT seq, ts, type, actor, subject, body, hash FROM events WHERE seq = ?"));
        q.addBindValue(seq);
        Event e;
        if (q.exec() && q.next()) {
            e.seq = q.value(0).toLongLong();
            e.tsMs = q.value(1).toLongLong();
            e.type = q.value(2).toString();
            e.actor = q.value(3).toString();
            e.subject = q.value(4).toString();
            e.body = q.value(5).toByteArray();
            e.hash = q.value(6).toByteArray();
        }
        return e;
    }
    // Moves events from..to (inclusive) up by one seq, through negatives so the primary key never clashes.
    bool shiftUp(qint64 from)
    {
        return exec(QStringLiteral("UPDATE events SET seq = -(seq + 1) WHERE seq >= ?"), {from})
            && exec(QStringLiteral("UPDATE events SET seq = -seq WHERE seq < 0"));
    }
    bool insert(const Event& e)
    {
        return exec(
            QStringLiteral(
                "INSERT INTO events(seq, ts, type, actor, subject, body, hash) VALUES(?,?,?,?,?,?,?)"),
            {e.seq, e.tsMs, e.type, e.actor, e.subject, e.body, e.hash});
    }

private:
    QString m_name;
};

struct Verdict {
    bool ok = false;
    qint64 verified = -1;
    qint64 breakSeq = -1;
    QString reason;
};

Verdict verify(QSqlDatabase db)
{
    Verdict v;
    auto r = SqliteStore::verifyChain(db, &v.reason, &v.breakSeq);
    v.ok = r.ok();
    // A break is an error; what was verified before it is the break's predecessor.
    v.verified = r.ok() ? r.value() : (v.breakSeq > 0 ? v.breakSeq - 1 : -1);
    return v;
}

using Tamper = std::function<bool(RawDb&, qint64 lastSeq)>;

constexpr qint64 kMid = 5; // the event most rows tamper with; the log has more than twice as many
} // namespace

class TestEventChain : public QObject
{
    Q_OBJECT

    // A real log written by the engine: requests, a quorum, a grant, a session, a revocation, a lockout.
    static bool buildLog(EngineFixture& f)
    {
        auto g = f.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
        f.clock().advance(1500);
        auto k8s = f.grantFor(QStringLiteral("dave"), QStringLiteral("prod-k8s"));
        f.clock().advance(700);
        if (!g || !k8s)
            return false;
        auto s = f.engine().openSession(f.who(QStringLiteral("db-proxy")), f.token(g.value()), {"read"});
        f.clock().advance(2000);
        auto r = f.engine().revoke(f.who(QStringLiteral("rita")), g->id, QStringLiteral("done"));
        auto l = f.engine().lockout(
            f.who(QStringLiteral("rita")), QStringLiteral("dave"), QStringLiteral("leak"));
        auto d = f.submit(QStringLiteral("agent-7"), QStringLiteral("billing-db"));
        return s && r && l && d && f.engine().store().lastSeq() >= 2 * kMid + 2;
    }

private slots:
    void cleanup() { Clock::setInstance(nullptr); }

    // ------------------------------------------------------------ the hash itself

    void genesisIsSixtyFourZeros()
    {
        QCOMPARE(EventChain::genesisHash(), QByteArray(64, '0'));
        const Event e = chain(1)[0];
        const QByteArray h = EventChain::hash(EventChain::genesisHash(), e);
        QCOMPARE(h.size(), 64);
        QCOMPARE(h, h.toLower());
        QCOMPARE(QByteArray::fromHex(h).toHex(), h); // hex, nothing else
        QCOMPARE(EventChain::hash(EventChain::genesisHash(), e), h); // deterministic
    }

    void hashCoversEveryField_data()
    {
        QTest::addColumn<std::function<void(Event&)>>("change");
        using F = std::function<void(Event&)>;
        QTest::newRow("seq") << F([](Event& e) { e.seq += 1; });
        QTest::newRow("ts") << F([](Event& e) { e.tsMs += 1; });
        QTest::newRow("type") << F([](Event& e) { e.type = QStringLiteral("request.denied"); });
        QTest::newRow("actor") << F([](Event& e) { e.actor = QStringLiteral("mallory"); });
        QTest::newRow("subject") << F([](Event& e) { e.subject = QStringLiteral("req_99"); });
        QTest::newRow("body") << F([](Event& e) { e.body = QByteArray("{\"n\":2}"); });
        QTest::newRow("body whitespace") << F([](Event& e) { e.body = QByteArray("{\"n\": 1}"); });
        QTest::newRow("actor case") << F([](Event& e) { e.actor = QStringLiteral("Alice"); });
        QTest::newRow("non-ascii actor") << F([](Event& e) { e.actor = QStringLiteral("alic\u00e9"); });
    }
    void hashCoversEveryField()
    {
        QFETCH(std::function<void(Event&)>, change);
        const Event e = chain(1)[0];
        Event changed = e;
        change(changed);
        QVERIFY(EventChain::hash(EventChain::genesisHash(), changed) != e.hash);
    }

    void hashCoversThePreviousHash()
    {
        const Event e = chain(1)[0];
        QByteArray other = EventChain::genesisHash();
        other[63] = '1';
        QVERIFY(EventChain::hash(other, e) != e.hash);
    }

    void fieldBoundariesAreUnambiguous_data()
    {
        QTest::addColumn<Event>("a");
        QTest::addColumn<Event>("b");
        auto ev = [](qint64 seq, qint64 ts, const char* type, const char* actor, const char* subject,
                      const char* body) {
            Event e;
            e.seq = seq;
            e.tsMs = ts;
            e.type = QString::fromLatin1(type);
            e.actor = QString::fromLatin1(actor);
            e.subject = QString::fromLatin1(subject);
            e.body = QByteArray(body);
            return e;
        };
        QTest::newRow("actor/subject") << ev(1, 5, "t", "ab", "c", "{}") << ev(1, 5, "t", "a", "bc", "{}");
        QTest::newRow("type/actor") << ev(1, 5, "grant.x", "y", "s", "{}")
                                    << ev(1, 5, "grant.", "xy", "s", "{}");
        QTest::newRow("subject/body") << ev(1, 5, "t", "a", "s{", "}") << ev(1, 5, "t", "a", "s", "{}");
        QTest::newRow("empty actor") << ev(1, 5, "t", "", "ab", "{}") << ev(1, 5, "t", "a", "b", "{}");
        QTest::newRow("seq/ts") << ev(12, 3, "t", "a", "s", "{}") << ev(1, 23, "t", "a", "s", "{}");
    }
    void fieldBoundariesAreUnambiguous()
    {
        QFETCH(Event, a);
        QFETCH(Event, b);
        QVERIFY(
            EventChain::hash(EventChain::genesisHash(), a) != EventChain::hash(EventChain::genesisHash(), b));
    }

    // ------------------------------------------------------------ the verifier over events in memory

    void verifierAcceptsAnIntactChain()
    {
        const QList<Event> events = chain(6);
        ChainVerifier v;
        for (const auto& e : events)
            QVERIFY(v.add(e));
        QVERIFY(v.ok());
        QCOMPARE(v.verified(), 6);
        QCOMPARE(v.nextSeq(), 7);
        QCOMPARE(v.headHash(), events.last().hash);
        QCOMPARE(v.breakSeq(), 0);
        QVERIFY(v.breakReason().isEmpty());

        // And can resume from a known head, as an incremental check does.
        ChainVerifier resumed(4, events[2].hash);
        for (int i = 3; i < 6; ++i)
            QVERIFY(resumed.add(events[i]));
        QCOMPARE(resumed.headHash(), events.last().hash);
    }

    void verifierFindsTheFirstBreak_data()
    {
        QTest::addColumn<QList<Event>>("fed");
        QTest::addColumn<qint64>("breakSeq");
        QTest::addColumn<QString>("word");
        const QList<Event> c = chain(6);
        QList<Event> edited = c;
        edited[2].body = QByteArray("{\"n\":300}");
        QTest::newRow("edited body") << edited << qint64(3) << "does not match";
        QList<Event> rehashed = c; // the tamperer recomputes the edited event's hash: the next one breaks
        rehashed[2].actor = QStringLiteral("mallory");
        rehashed[2].hash = EventChain::hash(c[1].hash, rehashed[2]);
        QTest::newRow("edited and rehashed") << rehashed << qint64(4) << "does not match";
        QList<Event> missing = c;
        missing.removeAt(3);
        QTest::newRow("missing") << missing << qint64(4) << "event 4 is missing";
        QList<Event> dup = c.mid(0, 3);
        dup << c[2];
        QTest::newRow("repeated") << dup << qint64(4) << "out of order";
        QList<Event> swapped = c;
        swapped.swapItemsAt(1, 4);
        QTest::newRow("swapped") << swapped << qint64(2) << "missing";
        QList<Event> renumbered = c; // swapped and renumbered to look in order
        std::swap(renumbered[1], renumbered[4]);
        renumbered[1].seq = 2;
        renumbered[4].seq = 5;
        QTest::newRow("swapped and renumbered") << renumbered << qint64(2) << "does not match";
        QList<Event> wrongGenesis = c;
        wrongGenesis[0].hash = EventChain::hash(QByteArray(64, 'f'), c[0]);
        QTest::newRow("foreign genesis") << wrongGenesis << qint64(1) << "does not match";
    }
    void verifierFindsTheFirstBreak()
    {
        QFETCH(QList<Event>, fed);
        QFETCH(qint64, breakSeq);
        QFETCH(QString, word);
        ChainVerifier v;
        for (const auto& e : fed)
            v.add(e);
        QVERIFY(!v.ok());
        QCOMPARE(v.breakSeq(), breakSeq);
        QCOMPARE(v.verified(), breakSeq - 1);
        QVERIFY2(v.breakReason().contains(word), qPrintable(v.breakReason()));
        QVERIFY(!v.add(chain(1)[0])); // stays broken
        QCOMPARE(v.breakSeq(), breakSeq);
    }

    // ------------------------------------------------------------ tampering with the SQLite file

    void engineLogVerifies()
    {
        EngineFixture f;
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        QVERIFY(buildLog(f));
        const qint64 last = f.engine().store().lastSeq();
        const QList<Event> events = f.events();
        QCOMPARE(events.size(), int(last));
        QCOMPARE(f.engine().store().headHash(), events.last().hash);
        const Verdict v = verify(storeDb(f.engine().store()));
        QVERIFY(v.ok);
        QCOMPARE(v.breakSeq, 0);
        QCOMPARE(v.verified, last);
        QVERIFY(v.reason.isEmpty());
    }

    void tamperingIsFound_data()
    {
        QTest::addColumn<Tamper>("tamper");
        QTest::addColumn<qint64>("breakAt"); // 0: lastSeq + 1
        QTest::addColumn<QString>("word");
        auto edit = [](const char* column, const QVariant& value) {
            return Tamper([=](RawDb& db, qint64) {
                return db.exec(
                    QStringLiteral("UPDATE events SET %1 = ? WHERE seq = ?").arg(QLatin1String(column)),
                    {value, kMid});
            });
        };
        QTest::newRow("edit body") << Tamper([](RawDb& db, qint64) {
            Event e = db.event(kMid);
            e.body.replace("alice", "mallo");
            if (e.body == db.event(kMid).body)
                e.body.insert(1, "\"x\":1,");
            return db.exec(QStringLiteral("UPDATE events SET body = ? WHERE seq = ?"), {e.body, kMid});
        }) << kMid << "does not match";
        QTest::newRow("edit ts") << edit("ts", kStartMs - 1) << kMid << "does not match";
        QTest::newRow("edit type") << edit("type", QStringLiteral("request.denied")) << kMid
                                   << "does not match";
        QTest::newRow("edit actor") << edit("actor", QStringLiteral("mallory")) << kMid << "does not match";
        QTest::newRow("edit subject") << edit("subject", QStringLiteral("req_x")) << kMid << "does not match";
        QTest::newRow("edit and rehash") << Tamper([](RawDb& db, qint64) {
            Event e = db.event(kMid);
            e.actor = QStringLiteral("mallory");
            e.hash = EventChain::hash(db.event(kMid - 1).hash, e);
            return db.exec(QStringLiteral("UPDATE events SET actor = ?, hash = ? WHERE seq = ?"),
                {e.actor, e.hash, kMid});
        }) << kMid + 1 << "does not match";
        QTest::newRow("delete middle") << Tamper([](RawDb& db, qint64) {
            return db.exec(QStringLiteral("DELETE FROM events WHERE seq = ?"), {kMid});
        }) << kMid << "event 5 is missing";
        QTest::newRow("delete first") << Tamper([](RawDb& db, qint64) {
            return db.exec(QStringLiteral("DELETE FROM events WHERE seq = 1"));
        }) << qint64(1) << "event 1 is missing";
        QTest::newRow("delete middle and renumber") << Tamper([](RawDb& db, qint64) {
            return db.exec(QStringLiteral("DELETE FROM events WHERE seq = ?"), {kMid})
                && db.exec(QStringLiteral("UPDATE events SET seq = -(seq - 1) WHERE seq > ?"), {kMid})
                && db.exec(QStringLiteral("UPDATE events SET seq = -seq WHERE seq < 0"));
        }) << kMid << "does not match";
        QTest::newRow("insert forged, renumbered, hash recomputed") << Tamper([](RawDb& db, qint64) {
            Event forged = db.event(kMid);
            forged.type = QStringLiteral("request.approved");
            forged.actor = QStringLiteral("bob");
            forged.body = QByteArray("{\"forged\":true}");
            forged.hash = EventChain::hash(db.event(kMid - 1).hash, forged);
            return db.shiftUp(kMid) && db.insert(forged);
        }) << kMid + 1 << "does not match";
        QTest::newRow("insert forged, renumbered, copied hash") << Tamper([](RawDb& db, qint64) {
            Event forged = db.event(kMid); // keeps the hash of the event it displaces
            forged.actor = QStringLiteral("mallory");
            forged.body = QByteArray("{\"forged\":true}");
            return db.shiftUp(kMid) && db.insert(forged);
        }) << kMid << "does not match";
        QTest::newRow("append forged") << Tamper([](RawDb& db, qint64 last) {
            Event forged = db.event(last);
            forged.seq = last + 1;
            forged.type = QStringLiteral("principal.unlocked");
            return db.insert(forged);
        }) << qint64(0) << "does not match";
        QTest::newRow("swap bodies and ts") << Tamper([](RawDb& db, qint64) {
            const Event a = db.event(kMid - 1), b = db.event(kMid + 2);
            return db.exec(QStringLiteral("UPDATE events SET body = ?, ts = ? WHERE seq = ?"),
                       {b.body, b.tsMs, a.seq})
                && db.exec(QStringLiteral("UPDATE events SET body = ?, ts = ? WHERE seq = ?"),
                    {a.body, a.tsMs, b.seq});
        }) << kMid - 1 << "does not match";
        QTest::newRow("reorder rows") << Tamper([](RawDb& db, qint64) {
            return db.exec(QStringLiteral("UPDATE events SET seq = -1 WHERE seq = ?"), {kMid - 1})
                && db.exec(QStringLiteral("UPDATE events SET seq = ? WHERE seq = ?"), {kMid - 1, kMid + 2})
                && db.exec(QStringLiteral("UPDATE events SET seq = ? WHERE seq = -1"), {kMid + 2});
        }) << kMid - 1 << "does not match";
    }
    void tamperingIsFound()
    {
        QFETCH(Tamper, tamper);
        QFETCH(qint64, breakAt);
        QFETCH(QString, word);
        EngineFixture f;
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        QVERIFY(buildLog(f));
        const qint64 last = f.engine().store().lastSeq();
        if (breakAt == 0)
            breakAt = last + 1;
        f.close();

        RawDb raw(f.dbPath());
        QVERIFY(raw.db().isOpen());
        QVERIFY(verify(raw.db()).breakSeq == 0);
        QVERIFY(tamper(raw, last));
        const Verdict v = verify(raw.db());
        QVERIFY(!v.ok); // a broken chain is an error, never a count
        QCOMPARE(v.breakSeq, breakAt);
        QCOMPARE(v.verified, breakAt - 1);
        QVERIFY2(v.reason.contains(word), qPrintable(v.reason));
        QVERIFY2(v.reason.contains(QString::number(breakAt)), qPrintable(v.reason));

        // The store's own connection, reopened on the tampered file, sees the same break — unless events
        // were removed, which the tree notices at open: such a store is refused, naming both sizes.
        QSqlQuery count(raw.db());
        QVERIFY(count.exec(QStringLiteral("SELECT COUNT(*) FROM events")) && count.next());
        const qint64 remaining = count.value(0).toLongLong();
        count.finish();
        if (remaining < last) {
            QVERIFY(!f.reopen());
            QVERIFY2(f.openError().contains(QStringLiteral("covers %1 events but its log holds").arg(last))
                    || f.openError().contains(QStringLiteral("is missing from the log")),
                qPrintable(f.openError()));
            return;
        }
        QVERIFY2(f.reopen(), qPrintable(f.openError()));
        const Verdict again = verify(storeDb(f.engine().store()));
        QCOMPARE(again.breakSeq, breakAt);
    }
};

QTEST_GUILESS_MAIN(TestEventChain)
#include "TestEventChain.moc"
