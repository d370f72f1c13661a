// Insights from the local store's rollups, or from the backend when there is none.
#include "InsightsSource.h"

#include "core/Clock.h"
#include "engine/SqliteStore.h"
#include "metrics/Metrics.h"

#include <QJsonDocument>
#include <QPointer>
#include <QTimer>

namespace lapse
{

InsightsSource::InsightsSource(Backend* backend, const QString& storeFile, QObject* parent)
    : QObject(parent)
    , m_backend(backend)
    , m_file(storeFile)
{
}

InsightsSource::~InsightsSource() = default;

void InsightsSource::query(const QUrlQuery& items, ApiCallback done)
{
    if (!isLocal()) {
        if (m_backend)
            m_backend->call("GET", QStringLiteral("/v1/insights"), {}, items, std::move(done));
        else
            QTimer::singleShot(0, this, [done = std::move(done)] {
                done(makeError(
                    ErrorCode::Unavailable, QStringLiteral("no store and no backend to read insights from")));
            });
        return;
    }
    if (m_directory) {
        QTimer::singleShot(0, this, [this, items, done = std::move(done)] { compute(items, done); });
        return;
    }
    if (!m_backend) {
        QTimer::singleShot(0, this, [done = std::move(done)] {
            done(makeError(
                ErrorCode::Unavailable, QStringLiteral("no directory to tell identity kinds apart")));
        });
        return;
    }
    m_backend->loadDirectory([this, guard = QPointer<InsightsSource>(this), items, done = std::move(done)](
                                 Result<Directory> directory) {
        if (!guard)
            return;
        if (!directory) {
            done(directory.error());
            return;
        }
        m_directory = std::move(directory).value();
        compute(items, done);
    });
}

void InsightsSource::compute(const QUrlQuery& items, const ApiCallback& done)
{
    auto q = metricsQueryFrom(items);
    if (!q) {
        done(q.error());
        return;
    }
    if (!m_store) {
        // Read-only beside the engine or the mirror that writes the file; opened once, on first use.
        auto store = SqliteStore::openReadOnly(m_file);
        if (!store) {
            done(makeError(ErrorCode::Unavailable,
                QStringLiteral("cannot open %1: %2").arg(m_file, store.error().message)));
            return;
        }
        m_store = std::move(store).value();
    }
    done(computeMetrics(*m_store, *m_directory, q.value(), Clock::now()));
}

} // namespace lapse
