// Starts the demo: a seeded queue, live grants with sessions, and a new request every few seconds.
#include "Demo.h"

#include "engine/Engine.h"

#include <QRandomGenerator>
#include <QTimer>

namespace lapse
{

namespace
{
struct Ask {
    const char* who;
    const char* target;
    QStringList privileges;
    QStringList minimum;
    const char* task;
    const char* reason;
    const char* ticket;
    int ttl;
};

const QList<Ask>& asks()
{
    static const QList<Ask> list {
        {"dave", "orders-db", {"read", "write"}, {"read"}, "Reconcile refunds for October",
            "Finance asked for a refund reconciliation", "", 1800},
        {"agent-7", "prod-k8s", {"view", "exec"}, {"view"}, "Restart crash-looping pods in checkout",
            "Alert CheckoutCrashLoop firing for 10 min", "", 900},
        {"ci-deploy", "ci-runners", {"deploy"}, {"deploy"}, "Release shop 4.18.2", "Scheduled release", "", 1200},
        {"svc-billing", "billing-db", {"read", "write", "ddl"}, {"read", "write"}, "Nightly invoice batch",
            "Batch needs to write invoice rows", "FIN-2291", 3600},
        {"alice", "prod-ssh", {"login", "sudo"}, {"login"}, "Inspect disk usage on web-3",
            "Disk 92% on web-3", "", 1800},
        {"wl-etl", "s3-exports", {"list", "get", "put", "delete"}, {"list", "get", "put"},
            "Export daily customer aggregates", "Scheduled ETL run", "", 3600},
        {"agent-triage", "kafka-admin", {"describe", "alter-config"}, {"describe"},
            "Diagnose consumer lag on payments topic", "Lag alert on payments-events", "", 1800},
        {"grace", "billing-db", {"read", "ddl"}, {"ddl"}, "Add index on invoices(customer_id)",
            "Slow query report from last night", "DBA-118", 1800},
        {"frank", "dns-zone", {"read", "write"}, {"write"}, "Point status.example.org to the new page",
            "Status page migration", "", 900},
        {"ci-migrate", "billing-db", {"read", "write", "ddl"}, {"ddl"}, "Apply migration 0042",
            "Release 2026.11 schema change", "FIN-2310", 1200},
        {"svc-reports", "customer-pii", {"read-masked", "read"}, {"read-masked"}, "Monthly churn report",
            "Report for the board", "PII-77", 1800},
        {"wl-payments", "payments-api", {"refunds:read", "refunds:write"}, {"refunds:read"},
            "Replay failed refund webhooks", "Webhook outage 02:10-02:40", "", 1200},
        {"bob", "vault-admin", {"read", "policy-admin"}, {"read"}, "Rotate the CI policy",
            "Quarterly rotation", "SEC-501", 900},
    };
    return list;
}

RequestInput input(const Ask& a)
{
    RequestInput in;
    in.target = QString::fromLatin1(a.target);
    in.privileges = a.privileges;
    if (!a.minimum.isEmpty())
        in.minPrivileges = a.minimum;
    in.task = QString::fromUtf8(a.task);
    in.reason = QString::fromUtf8(a.reason);
    in.ticket = QString::fromLatin1(a.ticket);
    in.ttlSeconds = a.ttl;
    return in;
}

QString submit(Engine& engine, const Ask& a)
{
    const Principal* who = engine.directory().principal(QString::fromLatin1(a.who));
    if (!who)
        return {};
    auto d = engine.submitRequest(*who, input(a));
    return d ? d->request.id : QString();
}

// A grant with an open session at the resource server that serves its target.
void grantWithSession(Engine& engine, const Ask& a, const char* approver, const char* server, bool revoke)
{
    const QString id = submit(engine, a);
    const Principal* ap = engine.directory().principal(QString::fromLatin1(approver));
    const Principal* rs = engine.directory().principal(QString::fromLatin1(server));
    if (id.isEmpty() || !ap || !rs)
        return;
    auto d = engine.approve(*ap, id, {});
    if (!d || !d->grant)
        return;
    const Principal* holder = engine.directory().principal(d->grant->principal);
    auto cred = engine.credential(*holder, id);
    if (!cred)
        return;
    engine.openSession(*rs, cred->value(QStringLiteral("token")).toString().toLatin1(), a.minimum);
    if (revoke)
        engine.revoke(*ap, d->grant->id, QStringLiteral("task finished early; session left open"));
}
} // namespace

bool startDemo(Engine& engine, QObject* parent, QString* message)
{
    if (!engine.directory().principal(QStringLiteral("bob")) || !engine.directory().target(QStringLiteral("prod-k8s"))) {
        if (message)
            *message = QObject::tr("the demo needs the example directory (resources/directory.example.json)");
        return false;
    }
    const auto& list = asks();
    if (engine.store().lastSeq() == 0) {
        grantWithSession(engine, list[1], "carol", "k8s-admission", false);
        grantWithSession(engine, list[4], "bob", "bastion", false);
        grantWithSession(engine, list[5], "alice", "api-gw", true);
        grantWithSession(engine, list[11], "bob", "api-gw", false);
        grantWithSession(engine, list[2], "alice", "k8s-admission", false);
        for (int i = 0; i < list.size(); ++i)
            if (i != 1 && i != 4 && i != 11 && i != 2)
                submit(engine, list[i]);
    }
    auto* timer = new QTimer(parent);
    timer->setInterval(2500);
    QObject::connect(timer, &QTimer::timeout, parent, [&engine] {
        const auto& all = asks();
        submit(engine, all[QRandomGenerator::global()->bounded(int(all.size()))]);
    });
    timer->start();
    return true;
}

} // namespace lapse
