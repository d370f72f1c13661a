// resources/openapi.yaml and ApiService's route table agree both ways, the service answers exactly the table,
// and the roles the table declares are the ones the engine asks for.
#include "EngineFixture.h"

#include "api/ApiService.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace lapse;
using namespace lapse::test;

class TestOpenApi : public QObject
{
    Q_OBJECT

    static QString yamlPath() { return QStringLiteral(LAPSE_SOURCE_DIR "/resources/openapi.yaml"); }

    // "GET /v1/requests/{id}" for every operation in an OpenAPI document.
    static QSet<QString> documented(const QString& path)
    {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return {};
        static const QRegularExpression pathLine(QStringLiteral("^  (/\\S*):\\s*$"));
        static const QRegularExpression methodLine(QStringLiteral("^    (get|post|put|patch|delete):"));
        QSet<QString> ops;
        QString opPath;
        bool inPaths = false;
        for (const QByteArray& raw : f.readAll().split('\n')) {
            const QString line = QString::fromUtf8(raw);
            if (!line.startsWith(QLatin1Char(' ')))
                inPaths = line.startsWith(QLatin1String("paths:"));
            if (!inPaths)
                continue;
            if (auto m = pathLine.match(line); m.hasMatch())
                opPath = m.captured(1);
            else if (auto m2 = methodLine.match(line); m2.hasMatch() && !opPath.isEmpty())
                ops << m2.captured(1).toUpper() + QLatin1Char(' ') + opPath;
        }
        return ops;
    }

    static QString operation(const ApiRoute& r)
    {
        return QString::fromLatin1(r.method()) + QLatin1Char(' ') + r.pattern();
    }

    // The table's operations a document lacks.
    static QStringList undocumented(const QSet<QString>& doc)
    {
        QStringList missing;
        for (const ApiRoute& r : ApiService::routes())
            if (!doc.contains(operation(r)))
                missing << operation(r);
        return missing;
    }

    // A document's operations the table lacks; /v1/stream is a WebSocket upgrade the HTTP layer serves
    // (TestBrokerStream).
    static QStringList unrouted(const QSet<QString>& doc)
    {
        QSet<QString> table;
        for (const ApiRoute& r : ApiService::routes())
            table << operation(r);
        QStringList missing;
        for (const QString& op : doc)
            if (!table.contains(op) && op != QLatin1String("GET /v1/stream"))
                missing << op;
        missing.sort();
        return missing;
    }

    static ApiRequest probe(const QString& op)
    {
        ApiRequest req;
        req.method = op.section(QLatin1Char(' '), 0, 0).toLatin1();
        req.path = op.section(QLatin1Char(' '), 1);
        req.path.replace(QStringLiteral("{id}"), QStringLiteral("x1"));
        req.body = "{}";
        req.contentType = "application/json";
        return req;
    }

    static bool isNoRoute(const ApiResponse& r)
    {
        return r.status == 404
            && r.jsonBody()["error"].toObject()["message"].toString().startsWith(QLatin1String("no route"));
    }

