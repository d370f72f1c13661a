// Webhook benchmark: approvals per second with webhooks on (a local receiver that answers 200 at once)
// against off, in the same run, in rounds that alternate which comes first, so the machine's other load and
// the order fall on both alike; the figures are the rounds' medians. An approval here is one request
// submitted and approved (two durable commits).
// Usage: bench_webhooks [--approvals N] [--rounds R] [--receiver-nice N]
#include "EngineFixture.h"
#include "WebhookReceiver.h"

#include "notify/WebhookDispatcher.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <vector>

using namespace lapse;
using namespace lapse::test;

namespace
{
// CPU time of the calling thread (the engine's), in microseconds: unlike the wall clock, what other processes
// take from the cores does not move it.
double threadCpuUs()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e6 + double(ts.tv_nsec) / 1e3;
}

// Runs n approvals on the engine; their number per second. *cpuUs: the engine thread's CPU per approval.
double approvals(EngineFixture& fx, int n, int* failures, std::vector<double>* cpuUs = nullptr)
{
    QElapsedTimer t;
    t.start();
    const double cpu0 = threadCpuUs();
    for (int i = 0; i < n; ++i) {
        auto d = fx.submit(
            i % 2 ? QStringLiteral("alice") : QStringLiteral("dave"), QStringLiteral("billing-db"));
        if (!d || !fx.approve(QStringLiteral("bob"), d->request.id))
            ++*failures;
    }
    if (cpuUs)
        cpuUs->push_back((threadCpuUs() - cpu0) / n);
    return double(n) * 1e9 / double(t.nsecsElapsed());
}

// Lets the event loop run until done() or the timeout; false on the timeout.
bool waitFor(const std::function<bool()>& done, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeoutMs)
            return false;
        QEventLoop loop;
        QTimer::singleShot(5, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}
} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    auto arg = [&](const char* name, int fallback) {
        const int i = args.indexOf(QLatin1String(name));
        return i >= 0 && i + 1 < args.size() ? args.at(i + 1).toInt() : fallback;
    };
    const int perRound = arg("--approvals", 200);
    const int rounds = arg("--rounds", 10);

    EngineFixture fx;
    if (!fx.ok()) {
        std::fprintf(stderr, "engine: %s\n", qPrintable(fx.openError()));
        return 1;
    }
    const QByteArray secret = "bench-webhook-secret-0123456789";
    WebhookReceiver receiver(secret);
    // --receiver-nice N: the receiver's thread yields to the broker's, as a receiver elsewhere would.
    receiver.setNice(arg("--receiver-nice", 0));
    if (!receiver.start()) {
        std::fprintf(stderr, "the receiver cannot listen\n");
        return 1;
    }
    WebhookSinkConfig sink;
    sink.id = QStringLiteral("bench");
    sink.url = QUrl(receiver.url());
    sink.secret = secret;

    int failures = 0;
    approvals(fx, 50, &failures); // warm-up: the store's statements, the page cache
    qint64 maxLag = 0;
    std::vector<double> offRates, onRates, offCpu, onCpu;
    for (int r = 0; r < rounds; ++r) {
        if (r % 2 == 0)
            offRates.push_back(approvals(fx, perRound, &failures, &offCpu));
        // A sink new to the data directory starts at the log's head: it is given this round's events only.
        sink.id = QStringLiteral("bench-%1").arg(r);
        auto d = WebhookDispatcher::start(fx.engine(), NotificationConfig {{sink}});
        if (!d) {
            std::fprintf(stderr, "webhooks: %s\n", qPrintable(d.error().message));
            return 1;
        }
        onRates.push_back(approvals(fx, perRound, &failures, &onCpu));
        const qint64 head = fx.engine().store().lastSeq();
        maxLag = qMax(maxLag, head - d.value()->sinkStatus().value(0).cursor);
        // Untimed: the round's deliveries drain before anything else is measured.
        if (!waitFor([&] { return d.value()->sinkStatus().value(0).cursor == head; }, 120000)) {
            std::fprintf(stderr, "webhooks did not catch up with the log\n");
            return 1;
        }
        d.value()->stop();
        if (r % 2 == 1)
            offRates.push_back(approvals(fx, perRound, &failures, &offCpu));
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v.at(v.size() / 2);
    };
    const double off = median(offRates), on = median(onRates);
    int invalid = 0;
    for (const auto& rd : receiver.deliveries())
        invalid += rd.signatureValid ? 0 : 1;
    std::printf("approvals_per_round %d count\n", perRound);
    std::printf("receiver_nice %d count\n", arg("--receiver-nice", 0));
    std::printf("rounds %d count\n", rounds);
    std::printf("approvals_per_s_webhooks_off %.0f /s\n", off);
    std::printf("approvals_per_s_webhooks_on %.0f /s\n", on);
    std::printf("webhooks_on_off_ratio %.3f ratio\n", on / off);
    std::printf("approvals_per_s_webhooks_off_range %.0f-%.0f /s\n",
        *std::min_element(offRates.begin(), offRates.end()),
        *std::max_element(offRates.begin(), offRates.end()));
    std::printf("approvals_per_s_webhooks_on_range %.0f-%.0f /s\n",
        *std::min_element(onRates.begin(), onRates.end()), *std::max_element(onRates.begin(), onRates.end()));
    std::printf("approval_engine_cpu_us_webhooks_off %.0f us\n", median(offCpu));
    std::printf("approval_engine_cpu_us_webhooks_on %.0f us\n", median(onCpu));
    std::printf("webhook_deliveries %lld count\n", static_cast<long long>(receiver.deliveries().size()));
    std::printf("webhook_max_lag_at_round_end %lld events\n", static_cast<long long>(maxLag));
    std::printf("webhook_bad_signatures %d count\n", invalid);
    std::printf("approval_failures %d count\n", failures);
    return failures || invalid ? 1 : 0;
}
