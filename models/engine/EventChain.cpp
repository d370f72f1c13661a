// SHA-256 chaining of events; any change to a stored event or to their order breaks the chain.
#include "EventChain.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <memory>

namespace lapse
{

QByteArray EventChain::genesisHash()
{
    return QByteArray(64, '0');
}

QByteArray EventChain::hash(const QByteArray& prevHash, const Event& e)
{
    // Length-prefixed fields, so no field can bleed into the next one.
    thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(
        EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    const QByteArray head = QByteArray::number(e.seq) + '\n' + QByteArray::number(e.tsMs) + '\n';
    const QByteArray type = e.type.toUtf8(), actor = e.actor.toUtf8(), subject = e.subject.toUtf8();
    const QByteArray lens = QByteArray::number(type.size()) + ',' + QByteArray::number(actor.size()) + ','
        + QByteArray::number(subject.size()) + ',' + QByteArray::number(e.body.size()) + '\n';
    unsigned char md[32];
    unsigned int len = 0;
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1
        || EVP_DigestUpdate(ctx.get(), prevHash.constData(), size_t(prevHash.size())) != 1
        || EVP_DigestUpdate(ctx.get(), head.constData(), size_t(head.size())) != 1
        || EVP_DigestUpdate(ctx.get(), lens.constData(), size_t(lens.size())) != 1
        || EVP_DigestUpdate(ctx.get(), type.constData(), size_t(type.size())) != 1
        || EVP_DigestUpdate(ctx.get(), actor.constData(), size_t(actor.size())) != 1
        || EVP_DigestUpdate(ctx.get(), subject.constData(), size_t(subject.size())) != 1
        || EVP_DigestUpdate(ctx.get(), e.body.constData(), size_t(e.body.size())) != 1
        || EVP_DigestFinal_ex(ctx.get(), md, &len) != 1)
        std::abort(); // an event that cannot be hashed must never be written
    return QByteArray(reinterpret_cast<const char*>(md), int(len)).toHex();
}

ChainVerifier::ChainVerifier(qint64 expectSeq, QByteArray prevHash)
    : m_expect(expectSeq)
    , m_prev(std::move(prevHash))
{
}

bool ChainVerifier::add(const Event& e)
{
    if (m_breakSeq)
        return false;
    if (e.seq != m_expect) {
        m_breakSeq = m_expect;
        m_reason = e.seq > m_expect
            ? QStringLiteral("event %1 is missing (next stored event is %2)").arg(m_expect).arg(e.seq)
            : QStringLiteral("event %1 appears out of order after %2").arg(e.seq).arg(m_expect - 1);
        return false;
    }
    const QByteArray expected = EventChain::hash(m_prev, e);
    if (expected != e.hash) {
        m_breakSeq = e.seq;
        m_reason
            = QStringLiteral("event %1 does not match its hash: it was edited, inserted or moved").arg(e.seq);
        return false;
    }
    m_prev = e.hash;
    ++m_expect;
    ++m_count;
    return true;
}

} // namespace lapse
