// Fuzz target: the query strings of GET /v1/insights (metricsQueryFrom) and GET /v1/events (after, limit,
// format), directly and through ApiService as an auditor calls them. The input is the query string. A refusal
// is a 400 naming the item, never a crash or a 500; an accepted window runs forwards (from <= to), and an
// events page holds at most limit events, all after `after`, in the format asked for.
#include "FuzzWorld.h"
#include "api/EventPages.h"
#include "metrics/Metrics.h"

#include <QJsonDocument>
#include <QUrlQuery>
#include <cstdint>
#include <cstdlib>

using namespace lapse;
using namespace lapse::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QUrlQuery query(QString::fromUtf8(reinterpret_cast<const char*>(data), qsizetype(size)));
    if (const auto mq = metricsQueryFrom(query)) {
        if (mq->fromMs > mq->toMs || mq->repeatThreshold < 2)
            std::abort(); // accepted a window that ends before it starts, or a repeat threshold below 2
    } else if (mq.error().code != ErrorCode::Malformed) {
        std::abort(); // a bad query item is the caller's mistake: 400
    }

    // Only reads: the world never grows here.
    FuzzWorld& world = FuzzWorld::instance();
    const Principal& auditor = world.principal(QStringLiteral("erin"));
    ApiRequest req;
    req.method = "GET";
    req.query = query;
    req.path = QStringLiteral("/v1/insights");
    const ApiResponse insights = world.api().handleAs(auditor, req);
    if (insights.status != 200 && insights.status != 400)
        std::abort();

    req.path = QStringLiteral("/v1/events");
    const ApiResponse events = world.api().handleAs(auditor, req);
    if (events.status == 400)
        return 0;
    if (events.status != 200)
        std::abort();
    const bool cbor = query.queryItemValue(QStringLiteral("format")) == QLatin1String("cbor");
    const auto page = cbor ? eventPageFromCbor(events.body) : eventPageFromJson(events.jsonBody());
    if (!page || (events.contentType == "application/cbor") != cbor)
        std::abort(); // not the format asked for
    const qint64 after = query.queryItemValue(QStringLiteral("after")).toLongLong();
    const int limit = query.hasQueryItem(QStringLiteral("limit"))
        ? query.queryItemValue(QStringLiteral("limit")).toInt()
        : 1000;
    if (page->items.size() > limit)
        std::abort();
    for (const Event& e : page->items)
        if (e.seq <= after)
            std::abort();
    return 0;
}
