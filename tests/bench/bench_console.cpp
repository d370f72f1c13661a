// Console benchmark: the queue at 100,000 pending requests, the audit log at 1,000,000 events and the live
// feed at 1,000 events/s, each against the targets of the console's issue. Prints "name value unit" lines.
// Usage: bench_console [--audit-events N] [--queue N] [--feed-seconds S]
#include "backend/EmbeddedBackend.h"
#include "core/Clock.h"
#include "domain/Directory.h"
#include "engine/Engine.h"
#include "itemmodels/AuditLogModel.h"
#include "itemmodels/LiveFeed.h"
#include "itemmodels/QueueFilterProxy.h"
#include "itemmodels/RequestQueueModel.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QHash>
#include <QHeaderView>
#include <QMetaEnum>
#include <QRandomGenerator>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace lapse;

namespace
{

void report(const char* name, double value, const char* unit)
{
    std::printf("%s %.1f %s\n", name, value, unit);
    std::fflush(stdout);
}

void note(const QString& text)
{
    std::fprintf(stderr, "# %s\n", qPrintable(text));
}

double ms(const QElapsedTimer& t)
{
    return double(t.nsecsElapsed()) / 1e6;
}

double rssMb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    return -1;
}

template <typename Signal, typename Obj> bool waitFor(Obj* sender, Signal signal, int timeoutMs = 120000)
{
    QEventLoop loop;
    bool fired = false;
    QObject::connect(sender, signal, &loop, [&] {
        fired = true;
        loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    return fired;
}

const QStringList kRequesters {"alice", "bob", "dave", "frank", "grace", "svc-billing", "svc-reports",
    "wl-payments", "wl-etl", "ci-deploy", "ci-migrate", "agent-7", "agent-triage"};
const QStringList kTargets {"billing-db", "orders-db", "customer-pii", "prod-k8s", "staging-k8s", "prod-ssh",
    "payments-api", "s3-exports", "vault-admin", "ci-runners", "dns-zone", "kafka-admin"};
const QStringList kTasks {"rotate the ingress certificates", "investigate failed invoices",
    "backfill the orders table", "look at a stuck deployment", "export the quarterly report",
    "triage a paging alert", "apply a schema migration", "restart the consumer group"};
const QStringList kPrivileges {"read", "write", "ddl", "admin"};

AccessRequest makeRequest(int n, qint64 now, QRandomGenerator& rng)
{
    AccessRequest r;
    // Ids sort by creation, as the engine's do.
    r.id = QStringLiteral("req_%1%2")
               .arg(QString::number(now - 3'600'000 + n, 36).rightJustified(9, QLatin1Char('0')))
               .arg(n, 8, 16, QLatin1Char('0'));
    r.requester = kRequesters[int(rng.bounded(kRequesters.size()))];
    r.target = kTargets[int(rng.bounded(kTargets.size()))];
    const int width = 1 + int(rng.bounded(4));
    r.privileges = kPrivileges.mid(0, width);
    if (rng.bounded(2))
        r.minPrivileges = QStringList {QStringLiteral("read")};
    r.task = kTasks[int(rng.bounded(kTasks.size()))];
    r.reason = QStringLiteral("INC-%1: %2").arg(rng.bounded(100000)).arg(r.task);
    r.ticket = rng.bounded(3) ? QStringLiteral("CHG-%1").arg(rng.bounded(100000)) : QString();
    r.ttlSeconds = 60 * (1 + int(rng.bounded(60)));
    r.createdMs = now - 3'600'000 + n;
    r.expiresMs = r.createdMs + 24 * 3'600'000;
    r.approvalsRequired = 1;
    return r;
}

std::unique_ptr<Engine> openEngine(const QString& dir, const Directory& directory)
{
    EngineConfig config;
    config.dataDir = dir;
    config.directory = directory;
    config.sweepIntervalMs = 0;
    auto e = Engine::open(std::move(config));
    if (!e) {
        note(QStringLiteral("cannot open an engine: %1").arg(e.error().message));
        return nullptr;
    }
    return std::move(e).value();
}

int argValue(const QStringList& args, const QString& name, int def)
{
    const int i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args[i + 1].toInt() : def;
}

// ------------------------------------------------------------------ queue and feed

void benchQueue(const Directory& directory, const QString& dataDir, int requests, int feedSeconds)
{
    auto engine = openEngine(dataDir, directory);
    if (!engine)
        return;
    QRandomGenerator rng(42);
    const qint64 now = Clock::now();
    QElapsedTimer seed;
    seed.start();
    QStringList pendingIds;
    Store& store = engine->store();
    store.begin();
    for (int n = 0; n < requests; ++n) {
        const AccessRequest r = makeRequest(n, now, rng);
        pendingIds << r.id;
        store.putRequest(r);
    }
    if (!store.commit()) {
        note(QStringLiteral("seeding the queue failed"));
        return;
    }
    note(QStringLiteral("seeded %1 pending requests in %2 ms").arg(requests).arg(ms(seed), 0, 'f', 0));

    const double rssBefore = rssMb();
    EmbeddedBackend backend(*engine, QStringLiteral("console"));
    RequestQueueModel model(&backend);
    model.setDirectory(directory.toJson());
    QueueFilterProxy proxy;
    proxy.setSourceModel(&model);
    QTableView view;
    view.setModel(&proxy);
    view.setSortingEnabled(false);
    view.verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view.verticalHeader()->setDefaultSectionSize(22);
    view.horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    view.resize(1400, 900);
    view.show();
    QCoreApplication::processEvents();

    QElapsedTimer t;
    {
        // What the pages alone cost: every page of pending requests through the backend, nothing kept. The
        // queue reads typed pages; the JSON pages are what lapsectl and a remote console read.
        t.start();
        QString after;
        for (;;) {
            QEventLoop loop;
            QString next;
            backend.requestPage(QStringLiteral("pending"), after, 1000, [&](const Result<RequestPage>& r) {
                next = r ? r->nextAfter : QString();
                loop.quit();
            });
            loop.exec();
            if (next.isEmpty())
                break;
            after = next;
        }
        report("queue_api_pages_ms", ms(t), "ms");
        t.start();
        after.clear();
        for (;;) {
            QEventLoop loop;
            QJsonValue next;
            backend.listRequests(QStringLiteral("pending"), after, 1000, [&](const ApiResult& r) {
                next = r ? r->value(QLatin1String("next_after")) : QJsonValue();
                loop.quit();
            });
            loop.exec();
            if (!next.isString())
                break;
            after = next.toString();
        }
        report("queue_api_json_pages_ms", ms(t), "ms");
    }
    t.start();
    model.reload();
    if (!waitFor(&model, &RequestQueueModel::loaded)) {
        note(QStringLiteral("the queue did not load"));
        return;
    }
    QCoreApplication::processEvents(); // the view lays out and paints its first screen
    report("queue_load_100k_ms", ms(t), "ms");
    note(QStringLiteral("rows loaded: %1").arg(model.rowCount()));
    report("queue_rss_mb", rssMb(), "MB");
    report("queue_rss_model_delta_mb", rssMb() - rssBefore, "MB");

    double worst = 0;
    const QMetaEnum columns = RequestQueueModel::staticMetaObject.enumerator(
        RequestQueueModel::staticMetaObject.indexOfEnumerator("Column"));
    for (int c = 0; c < RequestQueueModel::ColumnCount; ++c) {
        for (Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
            t.start();
            proxy.sort(c, order);
            QCoreApplication::processEvents();
            const double took = ms(t);
            worst = std::max(worst, took);
            if (order == Qt::AscendingOrder)
                report(qPrintable(QStringLiteral("queue_sort_%1_ms")
                                      .arg(QString::fromLatin1(columns.valueToKey(c)).toLower())),
                    took, "ms");
        }
    }
    report("queue_sort_worst_ms", worst, "ms");

    // Typing and erasing a search, one keystroke at a time, while sorted.
    proxy.sort(RequestQueueModel::ExpiresIn, Qt::AscendingOrder);
    const QString typed = QStringLiteral("inc-42 deploy");
    double worstKey = 0;
    QStringList steps;
    for (int i = 1; i <= typed.size(); ++i)
        steps << typed.left(i);
    for (int i = typed.size() - 1; i >= 0; --i)
        steps << typed.left(i);
    for (const QString& text : std::as_const(steps)) {
        t.start();
        proxy.setText(text);
        QCoreApplication::processEvents();
        worstKey = std::max(worstKey, ms(t));
    }
    report("queue_filter_keystroke_ms", worstKey, "ms");
    t.start();
    proxy.setTargetFilter(QStringLiteral("prod-k8s"));
    QCoreApplication::processEvents();
    proxy.setTargetFilter(QString());
    QCoreApplication::processEvents();
    report("queue_filter_target_toggle_ms", ms(t), "ms");

    t.start();
    model.tick();
    QCoreApplication::processEvents();
    report("queue_tick_ms", ms(t), "ms");

    if (feedSeconds <= 0)
        return;
    // Live feed: 1,000 events/s committed by the embedded engine in small transactions (every 10 ms), a
    // mix of new requests, decisions taken elsewhere and partial approvals, into the 100k queue shown
    // sorted in a view.
    LiveFeed feed(&backend);
    QObject::connect(&feed, &LiveFeed::batch, &model, &RequestQueueModel::applyEvents);
    QElapsedTimer clock;
    clock.start();
    QHash<qint64, qint64> committedAt; // seq -> ns
    QObject::connect(engine.get(), &Engine::eventsAppended, [&](const QList<Event>& events) {
        const qint64 at = clock.nsecsElapsed();
        for (const auto& e : events)
            committedAt.insert(e.seq, at);
    });
    QList<double> latencies;
    QObject::connect(&feed, &LiveFeed::batch, [&](const QList<Event>& events) {
        // Runs after the model's slot (connected first): the rows are in the model and the proxy.
        const qint64 at = clock.nsecsElapsed();
        for (const auto& e : events)
            if (committedAt.contains(e.seq))
                latencies << double(at - committedAt.take(e.seq)) / 1e6;
    });
    backend.follow(engine->store().lastSeq());

    int next = requests;
    QTimer generator;
    generator.setTimerType(Qt::PreciseTimer);
    const qint64 started = Clock::now();
    QObject::connect(&generator, &QTimer::timeout, [&] {
        // Catch up to 1 event per elapsed millisecond, in one transaction.
        const qint64 due = clock.elapsed() - (next - requests);
        QList<std::tuple<QString, QString, QString, QJsonObject>> events;
        for (qint64 i = 0; i < std::min<qint64>(due, 50); ++i) {
            const quint32 dice = rng.bounded(10);
            if (dice < 5 || pendingIds.isEmpty()) {
                AccessRequest r = makeRequest(next, started, rng);
                pendingIds << r.id;
                events.append({QStringLiteral("request.created"), r.requester, r.id, r.toJson()});
            } else {
                const int pick = int(rng.bounded(pendingIds.size()));
                AccessRequest r = makeRequest(next, started, rng);
                r.id = pendingIds[pick];
                if (dice < 8) {
                    r.status = dice < 7 ? RequestStatus::Approved : RequestStatus::Denied;
                    pendingIds.swapItemsAt(pick, pendingIds.size() - 1);
                    pendingIds.removeLast();
                    events.append(
                        {dice < 7 ? QStringLiteral("request.approved") : QStringLiteral("request.denied"),
                            QStringLiteral("carol"), r.id, r.toJson()});
                } else {
                    r.approvalsRequired = 2;
                    events.append({QStringLiteral("request.approval_recorded"), QStringLiteral("carol"), r.id,
                        r.toJson()});
                }
            }
            ++next;
        }
        if (!events.isEmpty())
            engine->appendBatch(events);
    });

    // The GUI thread's responsiveness: a 2 ms timer notes how late it runs.
    QElapsedTimer gap;
    double worstGap = 0;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        if (gap.isValid())
            worstGap = std::max(worstGap, ms(gap) - 2.0);
        gap.start();
    });
    const int rowsBefore = model.rowCount();
    generator.start(10);
    probe.start(2);
    QEventLoop loop;
    QTimer::singleShot(feedSeconds * 1000, &loop, &QEventLoop::quit);
    loop.exec();
    generator.stop();
    probe.stop();
    feed.flush();
    QCoreApplication::processEvents();

    std::sort(latencies.begin(), latencies.end());
    const auto pct = [&](double p) {
        return latencies.isEmpty()
            ? -1.0
            : latencies[std::min<qsizetype>(latencies.size() - 1, qsizetype(p * latencies.size()))];
    };
    note(QStringLiteral("feed: %1 events in %2 s, queue %3 -> %4 rows")
             .arg(latencies.size())
             .arg(feedSeconds)
             .arg(rowsBefore)
             .arg(model.rowCount()));
    report("feed_events_per_s", double(latencies.size()) / feedSeconds, "events/s");
    report("feed_event_to_model_ms_p50", pct(0.50), "ms");
    report("feed_event_to_model_ms_p99", pct(0.99), "ms");
    report("feed_event_to_model_ms_max", latencies.isEmpty() ? -1 : latencies.last(), "ms");
    report("feed_gui_stall_ms_max", worstGap, "ms");
}

