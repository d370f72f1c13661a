// resources/openapi.yaml and ApiService agree: every documented operation is routed, and every routed
// operation is documented.
#include "EngineFixture.h"

#include "api/ApiService.h"

#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QtTest>

using namespace lapse;
using namespace lapse::test;

class TestOpenApi : public QObject
{
    Q_OBJECT

    // "GET /v1/requests/{id}" for every operation in the document.
    static QSet<QString> documented()
    {
        QFile f(QStringLiteral(LAPSE_SOURCE_DIR "/resources/openapi.yaml"));
        if (!f.open(QIODevice::ReadOnly))
            return {};
        static const QRegularExpression pathLine(QStringLiteral("^  (/\\S*):\\s*$"));
        static const QRegularExpression methodLine(QStringLiteral("^    (get|post|put|patch|delete):"));
        QSet<QString> ops;
        QString path;
        bool inPaths = false;
        for (const QByteArray& raw : f.readAll().split('\n')) {
            const QString line = QString::fromUtf8(raw);
            if (!line.startsWith(QLatin1Char(' ')))
                inPaths = line.startsWith(QLatin1String("paths:"));
            if (!inPaths)
                continue;
            if (auto m = pathLine.match(line); m.hasMatch())
                path = m.captured(1);
            else if (auto m2 = methodLine.match(line); m2.hasMatch() && !path.isEmpty())
                ops << m2.captured(1).toUpper() + QLatin1Char(' ') + path;
        }
        return ops;
    }

    // Whether the service routes an operation: anything but its "no route" answer counts.
    static bool routed(ApiService& api, const Principal& everyone, const QString& op)
    {
        const QString method = op.section(QLatin1Char(' '), 0, 0);
        QString path = op.section(QLatin1Char(' '), 1);
        path.replace(QStringLiteral("{id}"), QStringLiteral("x1"));
        if (path == QLatin1String("/v1/stream"))
            return true; // a WebSocket upgrade, served by the HTTP layer (TestBrokerStream)
        ApiRequest req;
        req.method = method.toLatin1();
        req.path = path;
        req.body = "{}";
        req.contentType = "application/json";
        const bool publicDoc = path == QLatin1String("/healthz") || path == QLatin1String("/metrics")
            || path.startsWith(QLatin1String("/.well-known"));
        const ApiResponse r
            = publicDoc && method == QLatin1String("GET") ? api.handle(req) : api.handleAs(everyone, req);
        return !(r.status == 404
            && r.jsonBody()["error"].toObject()["message"].toString().startsWith(QLatin1String("no route")));
    }

private slots:
    void documentAndServiceAgree()
    {
        EngineFixture f;
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        ApiService api(f.engine());
        Principal everyone;
        everyone.id = QStringLiteral("route-prober");
        everyone.roles = ~0u;
        const QSet<QString> doc = documented();
        QVERIFY2(doc.size() > 20, "the document lists too few operations");
        for (const QString& op : doc)
            QVERIFY2(
                routed(api, everyone, op), qPrintable(op + QStringLiteral(" is documented but not routed")));

        // Every candidate operation the service answers must be documented.
        QStringList candidates {
            QStringLiteral("/healthz"), QStringLiteral("/metrics"), QStringLiteral("/.well-known/jwks.json")};
        for (const char* p : {"me", "directory", "lockouts", "requests", "grants", "sessions", "introspect",
                 "events", "stream", "keys/rotate", "principals", "insights", "metrics", "audit", "keys"})
            candidates << QStringLiteral("/v1/") + QLatin1String(p);
        for (const char* kind : {"requests", "grants", "sessions", "principals"}) {
            candidates << QStringLiteral("/v1/%1/{id}").arg(QLatin1String(kind));
            for (const char* action : {"context", "approve", "deny", "revoke", "complete", "review", "end",
                     "terminate", "lockout", "unlock", "extend", "delete"})
                candidates
                    << QStringLiteral("/v1/%1/{id}/%2").arg(QLatin1String(kind), QLatin1String(action));
        }
        int served = 0;
        for (const QString& path : std::as_const(candidates))
            for (const char* method : {"GET", "POST", "PUT", "DELETE"}) {
                const QString op = QLatin1String(method) + QLatin1Char(' ') + path;
                if (path == QLatin1String("/v1/stream"))
                    continue;
                if (routed(api, everyone, op)) {
                    ++served;
                    QVERIFY2(
                        doc.contains(op), qPrintable(op + QStringLiteral(" is served but not documented")));
                }
            }
        QCOMPARE(served, int(doc.size()) - 1); // all but /v1/stream, checked over HTTP
    }
};

QTEST_GUILESS_MAIN(TestOpenApi)
#include "TestOpenApi.moc"
