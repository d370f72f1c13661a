#include "Mirror.h"

#include "backend/Backend.h"
#include "core/Clock.h"
#include "engine/Checkpoint.h"
#include "engine/SqliteStore.h"

#include <QFile>
#include <QJsonDocument>
#include <QPointer>
#include <QSaveFile>

namespace lapse
{

namespace
{
constexpr qsizetype kCatchUpPage = 1000;
} // namespace

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
    QFile keys(file + QStringLiteral(".log-key"));
    if (keys.open(QIODevice::ReadOnly))
        for (const QByteArray& line : keys.readAll().split('\n'))
            if (!line.trimmed().isEmpty()) {
                auto v = NoteVerifier::fromVkey(QString::fromUtf8(line.trimmed()));
                if (!v)
                    return makeError(
                        ErrorCode::Invalid, QStringLiteral("%1: %2").arg(keys.fileName(), v.error().message));
                m->m_trusted << v.value();
            }
    if (const auto kept = m->m_store->latestCheckpoint())
        m->m_verifiedSize = kept->first;
    if (source)
        connect(source, &Backend::eventsReceived, m.get(), [mirror = m.get()](const QList<Event>& events) {
            if (const Status s = mirror->append(events); !s) {
                mirror->stop();
                return;
            }
            // Near the head (a short page): ask for the latest checkpoint. While catching up, full pages
            // follow each other and a request beside them would slow the catch-up by half.
            if (events.size() < kCatchUpPage)
                mirror->fetchCheckpoint();
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
    if (inconsistent())
        return makeError(ErrorCode::Conflict, QStringLiteral("the mirror stopped: %1").arg(m_inconsistency));
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
    if (!m_pending.isEmpty() && probe.ok()) {
        // A checkpoint that waited for the copy: checked now if a trusted key signed it, otherwise the
        // rotation it follows is looked for first.
        const QByteArray pending = m_pending;
        if (signedByTrusted(pending)) {
            if (const Status c = checkCheckpoint(pending); !c && inconsistent())
                return c;
        } else {
            m_lastFetchMs = 0;
            fetchCheckpoint();
        }
    }
    if (!probe.ok()) {
        emit chainBroken(probe.breakSeq(), probe.breakReason());
        return makeError(ErrorCode::Conflict,
            QStringLiteral("mirror stopped: chain broken at event %1: %2")
                .arg(probe.breakSeq())
                .arg(probe.breakReason()));
    }
    return Ok {};
}

Status Mirror::trustLogKey(const QString& vkey)
{
    auto v = NoteVerifier::fromVkey(vkey.trimmed());
    if (!v)
        return v.error();
    if (!m_trusted.contains(v.value()))
        m_trusted << v.value();
    QSaveFile f(m_file + QStringLiteral(".log-key"));
    if (!f.open(QIODevice::WriteOnly))
        return makeError(ErrorCode::Internal, QStringLiteral("cannot write %1").arg(f.fileName()));
    for (const NoteVerifier& t : std::as_const(m_trusted))
        f.write(t.vkey().toUtf8() + '\n');
    if (!f.commit())
        return makeError(ErrorCode::Internal, QStringLiteral("cannot write %1").arg(f.fileName()));
    return Ok {};
}

QStringList Mirror::trustedLogKeys() const
{
    QStringList out;
    for (const NoteVerifier& v : m_trusted)
        out << v.vkey();
    return out;
}

Status Mirror::refuse(const QString& reason)
{
    m_inconsistency = reason;
    m_pending.clear();
    stop();
    emit logInconsistent(reason);
    return makeError(ErrorCode::Conflict, reason);
}

Status Mirror::checkCheckpoint(const QByteArray& note)
{
    if (inconsistent())
        return makeError(ErrorCode::Conflict, m_inconsistency);
    if (m_trusted.isEmpty())
        return makeError(ErrorCode::Invalid, QStringLiteral("no log key is trusted yet"));
    auto parsed = SignedNote::parse(note);
    if (!parsed)
        return refuse(QStringLiteral("the broker's checkpoint is malformed: %1").arg(parsed.error().message));
    auto body = CheckpointBody::parse(parsed->text);
    if (!body)
        return refuse(QStringLiteral("the broker's checkpoint is malformed: %1").arg(body.error().message));
    if (auto signedBy = verifyNote(parsed.value(), m_trusted); signedBy) {
        learnRotatedKey(note); // a hand-over signed by the trusted key and the next one teaches the next one
    } else {
        if (const Status learnt = learnRotatedKey(note); !learnt) {
            if (body->size > lastSeq()) {
                m_pending = note; // the rotation it follows may still be ahead of the copy
                return Ok {};
            }
            return refuse(
                QStringLiteral("the broker's checkpoint at size %1 is not signed by a trusted log key: %2")
                    .arg(body->size)
                    .arg(signedBy.error().message));
        }
    }
    if (body->size > lastSeq()) {
        m_pending = note; // checked when the copy gets there
        return Ok {};
    }
    m_pending.clear();
    // The mirror's own tree over the same events: the broker's root must be it.
    const Result<merkle::Hash> mine = body->size == m_store->lastSeq()
        ? Result<merkle::Hash>(m_store->treeRoot())
        : merkle::rootAt(body->size, m_store->treeReader());
    if (!mine)
        return mine.error();
    if (QByteArray(reinterpret_cast<const char*>(mine->data()), 32) != body->root)
        return refuse(
            QStringLiteral("log inconsistent: the broker's checkpoint at size %1 names another root than the "
                           "mirror's copy of its first %2 events")
                .arg(body->size)
                .arg(body->size));
    if (body->size < m_verifiedSize && !m_store->checkpoint(body->size))
        return refuse(
            QStringLiteral("log inconsistent: checkpoint at size %1 is older than the verified size %2")
                .arg(body->size)
                .arg(m_verifiedSize));
    if (const Status b = m_store->begin(); !b)
        return b;
    if (const Status p = m_store->putCheckpoint(body->size, note, Clock::now()); !p) {
        m_store->rollback();
        if (p.error().code == ErrorCode::Conflict)
            return refuse(QStringLiteral("log inconsistent: two checkpoints at size %1 and %1 with different "
                                         "signatures: the log forked")
                              .arg(body->size));
        return p;
    }
    if (const Status c = m_store->commit(); !c)
        return c;
    m_verifiedSize = std::max(m_verifiedSize, body->size);
    emit checkpointVerified(body->size, Clock::now());
    return Ok {};
}

bool Mirror::signedByTrusted(const QByteArray& note) const
{
    auto parsed = SignedNote::parse(note);
    return parsed && verifyNote(parsed.value(), m_trusted).ok();
}

qint64 Mirror::nextRotation(QString* vkey) const
{
    // The mirror holds the log: the first log.key_rotated event after the last verified checkpoint whose key
    // is not trusted yet.
    for (qint64 after = m_verifiedSize;;) {
        const QList<Event> page = m_store->events(after, 10000);
        if (page.isEmpty())
            return 0;
        for (const Event& e : page) {
            if (e.type != QLatin1String("log.key_rotated"))
                continue;
            const QString current = e.bodyJson().value(QLatin1String("current")).toString();
            auto next = NoteVerifier::fromVkey(current);
            if (next && !m_trusted.contains(next.value())) {
                *vkey = current;
                return e.seq;
            }
        }
        after = page.last().seq;
    }
}

Status Mirror::learnRotatedKey(const QByteArray& note)
{
    // A hand-over: the checkpoint cut at a log.key_rotated event, signed by a trusted key and by the new one.
    QString vkey;
    const qint64 at = nextRotation(&vkey);
    auto parsed = SignedNote::parse(note);
    auto next = NoteVerifier::fromVkey(vkey);
    if (!at || !parsed || !next)
        return makeError(ErrorCode::NotFound, QStringLiteral("no key rotation hands over to this key"));
    auto body = CheckpointBody::parse(parsed->text);
    if (!body || body->size != at || !verifyNote(parsed.value(), m_trusted)
        || !verifyNote(parsed.value(), {next.value()}))
        return makeError(
            ErrorCode::Conflict, QStringLiteral("not the hand-over of the rotation at event %1").arg(at));
    return trustLogKey(vkey);
}

void Mirror::fetchCheckpoint()
{
    const qint64 now = Clock::now();
    if (!m_source || m_fetching || inconsistent() || now - m_lastFetchMs < 5000)
        return;
    m_fetching = true;
    m_lastFetchMs = now;
    auto check = [this, guard = QPointer<Mirror>(this)](const Result<QByteArray>& note) {
        if (!guard)
            return;
        if (!note) {
            m_fetching = false;
            return;
        }
        QString vkey;
        const qint64 rotation = signedByTrusted(note.value()) ? 0 : nextRotation(&vkey);
        if (!rotation) {
            m_fetching = false;
            checkCheckpoint(note.value());
            return;
        }
        // Signed by a key the mirror does not trust yet: its hand-over first, then the latest.
        QUrlQuery at;
        at.addQueryItem(QStringLiteral("size"), QString::number(rotation));
        m_source->callText("GET", QStringLiteral("/v1/log/checkpoint"), at,
            [this, guard, latest = note.value()](const Result<QByteArray>& handOver) {
                if (!guard)
                    return;
                m_fetching = false;
                if (handOver && checkCheckpoint(handOver.value()))
                    checkCheckpoint(latest);
            });
    };
    if (m_trusted.isEmpty()) {
        m_source->callText("GET", QStringLiteral("/.well-known/lapse-log-key"), {},
            [this, guard = QPointer<Mirror>(this), check](const Result<QByteArray>& vkey) {
                if (!guard)
                    return;
                if (!vkey || !trustLogKey(QString::fromUtf8(vkey.value()))) {
                    m_fetching = false;
                    return;
                }
                m_source->callText("GET", QStringLiteral("/v1/log/checkpoint"), {}, check);
            });
        return;
    }
    m_source->callText("GET", QStringLiteral("/v1/log/checkpoint"), {}, check);
}

} // namespace lapse
