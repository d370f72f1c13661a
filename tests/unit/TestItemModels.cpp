// The console's item models over a real engine: loading, live updates from events, filtering, sorting, time,
// and the SQL-paged audit log. Every model runs under QAbstractItemModelTester.
#include "EngineFixture.h"
#include "FakeEnforcement.h"
#include "backend/EmbeddedBackend.h"
#include "itemmodels/AuditLogModel.h"
#include "itemmodels/GrantsModel.h"
#include "itemmodels/LiveFeed.h"
#include "itemmodels/QueueFilterProxy.h"
#include "itemmodels/RequestQueueModel.h"
#include "itemmodels/SessionsModel.h"
#include "itemmodels/TimeFormat.h"

#include <QAbstractItemModelTester>
#include <QCollator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>

#include <algorithm>
#include <memory>

using namespace lapse;
using namespace lapse::test;

namespace
{
constexpr qint64 kSecond = 1000;

QStringList idsOf(const QAbstractItemModel& m, int role)
{
    QStringList out;
    for (int r = 0; r < m.rowCount(); ++r)
        out << m.index(r, 0).data(role).toString();
    return out;
}

// A SQL connection of the test's own to a store file, closed and removed with the object.
class SqlFile
{
public:
    explicit SqlFile(const QString& path)
        : m_name(QUuid::createUuid().toString(QUuid::Id128))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        db.open();
    }
    ~SqlFile()
    {
        QSqlDatabase::database(m_name, false).close();
        QSqlDatabase::removeDatabase(m_name);
    }
    QSqlDatabase db() const { return QSqlDatabase::database(m_name, false); }
    QList<qint64> seqs(const QString& sql) const
    {
        QSqlQuery q(db());
        q.setForwardOnly(true);
        QList<qint64> out;
        if (!q.exec(sql))
            qWarning("%s: %s", qPrintable(sql), qPrintable(q.lastError().text()));
        while (q.next())
            out << q.value(0).toLongLong();
        return out;
    }
    bool exec(const QString& sql) const
    {
        QSqlQuery q(db());
        return q.exec(sql);
    }

private:
    QString m_name;
};

QSet<QString> idSet(const QAbstractItemModel& m, int role)
{
    const QStringList ids = idsOf(m, role);
    return QSet<QString>(ids.begin(), ids.end());
}

QList<qint64> modelSeqs(const AuditLogModel& m, int from, int to)
{
    QList<qint64> out;
    for (int r = from; r < to; ++r)
        out << m.index(r, AuditLogModel::Seq).data(AuditLogModel::SeqRole).toLongLong();
    return out;
}

// A request event as the engine would log it, for feeding models rows without going through the policy.
Event requestEvent(const AccessRequest& r, const char* type = "request.created")
{
    Event e;
    e.type = QString::fromLatin1(type);
    e.subject = r.id;
    e.body = QJsonDocument(r.toJson()).toJson(QJsonDocument::Compact);
    return e;
}

AccessRequest pendingRequest(int n, const QString& requester, const QString& target)
{
    AccessRequest r;
    r.id = QStringLiteral("req_%1").arg(n, 6, 10, QLatin1Char('0'));
    r.requester = requester;
    r.target = target;
    r.privileges = n % 3 ? QStringList {"read"} : QStringList {"read", "write"};
    r.ttlSeconds = 60 * (1 + (n * 7) % 13);
    r.createdMs = 1'700'000'000'000 + qint64(n % 17) * 1000;
    r.expiresMs = r.createdMs + 86'400'000;
    return r;
}

// Ids of the rows a proxy shows, in order.
QStringList shownIds(const QAbstractItemModel& proxy)
{
    return idsOf(proxy, RequestQueueModel::IdRole);
}

// What the queue proxy should show, worked out the slow way: every source row tested with QString's own
// case-insensitive search over the displayed fields, then stably sorted with the model's comparison.
QStringList expectedIds(const RequestQueueModel& model, const QString& target, const QString& kind,
    const QString& text, int column, Qt::SortOrder order)
{
    const QStringList terms = text.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    std::vector<int> rows;
    for (int r = 0; r < model.rowCount(); ++r) {
        const auto cell = [&](int c) { return model.index(r, c).data().toString(); };
        if (!target.isEmpty() && cell(RequestQueueModel::Target) != target)
            continue;
        if (!kind.isEmpty() && cell(RequestQueueModel::Kind) != kind)
            continue;
        const bool all = std::all_of(terms.cbegin(), terms.cend(), [&](const QString& t) {
            for (int c : {RequestQueueModel::Requester, RequestQueueModel::Owner, RequestQueueModel::Target,
                     RequestQueueModel::Task, RequestQueueModel::Reason, RequestQueueModel::Ticket,
                     RequestQueueModel::Privileges})
                if (cell(c).contains(t, Qt::CaseInsensitive))
                    return true;
            return false;
        });
        if (all)
            rows.push_back(r);
    }
    if (column >= 0)
        std::stable_sort(rows.begin(), rows.end(), [&](int a, int b) {
            const int c = model.compareRows(column, a, b);
            return order == Qt::AscendingOrder ? c < 0 : c > 0;
        });
    QStringList out;
    for (int r : rows)
        out << model.index(r, 0).data(RequestQueueModel::IdRole).toString();
    return out;
}
} // namespace

class TestItemModels : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<EngineFixture> m_fixture;
    std::unique_ptr<EmbeddedBackend> m_backend;

    EngineFixture& f() { return *m_fixture; }
    Engine& eng() { return m_fixture->engine(); }
    const Principal& who(const QString& id) { return m_fixture->who(id); }

    QString submit(const QString& requester, RequestInput in)
    {
        auto d = f().submit(requester, in);
        f().clock().advance(1); // ids sort by creation time: keep them in submission order
        if (!d)
            qWarning("submit failed: %s", qPrintable(d.error().message));
        return d ? d->request.id : QString();
    }

    // A loaded model, asserting that loading ended well.
    template <typename Model> bool load(Model& model)
    {
        QSignalSpy loaded(&model, &Model::loaded);
        QSignalSpy failed(&model, &Model::loadFailed);
        model.reload();
        if (!QTest::qWaitFor([&] { return loaded.count() + failed.count() > 0; }, 5000))
            return false;
        return failed.isEmpty();
    }

