// lapse: the console for approvers, incident responders and auditors.
#include "ActiveWidget.h"
#include "AuditLogWidget.h"
#include "ConsoleSettings.h"
#include "Demo.h"
#include "InsightsView.h"
#include "KeyDialog.h"
#include "MainWindow.h"
#include "RuleDraftDialog.h"
#include "backend/EmbeddedBackend.h"
#include "backend/MirrorThread.h"
#include "backend/RemoteBackend.h"
#include "demo/DemoDatabase.h"
#include "demo/DemoWorkload.h"
#include "domain/Directory.h"
#include "enforcement/PgEnforcement.h"
#include "engine/Engine.h"
#include "http/HttpFrontend.h"
#include "http/ListenAddress.h"
#include "itemmodels/AuditLogModel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDialog>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QLibraryInfo>
#include <QLocale>
#include <QMessageBox>
#include <QPainter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTableWidget>
#include <QTimer>
#include <QTranslator>
#include <cstdio>
#include <memory>

using namespace lapse;

namespace
{

int fail(const QString& message)
{
    std::fprintf(stderr, "lapse: %s\n", qPrintable(message));
    return 1;
}

void installTranslations(QApplication& app, const QString& lang)
{
    const QLocale locale = lang.isEmpty() ? QLocale::system() : QLocale(lang);
    auto* qt = new QTranslator(&app);
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
            QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        app.installTranslator(qt);
    auto* own = new QTranslator(&app);
    if (own->load(locale, QStringLiteral("lapse"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        app.installTranslator(own);
}

// The directory file: the one given, else the data directory's copy, created from the example on first run.
Result<QString> directoryFile(const QString& given, const QString& dataDir)
{
    if (!given.isEmpty())
        return given;
    const QString path = QDir(dataDir).filePath(QStringLiteral("directory.json"));
    if (QFile::exists(path))
        return path;
    if (!QDir().mkpath(dataDir))
        return makeError(
            ErrorCode::Internal, QObject::tr("cannot create the data directory %1").arg(dataDir));
    if (!QFile::copy(QStringLiteral(":/defaults/directory.example.json"), path))
        return makeError(ErrorCode::Internal, QObject::tr("cannot write %1").arg(path));
    QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
    return path;
}

Result<ListenAddress> parseListen(const QString& listen)
{
    const std::optional<ListenAddress> parsed = parseListenAddress(listen);
    if (!parsed)
        return makeError(ErrorCode::Invalid, QObject::tr("--listen takes HOST:PORT, e.g. 127.0.0.1:8443"));
    const ListenAddress out = *parsed;
    // The embedded console serves plain HTTP; that is only acceptable on loopback.
    if (!out.address.isLoopback())
        return makeError(ErrorCode::Invalid,
            QObject::tr(
                "--listen must be a loopback address: the console serves plain HTTP (use lapse-broker "
                "for a TLS endpoint)"));
    return out;
}

// The console's command line. Help and version are answered before any GUI exists, so they work without a
// display (over ssh, in a script).
void describeCommandLine(QCommandLineParser& p)
{
    p.setApplicationDescription(QStringLiteral("Lapse console: approve, respond, audit."));
    p.addHelpOption();
    p.addVersionOption();

    p.addOptions({
        {"data",
            "State directory of the embedded engine (default: the last one used, else the user's data "
            "directory).",
            "DIR"},
        {"directory",
            "Directory file (principals and targets); default: DIR/directory.json, created from "
            "the example on first run.",
            "FILE"},
        {"as", "The identity the console acts as (separation of duties applies to it).", "PRINCIPAL",
            "console"},
        {"demo", "Run a demo workload on the embedded engine."},
        {"listen", "Also serve the API on this loopback address (plain HTTP), or 'none'.", "HOST:PORT",
            "127.0.0.1:8443"},
        {"url",
            "Connect to a remote lapse-broker instead of the embedded engine (default: the last one, unless "
            "--data, --demo or --directory is given).",
            "URL"},
        {"key-file", "File holding the API key for --url (else LAPSE_KEY, else a prompt).", "FILE"},
        {"ca", "CA certificate (PEM) to verify the broker with.", "FILE"},
        {"lang", "Language of the interface (de, en); default: the system locale.", "LANG"},
    });
    QCommandLineOption screenshot(
        QStringLiteral("screenshot"), QStringLiteral("Save a screenshot and quit."), QStringLiteral("FILE"));
    screenshot.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption tab(QStringLiteral("tab"), QStringLiteral("Tab to show."), QStringLiteral("NAME"));
    tab.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption delay(QStringLiteral("screenshot-delay"),
        QStringLiteral("Milliseconds before the shot."), QStringLiteral("MS"), QStringLiteral("6000"));
    delay.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption draft(QStringLiteral("screenshot-draft-rule"),
        QStringLiteral("Before the shot, open Insights' Draft rule dialog for this candidate."),
        QStringLiteral("IDENTITY,TARGET"));
    draft.setFlags(QCommandLineOption::HiddenFromHelp);
    p.addOptions({screenshot, tab, delay, draft});
}

bool asksForHelpOrVersion(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i)
        for (const char* option : {"-h", "--help", "-?", "--help-all", "-v", "--version"})
            if (qstrcmp(argv[i], option) == 0)
                return true;
    return false;
}

} // namespace

int main(int argc, char** argv)
{
    if (asksForHelpOrVersion(argc, argv)) {
        QCoreApplication core(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("lapse"));
        QCoreApplication::setApplicationVersion(QStringLiteral(LAPSE_VERSION_STRING));
        QCommandLineParser p;
        describeCommandLine(p);
        p.process(core); // prints and exits
        return 0;
    }
    QApplication app(argc, argv);
    QApplication::setApplicationVersion(QStringLiteral(LAPSE_VERSION_STRING));
    QApplication::setOrganizationName(QStringLiteral("Lapse"));
    QApplication::setApplicationName(QStringLiteral("lapse"));
    QApplication::setApplicationDisplayName(QStringLiteral("Lapse"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/lapse.svg")));

    QCommandLineParser p;
    describeCommandLine(p);
    p.process(app);

    ConsoleSettings settings;
    const QString lang
        = p.isSet("lang") ? p.value("lang") : settings.value(ConsoleSettings::Key::Language).toString();
    installTranslations(app, lang);

    std::unique_ptr<Engine> ownedEngine;
    std::unique_ptr<Backend> backendOwner;
    std::unique_ptr<HttpFrontend> http;
    std::unique_ptr<DemoWorkload> demo;
    // Declared before the engine's users below it are destroyed: the database outlives the enforcement on it.
    std::unique_ptr<DemoDatabase> demoDatabase;
    std::unique_ptr<PgEnforcement> enforcement;
    std::unique_ptr<MirrorThread> mirror;
    QString demoProblem, demoNote, serving, auditFile, mirrorProblem, directoryFileUsed;
    // Without --url or --data the console reopens its last connection.
    const ConsoleSettings::Connection open
        = settings.connectionToOpen({p.value("url"), p.value("key-file"), p.value("ca"), p.value("data")},
            p.isSet("demo") || p.isSet("directory"));
    if (open.remote()) {
        // Remote: a broker over verified TLS. The key comes from a file, LAPSE_KEY or a prompt, never from
        // the settings.
        const QUrl url(open.url);
        if (!url.isValid() || url.scheme() != QLatin1String("https"))
            return fail(QObject::tr("--url must be an https:// address of a lapse-broker"));
        QByteArray key = qgetenv("LAPSE_KEY");
        if (!open.keyFile.isEmpty()) {
            QFile f(open.keyFile);
            if (!f.open(QIODevice::ReadOnly))
                return fail(QObject::tr("cannot read the key file %1").arg(open.keyFile));
            key = f.readAll().trimmed();
        }
        if (key.isEmpty() && open.keyFile.isEmpty())
            key = KeyDialog::ask(url.toString(QUrl::RemoveUserInfo)); // once, kept in memory only
        if (key.isEmpty())
            return fail(
                QObject::tr("remote mode needs an API key: --key-file FILE, LAPSE_KEY or the prompt"));
        backendOwner = std::make_unique<RemoteBackend>(url, key, open.caFile);
        // A local, chain-verified copy of the broker's event log feeds the audit log (a backend of its own).
        const QString mirrors = QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
                                    .filePath(QStringLiteral("mirrors"));
        QDir().mkpath(mirrors);
        // On a thread of its own, with a backend of its own: catching up never stalls the window.
        auto m = MirrorThread::open(
            QDir(mirrors).filePath(QStringLiteral("%1_%2.db").arg(url.host()).arg(url.port(443))),
            [url, key, ca = open.caFile] { return std::make_unique<RemoteBackend>(url, key, ca); });
        if (m) {
            mirror = std::move(m).value();
            auditFile = mirror->file();
        } else {
            mirrorProblem = m.error().message;
        }
        settings.setLastConnection({url.toString(), open.keyFile, open.caFile, {}});
    } else {
        const QString dataDir = !open.dataDir.isEmpty()
            ? open.dataDir
            : QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
        auto dirFile = directoryFile(p.value("directory"), dataDir);
        if (!dirFile)
            return fail(dirFile.error().message);
        directoryFileUsed = dirFile.value();
        auto directory = Directory::load(dirFile.value());
        if (!directory)
            return fail(QObject::tr("%1: %2").arg(dirFile.value(), directory.error().message));
        if (!directory->principal(p.value("as")))
            return fail(QObject::tr("--as %1: no such principal in %2").arg(p.value("as"), dirFile.value()));
        EngineConfig cfg;
        cfg.dataDir = dataDir;
        cfg.directory = std::move(directory).value();
        QString databaseProblem;
        if (p.isSet("demo")) {
            // A real PostgreSQL for billing-pg where one can run; otherwise the demo says why and simulates.
            const auto script = [](const char* name) {
                QFile f(QStringLiteral(":/defaults/postgresql/%1").arg(QString::fromLatin1(name)));
                return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
            };
            auto db = DemoDatabase::start(QDir(dataDir).filePath(QStringLiteral("postgresql")),
                {script("lapse-setup.sql"), script("example-billing.sql")});
            if (db) {
                demoDatabase = std::move(db).value();
                cfg.directory.addTarget(demoDatabase->target());
            } else {
                databaseProblem = db.error().message;
            }
        }
        auto engine = Engine::open(std::move(cfg));
        if (!engine)
            return fail(engine.error().message);
        // PostgreSQL targets in the directory (the demo's, or the user's own) are enforced for real.
        auto enforced = PgEnforcement::attach(*engine.value());
        if (!enforced)
            return fail(enforced.error().message);
        enforcement = std::move(enforced).value();
        settings.setLastConnection({{}, {}, {}, QDir(dataDir).absolutePath()});

        ownedEngine = std::move(engine).value();
        auditFile = ownedEngine->store().location();
        if (p.isSet("demo")) {
            demo = seedDemo(*ownedEngine, &demoProblem);
            if (demo && demoDatabase)
                demoDatabase->play(*ownedEngine);
            else if (demo)
                demoNote = QObject::tr("Demo without a real PostgreSQL (%1): every session is simulated")
                               .arg(databaseProblem);
        }
        backendOwner = std::make_unique<EmbeddedBackend>(*ownedEngine, p.value("as"));
        if (p.value("listen") != QLatin1String("none")) {
            auto listen = parseListen(p.value("listen"));
            if (!listen)
                return fail(listen.error().message);
            http = std::make_unique<HttpFrontend>(*ownedEngine);
            const quint16 port = http->listen(listen->address, listen->port);
            serving = port ? QObject::tr("API on http://%1:%2").arg(listen->address.toString()).arg(port)
                           : QObject::tr("could not serve the API on %1 (in use?)").arg(p.value("listen"));
            if (!port)
                http.reset();
        }
    }
    // Remote mode has no local store for the audit log until a mirror exists; the tab says so.
    MainWindow window(backendOwner.get(), auditFile, &settings);
    if (!open.remote())
        window.setDirectoryFile(QFileInfo(directoryFileUsed).absoluteFilePath());
    window.show();
    window.start();
    if (mirror) {
        QObject::connect(
            mirror.get(), &MirrorThread::chainBroken, &window, [&window](qint64 seq, const QString& why) {
                window.statusBar()->showMessage(
                    QObject::tr("Audit mirror stopped: the broker's chain breaks at event %1: %2")
                        .arg(seq)
                        .arg(why));
            });
        if (window.audit()) {
            QObject::connect(mirror.get(), &MirrorThread::checkpointVerified, window.audit(),
                &AuditLogWidget::showCheckpointVerified);
            QObject::connect(mirror.get(), &MirrorThread::logInconsistent, window.audit(),
                &AuditLogWidget::showLogInconsistent);
        }
        QObject::connect(mirror.get(), &MirrorThread::advanced, &window, [&window] {
            if (window.auditModel())
                window.auditModel()->refresh();
        });
        mirror->start();
    } else if (!mirrorProblem.isEmpty()) {
        window.statusBar()->showMessage(QObject::tr("No audit mirror: %1").arg(mirrorProblem), 15000);
    }
    if (!serving.isEmpty())
        window.statusBar()->showMessage(serving, 10000);
    if (demo)
        startDemo(std::move(demo), &window);
    else if (!demoProblem.isEmpty())
        window.statusBar()->showMessage(QObject::tr("Demo not started: %1").arg(demoProblem), 15000);
    if (!demoNote.isEmpty())
        window.statusBar()->showMessage(demoNote, 15000);
    const QString tab = p.value(QStringLiteral("tab"));
    if (!tab.isEmpty())
        window.showTab(tab);

    if (p.isSet(QStringLiteral("screenshot"))) {
        const QString file = p.value(QStringLiteral("screenshot"));
        // The window and any dialog open over it, as one picture.
        const auto shoot = [&window, file] {
            QPixmap shot = window.grab();
            QPainter painter(&shot);
            for (QDialog* dialog : window.findChildren<QDialog*>())
                if (dialog->isVisible())
                    painter.drawPixmap(
                        dialog->mapToGlobal(QPoint(0, 0)) - window.mapToGlobal(QPoint(0, 0)), dialog->grab());
            painter.end();
            const bool ok = shot.save(file);
            std::fprintf(stderr, "lapse: screenshot %s %s\n", qPrintable(file), ok ? "saved" : "FAILED");
            QApplication::exit(ok ? 0 : 1);
        };
        const QStringList draft = p.value(QStringLiteral("screenshot-draft-rule")).split(QLatin1Char(','));
        QTimer::singleShot(
            p.value(QStringLiteral("screenshot-delay")).toInt(), &window, [&window, tab, draft, shoot] {
                if (!tab.isEmpty())
                    window.showTab(tab);
                if (draft.size() != 2) {
                    QTimer::singleShot(800, &window, shoot);
                    return;
                }
                // The candidate's dialog, once the Insights tab has its candidates and the dialog its draft.
                InsightsView* insights = window.insights();
                window.showTab(QStringLiteral("insights"));
                auto* once = new QObject(&window);
                QObject::connect(
                    insights, &InsightsView::loaded, once, [&window, insights, draft, shoot, once] {
                        once->deleteLater();
                        QTableWidget* table = insights->repeated();
                        for (int row = 0; row < table->rowCount(); ++row)
                            if (table->item(row, 0)->text() == draft[0]
                                && table->item(row, 1)->text() == draft[1])
                                table->selectRow(row);
                        RuleDraftDialog* dialog = insights->draftRule();
                        if (!dialog) {
                            std::fprintf(stderr, "lapse: no candidate %s on %s\n", qPrintable(draft[0]),
                                qPrintable(draft[1]));
                            QApplication::exit(1);
                            return;
                        }
                        QObject::connect(dialog, &RuleDraftDialog::ready, &window,
                            [&window, shoot] { QTimer::singleShot(800, &window, shoot); });
                    });
                insights->refresh();
            });
    }
    return app.exec();
}
