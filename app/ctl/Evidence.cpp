// lapsectl evidence: export a pack from a store (a broker's, or a mirror caught up from a broker) and verify
// one.
#include "Commands.h"

#include "EvidenceReport.h"
#include "backend/Mirror.h"
#include "backend/RemoteBackend.h"
#include "core/Clock.h"
#include "domain/Directory.h"
#include "engine/LogKey.h"
#include "engine/SqliteStore.h"
#include "evidence/EvidencePack.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QHostInfo>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QTimer>
#include <cstdio>
#include <pwd.h>
#include <unistd.h>

namespace lapse::ctl
{

namespace
{

int failWith(int code, const QString& message)
{
    std::fprintf(stderr, "lapsectl: %s\n", qPrintable(printable(message.simplified())));
    return code;
}

// The same exit code an API error gets (failureOf), for errors raised here.
int exitFor(const Error& e)
{
    return failureOf(ApiResponse::error(e)).exitCode;
}

Result<qint64> isoOption(const Context& c, const char* name)
{
    if (!c.options.isSet(QLatin1String(name)))
        return makeError(
            ErrorCode::Invalid, QStringLiteral("evidence export needs --%1 ISO").arg(QLatin1String(name)));
    bool ok = false;
    const QString text = c.options.value(QLatin1String(name));
    qint64 ms = Clock::fromIso(text, &ok);
    if (!ok) {
        // A day alone means its start, UTC.
        const QDate day = QDate::fromString(text, Qt::ISODate);
        if (!day.isValid())
            return makeError(ErrorCode::Invalid,
                QStringLiteral("--%1 %2 is not an ISO 8601 time (2026-11-01 or 2026-11-01T00:00:00Z)")
                    .arg(QLatin1String(name), text));
        ms = day.startOfDay(Qt::UTC).toMSecsSinceEpoch();
    }
    return ms;
}

Result<EvidenceScope> scopeFrom(const Context& c)
{
    EvidenceScope scope;
    auto from = isoOption(c, "from");
    if (!from)
        return from.error();
    auto to = isoOption(c, "to");
    if (!to)
        return to.error();
    scope.fromMs = from.value();
    scope.toMs = to.value();
    for (const QString& t : c.options.values(QStringLiteral("target")))
        scope.targets << t.split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString& k : c.options.values(QStringLiteral("kind")))
        scope.kinds << k.split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (c.options.isSet(QStringLiteral("sample"))) {
        bool ok = false;
        scope.sampleSize = c.options.value(QStringLiteral("sample")).toInt(&ok);
        if (!ok)
            return makeError(ErrorCode::Invalid, QStringLiteral("--sample must be a number"));
    }
    if (c.options.isSet(QStringLiteral("seed"))) {
        bool ok = false;
        scope.seed = c.options.value(QStringLiteral("seed")).toULongLong(&ok);
        if (!ok || scope.seed == 0)
            return makeError(ErrorCode::Invalid, QStringLiteral("--seed must be a positive number"));
    }
    if (const Status s = scope.validate(); !s)
        return s.error();
    return scope;
}

// Progress on stderr, a line per stage and tenth, so a long export shows it is alive.
EvidenceProgress progressPrinter()
{
    auto last = std::make_shared<std::pair<int, QString>>(-1, QString());
    return [last](int percent, const QString& stage) {
        if (percent / 10 == last->first / 10 && stage == last->second)
            return;
        *last = {percent, stage};
        std::fprintf(stderr, "%3d%% %s\n", percent, qPrintable(stage));
    };
}

int printSummary(const Context& c, const EvidenceSummary& s)
{
    if (c.json) {
        const QJsonObject o {{"file", s.file}, {"grants", s.grants}, {"requests", s.requests},
            {"events", s.events}, {"exceptions", s.exceptions}, {"sample", s.sample},
            {"seed", QString::number(s.seed)}, {"tree_size", s.treeSize},
            {"manifest_sha256", QString::fromLatin1(s.manifestSha256)}, {"bytes", s.bytes}};
        std::printf("%s\n", QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
    } else {
        std::printf(
            "%s: %lld grants, %lld requests, %lld events with proofs, %lld exceptions, sample of %lld "
            "(seed %llu), checkpoint %lld, manifest SHA-256 %s\n",
            qPrintable(s.file), s.grants, s.requests, s.events, s.exceptions, s.sample,
            static_cast<unsigned long long>(s.seed), s.treeSize, s.manifestSha256.constData());
    }
    std::fflush(stdout);
    return Ok;
}

QString whoAmI()
{
    // The account the process runs as, not what the environment claims.
    const passwd* pw = ::getpwuid(::geteuid());
    const QString user
        = pw && pw->pw_name ? QString::fromLocal8Bit(pw->pw_name) : QString::number(::geteuid());
    return QStringLiteral("%1@%2 (lapsectl)").arg(user, QHostInfo::localHostName());
}

// --data DIR: a broker's store and its log key, read where they lie (the broker may be running).
int exportFromData(Context& c, const EvidenceScope& scope, const QString& out)
{
    const QString dir = c.options.value("data");
    auto store = SqliteStore::openReadOnly(QDir(dir).filePath(QStringLiteral("lapse.db")));
    if (!store)
        return failWith(Rejected, store.error().message);
    const QString dirFile = c.options.isSet("directory")
        ? c.options.value("directory")
        : QDir(dir).filePath(QStringLiteral("directory.json"));
    auto directory = Directory::load(dirFile);
    if (!directory)
        return failWith(Rejected,
            QStringLiteral("%1 (give the broker's directory with --directory FILE)")
                .arg(directory.error().message));
    // The manifest is signed by the log key itself: it must be there, never made up here.
    if (!QFileInfo::exists(QDir(dir).filePath(QStringLiteral("keys/log-key.pem"))))
        return failWith(Rejected,
            QStringLiteral("%1 holds no log key (keys/log-key.pem): a pack from a mirror is made with --url, "
                           "so the broker signs it")
                .arg(dir));
    QFile originFile(QDir(dir).filePath(QStringLiteral("keys/log-origin")));
    const QString origin = originFile.open(QIODevice::ReadOnly)
        ? QString::fromUtf8(originFile.readAll()).trimmed()
        : QString();
    if (origin.isEmpty())
        return failWith(Rejected, QStringLiteral("%1 names no log origin (keys/log-origin)").arg(dir));
    auto key = LogKey::open(dir, origin);
    if (!key)
        return failWith(Other, QStringLiteral("the log key: %1").arg(key.error().message));
    EvidenceBuild b;
    b.scope = scope;
    b.outFile = out;
    b.generatedBy = whoAmI();
    b.logKey = key.value()->verifier();
    b.renderReport = renderEvidenceReport;
    const LogKey* signer = key.value().get();
    b.signManifest = [signer](const QByteArray& m) -> Result<QByteArray> { return signer->sign(m); };
    b.progress = progressPrinter();
    auto sum = buildEvidencePack(*store.value(), directory.value(), b);
    if (!sum)
        return failWith(exitFor(sum.error()), sum.error().message);
    return printSummary(c, sum.value());
}

// --url: a checkpoint of the head is cut, a local mirror catches up to it through the console's Mirror (and
// checks it as a witness), the pack is built from the mirror and the broker signs its manifest.
int exportFromBroker(Context& c, const EvidenceScope& scope, const QString& out)
{
    Transport& t = *c.transport;
    const ApiResponse cut = t.callText("POST", QStringLiteral("/v1/log/checkpoint"));
    if (cut.status != 200)
        return failWith(failureOf(cut).exitCode, failureOf(cut).message);
    const ApiResponse dirResponse = t.call("GET", QStringLiteral("/v1/directory"));
    if (dirResponse.status != 200)
        return failWith(failureOf(dirResponse).exitCode, failureOf(dirResponse).message);
    auto directory = Directory::fromJson(dirResponse.body);
    if (!directory)
        return failWith(Other, QStringLiteral("the broker's directory: %1").arg(directory.error().message));

    const QUrl base(c.options.isSet("url") ? c.options.value("url") : qEnvironmentVariable("LAPSE_URL"));
    QString mirrorFile = c.options.value("mirror");
    if (mirrorFile.isEmpty()) {
        const QString cache = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
        mirrorFile = QStringLiteral("%1/lapse/mirror-%2-%3.db").arg(cache, base.host()).arg(base.port(443));
    }
    QDir().mkpath(QFileInfo(mirrorFile).absolutePath());
    QByteArray apiKey = c.options.isSet("key") ? c.options.value("key").toLatin1() : qgetenv("LAPSE_KEY");
    if (c.options.isSet("key-file")) {
        QFile f(c.options.value("key-file"));
        if (f.open(QIODevice::ReadOnly))
            apiKey = f.readAll().trimmed();
    }
    RemoteBackend source(
        base, apiKey, c.options.isSet("ca") ? c.options.value("ca") : qEnvironmentVariable("LAPSE_CA"));
    source.setRequestTimeoutMs(c.options.value("http-timeout").toInt() * 1000);
    auto mirror = Mirror::open(mirrorFile, &source);
    if (!mirror)
        return failWith(Other, QStringLiteral("the mirror %1: %2").arg(mirrorFile, mirror.error().message));
    if (c.options.isSet("log-key")) {
        QFile f(c.options.value("log-key"));
        if (!f.open(QIODevice::ReadOnly))
            return failWith(
                Usage, QStringLiteral("cannot read the log key %1").arg(c.options.value("log-key")));
        if (const Status s = mirror.value()->trustLogKey(QString::fromUtf8(f.readAll()).trimmed()); !s)
            return failWith(Rejected, s.error().message);
    }
    const auto parsedCut = SignedNote::parse(cut.body);
    const qint64 head = parsedCut ? QString::fromUtf8(parsedCut->text.split('\n').value(1)).toLongLong() : 0;
    if (head <= 0)
        return failWith(Other, QStringLiteral("the broker's checkpoint does not parse"));

    if (mirror.value()->trustedLogKeys().isEmpty()) {
        // Trusted on first use, as the console's mirror does; --log-key pins it instead.
        const ApiResponse vkey = t.callText("GET", QStringLiteral("/.well-known/lapse-log-key"));
        if (vkey.status != 200)
            return failWith(failureOf(vkey).exitCode, failureOf(vkey).message);
        if (const Status s = mirror.value()->trustLogKey(QString::fromUtf8(vkey.body).trimmed()); !s)
            return failWith(Rejected, s.error().message);
    }
    // Checked at once when the mirror already holds the head, else as soon as it gets there.
    if (const Status s = mirror.value()->checkCheckpoint(cut.body); !s)
        return failWith(Other, s.error().message);

    QEventLoop loop;
    QString stopped;
    QObject::connect(
        mirror.value().get(), &Mirror::chainBroken, &loop, [&](qint64 seq, const QString& reason) {
            stopped = QStringLiteral("the broker's log breaks at event %1: %2").arg(seq).arg(reason);
            loop.quit();
        });
    QObject::connect(mirror.value().get(), &Mirror::logInconsistent, &loop, [&](const QString& reason) {
        stopped = reason;
        loop.quit();
    });
    const auto caughtUp = [&] { return mirror.value()->verifiedCheckpointSize() >= head; };
    QObject::connect(mirror.value().get(), &Mirror::checkpointVerified, &loop, [&] {
        if (caughtUp())
            loop.quit();
    });
    QObject::connect(mirror.value().get(), &Mirror::advanced, &loop,
        [&](qint64 seq) { std::fprintf(stderr, "mirror at %lld of %lld\n", seq, head); });
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, [&] {
        stopped = QStringLiteral("the mirror did not reach the checkpoint at %1 in time").arg(head);
        loop.quit();
    });
    deadline.start(c.options.value("timeout").toInt() * 1000);
    if (!caughtUp()) {
        mirror.value()->start();
        loop.exec();
    }
    mirror.value()->stop();
    source.stop();
    if (!stopped.isEmpty())
        return failWith(Other, stopped);
    const QStringList keys = mirror.value()->trustedLogKeys();
    auto logKey = NoteVerifier::fromVkey(keys.value(keys.size() - 1));
    if (!logKey)
        return failWith(Other, QStringLiteral("the mirror trusts no log key"));
    mirror.value().reset();

    auto store = SqliteStore::openReadOnly(mirrorFile);
    if (!store)
        return failWith(Other, store.error().message);
    EvidenceBuild b;
    b.scope = scope;
    b.outFile = out;
    const ApiResponse me = t.call("GET", QStringLiteral("/v1/me"));
    b.generatedBy = QStringLiteral("%1 (lapsectl, from a mirror of %2)")
                        .arg(QJsonDocument::fromJson(me.body).object().value(QLatin1String("id")).toString(),
                            base.toString(QUrl::RemoveUserInfo));
    b.logKey = logKey.value();
    b.renderReport = renderEvidenceReport;
    b.signManifest = [&t](const QByteArray& manifest) -> Result<QByteArray> {
        const ApiResponse r = t.call("POST", QStringLiteral("/v1/evidence/attest"), {}, manifest);
        if (r.status != 200)
            return makeError(Error::codeFromHttpStatus(r.status), failureOf(r).message);
        return QByteArray::fromBase64(
            QJsonDocument::fromJson(r.body).object().value(QLatin1String("signature")).toString().toLatin1());
    };
    b.progress = progressPrinter();
    auto sum = buildEvidencePack(*store.value(), directory.value(), b);
    if (!sum)
        return failWith(exitFor(sum.error()), sum.error().message);
    return printSummary(c, sum.value());
}

int evidenceExport(Context& c)
{
    auto scope = scopeFrom(c);
    if (!scope)
        return failWith(Usage, scope.error().message);
    QString out = c.options.value("out");
    if (out.isEmpty())
        return failWith(Usage, QStringLiteral("evidence export needs --out FILE (or a folder)"));
    if (QFileInfo(out).isDir())
        out = QDir(out).filePath(scope->fileName());
    if (c.options.isSet("data"))
        return exportFromData(c, scope.value(), out);
    return exportFromBroker(c, scope.value(), out);
}

int evidenceVerify(Context& c)
{
    const QString file = c.args.value(1);
    if (file.isEmpty())
        return failWith(Usage, QStringLiteral("evidence verify needs the pack's file"));
    NoteVerifier pinned;
    if (c.options.isSet("log-key")) {
        QFile f(c.options.value("log-key"));
        if (!f.open(QIODevice::ReadOnly))
            return failWith(
                Usage, QStringLiteral("cannot read the log key %1").arg(c.options.value("log-key")));
        auto v = NoteVerifier::fromVkey(QString::fromUtf8(f.readAll()).trimmed());
        if (!v)
            return failWith(Usage, QStringLiteral("the log key: %1").arg(v.error().message));
        pinned = v.value();
    }
    const EvidenceVerdict verdict = verifyEvidencePack(file, pinned);
    std::printf("%s\n", qPrintable(verdict.line));
    std::fflush(stdout);
    return verdict.ok ? Ok : Other;
}
} // namespace

int cmdEvidence(Context& c)
{
    const QString what = c.args.value(0);
    if (what == QLatin1String("export"))
        return evidenceExport(c);
    if (what == QLatin1String("verify"))
        return evidenceVerify(c);
    return failWith(Usage, QStringLiteral("unknown evidence command '%1' (export or verify)").arg(what));
}

} // namespace lapse::ctl
