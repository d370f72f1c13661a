// SharedRead: every caller gets a value read after it asked, never an older one, from any number of threads;
// callers that ask together share reads.
#include "engine/SharedRead.h"

#include <QtTest>
#include <atomic>
#include <thread>
#include <vector>

using namespace lapse;

class TestSharedRead : public QObject
{
    Q_OBJECT

private slots:
    void aCallerNeverGetsAReadFromBeforeItAsked()
    {
        // The "store": a counter each caller moves on before asking (a commit it knows of); a read returns
        // the counter as it is when the read starts. A value below the caller's own commit would be a stale
        // read.
        std::atomic<qint64> commits {0};
        std::atomic<int> reads {0};
        SharedRead shared([&] {
            reads.fetch_add(1);
            const qint64 v = commits.load();
            std::this_thread::yield(); // let others queue up behind a read in flight
            return v;
        });
        constexpr int kThreads = 8, kCalls = 2000;
        std::atomic<int> stale {0};
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t)
            threads.emplace_back([&] {
                for (int i = 0; i < kCalls; ++i) {
                    const qint64 mine = commits.fetch_add(1) + 1;
                    if (shared.get() < mine)
                        stale.fetch_add(1);
                }
            });
        for (auto& t : threads)
            t.join();
        QCOMPARE(stale.load(), 0);
        QVERIFY(reads.load() <= kThreads * kCalls);
        QVERIFY(reads.load() > 0);
        qInfo("%d calls, %d reads", kThreads * kCalls, reads.load());
    }

    // One thread alone reads every time: a value from a previous call is never reused.
    void aLoneCallerReadsEachTime()
    {
        qint64 value = 0;
        int reads = 0;
        SharedRead shared([&] {
            ++reads;
            return value;
        });
        for (int i = 1; i <= 5; ++i) {
            value = i;
            QCOMPARE(shared.get(), qint64(i));
        }
        QCOMPARE(reads, 5);
    }
};

QTEST_GUILESS_MAIN(TestSharedRead)
#include "TestSharedRead.moc"
