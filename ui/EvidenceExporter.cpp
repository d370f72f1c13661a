// The evidence pack export: directory and log key asked on the GUI thread, the pack built on a worker from a
// read-only store, the manifest's signature and the report fetched back on the GUI thread.
#include "EvidenceExporter.h"

#include "backend/Backend.h"
#include "engine/SqliteStore.h"

#include <QCoreApplication>
#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QMessageBox>
#include <QProgressDialog>
#include <QPushButton>
#include <QThread>
#include <QUrl>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace lapse
{

EvidenceExporter::EvidenceExporter(
    Backend* backend, const QString& storeFile, QWidget* window, QObject* parent)
    : QObject(parent)
    , m_backend(backend)
    , m_storeFile(storeFile)
    , m_window(window)
{
}

EvidenceExporter::~EvidenceExporter()
{
    m_cancel = true;
    // The worker never waits on this thread without also watching m_cancel, so this wait ends.
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
    delete m_progress;
}

bool EvidenceExporter::start(const EvidenceScope& scope, const QString& outFile)
{
    if (m_running)
        return false;
    m_running = true;
    m_cancel = false;
    m_result.reset();
    if (m_window) {
        m_progress = new QProgressDialog(tr("Preparing the evidence pack…"), tr("Cancel"), 0, 100, m_window);
        m_progress->setObjectName(QStringLiteral("evidenceProgress"));
        m_progress->setWindowTitle(tr("Export evidence pack"));
        m_progress->setWindowModality(Qt::WindowModal);
        m_progress->setMinimumDuration(0);
        m_progress->setMinimumWidth(420); // wide enough that the changing stage does not resize it
        m_progress->setAutoClose(false);
        m_progress->setAutoReset(false);
        m_progress->setValue(0);
        connect(m_progress, &QProgressDialog::canceled, this, &EvidenceExporter::cancel);
        m_progress->show();
    }
    prepare(scope, outFile);
    return true;
}

QProgressDialog* EvidenceExporter::progressDialog() const
{
    return m_progress;
}

QMessageBox* EvidenceExporter::outcomeBox() const
{
    return m_outcome;
}

void EvidenceExporter::cancel()
{
    if (!m_running)
        return;
    m_cancel = true;
    if (m_progress)
        m_progress->setLabelText(tr("Cancelling…"));
}

void EvidenceExporter::prepare(const EvidenceScope& scope, const QString& outFile)
{
    if (m_cancel) {
        finish(makeError(ErrorCode::Cancelled, tr("Cancelled.")));
        return;
    }
    if (m_storeFile.isEmpty()) {
        finish(makeError(ErrorCode::Unavailable,
            tr("An evidence pack is built from a local copy of the event log, and none is open.")));
        return;
    }
    if (!m_render) {
        finish(makeError(ErrorCode::Unavailable, tr("No report renderer is available.")));
        return;
    }
    if (!m_backend && (!m_directory || m_logKey.isNull() || !m_sign)) {
        finish(makeError(
            ErrorCode::Unavailable, tr("There is no backend to ask for the directory or log key.")));
        return;
    }
    const QPointer<EvidenceExporter> guard(this);
    if (!m_directory) {
        if (m_progress)
            m_progress->setLabelText(tr("Reading the directory…"));
        m_backend->directory([this, guard, scope, outFile](const ApiResult& r) {
            if (!guard)
                return;
            if (!r) {
                finish(makeError(
                    r.error().code, tr("The directory could not be read: %1").arg(r.error().message)));
                return;
            }
            auto directory = Directory::fromJson(QJsonDocument(r.value()).toJson(QJsonDocument::Compact));
            if (!directory) {
                finish(makeError(ErrorCode::Internal,
                    tr("The directory is not valid: %1").arg(directory.error().message)));
                return;
            }
            m_directory = std::move(directory).value();
            prepare(scope, outFile);
        });
        return;
    }
    if (m_logKey.isNull()) {
        if (m_progress)
            m_progress->setLabelText(tr("Reading the log key…"));
        m_backend->callText("GET", QStringLiteral("/.well-known/lapse-log-key"), {},
            [this, guard, scope, outFile](const Result<QByteArray>& r) {
                if (!guard)
                    return;
                if (!r) {
                    finish(makeError(
                        r.error().code, tr("The log key could not be read: %1").arg(r.error().message)));
                    return;
                }
                // The verifier key is the first line; anything after it is not the current key.
                const QString line = QString::fromUtf8(r.value()).section(QLatin1Char('\n'), 0, 0).trimmed();
                auto key = NoteVerifier::fromVkey(line);
                if (!key) {
                    finish(makeError(
                        ErrorCode::Internal, tr("The log key is not valid: %1").arg(key.error().message)));
                    return;
                }
                m_logKey = key.value();
                prepare(scope, outFile);
            });
        return;
    }
    run(scope, outFile);
}

Result<QByteArray> EvidenceExporter::askGuiThread(
    std::function<void(std::function<void(Result<QByteArray>)> done)> fn, const QString& what)
{
    struct Pending {
        std::mutex mutex;
        std::condition_variable cv;
        std::optional<Result<QByteArray>> answer;
    };
    auto pending = std::make_shared<Pending>();
    // Skipped once cancelled: the worker may have stopped waiting, and what fn reads belongs to it.
    QMetaObject::invokeMethod(
        this,
        [this, pending, fn = std::move(fn)] {
            if (m_cancel)
                return;
            fn([pending](Result<QByteArray> r) {
                const std::lock_guard lock(pending->mutex);
                if (!pending->answer) {
                    pending->answer = std::move(r);
                    pending->cv.notify_all();
                }
            });
        },
        Qt::QueuedConnection);
    std::unique_lock lock(pending->mutex);
    while (!pending->answer) {
        if (m_cancel)
            return makeError(ErrorCode::Cancelled, tr("Cancelled while waiting for %1.").arg(what));
        pending->cv.wait_for(lock, std::chrono::milliseconds(50));
    }
    return *pending->answer;
}

void EvidenceExporter::run(const EvidenceScope& scope, const QString& outFile)
{
    if (m_progress)
        m_progress->setLabelText(tr("Collecting the evidence…"));
    Signer sign = m_sign;
    if (!sign)
        sign = [backend = QPointer<Backend>(m_backend)](
                   const QByteArray& manifest, std::function<void(Result<QByteArray>)> done) {
            if (!backend) {
                done(makeError(ErrorCode::Unavailable, tr("There is no backend to sign the manifest.")));
                return;
            }
            // The broker signs the bytes it receives, and the call sends the object as QJsonDocument writes
            // it (keys sorted, compact): only a manifest already in that form is signed as written.
            const QJsonObject body = QJsonDocument::fromJson(manifest).object();
            if (QJsonDocument(body).toJson(QJsonDocument::Compact) != manifest) {
                done(makeError(ErrorCode::Internal,
                    tr("The manifest is not compact JSON with sorted keys, so the broker would sign other "
                       "bytes.")));
                return;
            }
            backend->call("POST", QStringLiteral("/v1/evidence/attest"), body, {},
                [done = std::move(done)](const ApiResult& r) {
                    if (!r) {
                        done(makeError(r.error().code,
                            tr("The broker did not sign the manifest: %1").arg(r.error().message)));
                        return;
                    }
                    done(QByteArray::fromBase64(r->value(QLatin1String("signature")).toString().toLatin1()));
                });
        };

    EvidenceBuild b;
    b.scope = scope;
    b.outFile = outFile;
    b.generatedBy = m_generatedBy;
    b.logKey = m_logKey;
    b.cancel = &m_cancel;
    b.renderReport = [this](const EvidenceData& data) {
        return askGuiThread([this, &data](auto done) { done(m_render(data)); }, tr("the report"));
    };
    b.signManifest = [this, sign](const QByteArray& manifest) {
        return askGuiThread(
            [sign, manifest](auto done) { sign(manifest, std::move(done)); }, tr("the manifest's signature"));
    };
    b.progress = [this](int percent, const QString& stage) {
        QMetaObject::invokeMethod(
            this, [this, percent, stage] { emit progressed(percent, stage); }, Qt::QueuedConnection);
    };
    if (m_progress)
        connect(this, &EvidenceExporter::progressed, m_progress, [this](int percent, const QString& stage) {
            if (!m_progress || m_cancel)
                return;
            m_progress->setValue(percent);
            // The pack names its stages in English (lapsectl prints them so); the console shows them
            // translated.
            m_progress->setLabelText(
                QCoreApplication::translate("lapse::EvidencePack", stage.toUtf8().constData()));
        });

    m_workerResult.reset();
    m_thread = QThread::create([this, b = std::move(b), directory = *m_directory] {
        // Read-only beside the engine or the mirror that writes the file, and only on this thread.
        auto store = SqliteStore::openReadOnly(m_storeFile);
        if (!store) {
            m_workerResult = makeError(
                ErrorCode::Unavailable, tr("Cannot open %1: %2").arg(m_storeFile, store.error().message));
            return;
        }
        m_workerResult = buildEvidencePack(*store.value(), directory, b);
    });
    m_thread->setObjectName(QStringLiteral("evidence"));
    connect(m_thread, &QThread::finished, this, [this] {
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
        finish(m_workerResult ? std::move(*m_workerResult)
                              : Result<EvidenceSummary>(
                                  makeError(ErrorCode::Internal, tr("The build ended without an answer."))));
    });
    m_thread->start();
}

void EvidenceExporter::finish(Result<EvidenceSummary> result)
{
    m_running = false;
    m_result = std::move(result);
    if (m_progress) {
        m_progress->disconnect(this); // closing it would otherwise read as a cancel
        disconnect(this, &EvidenceExporter::progressed, m_progress, nullptr);
        m_progress->close();
        m_progress->deleteLater();
    }
    showOutcome();
    emit finished();
}

void EvidenceExporter::showOutcome()
{
    // A cancel was the person's own choice: nothing to tell them.
    if (!m_window || !m_result || (!m_result->ok() && m_result->error().code == ErrorCode::Cancelled))
        return;
    auto* box = new QMessageBox(m_window);
    box->setObjectName(QStringLiteral("evidenceOutcome"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowTitle(tr("Export evidence pack"));
    if (!m_result->ok()) {
        box->setIcon(QMessageBox::Warning);
        box->setText(tr("The evidence pack could not be made; nothing was written."));
        box->setInformativeText(m_result->error().message);
        box->setStandardButtons(QMessageBox::Close);
    } else {
        const EvidenceSummary& s = m_result->value();
        box->setIcon(QMessageBox::Information);
        box->setText(tr("The evidence pack is in %1").arg(QDir::toNativeSeparators(s.file)));
        box->setInformativeText(tr("%1 grants · %2 requests · %3 events · %4 exceptions\n"
                                   "Sample: %5 grants, seed %6\n"
                                   "Checkpoint: %7 events\n"
                                   "Manifest SHA-256: %8")
                                    .arg(s.grants)
                                    .arg(s.requests)
                                    .arg(s.events)
                                    .arg(s.exceptions)
                                    .arg(s.sample)
                                    .arg(s.seed)
                                    .arg(s.treeSize)
                                    .arg(QString::fromLatin1(s.manifestSha256)));
        box->setTextInteractionFlags(Qt::TextSelectableByMouse);
        QPushButton* show = box->addButton(tr("Show &folder"), QMessageBox::ActionRole);
        show->setObjectName(QStringLiteral("showFolder"));
        box->addButton(QMessageBox::Close);
        const QString folder = QFileInfo(s.file).absolutePath();
        connect(show, &QPushButton::clicked, box,
            [folder] { QDesktopServices::openUrl(QUrl::fromLocalFile(folder)); });
    }
    m_outcome = box;
    box->open();
}

} // namespace lapse
