// Incremental insight rollups, kept in the store's own transaction: one fact row per grant (what it adds to
// every metric) and hourly sums of those rows by identity, target and privilege set. Fed every event on
// the one writer path (engine or mirror), so a chart query reads a few thousand rollup rows instead of
// replaying the event log.
#pragma once

#include "InsightRows.h"
#include "InsightsStorage.h"
#include "core/Error.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QSet>
#include <QString>
#include <QStringList>
#include <deque>
#include <optional>

namespace lapse
{

class SqlStatement;

class InsightsIndex
{
public:
    static constexpr qint64 kHourMs = 3'600'000;
    static constexpr qint64 kDefaultWindowMs = 7LL * 86'400'000; // the precomputed repeat window

    InsightsIndex();
    ~InsightsIndex();

    // The tables (idempotent), in SQLite's dialect.
    static const char* const* schema();
    // The stored columns of a contribution, in GrantContribution's order: the last (max_window) combines by
    // maximum, the others by sum. Another store builds its own tables and statements from these.
    static QStringList contributionColumnNames();
    static constexpr int kContributionColumnCount = 20;
    // The value of column i (contributionColumnNames()'s order) of c.
    static qint64 contributionValue(const GrantContribution& c, int i) { return (&c.grants)[i]; }
    // The column list for SELECTs over either table.
    static QString contributionColumns(const QString& aggregate = {}); // e.g. "SUM" -> SUM(grants), ...
    static GrantContribution readContribution(const SqlStatement& q, int firstColumn);

    // Whether add() looks at the body of events of this type (the others only move the high-water mark).
    static bool reads(const QString& type);
    // Feeds one committed-to-be event. body is the event's JSON body. reader: sees the last commit (the
    // rollups are written only by flush, right before a commit). Errors only from reading back.
    Status add(
        InsightsStorage& reader, qint64 seq, qint64 tsMs, const QString& type, const QJsonObject& body);
    // Writes what changed since the last flush, inside the writer's open transaction.
    Status flush(InsightsStorage& writer);
    // Forget every in-memory state (after a rollback, or when another writer moved the store on).
    void invalidate();
    // From a fact row's state: when the grant started and ended, and the sessions still open on it.
    struct OpenSessions {
        qint64 startMs = 0, endedMs = 0;
        QStringList sessions;
    };
    static OpenSessions openSessions(const QByteArray& state);

private:
    struct Session {
        qint64 openedMs = 0;
        bool atRevoke = false; // open when the grant was revoked: its close is the revocation's effect
    };
    struct Grant {
        QString id, principal, target, privileges; // privileges: the approved set, sorted, space-separated
        qint64 startMs = 0, expiresMs = 0, endedMs = 0, revokedAtMs = 0, revokeEffectMs = 0;
        int ttlSeconds = 0, window = 0;
        std::optional<int> excess; // approved beyond the declared minimum
        bool narrowed = false, breakGlass = false, recordComplete = false, usageReported = false;
        QString endedAs;
        QSet<QString> approved, used;
        QHash<QString, Session> open; // sessions still open
        QList<qint64> closedWhileActive; // end times of sessions closed before the grant ended
        qint64 lingering = 0, lingeringMs = 0, uses = 0;
        bool dirty = false;

        GrantContribution contribution() const;
        QByteArray state() const; // what the fact row keeps to carry on after the grant leaves memory
        static Grant fromState(const QString& id, const QByteArray& state);
    };
    struct RollupKey {
        qint64 hour;
        QString principal, target, privileges;
        bool operator==(const RollupKey& o) const
        {
            return hour == o.hour && principal == o.principal && target == o.target
                && privileges == o.privileges;
        }
    };
    friend size_t qHash(const RollupKey& k, size_t seed);

    Status ensureLoaded(InsightsStorage& reader);
    Grant* find(InsightsStorage& reader, const QString& id, Status* error);
    void change(Grant& g, const std::function<void(Grant&)>& edit);
    int windowCount(const Grant& g);

    bool m_loaded = false;
    qint64 m_seq = 0;
    QHash<QString, Grant> m_grants; // grants still changing, and any changed since the last flush
    QHash<RollupKey, GrantContribution> m_delta; // rollup changes since the last flush
    QHash<QString, std::deque<qint64>> m_recent; // group -> starts within the default window, sorted
};

} // namespace lapse
