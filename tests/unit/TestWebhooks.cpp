// Webhooks from the broker: signed deliveries to a real local HTTP receiver, in seq order and each once while
// running, none lost across a receiver outage or a restart, a slow receiver not holding up approvals, and a
// wrong notifications file refused (by the parser and by lapse-broker itself).
#include "BrokerProcess.h"
#include "EngineFixture.h"
#include "HttpClient.h"
#include "WebhookReceiver.h"

#include "api/ApiService.h"
#include "notify/NotificationConfig.h"
#include "notify/WebhookCursor.h"
#include "notify/WebhookDispatcher.h"
#include "notify/WebhookMessage.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace lapse;
using namespace lapse::test;

namespace
{
const QByteArray kSecret = "s3cret-for-the-webhook-tests-0123456789";

// Short backoff and poll: the tests wait for behaviour, not for production's 1 s to 60 s.
WebhookOptions fastOptions()
{
    WebhookOptions o;
    o.initialBackoffMs = 50;
    o.maxBackoffMs = 400;
    o.pollIntervalMs = 200;
    return o;
}

WebhookSinkConfig sinkFor(const WebhookReceiver& receiver, const QString& id = QStringLiteral("chat"),
    const QStringList& events = {})
{
    WebhookSinkConfig s;
    s.id = id;
    s.url = QUrl(receiver.url());
    s.events = events;
    s.secret = kSecret;
    s.timeoutSeconds = 10;
    return s;
}

// The seqs of the deliveries, in arrival order.
QList<qint64> seqsOf(const QList<ReceivedDelivery>& ds)
{
    QList<qint64> out;
    for (const auto& d : ds)
        out << d.seq;
    return out;
}

QList<qint64> range(qint64 from, qint64 to) // [from, to]
{
    QList<qint64> out;
    for (qint64 s = from; s <= to; ++s)
        out << s;
    return out;
}

bool writeSecret(const QString& path, QFileDevice::Permissions perms)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    f.write(kSecret + '\n');
    f.close();
    return f.setPermissions(perms);
}
} // namespace

class TestWebhooks : public QObject
{
    Q_OBJECT
private slots:
    void parsesAGoodFile();
    void refusesAWrongFile_data();
    void refusesAWrongFile();
    void brokerRefusesAWrongFile();
    void deliversSignedEventsInOrder();
    void pythonAgreesOnTheSignature();
    void takesOnlyItsEventTypes();
    void receiverDownAndBackGetsEveryEventOnceInOrder();
    void restartLosesNoEvent();
    void slowReceiverDoesNotHoldUpApprovals();
    void brokerDeliversAndRestarts();
};

