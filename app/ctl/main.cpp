// lapsectl: ask for access, decide, revoke and read the trail — against a broker, or a store read directly.
#include "Commands.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <cstdio>

using namespace lapse;
using namespace lapse::ctl;

int main(int argc, char** argv)
{
    // An evidence export renders its report (QtCharts, QPdfWriter): that needs a GUI application, never a
    // display. Every other command stays a console application.
    bool renders = false;
    for (int i = 1; i + 1 < argc; ++i)
        renders = renders || (qstrcmp(argv[i], "evidence") == 0 && qstrcmp(argv[i + 1], "export") == 0);
    if (renders && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    // A GUI application wants a private runtime directory; a shell under sudo or cron often has none, and Qt
    // would warn on stderr, where lapsectl keeps one line per failure.
    std::unique_ptr<QTemporaryDir> runtimeDir;
    if (renders && qEnvironmentVariableIsEmpty("XDG_RUNTIME_DIR")) {
        runtimeDir
            = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/lapsectl-runtime-XXXXXX"));
        if (runtimeDir->isValid())
            qputenv("XDG_RUNTIME_DIR", QFile::encodeName(runtimeDir->path()));
    }
    std::unique_ptr<QCoreApplication> application = renders ? std::make_unique<QApplication>(argc, argv)
                                                            : std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication& app = *application;
    QCoreApplication::setApplicationName(QStringLiteral("lapsectl"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LAPSE_VERSION_STRING));
    QString help = QStringLiteral("Lapse command line.\n\nCommands:\n");
    for (const auto& c : commands())
        help += QStringLiteral("  ") + c.synopsis + QLatin1Char('\n');
    help += QStringLiteral(
        "\nA broker: --url URL --key KEY (or LAPSE_URL, LAPSE_KEY, LAPSE_CA). A store, read-only: --data "
        "DIR.\n"
        "Exit codes: 0 ok, 1 other failure, 2 usage, 3 unauthenticated/forbidden, 4 rejected "
        "(malformed, not found, conflict, invalid), 5 broker unavailable.");
    QCommandLineParser p;
    p.setApplicationDescription(help);
    p.addHelpOption();
    p.addOptions({
        {"url", "Broker URL (env LAPSE_URL).", "URL"},
        {"key", "API key (env LAPSE_KEY).", "KEY"},
        {"key-file", "Read the API key from a file.", "FILE"},
        {"ca", "Extra trusted CA certificates, PEM (env LAPSE_CA).", "FILE"},
        {"data", "Read a store directly (read-only).", "DIR"},
        {"directory", "Directory file for --data (default DIR/directory.json).", "FILE"},
        {"json", "Print JSON."},
        {"target", "Target to access; evidence: a target in scope (repeatable).", "ID"},
        {"privileges", "Comma-separated privileges.", "LIST"},
        {"min-privileges", "The minimum the task needs.", "LIST"},
        {"task", "What the access is for.", "TEXT"},
        {"reason", "Why (required to request, deny, revoke, lock out).", "TEXT"},
        {"ticket", "Ticket reference.", "REF"},
        {"ttl", "Time to live in seconds.", "SECONDS", "900"},
        {"break-glass", "Emergency access (flagged, reviewed after the fact)."},
        {"wait", "Block until the request is decided and print the credential."},
        {"conninfo",
            "With --wait on a PostgreSQL target: print the login's libpq connection string instead."},
        {"timeout", "How long --wait waits.", "SECONDS", "600"},
        {"comment", "Comment recorded with an approval.", "TEXT"},
        {"status", "Filter lists by status.", "STATUS"},
        {"after", "Events after this sequence number.", "SEQ", "0"},
        {"limit", "Page size.", "N"},
        {"follow", "Keep following new events."},
        {"from", "Metrics, evidence: grants started at or after (ISO 8601 UTC, or a day).", "ISO"},
        {"to", "Metrics, evidence: grants started before (ISO 8601 UTC, or a day).", "ISO"},
        {"kind", "Metrics, evidence: only identities of this kind (evidence: repeatable).", "KIND"},
        {"repeat", "Metrics: repeated-elevation threshold within 7 days.", "N"},
        {"http-timeout", "Per-call timeout in seconds.", "SECONDS", "30"},
        {"checkpoint", "verify: a signed checkpoint kept elsewhere to check the store against.", "FILE"},
        {"log-key", "The log's verifier key (vkey line) to trust.", "FILE"},
        {"state", "log watch: the witness's state file.", "FILE"},
        {"interval", "log watch --follow: seconds between checks.", "SECONDS", "10"},
        {"seq", "log prove: the event's sequence number.", "SEQ"},
        {"cut", "log checkpoint: cut a checkpoint of the head first (auditor, admin)."},
        {"size", "log prove: the checkpoint's tree size (default: the latest).", "N"},
        {"out", "evidence export: the pack's file, or a folder for its standard name.", "FILE"},
        {"sample", "evidence export: how many grants to sample (default 25).", "N"},
        {"seed", "evidence export: the sample's seed, to draw a sample again.", "S"},
        {"mirror", "evidence export --url: the local mirror file (default in the user's cache).", "FILE"},
        {"identity", "review decide: the identity reviewed.", "ID"},
        {"outcome", "review decide: keep-jit, convert-to-rule or standing-entitlement.", "OUTCOME"},
        {"request",
            "policy test: the request as JSON (requester, target, privileges, ttl_seconds, ticket, task, "
            "break_glass, at), or @FILE.",
            "JSON"},
    });
    p.addPositionalArgument("command", "One of the commands above.");
    if (!p.parse(app.arguments())) {
        std::fprintf(stderr, "lapsectl: %s\n", qPrintable(p.errorText()));
        return Usage;
    }
    if (p.isSet("help"))
        p.showHelp(0);
    const QStringList positional = p.positionalArguments();
    if (positional.isEmpty()) {
        std::fprintf(stderr, "lapsectl: no command (try --help)\n");
        return Usage;
    }
    const auto cmd = commands().constFind(positional.first());
    if (cmd == commands().cend()) {
        std::fprintf(stderr, "lapsectl: unknown command '%s' (try --help)\n", qPrintable(positional.first()));
        return Usage;
    }

    std::unique_ptr<Transport> transport;
    // An evidence pack is verified offline, and exported from --data without a broker.
    const bool offlineEvidence = positional.first() == QLatin1String("evidence")
        && (positional.value(1) == QLatin1String("verify") || p.isSet("data"));
    if (cmd->needsTransport && !offlineEvidence) {
        const QString url = p.isSet("url") ? p.value("url") : qEnvironmentVariable("LAPSE_URL");
        if (p.isSet("data") && p.isSet("url")) {
            std::fprintf(stderr, "lapsectl: give either --url or --data, not both\n");
            return Usage;
        }
        if (p.isSet("data")) {
            auto t = StoreTransport::open(p.value("data"), p.value("directory"));
            if (!t) {
                std::fprintf(stderr, "lapsectl: %s\n", qPrintable(t.error().message));
                return Rejected;
            }
            transport = std::move(t).value();
        } else {
            if (url.isEmpty()) {
                std::fprintf(stderr,
                    "lapsectl: no broker: give --url URL (or LAPSE_URL), or --data DIR to read a store\n");
                return Usage;
            }
            QByteArray key = p.isSet("key") ? p.value("key").toLatin1() : qgetenv("LAPSE_KEY");
            if (p.isSet("key-file")) {
                QFile f(p.value("key-file"));
                if (!f.open(QIODevice::ReadOnly)) {
                    std::fprintf(stderr, "lapsectl: cannot read %s\n", qPrintable(p.value("key-file")));
                    return Usage;
                }
                key = f.readAll().trimmed();
            }
            const QUrl base(url);
            if (!base.isValid()
                || (base.scheme() != QLatin1String("https") && base.scheme() != QLatin1String("http"))) {
                std::fprintf(stderr, "lapsectl: --url must be https://HOST:PORT\n");
                return Usage;
            }
            const QString ca = p.isSet("ca") ? p.value("ca") : qEnvironmentVariable("LAPSE_CA");
            transport
                = std::make_unique<HttpTransport>(base, key, ca, p.value("http-timeout").toInt() * 1000);
        }
    }
    Context c {transport.get(), p, positional.mid(1), p.isSet("json")};
    return runCommand(*cmd, c);
}
