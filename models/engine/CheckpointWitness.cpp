// CheckpointWitness: every refusal names the two sizes involved, so a person sees at once what went wrong.
#include "CheckpointWitness.h"

#include <QJsonArray>

#include <cstring>

namespace lapse
{

namespace
{
Error inconsistent(const QString& what)
{
    return makeError(ErrorCode::Conflict, QStringLiteral("log inconsistent: %1").arg(what));
}

merkle::Hash toHash(const QByteArray& bytes)
{
    merkle::Hash h {};
    std::memcpy(h.data(), bytes.constData(), std::min<size_t>(h.size(), size_t(bytes.size())));
    return h;
}
} // namespace

Result<CheckpointWitness> CheckpointWitness::trusting(const QStringList& vkeys)
{
    CheckpointWitness w;
    for (const QString& line : vkeys) {
        auto v = NoteVerifier::fromVkey(line.trimmed());
        if (!v)
            return v.error();
        w.m_trusted << v.value();
    }
    if (w.m_trusted.isEmpty())
        return makeError(ErrorCode::Invalid, QStringLiteral("a witness needs at least one trusted log key"));
    return w;
}

Result<CheckpointWitness> CheckpointWitness::fromJson(const QJsonObject& state)
{
    QStringList vkeys;
    for (const auto& v : state[QLatin1String("trusted")].toArray())
        vkeys << v.toString();
    auto trusted = trusting(vkeys);
    if (!trusted)
        return trusted.error();
    CheckpointWitness w = trusted.value();
    const QByteArray note = state[QLatin1String("note")].toString().toUtf8();
    if (!note.isEmpty()) {
        auto body = w.open(note);
        if (!body)
            return makeError(ErrorCode::Invalid,
                QStringLiteral("the kept checkpoint does not verify: %1").arg(body.error().message));
        w.m_origin = body->origin;
        w.m_size = body->size;
        w.m_root = body->root;
        w.m_note = note;
    }
    return w;
}

QJsonObject CheckpointWitness::toJson() const
{
    return QJsonObject {{"trusted", QJsonArray::fromStringList(trustedVkeys())}, {"origin", m_origin},
        {"size", m_size}, {"note", QString::fromUtf8(m_note)}};
}

QStringList CheckpointWitness::trustedVkeys() const
{
    QStringList out;
    for (const NoteVerifier& v : m_trusted)
        out << v.vkey();
    return out;
}

Result<CheckpointBody> CheckpointWitness::open(const QByteArray& note) const
{
    auto parsed = SignedNote::parse(note);
    if (!parsed)
        return parsed.error();
    if (auto verified = verifyNote(parsed.value(), m_trusted); !verified)
        return verified.error();
    return CheckpointBody::parse(parsed->text);
}

Status CheckpointWitness::learnKey(const QByteArray& note, const QString& vkey)
{
    auto candidate = NoteVerifier::fromVkey(vkey.trimmed());
    if (!candidate)
        return candidate.error();
    auto parsed = SignedNote::parse(note);
    if (!parsed)
        return parsed.error();
    if (auto byTrusted = verifyNote(parsed.value(), m_trusted); !byTrusted)
        return makeError(ErrorCode::Conflict,
            QStringLiteral("the key transition is not signed by a trusted key: %1")
                .arg(byTrusted.error().message));
    if (auto byNew = verifyNote(parsed.value(), {candidate.value()}); !byNew)
        return makeError(ErrorCode::Conflict,
            QStringLiteral("the key transition is not signed by the new key: %1").arg(byNew.error().message));
    m_trusted << candidate.value();
    return Ok {};
}

Status CheckpointWitness::accept(const QByteArray& note, const QList<merkle::Hash>& proof)
{
    auto body = open(note);
    if (!body)
        return body.error();
    if (!m_origin.isEmpty() && body->origin != m_origin)
        return inconsistent(
            QStringLiteral("checkpoint of another log (%1, kept %2)").arg(body->origin, m_origin));
    if (!m_note.isEmpty()) {
        if (body->size < m_size)
            return inconsistent(
                QStringLiteral("checkpoint at size %1 is older than the kept size %2: the log was cut")
                    .arg(body->size)
                    .arg(m_size));
        if (body->size == m_size && body->root != m_root)
            return inconsistent(
                QStringLiteral("two checkpoints at size %1 and %2 with different roots: the log forked")
                    .arg(body->size)
                    .arg(m_size));
        if (body->size > m_size
            && !merkle::verifyConsistency(m_size, body->size, toHash(m_root), toHash(body->root), proof))
            return inconsistent(
                QStringLiteral("size %1 is not consistent with the kept size %2: the log was rewritten")
                    .arg(body->size)
                    .arg(m_size));
    }
    m_origin = body->origin;
    m_size = body->size;
    m_root = body->root;
    m_note = note;
    return Ok {};
}

} // namespace lapse