private slots:
    void init()
    {
        m_fixture = std::make_unique<EngineFixture>();
        QVERIFY2(f().ok(), qPrintable(f().openError()));
        m_backend = std::make_unique<EmbeddedBackend>(eng(), QStringLiteral("bob"));
    }

    void cleanup()
    {
        m_backend.reset();
        m_fixture.reset();
    }

    // ------------------------------------------------------------ queue

    void queueLoadsEveryPendingRequestAcrossPages()
    {
        RequestInput narrow = EngineFixture::input(QStringLiteral("billing-db"));
        narrow.privileges = QStringList {"read", "write", "ddl"};
        narrow.minPrivileges = QStringList {"read"};
        const QString wide = submit(QStringLiteral("alice"), narrow);
        QStringList ids {wide};
        for (int i = 0; i < 4; ++i)
            ids << submit(QStringLiteral("svc-ci"), EngineFixture::input(QStringLiteral("billing-db")));
        ids << submit(QStringLiteral("agent-7"), EngineFixture::input(QStringLiteral("prod-k8s")));
        const QString decided
            = submit(QStringLiteral("alice"), EngineFixture::input(QStringLiteral("vault")));
        LAPSE_VERIFY_OK(f().approve(QStringLiteral("bob"), decided));

        RequestQueueModel model(m_backend.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setDirectory(eng().directory().toJson());
        model.setPageSize(2); // six pending requests: three pages and an empty fourth
        QVERIFY(load(model));
        QCOMPARE(model.rowCount(), 6);
        QCOMPARE(idsOf(model, RequestQueueModel::IdRole), ids);
        QCOMPARE(model.rowOf(decided), -1);

        const int w = model.rowOf(wide);
        QCOMPARE(model.index(w, 0).data(RequestQueueModel::ExcessRole).toInt(), 2);
        QCOMPARE(model.index(w, RequestQueueModel::Width).data().toString(), QStringLiteral("3 (+2)"));
        QCOMPARE(model.index(w, RequestQueueModel::Privileges).data().toString(),
            QStringLiteral("read, write, ddl"));
        QCOMPARE(model.index(w, 0).data(RequestQueueModel::KindRole).toString(), QStringLiteral("human"));
        QCOMPARE(model.requestAt(w).value(QLatin1String("id")).toString(), wide);

        const int svc = model.rowOf(ids[1]);
        QCOMPARE(model.index(svc, 0).data(RequestQueueModel::ExcessRole).toInt(), -1);
        QCOMPARE(model.index(svc, RequestQueueModel::Kind).data().toString(), QStringLiteral("service"));
        QCOMPARE(model.index(svc, RequestQueueModel::Owner).data().toString(), QStringLiteral("alice"));
        QCOMPARE(model.index(svc, RequestQueueModel::Ttl).data().toString(), QStringLiteral("10m 00s"));
        const int agent = model.rowOf(ids.last());
        QCOMPARE(model.index(agent, RequestQueueModel::Ticket).data().toString(), QStringLiteral("CHG-42"));
        QCOMPARE(model.index(agent, RequestQueueModel::Kind).data().toString(), QStringLiteral("agent"));
        QCOMPARE(model.index(agent, RequestQueueModel::Owner).data().toString(), QStringLiteral("bob"));
    }

    void requestPagesServeStoredJsonUnderTheReadRule()
    {
        RequestInput narrow = EngineFixture::input(QStringLiteral("billing-db"));
        narrow.minPrivileges = QStringList {"read"};
        const QString a = submit(QStringLiteral("alice"), narrow);
        const QString b = submit(QStringLiteral("svc-ci"), EngineFixture::input(QStringLiteral("prod-k8s")));
        const QString c = submit(QStringLiteral("alice"), EngineFixture::input(QStringLiteral("vault")));
        LAPSE_VERIFY_OK(f().approve(QStringLiteral("bob"),
            f().submit(QStringLiteral("svc-ci"), EngineFixture::input(QStringLiteral("billing-db")))
                ->request.id));
        const auto page = [&](Backend& backend, const QString& after, int limit) {
            QJsonObject out;
            bool done = false;
            backend.listRequests(QStringLiteral("pending"), after, limit, [&](const ApiResult& r) {
                out = r ? r.value() : QJsonObject {{"error", r.error().message}};
                done = true;
            });
            if (!QTest::qWaitFor([&] { return done; }, 5000))
                return QJsonObject {{"error", "no answer within 5 s"}};
            return out;
        };
        // Pages carry exactly what the request's own JSON says, and the cursor to the next page.
        const QJsonObject first = page(*m_backend, QString(), 2);
        const QJsonArray items = first.value(QLatin1String("items")).toArray();
        QCOMPARE(items.size(), 2);
        QCOMPARE(items[0].toObject(), eng().store().request(a)->toJson());
        QCOMPARE(items[1].toObject(), eng().store().request(b)->toJson());
        QCOMPARE(first.value(QLatin1String("next_after")).toString(), b);
        const QJsonObject second = page(*m_backend, b, 2);
        QCOMPARE(second.value(QLatin1String("items")).toArray().size(), 1);
        QCOMPARE(second.value(QLatin1String("items"))
                     .toArray()[0]
                     .toObject()
                     .value(QLatin1String("id"))
                     .toString(),
            c);
        QVERIFY(second.value(QLatin1String("next_after")).isNull());
        // A requester without a reading role sees only their own.
        EmbeddedBackend asAlice(eng(), QStringLiteral("alice"));
        QStringList seen;
        for (const auto& v : page(asAlice, QString(), 100).value(QLatin1String("items")).toArray())
            seen << v.toObject().value(QLatin1String("id")).toString();
        QCOMPARE(seen, (QStringList {a, c}));
        // And the queue's rebuilt JSON is the same object.
        RequestQueueModel model(m_backend.get());
        QVERIFY(load(model));
        QCOMPARE(model.requestAt(model.rowOf(a)), eng().store().request(a)->toJson());
    }

    void queueLoadFailureIsReported()
    {
        EmbeddedBackend stranger(eng(), QStringLiteral("nobody"));
        RequestQueueModel model(&stranger);
        QSignalSpy failed(&model, &RequestQueueModel::loadFailed);
        model.reload();
        QTRY_COMPARE(failed.count(), 1);
        QVERIFY2(failed.first().first().toString().contains(QLatin1String("nobody")),
            qPrintable(failed.first().first().toString()));
        QVERIFY(!model.isLoading());
        QCOMPARE(model.rowCount(), 0);
    }

    void queueFollowsDecisionsWithoutReset()
    {
        QStringList ids;
        for (int i = 0; i < 5; ++i)
            ids << submit(QStringLiteral("alice"), EngineFixture::input(QStringLiteral("billing-db")));
        const QString quorum
            = submit(QStringLiteral("svc-ci"), EngineFixture::input(QStringLiteral("prod-k8s")));
        ids << quorum;

        RequestQueueModel model(m_backend.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setDirectory(eng().directory().toJson());
        QVERIFY(load(model));
        LiveFeed feed(m_backend.get());
        feed.setIntervalMs(5);
        connect(&feed, &LiveFeed::batch, &model, &RequestQueueModel::applyEvents);
        m_backend->follow(eng().store().lastSeq());

        // A view's selection and current row are persistent indexes: they must follow their request.
        const QPersistentModelIndex selected = model.index(4, RequestQueueModel::Task);
        QCOMPARE(selected.data(RequestQueueModel::IdRole).toString(), ids[4]);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        // Another approver decides, the requester is denied, a new request comes in.
        LAPSE_VERIFY_OK(f().approve(QStringLiteral("carol"), ids[1]));
        LAPSE_VERIFY_OK(eng().deny(who("carol"), ids[2], QStringLiteral("not now")));
        const QString fresh = submit(QStringLiteral("dave"), EngineFixture::input(QStringLiteral("vault")));
        QTRY_COMPARE(model.rowCount(), 5);
        QCOMPARE(removed.count(), 1); // rows 1 and 2 leave in one adjacent run
        QCOMPARE(removed.first().at(1).toInt(), 1);
        QCOMPARE(removed.first().at(2).toInt(), 2);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.first().at(1).toInt(), 4);
        QCOMPARE(model.rowOf(fresh), 4);
        QCOMPARE(model.rowOf(ids[1]), -1);
        QCOMPARE(model.rowOf(ids[2]), -1);
        QCOMPARE(model.rowOf(ids[5]), 3);
        QCOMPARE(selected.row(), 2);
        QCOMPARE(selected.data(RequestQueueModel::IdRole).toString(), ids[4]);

        // One of two approvals: still pending, updated in place.
        changed.clear();
        LAPSE_VERIFY_OK(f().approve(QStringLiteral("bob"), quorum));
        QTRY_VERIFY(!changed.isEmpty());
        QCOMPARE(changed.first().at(0).toModelIndex().row(), model.rowOf(quorum));
        QCOMPARE(model.requestAt(model.rowOf(quorum)).value(QLatin1String("approvals")).toArray().size(), 1);
        QCOMPARE(model.rowCount(), 5);

        // The pending timeout passes: the policy expires everything left.
        f().clock().advance(25 * 3600 * kSecond);
        QVERIFY(eng().sweep() >= 5);
        QTRY_COMPARE(model.rowCount(), 0);
        QVERIFY(!selected.isValid());
        QCOMPARE(reset.count(), 0);
        QCOMPARE(feed.lastSeq(), eng().store().lastSeq());
    }

    void queueHoldsEventsWhileLoading()
    {
        const QString a = submit(QStringLiteral("alice"), EngineFixture::input(QStringLiteral("billing-db")));
        const QString b = submit(QStringLiteral("alice"), EngineFixture::input(QStringLiteral("billing-db")));
        RequestQueueModel model(m_backend.get());
        QSignalSpy loaded(&model, &RequestQueueModel::loaded);
        model.setPageSize(1);
        model.reload();
        QVERIFY(model.isLoading());
        // Decided after the load began, delivered while the pages are still coming.
        LAPSE_VERIFY_OK(f().approve(QStringLiteral("bob"), a));
        Event approved = f().eventsOfType(QStringLiteral("request.approved")).last();
        model.applyEvents({approved});
        QTRY_COMPARE(loaded.count(), 1);
        QCOMPARE(idsOf(model, RequestQueueModel::IdRole), QStringList {b});
    }

    void queueTickChangesOnlyTimeColumns()
    {
        submit(QStringLiteral("alice"), EngineFixture::input(QStringLiteral("billing-db")));
        f().clock().advance(90 * kSecond);
        submit(QStringLiteral("svc-ci"), EngineFixture::input(QStringLiteral("billing-db")));
        RequestQueueModel model(m_backend.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(load(model));
        QCOMPARE(model.index(0, RequestQueueModel::Waiting).data().toString(), QStringLiteral("1m 30s"));
        QCOMPARE(model.index(1, RequestQueueModel::Waiting).data().toString(), QStringLiteral("0s"));
        QCOMPARE(model.index(1, RequestQueueModel::ExpiresIn).data().toString(), QStringLiteral("23h 59m"));

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        f().clock().advance(60 * kSecond);
        model.tick();
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex(), model.index(0, RequestQueueModel::Waiting));
        QCOMPARE(changed.first().at(1).toModelIndex(), model.index(1, RequestQueueModel::ExpiresIn));
        QCOMPARE(model.index(0, RequestQueueModel::Waiting).data().toString(), QStringLiteral("2m 30s"));
        QCOMPARE(model.index(1, RequestQueueModel::ExpiresIn).data().toString(), QStringLiteral("23h 58m"));
    }

    void proxyFiltersByTargetKindAndText()
    {
        RequestInput k8s = EngineFixture::input(QStringLiteral("prod-k8s"));
        k8s.task = QStringLiteral("Rotate the ingress certificates");
        k8s.ticket = QStringLiteral("CHG-7781");
        const QString agentK8s = submit(QStringLiteral("agent-7"), k8s);
        const QString aliceK8s = submit(QStringLiteral("alice"), k8s);
        const QString svcBilling
            = submit(QStringLiteral("svc-ci"), EngineFixture::input(QStringLiteral("billing-db")));
        const QString aliceVault
            = submit(QStringLiteral("alice"), EngineFixture::input(QStringLiteral("vault")));

        RequestQueueModel model(m_backend.get());
        model.setDirectory(eng().directory().toJson());
        QVERIFY(load(model));
        QueueFilterProxy proxy;
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        QCOMPARE(proxy.rowCount(), 4);

        proxy.setTargetFilter(QStringLiteral("prod-k8s"));
        QCOMPARE(idSet(proxy, RequestQueueModel::IdRole), (QSet<QString> {agentK8s, aliceK8s}));
        proxy.setKindFilter(QStringLiteral("agent"));
        QCOMPARE(idsOf(proxy, RequestQueueModel::IdRole), QStringList {agentK8s});
        proxy.setTargetFilter(QString());
        proxy.setKindFilter(QString());

        proxy.setText(QStringLiteral("INGRESS chg-7781")); // every word, any field, any case
        QCOMPARE(proxy.rowCount(), 2);
        proxy.setText(QStringLiteral("ingress alice"));
        QCOMPARE(idsOf(proxy, RequestQueueModel::IdRole), QStringList {aliceK8s});
        proxy.setText(QStringLiteral("alice")); // owner of svc-ci, and requester
        QCOMPARE(proxy.rowCount(), 3);
        proxy.setText(QStringLiteral("read"));
        QCOMPARE(idSet(proxy, RequestQueueModel::IdRole), (QSet<QString> {svcBilling, aliceVault}));
        proxy.setText(QStringLiteral("no-such-thing"));
        QCOMPARE(proxy.rowCount(), 0);
        proxy.setText(QString());
        QCOMPARE(proxy.rowCount(), 4);

        // A new request arriving while filtered appears only if it matches.
        LiveFeed feed(m_backend.get());
        feed.setIntervalMs(0);
        connect(&feed, &LiveFeed::batch, &model, &RequestQueueModel::applyEvents);
        m_backend->follow(eng().store().lastSeq());
        proxy.setTargetFilter(QStringLiteral("vault"));
        QCOMPARE(proxy.rowCount(), 1);
        submit(QStringLiteral("dave"), EngineFixture::input(QStringLiteral("billing-db")));
        const QString daveVault
            = submit(QStringLiteral("dave"), EngineFixture::input(QStringLiteral("vault")));
        QTRY_COMPARE(model.rowCount(), 6);
        QCOMPARE(proxy.rowCount(), 2);
        QVERIFY(idsOf(proxy, RequestQueueModel::IdRole).contains(daveVault));
    }

    void proxySortsOnRawValues_data()
    {
        QTest::addColumn<int>("column");
        for (int c = 0; c < RequestQueueModel::ColumnCount; ++c)
            QTest::newRow(RequestQueueModel::staticMetaObject
                              .enumerator(RequestQueueModel::staticMetaObject.indexOfEnumerator("Column"))
                              .valueToKey(c))
                << c;
    }

    void proxySortsOnRawValues()
    {
        QFETCH(int, column);
        const int ttls[] = {900, 60, 3000, 600, 120};
        const char* who[] = {"alice", "svc-ci", "agent-7", "dave", "alice"};
        for (int i = 0; i < 5; ++i) {
            RequestInput in = EngineFixture::input(QStringLiteral("billing-db"));
            in.ttlSeconds = ttls[i];
            in.privileges = i % 2 ? QStringList {"read"} : QStringList {"read", "write"};
            if (i == 3)
                in.minPrivileges = QStringList {"read"};
            in.task = QStringLiteral("task %1").arg(QChar('e' - i));
            submit(QString::fromLatin1(who[i]), in);
            f().clock().advance((i + 1) * 7 * kSecond);
        }
        RequestQueueModel model(m_backend.get());
        model.setDirectory(eng().directory().toJson());
        QVERIFY(load(model));
        QueueFilterProxy proxy;
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        for (Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
            proxy.sort(column, order);
            for (int r = 1; r < proxy.rowCount(); ++r) {
                const QModelIndex a = proxy.mapToSource(proxy.index(r - 1, column));
                const QModelIndex b = proxy.mapToSource(proxy.index(r, column));
                const bool outOfOrder = order == Qt::AscendingOrder
                    ? model.rowLessThan(column, b.row(), a.row())
                    : model.rowLessThan(column, a.row(), b.row());
                QVERIFY2(!outOfOrder,
                    qPrintable(QStringLiteral("rows %1/%2 of column %3").arg(r - 1).arg(r).arg(column)));
            }
        }
        // The sort key is a raw value, never the display text: "10m" must not sort before "2m".
        proxy.sort(RequestQueueModel::Ttl, Qt::AscendingOrder);
        QList<int> shown;
        for (int r = 0; r < proxy.rowCount(); ++r)
            shown << proxy.index(r, RequestQueueModel::Ttl).data(RequestQueueModel::SortRole).toInt();
        QCOMPARE(shown, (QList<int> {60, 120, 600, 900, 3000}));
        // Waiting is a duration: ascending starts with the newest request, descending with the oldest.
        proxy.sort(RequestQueueModel::Waiting, Qt::AscendingOrder);
        QCOMPARE(proxy.index(0, RequestQueueModel::Task).data().toString(), QStringLiteral("task a"));
        proxy.sort(RequestQueueModel::Waiting, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, RequestQueueModel::Task).data().toString(), QStringLiteral("task e"));
    }

    void proxyIncrementalFilterMatchesAFullOne()
    {
        RequestQueueModel model(m_backend.get());
        model.setDirectory(eng().directory().toJson());
        const QStringList requesters {"alice", "agent-7", "svc-ci", "dave", "Zoë"};
        const QStringList targets {"prod-k8s", "billing-db", "vault"};
        const QStringList tasks {"Rotate the ingress certificates", "investigate failed invoices",
            "Ängste prüfen", "deploy 42 pods"};
        QList<Event> events;
        for (int n = 0; n < 400; ++n) {
            AccessRequest r = pendingRequest(n, requesters[n % 5], targets[(n / 5) % 3]);
            r.task = tasks[(n / 3) % 4];
            r.reason = QStringLiteral("INC-%1: %2").arg((n * 37) % 500).arg(r.task.toUpper());
            r.ticket = n % 4 ? QStringLiteral("CHG-%1").arg((n * 11) % 97) : QString();
            events << requestEvent(r);
        }
        model.applyEvents(events);
        QCOMPARE(model.rowCount(), 400);
        QueueFilterProxy proxy;
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.sort(RequestQueueModel::Reason, Qt::DescendingOrder);

        // Typing and erasing (narrowing, then widening), words replaced (neither), other-case and non-ASCII
        // text, and the exact filters changed in between.
        QStringList steps;
        const QString typed = QStringLiteral("inc-42 dep");
        for (int i = 1; i <= typed.size(); ++i)
            steps << typed.left(i);
        for (int i = typed.size() - 1; i >= 0; --i)
            steps << typed.left(i);
        steps << "ingress"
              << "invoices"
              << "INVOICES chg-1"
              << "ÄNGSTE"
              << "ängste zoë"
              << "ängste"
              << ""
              << "read, write"
              << "alice   read"
              << "no-such-thing"
              << "";
        struct Exact {
            const char* target;
            const char* kind;
        };
        for (const Exact& x :
            {Exact {"", ""}, Exact {"vault", ""}, Exact {"vault", "agent"}, Exact {"", "human"}}) {
            proxy.setTargetFilter(QString::fromUtf8(x.target));
            proxy.setKindFilter(QString::fromUtf8(x.kind));
            for (const QString& text : std::as_const(steps)) {
                proxy.setText(text);
                QCOMPARE(shownIds(proxy),
                    expectedIds(model, proxy.targetFilter(), proxy.kindFilter(), text,
                        RequestQueueModel::Reason, Qt::DescendingOrder));
            }
        }

        // Live rows while filtered and sorted: new ones take their place, decided ones go.
        proxy.setTargetFilter(QString());
        proxy.setKindFilter(QString());
        proxy.setText(QStringLiteral("inc-4"));
        QList<Event> live;
        for (int n = 400; n < 420; ++n) {
            AccessRequest r = pendingRequest(n, requesters[n % 5], targets[n % 3]);
            r.reason = QStringLiteral("INC-%1: late").arg(n);
            live << requestEvent(r);
        }
        for (int n = 0; n < 400; n += 9) {
            AccessRequest r = pendingRequest(n, requesters[n % 5], targets[(n / 5) % 3]);
            r.status = RequestStatus::Approved;
            live << requestEvent(r, "request.approved");
        }
        model.applyEvents(live);
        QCOMPARE(shownIds(proxy),
            expectedIds(
                model, {}, {}, QStringLiteral("inc-4"), RequestQueueModel::Reason, Qt::DescendingOrder));
        proxy.setText(QString());
        QCOMPARE(
            shownIds(proxy), expectedIds(model, {}, {}, {}, RequestQueueModel::Reason, Qt::DescendingOrder));
    }

    void proxySearchFollowsChurnAndANewDirectory()
    {
        RequestQueueModel model(m_backend.get());
        QList<Event> events;
        for (int n = 0; n < 300; ++n) {
            AccessRequest r = pendingRequest(
                n, n % 2 ? QStringLiteral("svc-ci") : QStringLiteral("dave"), QStringLiteral("billing-db"));
            r.reason = QStringLiteral("first reason %1").arg(n);
            events << requestEvent(r);
        }
        model.applyEvents(events);
        QueueFilterProxy proxy;
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.sort(RequestQueueModel::Reason, Qt::AscendingOrder);
        const auto check = [&](const QString& text) {
            proxy.setText(text);
            return shownIds(proxy)
                == expectedIds(model, {}, {}, text, RequestQueueModel::Reason, Qt::AscendingOrder);
        };
        // Owners come with the directory: svc-ci's owner becomes searchable once it is known.
        QVERIFY(check(QStringLiteral("alice")));
        QCOMPARE(proxy.rowCount(), 0);
        model.setDirectory(eng().directory().toJson());
        QVERIFY(check(QStringLiteral("alice")));
        QCOMPARE(proxy.rowCount(), 150);
        // Requests changed many times over leave old search texts behind, which are dropped as they pile up.
        for (int round = 0; round < 120; ++round) {
            QList<Event> updates;
            for (int n = round % 3; n < 300; n += 3) {
                AccessRequest r = pendingRequest(n, n % 2 ? QStringLiteral("svc-ci") : QStringLiteral("dave"),
                    QStringLiteral("billing-db"));
                r.reason
                    = QStringLiteral("round %1 of a long and winding reason, request %2").arg(round).arg(n);
                updates << requestEvent(r, "request.approval_recorded");
            }
            model.applyEvents(updates);
            if (round % 30 == 29) {
                QVERIFY(check(QStringLiteral("round %1").arg(round)));
                QVERIFY(proxy.rowCount() > 0);
                QVERIFY(check(QStringLiteral("first")));
                QVERIFY(check(QStringLiteral("alice winding")));
            }
        }
        QVERIFY(check(QString()));
        QCOMPARE(proxy.rowCount(), 300);
    }

    void proxySortsTextByCollationAndNumbersByValue()
    {
        RequestQueueModel model(m_backend.get());
        const QStringList tickets {"CHG-10", "chg-9", "CHG-100", "", "CHG-9"};
        const QStringList reasons {"banana", "Apple", "cherry", "apple", "Éclair"};
        const int ttls[] = {600, 60, 3000, 120, 60};
        QList<Event> events;
        for (int n = 0; n < 5; ++n) {
            AccessRequest r = pendingRequest(n, QStringLiteral("alice"), QStringLiteral("billing-db"));
            r.ticket = tickets[n];
            r.reason = reasons[n];
            r.ttlSeconds = ttls[n];
            events << requestEvent(r);
        }
        model.applyEvents(events);
        QueueFilterProxy proxy;
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        const auto column = [&](int c) {
            QStringList out;
            for (int r = 0; r < proxy.rowCount(); ++r)
                out << proxy.index(r, c).data().toString();
            return out;
        };
        // Numbers inside text by value, case ignored; equal keys keep the queue's order.
        proxy.sort(RequestQueueModel::Ticket, Qt::AscendingOrder);
        QCOMPARE(
            column(RequestQueueModel::Ticket), (QStringList {"", "chg-9", "CHG-9", "CHG-10", "CHG-100"}));
        proxy.sort(RequestQueueModel::Ticket, Qt::DescendingOrder);
        QCOMPARE(
            column(RequestQueueModel::Ticket), (QStringList {"CHG-100", "CHG-10", "chg-9", "CHG-9", ""}));
        // Locale order: accents after the letter they carry, not after 'z'.
        proxy.sort(RequestQueueModel::Reason, Qt::AscendingOrder);
        QCOMPARE(column(RequestQueueModel::Reason),
            (QStringList {"Apple", "apple", "banana", "cherry", "Éclair"}));
        proxy.sort(RequestQueueModel::Ttl, Qt::AscendingOrder);
        QCOMPARE(column(RequestQueueModel::Ttl),
            (QStringList {"1m 00s", "1m 00s", "2m 00s", "10m 00s", "50m 00s"}));
        QCOMPARE(proxy.index(0, 0).data(RequestQueueModel::IdRole).toString(), pendingRequest(1, {}, {}).id);

        // Every column, both ways, against QCollator's own comparison of the shown text or the raw number (Qt
        // collates the C locale by code point; the queue then sorts as in English).
        QCollator collator(QLocale().language() == QLocale::C
                ? QLocale(QLocale::English, QLocale::UnitedStates)
                : QLocale());
        collator.setCaseSensitivity(Qt::CaseInsensitive);
        collator.setNumericMode(true);
        for (int c = 0; c < RequestQueueModel::ColumnCount; ++c) {
            const bool text
                = model.index(0, c).data(RequestQueueModel::SortRole).typeId() == QMetaType::QString;
            for (Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
                proxy.sort(c, order);
                for (int r = 1; r < proxy.rowCount(); ++r) {
                    const QModelIndex a = proxy.index(r - 1, c), b = proxy.index(r, c);
                    int cmp = 0;
                    if (text) {
                        cmp = collator.compare(a.data().toString(), b.data().toString());
                    } else {
                        const auto o = QVariant::compare(
                            a.data(RequestQueueModel::SortRole), b.data(RequestQueueModel::SortRole));
                        cmp = o == QPartialOrdering::Less ? -1 : o == QPartialOrdering::Greater ? 1 : 0;
                    }
                    if (order == Qt::DescendingOrder)
                        cmp = -cmp;
                    const bool tieInOrder = proxy.mapToSource(a).row() < proxy.mapToSource(b).row();
                    QVERIFY2(cmp < 0 || (cmp == 0 && tieInOrder),
                        qPrintable(QStringLiteral("column %1 rows %2/%3").arg(c).arg(r - 1).arg(r)));
                }
            }
        }
    }

    void proxyAnnouncesLiveRowsInPlace()
    {
        RequestQueueModel model(m_backend.get());
        QAbstractItemModelTester modelTester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<Event> events;
        for (int n = 0; n < 50; ++n)
            events << requestEvent(
                pendingRequest(n * 2, QStringLiteral("alice"), QStringLiteral("billing-db")));
        model.applyEvents(events);
        QueueFilterProxy proxy;
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.sort(RequestQueueModel::Ttl, Qt::AscendingOrder);
        const auto inOrder = [&] {
            return shownIds(proxy)
                == expectedIds(model, {}, {}, {}, RequestQueueModel::Ttl, Qt::AscendingOrder);
        };
        QVERIFY(inOrder());
        const QPersistentModelIndex selected = proxy.index(20, RequestQueueModel::Task);
        const QString selectedId = selected.data(RequestQueueModel::IdRole).toString();

        QSignalSpy reset(&proxy, &QAbstractItemModel::modelReset);
        QSignalSpy layout(&proxy, &QAbstractItemModel::layoutChanged);
        QSignalSpy inserted(&proxy, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&proxy, &QAbstractItemModel::rowsRemoved);
        QSignalSpy moved(&proxy, &QAbstractItemModel::rowsMoved);
        QSignalSpy changed(&proxy, &QAbstractItemModel::dataChanged);

        // New requests, one with an id older than the rest (another broker's clock): each lands in its place.
        AccessRequest early = pendingRequest(1, QStringLiteral("dave"), QStringLiteral("vault"));
        early.ttlSeconds = 1;
        AccessRequest late = pendingRequest(1001, QStringLiteral("dave"), QStringLiteral("vault"));
        late.ttlSeconds = 100'000;
        model.applyEvents({requestEvent(early), requestEvent(late)});
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(inserted.at(0).at(1).toInt(), 0);
        QCOMPARE(inserted.at(1).at(1).toInt(), 51);
        QCOMPARE(model.rowOf(early.id), 50);
        QCOMPARE(model.rowOf(late.id), 51);
        QVERIFY(inOrder());

        // A changed TTL moves one row; its selection follows it.
        AccessRequest changedTtl = pendingRequest(40, QStringLiteral("alice"), QStringLiteral("billing-db"));
        changedTtl.ttlSeconds = 2;
        const int before = proxy.mapFromSource(model.index(model.rowOf(changedTtl.id), 0)).row();
        model.applyEvents({requestEvent(changedTtl, "request.approval_recorded")});
        QCOMPARE(moved.count(), before == 1 ? 0 : 1);
        QCOMPARE(proxy.mapFromSource(model.index(model.rowOf(changedTtl.id), 0)).row(), 1);
        QVERIFY(!changed.isEmpty());
        QVERIFY(inOrder());
        QCOMPARE(selected.data(RequestQueueModel::IdRole).toString(), selectedId);

        // Decided elsewhere: rows go one by one, the rest keep their order and the selection its request.
        QList<Event> decided;
        for (int n : {0, 2, 1, 98}) {
            AccessRequest r = pendingRequest(n, QStringLiteral("alice"), QStringLiteral("billing-db"));
            r.status = RequestStatus::Denied;
            decided << requestEvent(r, "request.denied");
        }
        model.applyEvents(decided);
        QCOMPARE(model.rowCount(), 48);
        QCOMPARE(proxy.rowCount(), 48);
        QCOMPARE(model.rowOf(early.id), -1);
        QCOMPARE(model.rowOf(late.id), 47);
        QVERIFY(removed.count() >= 1);
        QVERIFY(inOrder());
        QCOMPARE(selected.data(RequestQueueModel::IdRole).toString(), selectedId);

        // Time passes: the time columns change for every row, the order of none.
        changed.clear();
        model.tick();
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex(), proxy.index(0, RequestQueueModel::Waiting));
        QCOMPARE(changed.first().at(1).toModelIndex(), proxy.index(47, RequestQueueModel::ExpiresIn));
        QCOMPARE(reset.count(), 0);
        QCOMPARE(layout.count(), 0);
    }

    // ------------------------------------------------------------ grants and sessions

    // A grant on an enforced target stays on the Active tab after it ended, marked, until the target
    // confirmed its end; a fresh load finds it too (GET /v1/grants?enforcement=pending).
    void grantsPendingEnforcementStayUntilVerified()
    {
        FakeEnforcement enforcement;
        m_backend.reset();
        m_fixture = std::make_unique<EngineFixture>(directoryWithPostgresTarget(makeDirectory()));
        QVERIFY2(f().ok(), qPrintable(f().openError()));
        m_backend = std::make_unique<EmbeddedBackend>(eng(), QStringLiteral("bob"));
        eng().setEnforcement(&enforcement);
        auto g = f().grantFor(QStringLiteral("alice"), QStringLiteral("pg-billing"));
        LAPSE_VERIFY_OK(g);
        QCOMPARE(g->enforcement, QStringLiteral("provisioned"));
        auto other = f().grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(other);

        // A backend the target showed: the sessions table names it as the target does.
        Session seen;
        seen.grantId = g->id;
        seen.backendPid = 4242;
        seen.clientAddr = QStringLiteral("10.0.0.7");
        seen.applicationName = QStringLiteral("psql");
        seen.backendStartMs = f().now();
        LAPSE_VERIFY_OK(eng().recordTargetSession(seen));
        SessionsModel sessions(m_backend.get());
        QAbstractItemModelTester sessionsTester(
            &sessions, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(load(sessions));
        QCOMPARE(sessions.rowCount(), 1);
        QCOMPARE(sessions.index(0, SessionsModel::ResourceServer).data().toString(),
            QStringLiteral("pg-billing backend 4242 from 10.0.0.7"));

        GrantsModel grants(m_backend.get());
        QAbstractItemModelTester tester(&grants, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(load(grants));
        QCOMPARE(grants.rowCount(), 2);
        LiveFeed feed(m_backend.get());
        feed.setIntervalMs(0);
        connect(&feed, &LiveFeed::batch, &grants, &GrantsModel::applyEvents);
        m_backend->follow(eng().store().lastSeq());

        LAPSE_VERIFY_OK(eng().revoke(who("bob"), g->id, QStringLiteral("incident")));
        LAPSE_VERIFY_OK(eng().revoke(who("bob"), other->id, QStringLiteral("incident")));
        QTRY_COMPARE(grants.rowCount(), 1); // the token grant is gone; the enforced one waits for its target
        const QModelIndex pending = grants.index(grants.rowOf(g->id), GrantsModel::ExpiresIn);
        QVERIFY(pending.isValid());
        QVERIFY(pending.data(GrantsModel::EnforcementPendingRole).toBool());
        QCOMPARE(pending.data().toString(), QStringLiteral("ended — enforcement pending"));

        GrantsModel fresh(m_backend.get());
        QAbstractItemModelTester freshTester(&fresh, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(load(fresh));
        QCOMPARE(fresh.rowCount(), 1);
        QCOMPARE(fresh.index(0, 0).data(GrantsModel::IdRole).toString(), g->id);

        LAPSE_VERIFY_OK(
            eng().recordEnforcement(g->id, QStringLiteral("pending"), {{"error", "connection refused"}}));
        QTRY_VERIFY(grants.index(grants.rowOf(g->id), 0)
                        .data(Qt::ToolTipRole)
                        .toString()
                        .contains(QLatin1String("connection refused")));
        LAPSE_VERIFY_OK(eng().recordEnforcement(g->id, QStringLiteral("verified"), {{"sessions_gone", 0}}));
        QTRY_COMPARE(grants.rowCount(), 0);
        GrantFilter gf;
        gf.enforcementPending = true;
        QVERIFY(eng().store().grants(gf).isEmpty());
        eng().setEnforcement(nullptr);
    }

    void grantsAndSessionsFollowTheLifecycle()
    {
        auto g1 = f().grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(g1);
        RequestInput bg = EngineFixture::input(QStringLiteral("vault"));
        bg.breakGlass = true;
        bg.ttlSeconds = 300;
        auto d = f().submit(QStringLiteral("svc-ci"), bg);
        LAPSE_VERIFY_OK(d);
        QVERIFY(d->grant);
        const Grant breakGlass = *d->grant;
        auto s1 = eng().openSession(who("db-proxy"), f().token(g1.value()), {"read"});
        LAPSE_VERIFY_OK(s1);

        GrantsModel grants(m_backend.get());
        SessionsModel sessions(m_backend.get());
        QAbstractItemModelTester t1(&grants, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t2(&sessions, QAbstractItemModelTester::FailureReportingMode::QtTest);
        grants.setDirectory(eng().directory().toJson());
        QVERIFY(load(grants));
        QVERIFY(load(sessions));
        QCOMPARE(grants.rowCount(), 2);
        const int r1 = grants.rowOf(g1->id);
        const int rb = grants.rowOf(breakGlass.id);
        QVERIFY(r1 >= 0 && rb >= 0);
        QCOMPARE(grants.index(r1, GrantsModel::Sessions).data().toInt(), 1);
        QCOMPARE(grants.index(rb, GrantsModel::Sessions).data().toInt(), 0);
        QVERIFY(grants.index(rb, 0).data(GrantsModel::BreakGlassRole).toBool());
        QVERIFY(!grants.index(r1, 0).data(GrantsModel::BreakGlassRole).toBool());
        // Unreviewed break-glass is a role the view colours; the model itself carries no colour.
        QVERIFY(grants.index(rb, GrantsModel::Policy).data(GrantsModel::UnreviewedBreakGlassRole).toBool());
        QVERIFY(!grants.index(r1, GrantsModel::Policy).data(GrantsModel::UnreviewedBreakGlassRole).toBool());
        QVERIFY(!grants.index(rb, GrantsModel::Policy).data(Qt::ForegroundRole).isValid());
        QCOMPARE(grants.index(rb, GrantsModel::Approvers).data().toString(), QStringLiteral("none"));
        QCOMPARE(grants.index(r1, GrantsModel::Approvers).data().toString(), QStringLiteral("bob"));
        QCOMPARE(grants.index(rb, GrantsModel::Kind).data().toString(), QStringLiteral("service"));
        QCOMPARE(grants.index(rb, GrantsModel::ExpiresIn).data().toString(), QStringLiteral("5m 00s"));
        QCOMPARE(grants.grantAt(r1).value(QLatin1String("id")).toString(), g1->id);
        QCOMPARE(sessions.rowCount(), 1);
        QVERIFY(!sessions.index(0, 0).data(SessionsModel::LingeringRole).toBool());
        QVERIFY(!sessions.index(0, 0).data(Qt::BackgroundRole).isValid());
        QVERIFY(!sessions.index(0, 0).data(Qt::ForegroundRole).isValid());
        QCOMPARE(sessions.index(0, 0).data(SessionsModel::GrantIdRole).toString(), g1->id);

        LiveFeed feed(m_backend.get());
        feed.setIntervalMs(0);
        connect(&feed, &LiveFeed::batch, &grants, &GrantsModel::applyEvents);
        connect(&feed, &LiveFeed::batch, &sessions, &SessionsModel::applyEvents);
        m_backend->follow(eng().store().lastSeq());
        QSignalSpy grantsReset(&grants, &QAbstractItemModel::modelReset);
        QSignalSpy sessionsReset(&sessions, &QAbstractItemModel::modelReset);

        // A second session on the break-glass grant, then its review: counted and updated in place.
        auto s2 = eng().openSession(who("api-gw"), f().token(breakGlass), {"read"});
        LAPSE_VERIFY_OK(s2);
        QTRY_COMPARE(grants.index(grants.rowOf(breakGlass.id), GrantsModel::Sessions).data().toInt(), 1);
        QTRY_COMPARE(sessions.rowCount(), 2);
        LAPSE_VERIFY_OK(eng().review(who("aud"), breakGlass.id, QStringLiteral("justified")));
        QTRY_COMPARE(grants.index(grants.rowOf(breakGlass.id), GrantsModel::Policy).data().toString(),
            QStringLiteral("break-glass (reviewed)"));
        QVERIFY(!grants.index(grants.rowOf(breakGlass.id), GrantsModel::Policy)
                     .data(GrantsModel::UnreviewedBreakGlassRole)
                     .toBool());

        // Revoked: the grant goes, its session lingers and is highlighted.
        f().clock().advance(30 * kSecond);
        LAPSE_VERIFY_OK(eng().revoke(who("rita"), g1->id, QStringLiteral("contain")));
        QTRY_COMPARE(grants.rowCount(), 1);
        QCOMPARE(grants.rowOf(g1->id), -1);
        const int lingering = sessions.rowOf(s1->id);
        QTRY_VERIFY(sessions.index(lingering, 0).data(SessionsModel::LingeringRole).toBool());
        QVERIFY(!sessions.index(lingering, 0).data(Qt::BackgroundRole).isValid()); // the view colours it
        QVERIFY(sessions.index(lingering, 0).data(SessionsModel::TerminateRequestedRole).toBool());
        QCOMPARE(sessions.index(lingering, SessionsModel::Lingering).data().toString(), QStringLiteral("0s"));
        QSignalSpy ticked(&sessions, &QAbstractItemModel::dataChanged);
        f().clock().advance(75 * kSecond);
        sessions.tick();
        QCOMPARE(ticked.count(), 1);
        QCOMPARE(ticked.first().at(0).toModelIndex().column(), int(SessionsModel::Lingering));
        QCOMPARE(ticked.first().at(1).toModelIndex().column(), int(SessionsModel::Lingering));
        QCOMPARE(
            sessions.index(lingering, SessionsModel::Lingering).data().toString(), QStringLiteral("1m 15s"));

        // The resource server confirms the close: the session leaves the table.
        LAPSE_VERIFY_OK(eng().endSession(who("db-proxy"), s1->id, {}));
        QTRY_COMPARE(sessions.rowCount(), 1);
        QCOMPARE(sessions.rowOf(s1->id), -1);

        // The break-glass window ends: grant gone, its session now lingering.
        f().clock().advance(300 * kSecond);
        eng().sweep();
        QTRY_COMPARE(grants.rowCount(), 0);
        QTRY_VERIFY(sessions.index(0, 0).data(SessionsModel::LingeringRole).toBool());
        QCOMPARE(grantsReset.count(), 0);
        QCOMPARE(sessionsReset.count(), 0);

        // A fresh load shows the same state the events built.
        SessionsModel again(m_backend.get());
        QVERIFY(load(again));
        QCOMPARE(idsOf(again, SessionsModel::IdRole), idsOf(sessions, SessionsModel::IdRole));
        QVERIFY(again.index(0, 0).data(SessionsModel::LingeringRole).toBool());
    }

    // ------------------------------------------------------------ live feed

    void liveFeedCoalescesIntoBatches()
    {
        LiveFeed feed(m_backend.get());
        feed.setIntervalMs(40);
        QSignalSpy batches(&feed, &LiveFeed::batch);
        m_backend->follow(eng().store().lastSeq());
        // The first event of a quiet period goes out promptly.
        submit(QStringLiteral("alice"), EngineFixture::input(QStringLiteral("billing-db")));
        QTRY_COMPARE(batches.count(), 1);
        // A burst right after it waits for the interval and arrives as one batch.
        for (int i = 0; i < 20; ++i)
            submit(QStringLiteral("alice"), EngineFixture::input(QStringLiteral("billing-db")));
        QCOMPARE(batches.count(), 1);
        QCOMPARE(feed.pendingCount(), 20);
        QTRY_COMPARE(batches.count(), 2);
        const auto burst = batches.at(1).first().value<QList<Event>>();
        QCOMPARE(burst.size(), 20);
        for (int i = 1; i < burst.size(); ++i)
            QCOMPARE(burst[i].seq, burst[i - 1].seq + 1);
        QCOMPARE(feed.lastSeq(), eng().store().lastSeq());
        // flush() hands over at once.
        submit(QStringLiteral("alice"), EngineFixture::input(QStringLiteral("billing-db")));
        submit(QStringLiteral("alice"), EngineFixture::input(QStringLiteral("billing-db")));
        feed.flush();
        QCOMPARE(batches.count(), 3);
        QCOMPARE(feed.pendingCount(), 0);
    }

    void timeFormatParsesAndWrites()
    {
        QCOMPARE(timefmt::parseIso(u"2026-11-22T10:00:00.123Z"),
            Clock::fromIso(QStringLiteral("2026-11-22T10:00:00.123Z")));
        QCOMPARE(timefmt::parseIso(u"1970-01-01T00:00:00.000Z"), qint64(0));
        QCOMPARE(timefmt::parseIso(u"2024-02-29T23:59:59.999Z"),
            Clock::fromIso(QStringLiteral("2024-02-29T23:59:59.999Z")));
        QCOMPARE(timefmt::parseIso(u"2026-11-22T10:00:00Z"),
            Clock::fromIso(QStringLiteral("2026-11-22T10:00:00Z")));
        QCOMPARE(timefmt::parseIso(u""), qint64(0));
        QCOMPARE(timefmt::parseIso(u"not a time"), qint64(0));
        QCOMPARE(timefmt::duration(59'999), QStringLiteral("59s"));
        QCOMPARE(timefmt::duration(3'600'000 + 5 * 60'000), QStringLiteral("1h 05m"));
        QCOMPARE(timefmt::duration(-61'000), QStringLiteral("-1m 01s"));
        QCOMPARE(timefmt::duration(3 * 86'400'000LL + 4 * 3'600'000), QStringLiteral("3d 4h"));
    }

    // ------------------------------------------------------------ audit log

    void auditPagesSortsAndSearchesInSql()
    {
        // 50,000 events of assorted types and actors, in batches of one transaction each.
        const QStringList types {"request.created", "grant.activated", "session.opened", "test.note"};
        const QStringList actors {"alice", "bob", "carol", "policy", "timer", "svc-ci", "agent-7"};
        for (int batch = 0; batch < 5; ++batch) {
            QList<std::tuple<QString, QString, QString, QJsonObject>> events;
            for (int i = 0; i < 10'000; ++i) {
                const int n = batch * 10'000 + i;
                QJsonObject body {{"n", n}, {"target", n % 97 == 0 ? "needle-db" : "billing-db"}};
                events.append({types[(n * 7) % types.size()], actors[(n * 13) % actors.size()],
                    QStringLiteral("sub-%1").arg((n * 7919) % 50'000, 5, 10, QLatin1Char('0')), body});
            }
            QVERIFY(eng().appendBatch(events).ok());
        }
        const qint64 total = eng().store().lastSeq();
        QVERIFY(total >= 50'000);

        AuditLogModel model(f().dbPath());
        QVERIFY2(model.isOpen(), qPrintable(model.errorString()));
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        SqlFile sql(f().dbPath());
        QCOMPARE(qint64(model.totalCount()), total);
        QCOMPARE(model.rowCount(), int(total));
        QCOMPARE(model.lastSeq(), total);

        // Sequence order: first, last and a jump into the middle.
        QCOMPARE(modelSeqs(model, 0, 3), (QList<qint64> {1, 2, 3}));
        QCOMPARE(modelSeqs(model, int(total) - 1, int(total)), QList<qint64> {total});
        QCOMPARE(modelSeqs(model, 25'000, 25'002), (QList<qint64> {25'001, 25'002}));
        const QJsonObject json = model.index(25'000, 0).data(AuditLogModel::EventJsonRole).toJsonObject();
        QCOMPARE(json.value(QLatin1String("seq")).toInteger(), 25'001);
        QVERIFY(json.value(QLatin1String("body")).isObject());
        QVERIFY(!model.index(25'000, AuditLogModel::Summary).data().toString().isEmpty());
        QCOMPARE(model.headerData(AuditLogModel::Actor, Qt::Horizontal).toString(), QStringLiteral("Actor"));

        // Sorted by a column: compare windows reached by jumps and by scrolling with SQLite's own answer.
        struct Case {
            int column;
            Qt::SortOrder order;
            const char* sql;
        };
        const Case cases[] = {
            {AuditLogModel::Type, Qt::AscendingOrder, "type ASC, seq ASC"},
            {AuditLogModel::Actor, Qt::DescendingOrder, "actor DESC, seq DESC"},
            {AuditLogModel::Subject, Qt::AscendingOrder, "subject ASC, seq ASC"},
            {AuditLogModel::Time, Qt::DescendingOrder, "ts DESC, seq DESC"},
            {AuditLogModel::Seq, Qt::DescendingOrder, "seq DESC"},
        };
        for (const Case& c : cases) {
            model.sort(c.column, c.order);
            const auto expect = [&](int from, int to) {
                return sql.seqs(QStringLiteral("SELECT seq FROM events ORDER BY %1 LIMIT %2 OFFSET %3")
                                    .arg(QLatin1String(c.sql))
                                    .arg(to - from)
                                    .arg(from));
            };
            QCOMPARE(modelSeqs(model, 30'000, 30'010), expect(30'000, 30'010)); // a jump
            QCOMPARE(modelSeqs(model, 30'010, 30'650), expect(30'010, 30'650)); // scrolling down
            QCOMPARE(modelSeqs(model, 29'500, 30'000), expect(29'500, 30'000)); // and up
            QCOMPARE(modelSeqs(model, int(total) - 5, int(total)), expect(int(total) - 5, int(total)));
        }

        // A selected row keeps its event across a re-sort.
        model.sort(AuditLogModel::Seq, Qt::AscendingOrder);
        const QPersistentModelIndex picked = model.index(1234, AuditLogModel::Type);
        model.sort(AuditLogModel::Actor, Qt::AscendingOrder);
        QVERIFY(picked.isValid());
        QCOMPARE(picked.data(AuditLogModel::SeqRole).toLongLong(), 1235);
        QCOMPARE(model.rowOfSeq(1235), picked.row());

        // Search: every word in type, actor, subject or body.
        model.sort(AuditLogModel::Seq, Qt::AscendingOrder);
        model.setSearch(QStringLiteral("needle-db"));
        const QList<qint64> needles = sql.seqs(QStringLiteral(
            "SELECT seq FROM events WHERE CAST(body AS TEXT) LIKE '%needle-db%' ORDER BY seq"));
        QVERIFY2(needles.size() > 400, qPrintable(QString::number(needles.size())));
        QCOMPARE(model.totalCount(), needles.size());
        QCOMPARE(modelSeqs(model, 0, model.rowCount()), needles);
        model.setSearch(QStringLiteral("needle-db carol"));
        QCOMPARE(qint64(model.totalCount()),
            sql.seqs(QStringLiteral("SELECT COUNT(*) FROM events WHERE CAST(body AS TEXT) LIKE '%needle-db%' "
                                    "AND actor = 'carol'"))
                .first());
        model.setSearch(QStringLiteral("100%_")); // LIKE wildcards are literal text
        QCOMPARE(model.totalCount(), 0);
        model.setSearch(QString());
        QCOMPARE(qint64(model.totalCount()), total);
    }

    void auditRowOfSeqAgreesWithSqlUnderEverySort()
    {
        // Few distinct actors and types, so equal keys are common and the sequence breaks the ties.
        const QStringList types {"request.created", "grant.activated", "session.opened"};
        const QStringList actors {"alice", "bob", "carol", "svc-ci"};
        QList<std::tuple<QString, QString, QString, QJsonObject>> events;
        for (int n = 0; n < 3000; ++n)
            events.append({types[(n * 7) % types.size()], actors[(n * 13) % actors.size()],
                QStringLiteral("sub-%1").arg((n * 7919) % 3000, 4, 10, QLatin1Char('0')),
                QJsonObject {{"n", n}, {"target", n % 5 == 0 ? "needle-db" : "billing-db"}}});
        QVERIFY(eng().appendBatch(events).ok());
        AuditLogModel model(f().dbPath());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        SqlFile sql(f().dbPath());
        qint64 head = model.lastSeq();
        struct Case {
            int column;
            Qt::SortOrder order;
            const char* sql;
        };
        const Case cases[] = {
            {AuditLogModel::Seq, Qt::AscendingOrder, "seq ASC"},
            {AuditLogModel::Seq, Qt::DescendingOrder, "seq DESC"},
            {AuditLogModel::Type, Qt::AscendingOrder, "type ASC, seq ASC"},
            {AuditLogModel::Actor, Qt::DescendingOrder, "actor DESC, seq DESC"},
            {AuditLogModel::Subject, Qt::DescendingOrder, "subject DESC, seq DESC"},
            {AuditLogModel::Time, Qt::AscendingOrder, "ts ASC, seq ASC"},
        };
        const auto check = [&](const QString& where) {
            for (const Case& c : cases) {
                model.sort(c.column, c.order);
                const QList<qint64> order
                    = sql.seqs(QStringLiteral("SELECT seq FROM events WHERE seq <= %1 AND %2 ORDER BY %3")
                                   .arg(head)
                                   .arg(where, QLatin1String(c.sql)));
                QCOMPARE(model.rowCount(), order.size());
                for (int row : {0, 1, int(order.size()) / 3, int(order.size()) / 2, int(order.size()) - 1}) {
                    QCOMPARE(model.rowOfSeq(order[row]), row);
                    QCOMPARE(model.index(row, 0).data(AuditLogModel::SeqRole).toLongLong(), order[row]);
                }
            }
        };
        check(QStringLiteral("1"));
        // Events the model has not been told about yet (no refresh): neither ranks nor pages may count them.
        QVERIFY(eng().appendBatch(events.mid(0, 50)).ok());
        check(QStringLiteral("1"));
        QCOMPARE(model.rowOfSeq(head + 1), -1);
        // A search recounts up to the newest event and leaves gaps in the sequence: ranks are counted.
        model.setSearch(QStringLiteral("needle-db"));
        QCOMPARE(model.lastSeq(), eng().store().lastSeq());
        head = model.lastSeq();
        check(QStringLiteral("CAST(body AS TEXT) LIKE '%needle-db%'"));
        QVERIFY(eng().appendBatch(events.mid(0, 50)).ok());
        check(QStringLiteral("CAST(body AS TEXT) LIKE '%needle-db%'"));
    }

    void auditRefreshShowsNewEventsInPlace()
    {
        QList<std::tuple<QString, QString, QString, QJsonObject>> events;
        for (int i = 0; i < 1000; ++i)
            events.append({QStringLiteral("test.note"), QStringLiteral("actor-%1").arg(i % 10),
                QStringLiteral("s"), QJsonObject {{"i", i}}});
        QVERIFY(eng().appendBatch(events).ok());
        AuditLogModel model(f().dbPath());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const int before = model.rowCount();
        const QPersistentModelIndex picked = model.index(500, 0);
        QCOMPARE(picked.data(AuditLogModel::SeqRole).toLongLong(), 501);
        model.index(before - 1, 0).data(); // the partial last window is cached

        QVERIFY(eng().appendBatch(events.mid(0, 10)).ok());
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.refresh();
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.first().at(1).toInt(), before);
        QCOMPARE(inserted.first().at(2).toInt(), before + 9);
        QCOMPARE(model.rowCount(), before + 10);
        QCOMPARE(
            model.index(before + 9, 0).data(AuditLogModel::SeqRole).toLongLong(), eng().store().lastSeq());
        QCOMPARE(picked.row(), 500);

        // Newest first: new rows come in at the top, the picked row moves down with its event.
        model.sort(AuditLogModel::Seq, Qt::DescendingOrder);
        const int pickedRow = picked.row();
        QVERIFY(eng().appendBatch(events.mid(0, 5)).ok());
        model.refresh();
        QCOMPARE(picked.row(), pickedRow + 5);
        QCOMPARE(picked.data(AuditLogModel::SeqRole).toLongLong(), 501);
        QCOMPARE(model.index(0, 0).data(AuditLogModel::SeqRole).toLongLong(), eng().store().lastSeq());

        // Sorted by actor, new rows land inside: one layout change, the picked row follows its event.
        model.sort(AuditLogModel::Actor, Qt::AscendingOrder);
        QSignalSpy layout(&model, &QAbstractItemModel::layoutChanged);
        QVERIFY(eng().appendBatch(events.mid(0, 7)).ok());
        model.refresh();
        QCOMPARE(layout.count(), 1);
        QCOMPARE(model.rowCount(), before + 22);
        QCOMPARE(picked.data(AuditLogModel::SeqRole).toLongLong(), 501);
        QCOMPARE(reset.count(), 0);

        // Nothing new: nothing happens.
        inserted.clear();
        layout.clear();
        model.refresh();
        QCOMPARE(inserted.count() + layout.count(), 0);
    }

    void auditVerifiesTheChainOffThread()
    {
        QList<std::tuple<QString, QString, QString, QJsonObject>> events;
        for (int i = 0; i < 2000; ++i)
            events.append({QStringLiteral("test.note"), QStringLiteral("bob"), QStringLiteral("s"),
                QJsonObject {{"i", i}}});
        QVERIFY(eng().appendBatch(events).ok());
        const qint64 last = eng().store().lastSeq();
        AuditLogModel model(f().dbPath());
        QSignalSpy verified(&model, &AuditLogModel::chainVerified);
        model.verifyChain();
        QTRY_COMPARE(verified.count(), 1);
        QCOMPARE(verified.first().at(0).toBool(), true);
        QCOMPARE(verified.first().at(1).toLongLong(), last);

        // Someone edits an event in the file: the walk stops at it and says why.
        SqlFile sql(f().dbPath());
        QVERIFY(sql.exec(QStringLiteral("UPDATE events SET body = '{\"i\":-1}' WHERE seq = 700")));
        model.verifyChain();
        QTRY_COMPARE(verified.count(), 2);
        QCOMPARE(verified.at(1).at(0).toBool(), false);
        QCOMPARE(verified.at(1).at(1).toLongLong(), 699);
        QVERIFY(!verified.at(1).at(2).toString().isEmpty());
    }

    void auditWorksOnAMirrorAndFailsClearly()
    {
        QList<std::tuple<QString, QString, QString, QJsonObject>> events;
        for (int i = 0; i < 300; ++i)
            events.append({QStringLiteral("test.note"), QStringLiteral("carol"), QStringLiteral("s"),
                QJsonObject {{"i", i}}});
        QVERIFY(eng().appendBatch(events).ok());
        // A mirror: only the events table, no indexes beyond the key, and a gap-free copy from seq 1.
        const QString mirror = f().dataDir() + QStringLiteral("/mirror.db");
        {
            SqlFile m(mirror);
            QVERIFY(m.exec(QStringLiteral(
                "CREATE TABLE events(seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, type TEXT NOT NULL, actor "
                "TEXT NOT NULL, subject TEXT NOT NULL, body BLOB NOT NULL, hash BLOB NOT NULL)")));
            QVERIFY(m.exec(QStringLiteral("ATTACH DATABASE '%1' AS src").arg(f().dbPath())));
            QVERIFY(m.exec(QStringLiteral(
                "INSERT INTO events SELECT seq, ts, type, actor, subject, body, hash FROM src.events")));
        }
        AuditLogModel model(mirror);
        QVERIFY2(model.isOpen(), qPrintable(model.errorString()));
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(qint64(model.totalCount()), eng().store().lastSeq());
        model.sort(AuditLogModel::Actor, Qt::DescendingOrder);
        QCOMPARE(model.index(0, AuditLogModel::Actor).data().toString(), QStringLiteral("carol"));
        QSignalSpy verified(&model, &AuditLogModel::chainVerified);
        model.verifyChain();
        QTRY_COMPARE(verified.count(), 1);
        QVERIFY(verified.first().at(0).toBool());

        AuditLogModel missing(f().dataDir() + QStringLiteral("/no-such-dir/none.db"));
        QVERIFY(!missing.isOpen());
        QVERIFY(!missing.errorString().isEmpty());
        QCOMPARE(missing.rowCount(), 0);
        missing.refresh();
        QCOMPARE(missing.rowCount(), 0);
    }

    void storeMigrationKeepsAuditIndexes()
    {
        SqlFile sql(f().dbPath());
        const QList<qint64> n = sql.seqs(QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE type = "
                                                        "'index' AND name IN ('events_actor', 'events_ts')"));
        QCOMPARE(n, QList<qint64> {2});
        f().close();
        QVERIFY(f().reopen()); // migrating again is harmless
        QCOMPARE(sql.seqs(QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name "
                                         "IN ('events_actor', 'events_ts')")),
            QList<qint64> {2});
    }
};

QTEST_GUILESS_MAIN(TestItemModels)
#include "TestItemModels.moc"
