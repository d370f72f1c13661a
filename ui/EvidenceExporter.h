// Builds an evidence pack from the console's own store on a worker thread, with a progress dialog that can
// cancel it and a message box that shows where it went.
#pragma once

#include "core/Error.h"
#include "domain/Directory.h"
#include "engine/SignedNote.h"
#include "evidence/EvidencePack.h"

#include <QObject>
#include <QPointer>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>

class QMessageBox;
class QProgressDialog;
class QThread;

namespace lapse
{

class Backend;

class EvidenceExporter : public QObject
{
    Q_OBJECT
public:
    // Runs on the GUI thread and calls done (there too, now or later) with the 64-byte signature of manifest.
    using Signer
        = std::function<void(const QByteArray& manifest, std::function<void(Result<QByteArray>)> done)>;
    // Runs on the GUI thread (the report draws charts).
    using Renderer = std::function<Result<QByteArray>(const EvidenceData&)>;

    // storeFile: the console's local copy of the event log (the engine's file, or the mirror), opened
    // read-only on the worker. window: the progress dialog and the outcome are shown over it (null: neither).
    EvidenceExporter(Backend* backend, const QString& storeFile, QWidget* window, QObject* parent = nullptr);
    // A build still running is cancelled and waited for.
    ~EvidenceExporter() override;

    // The manifest's signature: by default the broker's POST /v1/evidence/attest.
    void setSigner(Signer signer) { m_sign = std::move(signer); }
    void setRenderer(Renderer renderer) { m_render = std::move(renderer); }
    void setGeneratedBy(const QString& who) { m_generatedBy = who; }

    // Starts a build of outFile; false (and nothing started) while one runs. finished() follows either way.
    bool start(const EvidenceScope& scope, const QString& outFile);
    bool isRunning() const { return m_running; }
    // Asks the running build to stop; it finishes with ErrorCode::Cancelled and leaves no file.
    void cancel();

    // The last build's outcome; empty before the first finishes.
    const std::optional<Result<EvidenceSummary>>& result() const { return m_result; }
    QProgressDialog* progressDialog() const;
    QMessageBox* outcomeBox() const;

signals:
    void progressed(int percent, const QString& stage);
    void finished();

private:
    void prepare(const EvidenceScope& scope, const QString& outFile);
    void run(const EvidenceScope& scope, const QString& outFile);
    void finish(Result<EvidenceSummary> result);
    void showOutcome();
    // Runs fn on this object's (the GUI) thread from the worker and waits for the answer it passes to done,
    // giving up when the build is cancelled.
    Result<QByteArray> askGuiThread(
        std::function<void(std::function<void(Result<QByteArray>)> done)> fn, const QString& what);

    Backend* m_backend;
    QString m_storeFile;
    QPointer<QWidget> m_window;
    Signer m_sign;
    Renderer m_render;
    QString m_generatedBy;
    // Asked once and kept: a later pack needs the broker only for the manifest's signature.
    std::optional<Directory> m_directory;
    NoteVerifier m_logKey;

    bool m_running = false;
    std::atomic_bool m_cancel {false};
    QThread* m_thread = nullptr;
    std::optional<Result<EvidenceSummary>> m_workerResult; // written by the worker, read once it finished
    std::optional<Result<EvidenceSummary>> m_result;
    QPointer<QProgressDialog> m_progress;
    QPointer<QMessageBox> m_outcome;
};

} // namespace lapse
