// The demo's real PostgreSQL: a throwaway cluster under the console's data directory holding the example
// billing database, and the postgresql target ("billing-pg") the broker enforces on it. DemoDatabase also
// plays the people who use it: they ask for access, connect with the login they get, run queries, and
// sometimes still hold a session when the grant ends, so the console shows real sessions and their end.
#pragma once

#include "core/Error.h"
#include "domain/Target.h"

#include <QObject>
#include <QRandomGenerator>
#include <QTimer>
#include <memory>
#include <vector>

namespace lapse
{

class Engine;
class PgCluster;

class DemoDatabase : public QObject
{
    Q_OBJECT
public:
    // The SQL of resources/postgresql/ (the console embeds it): the broker's role, then the billing example.
    struct Scripts {
        QByteArray brokerSetup;
        QByteArray billing;
    };
    // Why the demo simulates instead (empty when a cluster can start here): root, no server installed.
    static QString unavailableReason();
    // Starts (or restarts) the cluster in dir, applies the scripts on first use, writes the broker's
    // passfile.
    static Result<std::unique_ptr<DemoDatabase>> start(const QString& dir, const Scripts& scripts);
    ~DemoDatabase() override;

    // The target to add to the directory before the engine opens.
    Target target() const;
    // Plays the database's users against this engine (after PgEnforcement is attached), one step per tick.
    void play(Engine& engine, int tickMs = 4000);
    void tick();

private:
    struct Client; // one person's connections under one grant
    DemoDatabase(std::unique_ptr<PgCluster> cluster, QString passfile);

    std::unique_ptr<PgCluster> m_cluster;
    QString m_passfile;
    Engine* m_engine = nullptr;
    QTimer m_timer;
    QRandomGenerator m_rng {20261203};
    std::vector<std::unique_ptr<Client>> m_clients;
};

} // namespace lapse
