// A small broker for the API fuzz targets: an engine on a temporary data directory holding the example
// directory, a few requests, grants and a session, and the credentials it minted. Plain C++, one per process.
#pragma once

#include "api/ApiService.h"
#include "engine/Engine.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <memory>

namespace lapse::fuzz
{

class FuzzWorld
{
public:
    // The process's world, built on first use; aborts when it cannot be built (a broken fuzzer, not a
    // finding).
    static FuzzWorld& instance();

    Engine& engine() { return *m_engine; }
    ApiService& api() { return *m_api; }
    const Principal& principal(const QString& id) const;
    // Every principal of the directory that has one of roles (all of them when roles is empty).
    QList<const Principal*> principalsWith(const QList<Role>& roles) const;

    // Ids that exist in the world, for a route's {id}: requests, grants, sessions and principals.
    const QStringList& knownIds() const { return m_ids; }
    // An active grant's credential, and the credential of a grant that was revoked.
    const QByteArray& activeToken() const { return m_activeToken; }
    const QByteArray& endedToken() const { return m_endedToken; }
    // Whether the engine handed out token (either of the two above, from this world or an earlier one).
    bool minted(const QByteArray& token) const { return m_minted.contains(token); }
    // An API key of api-gw (a resource server), for ApiService::handle.
    const QByteArray& resourceServerKey() const { return m_rsKey; }

    // Builds the world again from nothing once the log has grown past maxEvents: fuzzed writes (requests,
    // approvals, lockouts, post-expiry uses) append to it on almost every input, and an ever longer log
    // would slow every later input and fill the disk. Reset, not refusal, so every route stays reachable.
    void resetIfLarger(qint64 maxEvents);

private:
    FuzzWorld() = default;
    void build();

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<ApiService> m_api;
    QStringList m_ids;
    QByteArray m_activeToken;
    QByteArray m_endedToken;
    QList<QByteArray> m_minted;
    QByteArray m_rsKey;
};

} // namespace lapse::fuzz
