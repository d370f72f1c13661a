// Where the Insights view gets its numbers. With a local store — the engine's own file, or the mirror of a
// remote broker's event log — the metrics are computed here from its rollups, so the charts work offline
// and never load the broker; only the directory (identity kinds and owners) is asked for, once. Without a
// local store, the backend's GET /v1/insights answers.
#pragma once

#include "backend/Backend.h"
#include "domain/Directory.h"

#include <QObject>
#include <QString>
#include <memory>
#include <optional>

namespace lapse
{

class SqliteStore;

class InsightsSource : public QObject
{
    Q_OBJECT
public:
    InsightsSource(Backend* backend, const QString& storeFile, QObject* parent = nullptr);
    ~InsightsSource() override;

    bool isLocal() const { return !m_file.isEmpty(); }
    // The same query items as /v1/insights. done runs later on this thread, never inside query().
    void query(const QUrlQuery& items, ApiCallback done);

private:
    void compute(const QUrlQuery& items, const ApiCallback& done);

    Backend* m_backend;
    QString m_file;
    std::unique_ptr<SqliteStore> m_store;
    std::optional<Directory> m_directory;
};

} // namespace lapse
