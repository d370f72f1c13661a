// Where the insight rollups live: the rows InsightsIndex reads back and writes, behind one small interface so
// that each store (SQLite, PostgreSQL) keeps them in its own tables, in its own transaction.
#pragma once

#include "InsightRows.h"
#include "core/Error.h"

#include <QByteArray>
#include <QString>
#include <functional>
#include <optional>

namespace lapse
{

class InsightsStorage
{
public:
    virtual ~InsightsStorage() = default;

    // A grant's fact row as InsightsIndex reads it back.
    struct GrantRow {
        QString principal, target, privileges;
        QByteArray state; // InsightsIndex's own record of the grant
    };
    // A grant's fact row as InsightsIndex writes it.
    struct GrantWrite {
        QString id;
        qint64 startMs = 0;
        QString principal, target, privileges;
        std::optional<qint64> revokeEffectMs;
        qint64 lingeringOpen = 0;
        QByteArray state;
        GrantContribution contribution;
    };

    // --- reads: what the last commit holds (the rollups are written only right before a commit) ---
    // The fact row of grant id; nullopt when there is none.
    virtual Result<std::optional<GrantRow>> readGrant(const QString& id) = 0;
    // Every fact row whose start lies within windowMs of the latest start (start_ms > max - windowMs),
    // ordered by start.
    virtual Status recentStarts(qint64 windowMs,
        const std::function<void(
            const QString& principal, const QString& target, const QString& privileges, qint64 startMs)>& row)
        = 0;
    // The last event seq the stored rollups include (0: none).
    virtual qint64 indexedSeq() = 0;

    // --- writes: inside the writer's open transaction ---
    // Inserts or replaces a grant's fact row.
    virtual Status writeGrant(const GrantWrite& row) = 0;
    // Adds delta to the hour's sums of (principal, target, privileges): every field summed, window by
    // maximum.
    virtual Status addToRollup(qint64 hour, const QString& principal, const QString& target,
        const QString& privileges, const GrantContribution& delta)
        = 0;
    virtual Status writeIndexedSeq(qint64 seq) = 0;
};

} // namespace lapse
