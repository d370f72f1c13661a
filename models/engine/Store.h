// The durable store: SQLite in WAL mode, one writer path, current state beside the event that changed it.
#pragma once

#include "core/Error.h"
#include "domain/AccessRequest.h"
#include "domain/Event.h"
#include "domain/Grant.h"
#include "domain/Session.h"

#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <functional>
#include <memory>
#include <optional>

struct sqlite3;

namespace lapse
{

class Directory;
class InsightsIndex;
class SqlStatement;

struct RequestFilter {
    std::optional<RequestStatus> status;
    QString requester; // empty: everyone
    QString afterId; // page after this id (ids sort by creation)
    int limit = 100;
};

struct GrantFilter {
    std::optional<GrantStatus> status;
    QString principal;
    QString target;
    std::optional<bool> breakGlassUnreviewed;
    QString afterId;
    int limit = 100;
};

struct SessionFilter {
    std::optional<SessionState> state; // live, lingering or ended
    QString grantId;
    QString principal;
    int limit = 1000;
};

struct LockoutRecord {
    QString principal;
    bool active = false;
    qint64 lockedMs = 0;
    qint64 notBeforeMs = 0; // credentials issued before this are dead, even after unlock
    QString reason;
    QString by;
};

class Store
{
public:
    ~Store();
    // Opens (creating and migrating) the SQLite file. WAL, synchronous=FULL: a commit is on disk when it
    // returns.
    static Result<std::unique_ptr<Store>> open(const QString& path);
    QString path() const { return m_path; }
    // A connection for the calling thread (SQLite connections must not cross threads).
    QSqlDatabase connection() const;

    // --- the one writer path (engine thread only) ---
    Status begin();
    Status commit();
    void rollback();
    // Appends an event inside the open transaction and advances the chain head.
    Result<Event> append(const QString& type, const QString& actor, const QString& subject,
        const QJsonObject& body, qint64 tsMs);
    // Appends a batch in order inside the open transaction, bodies already serialised (compact JSON); the
    // rollups take the batch on a second thread while the events are chained and written on this one.
    Result<QList<Event>> appendMany(const QList<std::tuple<QString, QString, QString, QJsonObject>>& events,
        const QList<QByteArray>& compactBodies, qint64 tsMs);
    // Appends events exactly as another log holds them (a mirror's copy): they must follow the head in
    // sequence and chain onto it; bodies and hashes are kept byte for byte. The hashes are checked on a
    // second thread while the events are written, and the rollups take them on a third. On a break nothing of
    // the run may be committed (the caller rolls back); *breakSeq names the first event that does not chain
    // (0 for any other error).
    Status appendVerbatimMany(const QList<Event>& events, qint64* breakSeq);
    Status putRequest(const AccessRequest& r);
    Status putGrant(const Grant& g);
    Status putSession(const Session& s);
    Status putLockout(const LockoutRecord& l);
    Status putApiKey(
        const QByteArray& keyHash, const QString& principal, qint64 createdMs, const QString& label);
    Status syncPrincipals(const Directory& directory); // a principals table the console can join against

    // --- reads (any thread) ---
    std::optional<AccessRequest> request(const QString& id) const;
    std::optional<Grant> grant(const QString& id) const;
    std::optional<Session> session(const QString& id) const;
    QList<AccessRequest> requests(const RequestFilter& f) const;
    // The same rows as stored JSON (id, compact JSON as the API returns it), for list pages that need no
    // decoding: the console's queue load reads 100k of them.
    QList<std::pair<QString, QByteArray>> requestsJson(const RequestFilter& f) const;
    QList<Grant> grants(const GrantFilter& f) const;
    QList<Session> sessions(const SessionFilter& f) const;
    QList<LockoutRecord> lockouts() const;
    QString principalForApiKey(const QByteArray& keyHash) const; // empty if unknown
    QList<Event> events(qint64 afterSeq, int limit) const;
    qint64 lastSeq() const { return m_headSeq; }
    QByteArray headHash() const { return m_headHash; }
    // Elevations of principal on target since sinceMs (grants started), and the latest one.
    int grantCountSince(const QString& principal, const QString& target, qint64 sinceMs) const;

    // Walks the whole log in order; stops at the first break. Safe on any thread.
    static Result<qint64> verifyChain(QSqlDatabase db, QString* breakReason, qint64* breakSeq,
        const std::function<void(qint64)>& progress = {});

private:
    Store();
    Status migrate();
    Status backfillInsights(); // rollups for events written before they existed
    sqlite3* writer();
    Status insertEvent(const Event& e);
    // The next event after the head, hashed onto it (the head itself moves only once the event is written).
    Event chained(const QString& type, const QString& actor, const QString& subject, const QByteArray& body,
        qint64 tsMs) const;
    QString m_path;
    QString m_connPrefix;
    qint64 m_headSeq = 0;
    QByteArray m_headHash;
    qint64 m_txHeadSeq = 0; // head before the open transaction, restored on rollback
    QByteArray m_txHeadHash;
    bool m_inTx = false;
    qint64 m_committedSeq = 0; // head after our last commit: a different head at begin() means another writer
    sqlite3* m_writer = nullptr;
    sqlite3* m_insightsReader = nullptr; // the rollups' own read connection: they may read beside the writer
    std::unique_ptr<SqlStatement> m_insertEvent;
    std::unique_ptr<InsightsIndex> m_insights;
};

} // namespace lapse
