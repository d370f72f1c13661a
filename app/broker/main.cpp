// lapse-broker: serve the grant engine over HTTPS, and manage its API keys and signing keys.
#include "http/HttpFrontend.h"
#include "http/HttpWorker.h"
#include "http/ListenAddress.h"
#include "http/ThreadedHttpListener.h"

#include "core/Clock.h"
#include "domain/Directory.h"
#include "enforcement/PgEnforcement.h"
#include "engine/Engine.h"
#include "notify/NotificationConfig.h"
#include "notify/WebhookDispatcher.h"
#include "pgstore/PgLease.h"
#include "pgstore/PgListener.h"
#include "pgstore/PgSql.h"
#include "pgstore/PgStore.h"
#include "pgstore/StoreMigration.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QHostAddress>
#include <QSocketNotifier>
#include <QSslCertificate>
#include <QSslKey>
#include <QTcpServer>
#include <QThread>
#include <QTimer>
#include <csignal>
#include <cstdio>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

using namespace lapse;

namespace
{
int fail(const QString& message)
{
    std::fprintf(stderr, "lapse-broker: %s\n", qPrintable(message));
    return 1;
}

// A PostgreSQL connection string from the command line may name everything but the password: that belongs in
// a passfile (passfile=... or PGPASSFILE), never in a process's arguments where any local user can read it.
Status checkConninfo(const QString& conninfo, const char* option)
{
    if (pg::carriesPassword(conninfo))
        return makeError(ErrorCode::Invalid,
            QStringLiteral("%1 must not carry a password; put it in a passfile (passfile=FILE or PGPASSFILE)")
                .arg(QLatin1String(option)));
    return Ok {};
}

Result<std::unique_ptr<Engine>> openEngine(const QString& dataDir, const QString& directoryFile, int sweepMs,
    const QString& logOrigin, const QString& defaultLogOrigin, bool serving, const QString& store)
{
    if (dataDir.isEmpty() || directoryFile.isEmpty())
        return makeError(ErrorCode::Invalid, QStringLiteral("--data DIR and --directory FILE are required"));
    auto dir = Directory::load(directoryFile);
    if (!dir)
        return dir.error();
    EngineConfig cfg;
    cfg.dataDir = dataDir;
    cfg.directory = std::move(dir).value();
    cfg.sweepIntervalMs = sweepMs;
    cfg.logOrigin = logOrigin;
    cfg.defaultLogOrigin = defaultLogOrigin;
    cfg.cutCheckpoints = serving; // `keys create` and `keys rotate` leave checkpoints to the serving broker
    // Brokers sharing a store do the work that must happen once only under the lease (see main()).
    cfg.exclusiveWork = store.isEmpty();
    if (!store.isEmpty()) {
        if (const Status s = checkConninfo(store, "--store"); !s)
            return s.error();
        // The log, the state and the rollups on PostgreSQL; the signing keys stay in --data.
        cfg.openStore = [store](const QString&) -> Result<std::unique_ptr<Store>> {
            auto s = PgStore::open(store);
            if (!s)
                return s.error();
            return std::unique_ptr<Store>(std::move(s).value());
        };
    }
    return Engine::open(std::move(cfg));
}

// The TLS private key, read by OpenSSL itself (RSA, ECDSA P-256/P-384, Ed25519 — QSslKey's PEM reader knows
// no Ed25519) and handed to Qt as a native handle; refused when it is not the certificate's key.
Result<QSslKey> loadKey(const QString& path, const QString& certPath)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Invalid, QStringLiteral("cannot read %1").arg(path));
    const QByteArray pem = f.readAll();
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(pem.constData(), int(pem.size())), &BIO_free);
    EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (!key)
        return makeError(ErrorCode::Invalid,
            QStringLiteral("cannot read a PEM private key from %1 (RSA, ECDSA or Ed25519, unencrypted)")
                .arg(path));
    QFile c(certPath);
    const QByteArray certPem = c.open(QIODevice::ReadOnly) ? c.readAll() : QByteArray();
    std::unique_ptr<BIO, decltype(&BIO_free)> certBio(
        BIO_new_mem_buf(certPem.constData(), int(certPem.size())), &BIO_free);
    std::unique_ptr<X509, decltype(&X509_free)> cert(
        certBio ? PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr) : nullptr, &X509_free);
    if (!cert || X509_check_private_key(cert.get(), key) != 1) {
        EVP_PKEY_free(key);
        return makeError(ErrorCode::Invalid,
            QStringLiteral("the private key %1 does not belong to the certificate %2").arg(path, certPath));
    }
    QSslKey k(Qt::HANDLE(key), QSsl::PrivateKey); // Qt owns the key from here
    if (k.isNull())
        return makeError(ErrorCode::Invalid, QStringLiteral("Qt cannot use the private key in %1").arg(path));
    return k;
}
} // namespace

