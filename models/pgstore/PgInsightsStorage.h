// The insight rollups in PostgreSQL: InsightsIndex's fact rows and hourly sums, read and written on the
// connection the store hands it (the writer's inside its transaction, a pooled one for reads).
#pragma once

#include "engine/InsightsStorage.h"

#include <functional>
#include <memory>

namespace lapse
{

namespace pg
{
class Connection;
}

class PgInsightsStorage final : public InsightsStorage
{
public:
    using ConnectionFn = std::function<std::shared_ptr<pg::Connection>()>;
    explicit PgInsightsStorage(ConnectionFn connection);

    Result<std::optional<GrantRow>> readGrant(const QString& id) override;
    Status recentStarts(qint64 windowMs,
        const std::function<void(const QString& principal, const QString& target, const QString& privileges,
            qint64 startMs)>& row) override;
    qint64 indexedSeq() override;
    Status writeGrant(const GrantWrite& row) override;
    Status addToRollup(qint64 hour, const QString& principal, const QString& target,
        const QString& privileges, const GrantContribution& delta) override;
    Status writeIndexedSeq(qint64 seq) override;

private:
    ConnectionFn m_connection;
    QByteArray m_writeGrant, m_addToRollup; // built once from the contribution columns
};

} // namespace lapse