void TestWebhooks::parsesAGoodFile()
{
    QTemporaryDir dir;
    QVERIFY(writeSecret(dir.filePath("hook.secret"), QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    const QByteArray json = R"({"webhooks":[
        {"id":"chat","url":"https://chat.example.org/hooks/T1","events":["request.created","grant.revoked"],
         "secret_file":"hook.secret","timeout_seconds":5},
        {"id":"siem","url":"http://127.0.0.1:9000/in","events":"*","secret_file":"hook.secret"}]})";
    auto c = NotificationConfig::parse(json, dir.path());
    LAPSE_VERIFY_OK(c);
    QCOMPARE(c->webhooks.size(), 2);
    QCOMPARE(c->webhooks[0].id, QStringLiteral("chat"));
    QCOMPARE(c->webhooks[0].events, (QStringList {"request.created", "grant.revoked"}));
    QCOMPARE(c->webhooks[0].secret, kSecret);
    QCOMPARE(c->webhooks[0].timeoutSeconds, 5);
    QVERIFY(c->webhooks[0].takes(QStringLiteral("grant.revoked")));
    QVERIFY(!c->webhooks[0].takes(QStringLiteral("grant.activated")));
    QVERIFY(c->webhooks[1].events.isEmpty()); // "*"
    QVERIFY(c->webhooks[1].takes(QStringLiteral("grant.activated")));
    QCOMPARE(c->webhooks[1].timeoutSeconds, 10);

    // The example the README points to, with its two secrets beside it.
    QFile example(
        lapse::testing::BrokerProcess::sourceFile(QStringLiteral("resources/notifications.example.json")));
    QVERIFY(example.open(QIODevice::ReadOnly));
    for (const char* name : {"chat.secret", "siem.secret"})
        QVERIFY(
            writeSecret(dir.filePath(QLatin1String(name)), QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    auto e = NotificationConfig::parse(example.readAll(), dir.path());
    LAPSE_VERIFY_OK(e);
    QCOMPARE(e->webhooks.size(), 2);
    QVERIFY(e->webhooks[0].takes(QStringLiteral("review.decided")));
}

void TestWebhooks::refusesAWrongFile_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("words"); // what the message must name, '|'-separated
    const QByteArray ok = R"("secret_file":"hook.secret")";
    QTest::newRow("unknown top key") << QByteArray(R"({"webhooks":[],"hooks":[]})") << "hooks";
    QTest::newRow("unknown sink key")
        << (R"({"webhooks":[{"id":"chat","url":"https://x.example/h","events":"*","retries":3,)" + ok + "}]}")
        << "chat|retries";
    QTest::newRow("plain http elsewhere")
        << (R"({"webhooks":[{"id":"chat","url":"http://chat.example.org/h","events":"*",)" + ok + "}]}")
        << "chat|https";
    QTest::newRow("another scheme")
        << (R"({"webhooks":[{"id":"chat","url":"ftp://chat.example.org/h","events":"*",)" + ok + "}]}")
        << "chat|https";
    QTest::newRow("no secret") << QByteArray(
        R"({"webhooks":[{"id":"chat","url":"https://x.example/h","events":"*"}]})")
                               << "chat|secret_file";
    QTest::newRow("secret file missing")
        << QByteArray(R"({"webhooks":[{"id":"chat","url":"https://x.example/h","events":"*",)"
                      R"("secret_file":"nowhere.secret"}]})")
        << "chat|nowhere.secret";
    QTest::newRow("secret readable by others") << QByteArray(
        R"({"webhooks":[{"id":"chat","url":"https://x.example/h","events":"*",)"
        R"("secret_file":"open.secret"}]})") << "chat|chmod 600";
    QTest::newRow("unknown event type")
        << (R"({"webhooks":[{"id":"chat","url":"https://x.example/h","events":["grant.exploded"],)" + ok
               + "}]}")
        << "chat|grant.exploded";
    QTest::newRow("no events") << (R"({"webhooks":[{"id":"chat","url":"https://x.example/h","events":[],)"
        + ok + "}]}") << "chat|events";
    QTest::newRow("bad id") << (R"({"webhooks":[{"id":"Chat Room","url":"https://x.example/h","events":"*",)"
        + ok + "}]}") << "Chat Room|id";
    QTest::newRow("twice the same id")
        << (R"({"webhooks":[{"id":"chat","url":"https://x.example/h","events":"*",)" + ok
               + R"(},{"id":"chat","url":"https://y.example/h","events":"*",)" + ok + "}]}")
        << "chat|twice";
    QTest::newRow("timeout out of range")
        << (R"({"webhooks":[{"id":"chat","url":"https://x.example/h","events":"*","timeout_seconds":0,)" + ok
               + "}]}")
        << "chat|timeout_seconds";
    QTest::newRow("not json") << QByteArray("{webhooks") << "JSON";
}

void TestWebhooks::refusesAWrongFile()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, words);
    QTemporaryDir dir;
    QVERIFY(writeSecret(dir.filePath("hook.secret"), QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QVERIFY(writeSecret(dir.filePath("open.secret"),
        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther));
    auto c = NotificationConfig::parse(json, dir.path());
    QVERIFY2(!c.ok(), "a wrong file was accepted");
    for (const QString& word : words.split(QLatin1Char('|')))
        QVERIFY2(c.error().message.contains(word), qPrintable(c.error().message));
}

void TestWebhooks::brokerRefusesAWrongFile()
{
    QTemporaryDir dir;
    QVERIFY(writeSecret(dir.filePath("hook.secret"),
        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
    QFile conf(dir.filePath("notifications.json"));
    QVERIFY(conf.open(QIODevice::WriteOnly));
    conf.write(
        R"({"webhooks":[{"id":"chat","url":"https://x.example/h","events":"*","secret_file":"hook.secret"}]})");
    conf.close();
    QProcess broker;
    broker.start(testing::BrokerProcess::binary(QStringLiteral("lapse-broker")),
        {"--data", dir.filePath("data"), "--directory",
            testing::BrokerProcess::sourceFile(QStringLiteral("resources/directory.example.json")),
            "--listen", "127.0.0.1:1", "--insecure-http", "--notifications", conf.fileName()});
    QVERIFY2(broker.waitForFinished(30000), "lapse-broker did not stop on a wrong notifications file");
    QCOMPARE(broker.exitCode(), 1);
    const QString err = QString::fromUtf8(broker.readAllStandardError());
    QVERIFY2(
        err.contains(QStringLiteral("notification sink 'chat'")) && err.contains(QStringLiteral("chmod 600")),
        qPrintable(err));
    QVERIFY2(!QFile::exists(dir.filePath("data/lapse.db")), "the broker opened its store before refusing");
}

void TestWebhooks::deliversSignedEventsInOrder()
{
    EngineFixture fx;
    QVERIFY(fx.ok());
    WebhookReceiver receiver(kSecret);
    QVERIFY(receiver.start());
    auto d = WebhookDispatcher::start(fx.engine(), NotificationConfig {{sinkFor(receiver)}}, fastOptions());
    LAPSE_VERIFY_OK(d);
    const qint64 before = fx.engine().store().lastSeq();

    auto g = fx.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
    LAPSE_VERIFY_OK(g);
    LAPSE_VERIFY_OK(fx.engine().revoke(fx.who("bob"), g->id, QStringLiteral("incident over")));
    const qint64 head = fx.engine().store().lastSeq();
    QVERIFY(head >= before + 4); // created, approved, activated, revoked

    QTRY_COMPARE(seqsOf(receiver.deliveries()), range(before + 1, head));
    const QList<Event> events = fx.engine().store().events(before, 100);
    const QList<ReceivedDelivery> got = receiver.deliveries();
    for (int i = 0; i < got.size(); ++i) {
        const ReceivedDelivery& r = got.at(i);
        QVERIFY2(r.signatureValid, qPrintable(r.deliveryId));
        QCOMPARE(r.contentType, QByteArray("application/json"));
        QCOMPARE(r.deliveryId, QStringLiteral("chat-%1").arg(r.seq));
        const QJsonObject body = QJsonDocument::fromJson(r.body).object();
        QCOMPARE(body.value("delivery").toString(), r.deliveryId);
        QCOMPARE(body.value("type").toString(), events.at(i).type);
        QVERIFY(!body.value("at").toString().isEmpty());
        // The event as the log holds it: its hash and its body byte for byte.
        const QJsonObject ev = body.value("event").toObject();
        QCOMPARE(ev.value("hash").toString().toLatin1(), events.at(i).hash);
        QCOMPARE(ev.value("body").toString().toUtf8(), events.at(i).body);
        QVERIFY(!body.value("text").toString().isEmpty());
    }
    const QJsonObject revoked = QJsonDocument::fromJson(got.last().body).object();
    QCOMPARE(revoked.value("type").toString(), QStringLiteral("grant.revoked"));
    QCOMPARE(revoked.value("text").toString(),
        QStringLiteral("alice's grant %1 on billing-db was revoked by bob: incident over").arg(g->id));

    // /metrics counts them, and nothing is left to send.
    QTRY_COMPARE(d.value()->sinkStatus().value(0).cursor, head);
    const QByteArray metrics = ApiService(fx.engine()).prometheusMetrics();
    QVERIFY2(metrics.contains(
                 "lapse_webhook_deliveries_total{sink=\"chat\"} " + QByteArray::number(head - before)),
        metrics.constData());
    QVERIFY(metrics.contains("lapse_webhook_failures_total{sink=\"chat\"} 0\n"));
    QVERIFY(metrics.contains("lapse_webhook_lag_events{sink=\"chat\"} 0\n"));
    d.value()->stop();
    QVERIFY(!ApiService(fx.engine()).prometheusMetrics().contains("lapse_webhook"));
    // A stop leaves the cursor on disk where delivery stood.
    auto onDisk = WebhookCursor(fx.dataDir(), QStringLiteral("chat")).read();
    LAPSE_VERIFY_OK(onDisk);
    QCOMPARE(onDisk.value(), head);
}

void TestWebhooks::pythonAgreesOnTheSignature()
{
    // An HMAC implementation this project did not write checks one captured delivery.
    EngineFixture fx;
    QVERIFY(fx.ok());
    WebhookReceiver receiver(kSecret);
    QVERIFY(receiver.start());
    auto d = WebhookDispatcher::start(fx.engine(), NotificationConfig {{sinkFor(receiver)}}, fastOptions());
    LAPSE_VERIFY_OK(d);
    LAPSE_VERIFY_OK(fx.submit(QStringLiteral("alice"), QStringLiteral("billing-db")));
    QTRY_COMPARE(receiver.deliveries().size(), 1);
    const ReceivedDelivery r = receiver.deliveries().first();

    QTemporaryDir dir;
    QFile body(dir.filePath("body.json")), secret(dir.filePath("secret"));
    QVERIFY(body.open(QIODevice::WriteOnly) && secret.open(QIODevice::WriteOnly));
    body.write(r.body);
    secret.write(kSecret);
    body.close();
    secret.close();
    QProcess python;
    python.start(QStringLiteral("python3"),
        {"-c",
            "import hmac, hashlib, sys\n"
            "key = open(sys.argv[1], 'rb').read(); body = open(sys.argv[2], 'rb').read()\n"
            "print('sha256=' + hmac.new(key, body, hashlib.sha256).hexdigest())\n",
            secret.fileName(), body.fileName()});
    QVERIFY(python.waitForFinished(30000));
    QCOMPARE(python.exitCode(), 0);
    QCOMPARE(python.readAllStandardOutput().trimmed(), r.signature);
    // A tampered body does not verify.
    QVERIFY(WebhookMessage::sign(kSecret, r.body + " ") != r.signature);
}

void TestWebhooks::takesOnlyItsEventTypes()
{
    EngineFixture fx;
    QVERIFY(fx.ok());
    WebhookReceiver receiver(kSecret);
    QVERIFY(receiver.start());
    auto d = WebhookDispatcher::start(fx.engine(),
        NotificationConfig {{sinkFor(receiver, QStringLiteral("revocations"), {"grant.revoked"})}},
        fastOptions());
    LAPSE_VERIFY_OK(d);
    auto g1 = fx.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db"));
    auto g2 = fx.grantFor(QStringLiteral("dave"), QStringLiteral("billing-db"));
    LAPSE_VERIFY_OK(g1);
    LAPSE_VERIFY_OK(g2);
    LAPSE_VERIFY_OK(fx.engine().revoke(fx.who("bob"), g1->id, QStringLiteral("done")));
    LAPSE_VERIFY_OK(fx.engine().revoke(fx.who("carol"), g2->id, QStringLiteral("done")));
    const qint64 head = fx.engine().store().lastSeq();
    QTRY_COMPARE(d.value()->sinkStatus().value(0).cursor, head); // past the events it does not take
    const QList<ReceivedDelivery> got = receiver.deliveries();
    QCOMPARE(got.size(), 2);
    for (const auto& r : got)
        QCOMPARE(QJsonDocument::fromJson(r.body).object().value("type").toString(),
            QStringLiteral("grant.revoked"));
    QCOMPARE(fx.engine().store().events(got.at(1).seq - 1, 1).value(0).subject, g2->id);
}

void TestWebhooks::receiverDownAndBackGetsEveryEventOnceInOrder()
{
    EngineFixture fx;
    QVERIFY(fx.ok());
    WebhookReceiver receiver(kSecret);
    QVERIFY(receiver.start());
    auto d = WebhookDispatcher::start(fx.engine(), NotificationConfig {{sinkFor(receiver)}}, fastOptions());
    LAPSE_VERIFY_OK(d);
    QSignalSpy failed(d.value().get(), &WebhookDispatcher::deliveryFailed);
    const qint64 start = fx.engine().store().lastSeq();
    LAPSE_VERIFY_OK(fx.submit(QStringLiteral("alice"), QStringLiteral("billing-db")));
    QTRY_COMPARE(receiver.deliveries().size(), 1);

    receiver.goDown();
    // Requests happen while nobody listens.
    for (int i = 0; i < 5; ++i)
        LAPSE_VERIFY_OK(fx.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db")));
    QTRY_VERIFY(failed.size() >= 3); // retried, with backoff
    QCOMPARE(receiver.deliveries().size(), 1);
    const QByteArray metrics = ApiService(fx.engine()).prometheusMetrics();
    QVERIFY2(!metrics.contains("lapse_webhook_failures_total{sink=\"chat\"} 0\n"), metrics.constData());
    QVERIFY2(!metrics.contains("lapse_webhook_lag_events{sink=\"chat\"} 0\n"), metrics.constData());

    QVERIFY(receiver.comeBack());
    LAPSE_VERIFY_OK(fx.submit(QStringLiteral("dave"), QStringLiteral("billing-db")));
    const qint64 head = fx.engine().store().lastSeq();
    QTRY_COMPARE(seqsOf(receiver.deliveries()), range(start + 1, head)); // every event once, in order
    for (const auto& r : receiver.deliveries())
        QVERIFY(r.signatureValid);
    QCOMPARE(d.value()->sinkStatus().value(0).delivered, head - start);
}

void TestWebhooks::restartLosesNoEvent()
{
    EngineFixture fx;
    QVERIFY(fx.ok());
    WebhookReceiver receiver(kSecret);
    QVERIFY(receiver.start());
    const NotificationConfig config {{sinkFor(receiver)}};
    auto d = WebhookDispatcher::start(fx.engine(), config, fastOptions());
    LAPSE_VERIFY_OK(d);
    const qint64 start = fx.engine().store().lastSeq();
    LAPSE_VERIFY_OK(fx.submit(QStringLiteral("alice"), QStringLiteral("billing-db")));
    QTRY_COMPARE(receiver.answered(), 1);

    // The next delivery reaches the receiver, which does not answer before the dispatcher stops: its cursor
    // never moved past it.
    receiver.setHolding(true);
    LAPSE_VERIFY_OK(fx.submit(QStringLiteral("dave"), QStringLiteral("billing-db")));
    QTRY_COMPARE(receiver.held(), 1);
    const QString unanswered = receiver.deliveries().last().deliveryId;
    d.value().reset();
    // Events while no dispatcher runs, then a new one on the same data directory.
    for (int i = 0; i < 3; ++i)
        LAPSE_VERIFY_OK(fx.grantFor(QStringLiteral("alice"), QStringLiteral("billing-db")));
    receiver.setHolding(false);
    receiver.release();
    auto again = WebhookDispatcher::start(fx.engine(), config, fastOptions());
    LAPSE_VERIFY_OK(again);
    const qint64 head = fx.engine().store().lastSeq();
    QTRY_COMPARE(again.value()->sinkStatus().value(0).cursor, head);

    // At least once: the unanswered one came again under the same id; deduplicated by id, no gap, in order.
    QList<qint64> unique;
    QSet<QString> seen;
    int repeats = 0;
    for (const auto& r : receiver.deliveries()) {
        QVERIFY(r.signatureValid);
        if (seen.contains(r.deliveryId)) {
            QCOMPARE(r.deliveryId, unanswered);
            ++repeats;
            continue;
        }
        seen.insert(r.deliveryId);
        unique << r.seq;
    }
    QCOMPARE(repeats, 1);
    QCOMPARE(unique, range(start + 1, head));
}

void TestWebhooks::slowReceiverDoesNotHoldUpApprovals()
{
    EngineFixture fx;
    QVERIFY(fx.ok());
    WebhookReceiver receiver(kSecret);
    QVERIFY(receiver.start());
    receiver.setHolding(true); // answers nothing until released
    auto d = WebhookDispatcher::start(fx.engine(), NotificationConfig {{sinkFor(receiver)}}, fastOptions());
    LAPSE_VERIFY_OK(d);
    QSignalSpy delivered(d.value().get(), &WebhookDispatcher::delivered);
    const qint64 start = fx.engine().store().lastSeq();
    LAPSE_VERIFY_OK(fx.submit(QStringLiteral("alice"), QStringLiteral("billing-db")));
    QTRY_COMPARE(receiver.held(), 1); // a delivery is outstanding

    // Twenty approvals complete, each durable, while the receiver has still not answered the first event.
    QList<Grant> grants;
    for (int i = 0; i < 20; ++i) {
        auto g = fx.grantFor(
            i % 2 ? QStringLiteral("alice") : QStringLiteral("dave"), QStringLiteral("billing-db"));
        LAPSE_VERIFY_OK(g);
        grants << g.value();
    }
    QCOMPARE(grants.size(), 20);
    QCOMPARE(receiver.held(), 1);
    QCOMPARE(receiver.answered(), 0);
    QCOMPARE(receiver.deliveries().size(), 1);
    QCOMPARE(delivered.size(), 0);
    QCOMPARE(fx.engine().activeGrantCount(), 20);

    // Once it answers, the backlog follows in order.
    receiver.setHolding(false);
    receiver.release();
    const qint64 head = fx.engine().store().lastSeq();
    QTRY_COMPARE(seqsOf(receiver.deliveries()), range(start + 1, head));
}

void TestWebhooks::brokerDeliversAndRestarts()
{
    // lapse-broker itself with --notifications: deliveries from its approvals, /metrics, and a restart with a
    // delivery unanswered.
    WebhookReceiver receiver(kSecret);
    QVERIFY(receiver.start());
    QTemporaryDir dir;
    QVERIFY(writeSecret(dir.filePath("hook.secret"), QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QFile conf(dir.filePath("notifications.json"));
    QVERIFY(conf.open(QIODevice::WriteOnly));
    conf.write(QJsonDocument(QJsonObject {{"webhooks",
                                 QJsonArray {QJsonObject {{"id", "chat"}, {"url", receiver.url()},
                                     {"events", "*"}, {"secret_file", "hook.secret"}}}}})
                   .toJson());
    conf.close();
    testing::BrokerProcess::Options options;
    options.tls = false;
    options.extraArgs = QStringList {"--notifications", conf.fileName()};
    testing::BrokerProcess broker(options);
    QString error;
    const QByteArray alice = broker.createKey(QStringLiteral("alice"), &error);
    const QByteArray carol = broker.createKey(QStringLiteral("carol"), &error);
    QVERIFY2(!alice.isEmpty() && !carol.isEmpty(), qPrintable(error));
    QVERIFY2(broker.start(&error), qPrintable(error));
    testing::HttpClient http(broker.url(), broker.caFile());
    auto approvedRequest = [&]() -> bool {
        const QJsonObject body {{"target", "billing-db"}, {"privileges", QJsonArray {"read"}},
            {"task", "reconcile invoice 4411"}, {"reason", "customer dispute"}, {"ticket", "FIN-88"},
            {"ttl_seconds", 600}};
        const testing::HttpReply r = http.post(QStringLiteral("/v1/requests"), alice, body);
        const QString id = r.json().value(QStringLiteral("id")).toString();
        return r.status == 201
            && http.post(QStringLiteral("/v1/requests/%1/approve").arg(id), carol, {}).status == 200;
    };
    QVERIFY(approvedRequest());
    const qint64 head = http.get(QStringLiteral("/healthz"), {}).json().value("last_seq").toInteger();
    // The keys were created before the sink existed: it starts with the first request.
    QTRY_COMPARE_WITH_TIMEOUT(receiver.deliveries().size(), 3, 15000);
    QCOMPARE(seqsOf(receiver.deliveries()), range(head - 2, head));
    QCOMPARE(QJsonDocument::fromJson(receiver.deliveries().at(2).body).object().value("type").toString(),
        QStringLiteral("grant.activated"));
    QTRY_VERIFY_WITH_TIMEOUT(http.get(QStringLiteral("/metrics"), {})
                                 .body.contains("lapse_webhook_deliveries_total{sink=\"chat\"} 3\n"),
        15000);

    // A delivery the receiver has not answered when the broker stops is sent again by the next broker.
    receiver.setHolding(true);
    QVERIFY(approvedRequest());
    QTRY_COMPARE_WITH_TIMEOUT(receiver.held(), 1, 15000);
    const QString unanswered = receiver.deliveries().last().deliveryId;
    broker.stop();
    receiver.setHolding(false);
    receiver.release();
    QVERIFY2(broker.start(&error), qPrintable(error));
    const qint64 last = http.get(QStringLiteral("/healthz"), {}).json().value("last_seq").toInteger();
    QCOMPARE(last, head + 3);
    QTRY_VERIFY_WITH_TIMEOUT(receiver.deliveries().size() >= 7, 15000);
    QList<qint64> unique;
    QSet<QString> seen;
    for (const auto& r : receiver.deliveries()) {
        QVERIFY(r.signatureValid);
        if (seen.contains(r.deliveryId)) {
            QCOMPARE(r.deliveryId, unanswered);
            continue;
        }
        seen.insert(r.deliveryId);
        unique << r.seq;
    }
    QCOMPARE(unique, range(head - 2, last));
    QVERIFY(
        http.get(QStringLiteral("/metrics"), {}).body.contains("lapse_webhook_lag_events{sink=\"chat\"}"));
}

QTEST_GUILESS_MAIN(TestWebhooks)
#include "TestWebhooks.moc"
