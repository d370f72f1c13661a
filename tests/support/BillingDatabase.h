// The example billing database on a throwaway PostgreSQL, set up as the README tells a user to: the broker's
// role from resources/postgresql/lapse-setup.sql, the billing example, a passfile. For the enforcement tests
// and bench_enforcement (targets that use it link lapse_enforcement).
#pragma once

#include "domain/Target.h"
#include "enforcement/PgCluster.h"

#include <QFile>
#include <memory>
#include <unistd.h>

namespace lapse::test
{

struct BillingDatabase {
    std::unique_ptr<PgCluster> cluster;
    QString passfile;

    // Starts the cluster in dir/pg. Running as root, PostgreSQL runs as the postgres user, who must be able
    // to pass through dir: it is made traversable (0711).
    static Result<BillingDatabase> start(const QString& dir)
    {
        if (::geteuid() == 0)
            QFile::setPermissions(dir,
                QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                    | QFileDevice::ExeGroup | QFileDevice::ExeOther);
        auto cluster = PgCluster::start(dir + QStringLiteral("/pg"));
        if (!cluster)
            return cluster.error();
        BillingDatabase db;
        db.cluster = std::move(cluster).value();
        const QString password = QStringLiteral("broker-test-secret");
        if (auto s
            = db.cluster->psqlFile(QStringLiteral(LAPSE_SOURCE_DIR "/resources/postgresql/lapse-setup.sql"),
                QStringLiteral("postgres"), {QStringLiteral("broker_password=") + password});
            !s)
            return s.error();
        if (auto s = db.cluster->psql(QStringLiteral("CREATE DATABASE billing")); !s)
            return s.error();
        if (auto s = db.cluster->psqlFile(
                QStringLiteral(LAPSE_SOURCE_DIR "/resources/postgresql/example-billing.sql"),
                QStringLiteral("billing"));
            !s)
            return s.error();
        db.passfile = dir + QStringLiteral("/broker.pgpass");
        if (auto s = PgCluster::writePassfile(db.passfile, db.cluster->host(), db.cluster->port(),
                QStringLiteral("billing"), QStringLiteral("lapse_broker"), password);
            !s)
            return s.error();
        return db;
    }

    // A postgresql target on it (owner dave; read -> billing_read unless said otherwise, write ->
    // billing_write).
    Target target(const QString& id, const QString& readRole = QStringLiteral("billing_read"),
        int connectionLimit = 80) const
    {
        Target t;
        t.id = id;
        t.kind = QStringLiteral("postgresql");
        t.description = QStringLiteral("billing on PostgreSQL");
        t.owner = QStringLiteral("dave");
        t.privileges = {QStringLiteral("read"), QStringLiteral("write")};
        t.connection.host = cluster->host();
        t.connection.port = cluster->port();
        t.connection.database = QStringLiteral("billing");
        t.connection.user = QStringLiteral("lapse_broker");
        t.connection.passfile = passfile;
        t.connection.sslmode = QStringLiteral("disable");
        t.connection.connectTimeoutSeconds = 2;
        t.catalogue = {
            {QStringLiteral("read"), readRole}, {QStringLiteral("write"), QStringLiteral("billing_write")}};
        t.connectionLimit = connectionLimit;
        return t;
    }
};

} // namespace lapse::test