    // A request a route's handler passes on to the engine: the fields it checks itself are filled in.
    static ApiRequest engineBound(const ApiRoute& route)
    {
        ApiRequest req = probe(operation(route));
        if (route.pattern() == QLatin1String("/v1/requests"))
            req.body = R"({"target":"billing-db","privileges":["read"],"ttl_seconds":600,"reason":"r"})";
        else if (route.pattern() == QLatin1String("/v1/sessions"))
            req.body = R"({"token":"t"})";
        else if (route.pattern() == QLatin1String("/v1/log/proof"))
            req.query.addQueryItem(QStringLiteral("seq"), QStringLiteral("1"));
        else if (route.pattern() == QLatin1String("/v1/log/consistency"))
            req.query.setQueryItems(
                {{QStringLiteral("from"), QStringLiteral("1")}, {QStringLiteral("to"), QStringLiteral("1")}});
        else if (route.body() == ApiRoute::Body::Form) {
            req.body = "token=t";
            req.contentType = "application/x-www-form-urlencoded";
        }
        return req;
    }

private slots:
    // The document as a standard validator sees it: parsed as YAML (js-yaml) and checked against the
    // OpenAPI 3.0 schema with every $ref resolved, by @apidevtools/swagger-parser (installed by .ci/setup
    // under build/npm). It also refuses the mistake it once found: an unquoted description with a comma in a
    // flow mapping, which YAML splits into a stray key.
    void documentValidatesWithAKeptValidator()
    {
        const QString build
            = qEnvironmentVariable("LAPSE_BUILD_DIR", QCoreApplication::applicationDirPath() + "/..");
        const QString modules = build + QStringLiteral("/npm/node_modules");
        const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
        if (node.isEmpty() || !QFileInfo::exists(modules + QStringLiteral("/@apidevtools/swagger-parser")))
            QSKIP("the OpenAPI validator is not installed: run .ci/setup with node, npm and a network");
        const auto validate = [&](const QString& file, QByteArray* output) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("NODE_PATH"), modules);
            p.setProcessEnvironment(env);
            p.setProcessChannelMode(QProcess::MergedChannels);
            p.start(node, {QStringLiteral(LAPSE_SOURCE_DIR "/tests/unit/openapi/validate.js"), file});
            if (!p.waitForFinished(60000))
                return -1;
            *output = p.readAll();
            return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        };
        QByteArray output;
        QCOMPARE(validate(yamlPath(), &output), 0);
        QVERIFY2(output.startsWith("valid OpenAPI 3.0"), output.constData());

        QFile yaml(yamlPath());
        QVERIFY(yaml.open(QIODevice::ReadOnly));
        QByteArray broken = yaml.readAll();
        const QByteArray quoted
            = "{description: \"The grant, or the pending request with its approvals until quorum\",";
        QVERIFY(broken.contains(quoted));
        broken.replace(
            quoted, "{description: The grant, or the pending request with its approvals until quorum,");
        QTemporaryDir dir;
        QFile copy(dir.filePath(QStringLiteral("openapi.yaml")));
        QVERIFY(copy.open(QIODevice::WriteOnly) && copy.write(broken) == broken.size());
        copy.close();
        QCOMPARE(validate(copy.fileName(), &output), 1);
        QVERIFY2(output.contains("approve") && output.contains("200"), output.constData());
    }

    void documentAndTableAgree()
    {
        const QSet<QString> doc = documented(yamlPath());
        QVERIFY2(doc.size() > 20, "the document lists too few operations");
        const QStringList notDocumented = undocumented(doc);
        QVERIFY2(notDocumented.isEmpty(),
            qPrintable(
                QStringLiteral("routed but not documented: ") + notDocumented.join(QStringLiteral(", "))));
        const QStringList notRouted = unrouted(doc);
        QVERIFY2(notRouted.isEmpty(),
            qPrintable(QStringLiteral("documented but not routed: ") + notRouted.join(QStringLiteral(", "))));
        QCOMPARE(ApiService::routes().size(), int(doc.size()) - 1); // one entry per operation, no duplicates
    }

    // The walk names an operation the document lost: a route added without documentation fails the test
    // above.
    void walkNamesAnUndocumentedRoute()
    {
        QFile original(yamlPath());
        QVERIFY(original.open(QIODevice::ReadOnly));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile copy(dir.filePath(QStringLiteral("openapi.yaml")));
        QVERIFY(copy.open(QIODevice::WriteOnly));
        // Drop the path /v1/grants/{id}/review and its one operation.
        bool dropping = false;
        int dropped = 0;
        for (const QByteArray& line : original.readAll().split('\n')) {
            if (line.startsWith("  /"))
                dropping = line.trimmed() == "/v1/grants/{id}/review:";
            if (dropping)
                ++dropped;
            else
                copy.write(line + '\n');
        }
        copy.close();
        QVERIFY(dropped > 1);
        const QSet<QString> doc = documented(copy.fileName());
        QCOMPARE(undocumented(doc), QStringList {QStringLiteral("POST /v1/grants/{id}/review")});
        QVERIFY(unrouted(doc).isEmpty());

        // And the other way: an operation the table lacks is named too.
        QSet<QString> extra = documented(yamlPath());
        extra << QStringLiteral("DELETE /v1/grants/{id}");
        QCOMPARE(unrouted(extra), QStringList {QStringLiteral("DELETE /v1/grants/{id}")});
    }

    // The service answers exactly the table: each entry is routed, and nothing outside it is.
    void serviceAnswersExactlyTheTable()
    {
        EngineFixture f;
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        ApiService api(f.engine());
        Principal everyone;
        everyone.id = QStringLiteral("route-prober");
        everyone.roles = ~0u;
        QSet<QString> table;
        for (const ApiRoute& r : ApiService::routes()) {
            table << operation(r);
            const ApiResponse resp = api.handleAs(everyone, probe(operation(r)));
            QVERIFY2(!isNoRoute(resp),
                qPrintable(operation(r) + QStringLiteral(" is in the table but not routed")));
            if (r.access() == ApiRoute::Access::Public) {
                // Without any key.
                const ApiResponse open = api.handle(probe(operation(r)));
                QVERIFY2(open.status == 200, qPrintable(operation(r) + QStringLiteral(" asks for a key")));
            } else {
                const ApiResponse anonymous = api.handle(probe(operation(r)));
                QCOMPARE(anonymous.status, 401);
            }
        }

        QStringList candidates {QStringLiteral("/healthz"), QStringLiteral("/metrics"),
            QStringLiteral("/.well-known/jwks.json"), QStringLiteral("/.well-known/lapse-log-key")};
        for (const char* p : {"me", "directory", "lockouts", "requests", "grants", "sessions", "introspect",
                 "events", "stream", "keys/rotate", "principals", "insights", "metrics", "audit", "keys",
                 "evidence", "evidence/attest", "log", "log/checkpoint", "log/proof", "log/consistency",
                 "log/key/rotate", "log/key", "reviews", "reviews/repeated"})
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
                const ApiResponse resp = api.handleAs(everyone, probe(op));
                if (isNoRoute(resp)) {
                    QVERIFY2(!table.contains(op), qPrintable(op));
                    QCOMPARE(resp.jsonBody()["error"].toObject()["message"].toString(),
                        QStringLiteral("no route %1 %2").arg(QLatin1String(method), probe(op).path));
                    continue;
                }
                ++served;
                QVERIFY2(
                    table.contains(op), qPrintable(op + QStringLiteral(" is served but not in the table")));
            }
        QCOMPARE(served, int(ApiService::routes().size()));
    }

    // {id} is one segment of [A-Za-z0-9._@:-]{1,128}; anything else is no route.
    void idSegments_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("routed");
        QTest::newRow("plain") << "/v1/grants/grt_1" << true;
        QTest::newRow("all the allowed characters") << "/v1/grants/aZ09._@:-" << true;
        QTest::newRow("128 characters") << "/v1/grants/" + QString(128, QLatin1Char('a')) << true;
        QTest::newRow("129 characters") << "/v1/grants/" + QString(129, QLatin1Char('a')) << false;
        QTest::newRow("empty") << "/v1/grants//" << false;
        QTest::newRow("a space") << "/v1/grants/a b" << false;
        QTest::newRow("a slash") << "/v1/grants/a/b/c" << false;
        QTest::newRow("trailing slash") << "/v1/grants/a/" << false;
        QTest::newRow("non-ASCII") << QStringLiteral("/v1/grants/gr\u00fcn") << false;
        QTest::newRow("literal route, trailing slash") << "/v1/me/" << false;
        QTest::newRow("unknown action") << "/v1/grants/a/extend" << false;
    }

    void idSegments()
    {
        QFETCH(QString, path);
        QFETCH(bool, routed);
        EngineFixture f;
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        ApiService api(f.engine());
        Principal everyone;
        everyone.id = QStringLiteral("route-prober");
        everyone.roles = ~0u;
        ApiRequest req;
        req.method = "GET";
        req.path = path;
        QCOMPARE(!isNoRoute(api.handleAs(everyone, req)), routed);
    }

    // The roles a route declares are exactly the ones the engine names when it refuses a caller with none.
    void declaredRolesAreTheEnginesRoles()
    {
        EngineFixture f;
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        ApiService api(f.engine());
        Principal nobody;
        nobody.id = QStringLiteral("nobody");
        nobody.roles = 0;
        int checked = 0;
        for (const ApiRoute& r : ApiService::routes()) {
            const ApiResponse resp = api.handleAs(nobody, engineBound(r));
            const QString message = resp.jsonBody()["error"].toObject()["message"].toString();
            if (r.access() != ApiRoute::Access::Roles) {
                QVERIFY2(r.roles().isEmpty(), qPrintable(operation(r)));
                QVERIFY2(resp.status != 403, qPrintable(operation(r) + QLatin1Char(' ') + message));
                continue;
            }
            QStringList names;
            for (Role role : r.roles())
                names << roleName(role);
            QCOMPARE(resp.status, 403);
            QCOMPARE(
                message, QStringLiteral("nobody lacks the %1 role").arg(names.join(QStringLiteral(" or "))));
            ++checked;
        }
        QVERIFY(checked > 15);
    }

    // One limit, one message, before the key and the route are looked at.
    void bodyLimit()
    {
        EngineFixture f;
        QVERIFY2(f.ok(), qPrintable(f.openError()));
        ApiService api(f.engine());
        Principal everyone;
        everyone.id = QStringLiteral("route-prober");
        everyone.roles = ~0u;
        for (const char* op : {"POST /v1/requests", "POST /v1/introspect", "POST /v1/grants/{id}/revoke",
                 "GET /v1/me", "GET /healthz", "POST /v1/nowhere"}) {
            ApiRequest req = probe(QLatin1String(op));
            req.body = QByteArray(ApiService::kMaxBodyBytes + 1, ' ');
            for (const ApiResponse& resp : {api.handle(req), api.handleAs(everyone, req)}) {
                QCOMPARE(resp.status, 413);
                QCOMPARE(resp.jsonBody()["error"].toObject()["message"].toString(),
                    QStringLiteral("request body is over 64 KiB (65536 bytes)"));
            }
            req.body = QByteArray(ApiService::kMaxBodyBytes, ' ');
            QVERIFY2(api.handleAs(everyone, req).status != 413, op);
        }
    }
};

QTEST_GUILESS_MAIN(TestOpenApi)
#include "TestOpenApi.moc"
