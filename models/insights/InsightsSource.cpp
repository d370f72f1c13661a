// Insights from the local store's rollups, or from the backend when there is none.
#include "InsightsSource.h"

#include "metrics/Metrics.h"
#include "core/Clock.h"

#include <QJsonDocument>
#include <QPointer>
#include <QSqlDatabase>
#include <QSqlError>
#include <QTimer>
#include <QUuid>

namespace lapse
{

InsightsSource::InsightsSource(Backend* backend, const QString& storeFile, QObject* parent)
    : QObject(parent)
    , m_backend(backend)
    , m_file(storeFile)
    , m_connection(QStringLiteral("lapse-insights-%1").arg(QUuid::createUuid().toString(QUuid::Id128)))
{
}

InsightsSource::~InsightsSource()
{
    if (QSqlDatabase::contains(m_connection)) {
        QSqlDatabase::database(m_connection, false).close();
        QSqlDatabase::removeDatabase(m_connection);
    }
}

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
    m_backend->directory(
        [this, guard = QPointer<InsightsSource>(this), items, done = std::move(done)](const ApiResult& r) {
            if (!guard)
                return;
            if (!r) {
                done(makeError(r.error().code,
                    QStringLiteral("the directory could not be read: %1").arg(r.error().message)));
                return;
            }
            auto directory = Directory::fromJson(QJsonDocument(r.value()).toJson(QJsonDocument::Compact));
            if (!directory) {
                done(makeError(ErrorCode::Internal,
                    QStringLiteral("the directory is not valid: %1").arg(directory.error().message)));
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
    QSqlDatabase db = QSqlDatabase::contains(m_connection)
        ? QSqlDatabase::database(m_connection, false)
        : QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    if (!db.isOpen()) {
        db.setDatabaseName(m_file);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
        if (!db.open()) {
            done(makeError(ErrorCode::Unavailable,
                QStringLiteral("cannot open %1: %2").arg(m_file, db.lastError().text())));
            return;
        }
    }
    done(computeMetrics(db, *m_directory, q.value(), Clock::now()));
}

} // namespace lapse
