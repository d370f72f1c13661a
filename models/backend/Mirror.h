// A local copy of a broker's event log, for insights and the audit log without loading the broker:
// incremental and resumable from its last sequence number, chain-verified as it goes, and stopping loudly
// (nothing after a break is written) when the chain breaks.
#pragma once

#include "core/Error.h"
#include "domain/Event.h"
#include "engine/EventChain.h"
#include "engine/SignedNote.h"

#include <QObject>
#include <memory>

namespace lapse
{

class Backend;
class Store;

class Mirror : public QObject
{
    Q_OBJECT
public:
    // file: the mirror's SQLite file (created with the store's schema). source: where events come from; the
    // mirror calls source->follow() itself, so give it a backend of its own.
    static Result<std::unique_ptr<Mirror>> open(
        const QString& file, Backend* source, QObject* parent = nullptr);
    ~Mirror() override;

    void start(); // follow the source from the mirror's last event on
    void stop();
    qint64 lastSeq() const { return m_verifier.nextSeq() - 1; }
    QString file() const { return m_file; }
    bool broken() const { return !m_verifier.ok(); }
    // Appends a page in one transaction, verified against the chain as it is written.
    Status append(const QList<Event>& events);

    // Signed checkpoints, checked as a witness would and more: the mirror holds every event, so a checkpoint
    // must be signed by the trusted log key and name the root of the mirror's own tree at its size; one
    // cut at the same size as a kept one must be that one. The key is trusted on first use (kept beside the
    // mirror as FILE.log-key) unless set; a rotation is followed through its hand-over checkpoint.
    Status trustLogKey(const QString& vkey);
    QStringList trustedLogKeys() const;
    // Checks a checkpoint note now; one beyond the mirror's last event waits until the mirror has caught up.
    Status checkCheckpoint(const QByteArray& note);
    qint64 verifiedCheckpointSize() const { return m_verifiedSize; }
    bool inconsistent() const { return !m_inconsistency.isEmpty(); }

signals:
    void advanced(qint64 lastSeq);
    void chainBroken(qint64 seq, const QString& reason);
    void checkpointVerified(qint64 size, qint64 atMs);
    // The broker's signed checkpoints contradict the copy (a fork, a cut or a rewrite): the mirror stops.
    void logInconsistent(const QString& reason);

private:
    Mirror() = default;
    Status write(const QList<Event>& events, qint64* breakSeq); // one transaction
    void fetchCheckpoint(); // asks the source for its latest checkpoint, unless a request is in flight
    Status learnRotatedKey(const QByteArray& note); // when note is the hand-over of a log.key_rotated event
    bool signedByTrusted(const QByteArray& note) const;
    qint64 nextRotation(QString* vkey) const; // the first rotation to a key not trusted yet, 0 if none
    Status refuse(const QString& reason);

    QString m_file;
    std::unique_ptr<Store> m_store;
    Backend* m_source = nullptr;
    ChainVerifier m_verifier;
    QList<NoteVerifier> m_trusted;
    QByteArray m_pending; // a checkpoint beyond the last event, checked once the mirror reaches it
    qint64 m_verifiedSize = 0;
    qint64 m_lastFetchMs = 0;
    bool m_fetching = false;
    QString m_inconsistency;
};

} // namespace lapse