// ------------------------------------------------------------------ audit log

void benchAudit(const Directory& directory, const QString& dataDir, int count)
{
    auto engine = openEngine(dataDir, directory);
    if (!engine)
        return;
    QRandomGenerator rng(7);
    QElapsedTimer seed;
    seed.start();
    const QStringList types {"request.created", "request.approved", "grant.activated", "session.opened",
        "session.ended", "grant.expired", "request.denied", "credential.used_after_end"};
    const qint64 now = Clock::now();
    for (int done = 0; done < count;) {
        QList<std::tuple<QString, QString, QString, QJsonObject>> batch;
        const int n = std::min(50'000, count - done);
        for (int i = 0; i < n; ++i) {
            AccessRequest r = makeRequest(done + i, now, rng);
            const QString type = types[int(rng.bounded(types.size()))];
            batch.append({type, r.requester, r.id, r.toJson()});
        }
        if (!engine->appendBatch(batch)) {
            note(QStringLiteral("seeding the audit log failed"));
            return;
        }
        done += n;
    }
    note(QStringLiteral("seeded %1 events in %2 s").arg(count).arg(ms(seed) / 1000, 0, 'f', 1));
    const QString file = engine->store().location();
    engine.reset(); // the console reads a store the broker writes; here nobody writes meanwhile

    QElapsedTimer t;
    t.start();
    AuditLogModel model(file);
    QTableView view;
    view.verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view.verticalHeader()->setDefaultSectionSize(22);
    view.setModel(&model);
    view.resize(1400, 900);
    view.show();
    QCoreApplication::processEvents();
    report("audit_open_1m_ms", ms(t), "ms");
    note(QStringLiteral("audit rows: %1 (%2)").arg(model.totalCount()).arg(model.errorString()));

    // Jumps anywhere (scrollbar drags) under several sorts, each a fresh page.
    double worstPage = 0, worstSort = 0;
    struct S {
        int column;
        Qt::SortOrder order;
    };
    const S sorts[] = {{AuditLogModel::Seq, Qt::DescendingOrder}, {AuditLogModel::Type, Qt::AscendingOrder},
        {AuditLogModel::Actor, Qt::DescendingOrder}, {AuditLogModel::Subject, Qt::AscendingOrder},
        {AuditLogModel::Time, Qt::DescendingOrder}, {AuditLogModel::Seq, Qt::AscendingOrder}};
    QRandomGenerator jump(3);
    for (const S& s : sorts) {
        t.start();
        model.sort(s.column, s.order);
        view.scrollToTop();
        QCoreApplication::processEvents();
        worstSort = std::max(worstSort, ms(t));
        for (int i = 0; i < 12; ++i) {
            const int row = int(jump.bounded(model.rowCount()));
            t.start();
            view.scrollTo(model.index(row, 0), QAbstractItemView::PositionAtTop);
            for (int r = row; r < std::min(row + 50, model.rowCount()); ++r)
                for (int c = 0; c < AuditLogModel::ColumnCount; ++c)
                    model.index(r, c).data();
            QCoreApplication::processEvents();
            worstPage = std::max(worstPage, ms(t));
        }
        // Paging down from there: the next window continues from the last one.
        for (int i = 0; i < 5; ++i) {
            t.start();
            const int row = view.rowAt(0) + 40;
            view.scrollTo(
                model.index(std::min(row, model.rowCount() - 1), 0), QAbstractItemView::PositionAtTop);
            QCoreApplication::processEvents();
            worstPage = std::max(worstPage, ms(t));
        }
    }
    report("audit_page_ms", worstPage, "ms");
    report("audit_sort_ms", worstSort, "ms");

    t.start();
    model.setSearch(QStringLiteral("agent-7"));
    QCoreApplication::processEvents();
    report("audit_search_ms", ms(t), "ms");
    note(QStringLiteral("search matches: %1").arg(model.totalCount()));
    model.setSearch(QString());

    t.start();
    model.verifyChain();
    waitFor(&model, &AuditLogModel::chainVerified, 600000);
    report("audit_verify_chain_ms", ms(t), "ms");
}

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int auditEvents = argValue(args, QStringLiteral("--audit-events"), 1'000'000);
    const int queue = argValue(args, QStringLiteral("--queue"), 100'000);
    const int feedSeconds = argValue(args, QStringLiteral("--feed-seconds"), 5);

    auto directory = Directory::load(QStringLiteral(LAPSE_SOURCE_DIR "/resources/directory.example.json"));
    if (!directory) {
        note(directory.error().message);
        return 1;
    }
    QTemporaryDir dir;
    if (!qEnvironmentVariableIsEmpty("BENCH_KEEP")) { // the stores stay, to look at afterwards
        dir.setAutoRemove(false);
        note(dir.path());
    }
    if (queue > 0)
        benchQueue(directory.value(), dir.path() + QStringLiteral("/queue"), queue, feedSeconds);
    if (auditEvents > 0)
        benchAudit(directory.value(), dir.path() + QStringLiteral("/audit"), auditEvents);
    return 0;
}
