// The dispatcher's thread: reads the log after each sink's cursor and delivers one event at a time, in seq
// order, retrying with backoff; the cursor moves (and is synced to disk) only after a 2xx.
#pragma once

#include "NotificationConfig.h"
#include "WebhookCursor.h"
#include "core/Error.h"
#include "domain/Event.h"
#include "engine/Store.h"

#include <QList>
#include <QObject>
#include <QRandomGenerator>
#include <atomic>
#include <functional>
#include <memory>
#include <vector>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace lapse
{

struct WebhookOptions {
    int initialBackoffMs = 1000; // the first retry's delay; doubled per failure up to maxBackoffMs
    int maxBackoffMs = 60000;
    int pollIntervalMs = 1000; // the backstop when a wake-up is missed (another writer, a lost signal)
    int pageSize = 256; // events read from the store at a time
    // How long a delivered event may go without its cursor on disk. Each write is synced, and syncs beside
    // the engine's own (synchronous=FULL) slow its commits; a crash repeats at most this much, with the same
    // ids.
    int cursorSaveIntervalMs = 1000;
    // Added to the thread's nice value (Linux: per thread; Qt's network thread, started from it, inherits
    // it). Deliveries then yield the cores to the engine's thread, whose approvals otherwise were preempted
    // hundreds of times a round on two cores; they still run, unlike under SCHED_IDLE, on a busy machine.
    int niceIncrement = 10;
};

// What the engine's thread reads while this thread writes it.
struct WebhookSinkCounters {
    std::atomic<qint64> delivered {0};
    std::atomic<qint64> failures {0};
    std::atomic<qint64> cursor {0};
};

class WebhookWorker : public QObject
{
    Q_OBJECT
public:
    using StoreOpener = std::function<Result<std::unique_ptr<Store>>()>;
    WebhookWorker(QString dataDir, QList<WebhookSinkConfig> sinks, StoreOpener openReader,
        WebhookOptions options, std::vector<std::shared_ptr<WebhookSinkCounters>> counters);
    ~WebhookWorker() override;

    // On the worker's thread, before anything else: opens the reader, reads the cursors (a new sink starts at
    // the log's head), starts the poll timer.
    Status initialize();
    // On the worker's thread: abandons deliveries in flight (they are sent again after a restart) and closes
    // the reader on the thread that opened it.
    void shutdown();
    // Any thread: asks for a look at the log soon. Wake-ups coalesce; the engine's thread only posts one.
    void requestWake();

signals:
    void delivered(const QString& sink, qint64 seq);
    void deliveryFailed(const QString& sink, qint64 seq, const QString& why);

private:
    struct Sink {
        Sink(WebhookSinkConfig c, WebhookCursor f, std::shared_ptr<WebhookSinkCounters> n)
            : config(std::move(c))
            , cursorFile(std::move(f))
            , counters(std::move(n))
        {
        }
        WebhookSinkConfig config;
        WebhookCursor cursorFile;
        std::shared_ptr<WebhookSinkCounters> counters;
        qint64 cursor = 0;
        bool cursorDirty = false; // moved on since it was last written
        QList<Event> queue; // read from the store, after cursor, in order
        QNetworkReply* inFlight = nullptr;
        QTimer* retry = nullptr;
        int backoffMs = 0;
    };
    void wake();
    void pumpAll();
    void pump(Sink& s);
    void send(Sink& s, const Event& e);
    void finished(Sink& s, QNetworkReply* reply, qint64 seq);
    void cursorMoved(Sink& s, qint64 seq);
    void saveCursor(Sink& s);
    void saveDirtyCursors();

    QString m_dataDir;
    StoreOpener m_openReader;
    WebhookOptions m_options;
    std::vector<std::unique_ptr<Sink>> m_sinks;
    std::unique_ptr<Store> m_reader;
    QNetworkAccessManager* m_nam = nullptr;
    QTimer* m_poll = nullptr;
    QTimer* m_save = nullptr; // started when a cursor moves; writes every moved cursor when it fires
    std::atomic<bool> m_wakePending {false};
    bool m_stopping = false;
    QRandomGenerator m_jitter {QRandomGenerator::securelySeeded()};
};

} // namespace lapse
