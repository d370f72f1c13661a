#include "Mirror.h"

#include "backend/Backend.h"
#include "engine/SqliteStore.h"

namespace lapse
{

Result<std::unique_ptr<Mirror>> Mirror::open(const QString& file, Backend* source, QObject* parent)
{
    auto store = SqliteStore::open(file);
    if (!store)
        return store.error();
    std::unique_ptr<Mirror> m(new Mirror);
    m->setParent(parent);
    m->m_file = file;
    m->m_store = std::move(store).value();
    m->m_source = source;
    // Resume from what is already here, but only if it verifies: a tampered mirror is not continued.
    QString reason;
    qint64 breakSeq = 0;
    const auto verified = m->m_store->verifyChain(&reason, &breakSeq);
    if (!verified)
        return makeError(ErrorCode::Conflict,
            QStringLiteral("the mirror %1 is broken at event %2: %3").arg(file).arg(breakSeq).arg(reason));
    m->m_verifier = ChainVerifier(m->m_store->lastSeq() + 1,
        m->m_store->lastSeq() ? m->m_store->headHash() : EventChain::genesisHash());
    if (source)
        connect(source, &Backend::eventsReceived, m.get(), [mirror = m.get()](const QList<Event>& events) {
            if (const Status s = mirror->append(events); !s)
                mirror->stop();
        });
    return m;
}

Mirror::~Mirror() = default;

void Mirror::start()
{
    if (m_source && m_verifier.ok())
        m_source->follow(lastSeq());
}

void Mirror::stop()
{
    if (m_source)
        m_source->stop();
}

Status Mirror::write(const QList<Event>& events, qint64* breakSeq)
{
    // Through the store's writer path, so the insight rollups follow the copy in the same transaction.
    if (const Status b = m_store->begin(); !b)
        return b;
    if (const Status a = m_store->appendVerbatimMany(events, breakSeq); !a) {
        m_store->rollback();
        return a;
    }
    return m_store->commit();
}

Status Mirror::append(const QList<Event>& events)
{
    if (!m_verifier.ok())
        return makeError(ErrorCode::Conflict, QStringLiteral("the mirror stopped at a chain break"));
    // The sequence is checked here (a gap or a reordering ends the run); each hash is checked by the store as
    // it writes, and a mismatch undoes the write. What chained before a break is kept.
    QList<Event> good;
    ChainVerifier probe = m_verifier;
    for (const Event& e : events) {
        if (e.seq < probe.nextSeq())
            continue; // already mirrored (a resumed stream may repeat the anchor)
        if (!probe.addPrehashed(e.seq, e.hash, e.hash))
            break;
        good << e;
    }
    if (!good.isEmpty()) {
        qint64 breakSeq = 0;
        const Status w = write(good, &breakSeq);
        if (!w && !breakSeq)
            return makeError(ErrorCode::Internal, QStringLiteral("mirror write: %1").arg(w.error().message));
        if (!w) {
            const QList<Event> before = good.mid(0, qsizetype(breakSeq - good.first().seq));
            qint64 again = 0;
            if (!before.isEmpty())
                if (const Status k = write(before, &again); !k)
                    return makeError(
                        ErrorCode::Internal, QStringLiteral("mirror write: %1").arg(k.error().message));
            probe = m_verifier;
            for (const Event& e : before)
                probe.addPrehashed(e.seq, e.hash, e.hash);
            probe.addPrehashed(breakSeq, good[before.size()].hash, QByteArray()); // the break, as found
            good = before;
        }
    }
    // The probe now holds exactly what was written, including a break it found, after which nothing more is
    // written.
    m_verifier = probe;
    if (!good.isEmpty())
        emit advanced(lastSeq());
    if (!probe.ok()) {
        emit chainBroken(probe.breakSeq(), probe.breakReason());
        return makeError(ErrorCode::Conflict,
            QStringLiteral("mirror stopped: chain broken at event %1: %2")
                .arg(probe.breakSeq())
                .arg(probe.breakReason()));
    }
    return Ok {};
}

} // namespace lapse