int main(int argc, char** argv)
{
    // Qt's own event dispatcher instead of GLib's: a daemon needs no GLib main loop, and under keep-alive TLS
    // load it costs about 14 % less CPU per request (bench_broker's *_server_cpu_us), on every HTTP thread.
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("lapse-broker"));
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Lapse grant broker.\n  lapse-broker --data DIR --directory FILE --listen HOST:PORT "
                       "--tls-cert PEM --tls-key PEM\n"
                       "  lapse-broker keys create --data DIR --directory FILE --principal ID\n"
                       "  lapse-broker keys rotate --data DIR --directory FILE\n"
                       "  lapse-broker migrate --from DIR --to CONNINFO"));
    p.addHelpOption();
    p.addOptions({{"data", "State directory (SQLite store, signing keys).", "DIR"},
        {"store",
            "Keep the log and state in PostgreSQL instead of DIR's SQLite file (a libpq connection string or "
            "postgresql:// URI, without a password: use a passfile). The keys stay in --data.",
            "CONNINFO"},
        {"from", "For 'migrate': the data directory whose SQLite store is copied.", "DIR"},
        {"to", "For 'migrate': the empty PostgreSQL database to copy into.", "CONNINFO"},
        {"directory", "Directory file (principals and targets, JSON).", "FILE"},
        {"listen", "Address and port to serve on.", "HOST:PORT", "127.0.0.1:8443"},
        {"tls-cert", "TLS certificate chain (PEM).", "PEM"}, {"tls-key", "TLS private key (PEM).", "PEM"},
        {"insecure-http", "Serve plain HTTP (loopback addresses only)."},
        // One core stays the engine's: its thread runs every write and every forwarded request.
        {"workers", "HTTP threads (default: one per core but one; 0: serve on the engine's thread).", "N",
            QString::number(qMax(1, QThread::idealThreadCount() - 1))},
        {"principal", "Principal for 'keys create'.", "ID"}, {"label", "Label for 'keys create'.", "TEXT"},
        {"log-origin",
            "Names the log in its signed checkpoints (kept in DIR/keys/log-origin; default for a new log: "
            "HOST:PORT/lapse from --listen).",
            "NAME"},
        {"notifications",
            "Webhooks to notify of events (JSON: {\"webhooks\":[{\"id\", \"url\", \"events\", "
            "\"secret_file\", \"timeout_seconds\"}]}; see the README).",
            "FILE"}});
    p.addPositionalArgument("command", "serve (default), 'keys create' / 'keys rotate', or 'migrate'.");
    p.process(app);
    const QStringList args = p.positionalArguments();

    if (!args.isEmpty() && args.first() == QLatin1String("migrate")) {
        if (!p.isSet("from") || !p.isSet("to"))
            return fail(QStringLiteral("migrate needs --from DIR and --to CONNINFO"));
        if (const Status s = checkConninfo(p.value("to"), "--to"); !s)
            return fail(s.error().message);
        auto done = migrateSqliteToPostgres(p.value("from"), p.value("to"), [](qint64 n) {
            if (n % 100'000 == 0)
                std::fprintf(stderr, "lapse-broker: %lld events copied\n", static_cast<long long>(n));
        });
        if (!done)
            return fail(done.error().message);
        const MigrationReport& r = done.value();
        std::printf(
            "migrated %lld events (chain and tree verified; root %s), %lld requests, %lld grants, %lld "
            "sessions, %lld lockouts, %lld API keys, %lld checkpoints\n",
            static_cast<long long>(r.events), r.treeRoot.constData(), static_cast<long long>(r.requests),
            static_cast<long long>(r.grants), static_cast<long long>(r.sessions),
            static_cast<long long>(r.lockouts), static_cast<long long>(r.apiKeys),
            static_cast<long long>(r.checkpoints));
        return 0;
    }

    if (!args.isEmpty() && args.first() == QLatin1String("keys")) {
        auto engine = openEngine(p.value("data"), p.value("directory"), 0, p.value("log-origin"),
            p.value("listen") + QStringLiteral("/lapse"), false, p.value("store"));
        if (!engine)
            return fail(engine.error().message);
        if (args.value(1) == QLatin1String("create")) {
            auto key = engine.value()->createApiKey(p.value("principal"), p.value("label"));
            if (!key)
                return fail(key.error().message);
            std::printf("API key for %s (shown once, stored only as a hash):\n%s\n",
                qPrintable(p.value("principal")), key.value().constData());
            return 0;
        }
        if (args.value(1) == QLatin1String("rotate")) {
            Principal admin;
            admin.id = QStringLiteral("lapse-broker");
            admin.roles = unsigned(Role::Admin);
            if (const Status s = engine.value()->rotateSigningKey(admin); !s)
                return fail(s.error().message);
            std::printf(
                "signing key rotated; current kid %s\n", qPrintable(engine.value()->keys().currentKid()));
            return 0;
        }
        return fail(QStringLiteral("unknown keys command '%1' (create, rotate)").arg(args.value(1)));
    }
    if (!args.isEmpty() && args.first() != QLatin1String("serve"))
        return fail(QStringLiteral("unknown command '%1'").arg(args.first()));

    const QString listen = p.value("listen");
    const std::optional<ListenAddress> listenAddress = parseListenAddress(listen);
    if (!listenAddress)
        return fail(QStringLiteral("--listen takes HOST:PORT, e.g. 127.0.0.1:8443"));
    const QHostAddress address = listenAddress->address;
    const quint16 port = listenAddress->port;

    const bool insecure = p.isSet("insecure-http");
    if (insecure && !address.isLoopback())
        return fail(QStringLiteral("--insecure-http is only allowed on a loopback address"));
    QSslCertificate cert;
    QSslKey key;
    if (!insecure) {
        if (!p.isSet("tls-cert") || !p.isSet("tls-key"))
            return fail(
                QStringLiteral("--tls-cert and --tls-key are required (or --insecure-http on loopback)"));
        const auto certs = QSslCertificate::fromPath(p.value("tls-cert"), QSsl::Pem);
        if (certs.isEmpty())
            return fail(QStringLiteral("cannot read a PEM certificate from %1").arg(p.value("tls-cert")));
        cert = certs.first();
        auto loaded = loadKey(p.value("tls-key"), p.value("tls-cert"));
        if (!loaded)
            return fail(loaded.error().message);
        key = loaded.value();
    }

    bool workersOk = false;
    const int workers = p.value("workers").toInt(&workersOk);
    if (!workersOk || workers < 0 || workers > 256)
        return fail(QStringLiteral("--workers takes a number of threads, 0 to 256"));

    // Read before the engine opens: a sink the broker cannot serve stops it before anything listens.
    std::optional<NotificationConfig> notifications;
    if (p.isSet("notifications")) {
        auto loaded = NotificationConfig::load(p.value("notifications"));
        if (!loaded)
            return fail(loaded.error().message);
        notifications = std::move(loaded).value();
    }

    auto engine = openEngine(p.value("data"), p.value("directory"), 1000, p.value("log-origin"),
        listen + QStringLiteral("/lapse"), true, p.value("store"));
    if (!engine)
        return fail(engine.error().message);
    // On a shared PostgreSQL store other brokers commit too: LISTEN wakes this one to follow them at once
    // (streams, waiters, the grants and lockouts in memory), and a one-second poll covers a listener that is
    // reconnecting.
    std::unique_ptr<PgListener> listener;
    QTimer followPoll;
    if (p.isSet("store")) {
        Engine* e = engine.value().get();
        const auto follow = [e] {
            if (const Status s = e->followStore(); !s)
                std::fprintf(
                    stderr, "lapse-broker: cannot follow the store: %s\n", qPrintable(s.error().message));
        };
        auto started = PgListener::start(p.value("store"));
        if (!started)
            return fail(started.error().message);
        listener = std::move(started).value();
        QObject::connect(listener.get(), &PgListener::committed, e, follow);
        QObject::connect(listener.get(), &PgListener::connectionLost, e, [](const QString& why) {
            std::fprintf(
                stderr, "lapse-broker: store listener lost its connection (%s); retrying\n", qPrintable(why));
        });
        followPoll.setInterval(1000);
        QObject::connect(&followPoll, &QTimer::timeout, e, follow);
        followPoll.start();
    }
    // PostgreSQL targets: their logins, sessions and verified ends (nothing when the directory has none).
    auto enforcement = PgEnforcement::attach(*engine.value());
    if (!enforcement)
        return fail(enforcement.error().message);
    // Webhooks: driven from the log on their own thread; the engine only wakes them after each commit.
    std::unique_ptr<WebhookDispatcher> webhooks;
    // On PostgreSQL the worker reads the log through a connection of its own, as it reads a SQLite file.
    WebhookWorker::StoreOpener webhookReader;
    if (p.isSet("store"))
        webhookReader = [store = p.value("store")]() -> Result<std::unique_ptr<Store>> {
            auto s = PgStore::open(store);
            if (!s)
                return s.error();
            return std::unique_ptr<Store>(std::move(s).value());
        };
    const auto startWebhooks = [&]() -> Status {
        if (!notifications || webhooks)
            return Ok {};
        auto started = WebhookDispatcher::start(*engine.value(), *notifications, {}, webhookReader);
        if (!started)
            return started.error();
        webhooks = std::move(started).value();
        return Ok {};
    };
    // Work that must happen once among brokers sharing a store (the timer's sweep, checkpoints, webhooks)
    // runs under a lease: taken when free, given up the moment its connection fails; another broker takes it
    // over within a few seconds of this one's death. Alone on SQLite, this broker does it all from the start.
    std::unique_ptr<PgLease> lease;
    if (p.isSet("store")) {
        lease = std::make_unique<PgLease>(p.value("store"), QStringLiteral("exclusive-work"));
        Engine* e = engine.value().get();
        QObject::connect(lease.get(), &PgLease::acquired, e, [e, &startWebhooks] {
            std::printf(
                "lapse-broker: lease taken: this broker sweeps, cuts checkpoints and sends webhooks\n");
            std::fflush(stdout);
            e->setExclusiveWork(true);
            if (const Status s = startWebhooks(); !s)
                std::fprintf(stderr, "lapse-broker: webhooks: %s\n", qPrintable(s.error().message));
        });
        QObject::connect(lease.get(), &PgLease::lost, e, [e, &webhooks](const QString& why) {
            std::fprintf(stderr, "lapse-broker: lease lost (%s): standing by\n", qPrintable(why));
            e->setExclusiveWork(false);
            if (webhooks)
                webhooks->stop();
            webhooks.reset();
        });
        lease->start();
    } else if (const Status s = startWebhooks(); !s) {
        return fail(s.error().message);
    }
    HttpFrontend server(*engine.value());
    // With workers, HTTP and TLS run on their threads and only what needs the engine comes to this one.
    std::unique_ptr<ThreadedHttpListener> threaded;
    quint16 bound = 0;
    if (workers == 0) {
        if (!insecure)
            server.sslSetup(cert, key);
        bound = server.listen(address, port);
    } else {
        std::optional<QSslConfiguration> tls;
        if (!insecure) {
            QSslConfiguration conf;
            conf.setLocalCertificate(cert);
            conf.setPrivateKey(key);
            tls = conf;
        }
        const IntrospectionSnapshot& snapshot = engine.value()->snapshot();
        threaded = std::make_unique<ThreadedHttpListener>(
            workers, [&server, &snapshot] { return std::make_unique<HttpWorker>(server, snapshot); }, tls);
        if (threaded->start(address, port))
            bound = threaded->serverPort();
    }
    if (!bound)
        return fail(QStringLiteral("cannot listen on %1").arg(listen));
    std::printf("lapse-broker listening on %s://%s:%u (events at seq %lld)\n", insecure ? "http" : "https",
        qPrintable(address.toString()), unsigned(bound),
        static_cast<long long>(engine.value()->store().lastSeq()));
    std::fflush(stdout);
    // SIGTERM/SIGINT: the handler only writes a byte to a pipe (async-signal-safe); the event loop reads it
    // and quits, so in-flight writes finish and the store closes cleanly.
    static int signalPipe[2] = {-1, -1};
    if (::pipe(signalPipe) != 0)
        return fail(QStringLiteral("cannot create the signal pipe"));
    QSocketNotifier onSignal(signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&onSignal, &QSocketNotifier::activated, &app, [] {
        char c;
        (void)::read(signalPipe[0], &c, 1);
        QCoreApplication::quit();
    });
    struct sigaction sa {
    };
    sa.sa_handler = [](int) {
        const char c = 1;
        (void)::write(signalPipe[1], &c, 1);
    };
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    const int rc = app.exec();
    threaded.reset(); // the threads stop before the frontend and the engine they forward to
    webhooks.reset(); // deliveries in flight are sent again on the next start (their cursors did not move)
    enforcement.value().reset(); // its threads stop before the engine they record through
    std::printf(
        "lapse-broker stopped at event %lld\n", static_cast<long long>(engine.value()->store().lastSeq()));
    return rc;
}
