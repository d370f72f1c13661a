// SHA-256 chaining of events; any change to a stored event or to their order breaks the chain.
#include "EventChain.h"

#include <openssl/evp.h>

#include <cstdio>
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
    return hashRaw(prevHash, e.seq, e.tsMs, e.type.toUtf8(), e.actor.toUtf8(), e.subject.toUtf8(), e.body);
}

QByteArray EventChain::hashRaw(const QByteArray& prevHash, qint64 seq, qint64 tsMs, const QByteArray& type,
    const QByteArray& actor, const QByteArray& subject, const QByteArray& body)
{
    QByteArray out(64, Qt::Uninitialized);
    auto f = [](const QByteArray& b) { return Field {b.constData(), int(b.size())}; };
    hashInto(f(prevHash), seq, tsMs, f(type), f(actor), f(subject), f(body), out.data());
    return out;
}

void EventChain::hashInto(
    Field prevHash, qint64 seq, qint64 tsMs, Field type, Field actor, Field subject, Field body, char out[64])
{
    // Length-prefixed fields, so no field can bleed into the next one. The digest is fetched once per thread:
    // OpenSSL 3's implicit fetch on every init costs as much as hashing a short event.
    thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(
        EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    thread_local std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> sha256(
        EVP_MD_fetch(nullptr, "SHA256", nullptr), &EVP_MD_free);
    char head[96];
    const int headLen
        = std::snprintf(head, sizeof head, "%lld\n%lld\n%d,%d,%d,%d\n", static_cast<long long>(seq),
            static_cast<long long>(tsMs), type.size, actor.size, subject.size, body.size);
    unsigned char md[32];
    unsigned int len = 0;
    if (!ctx || !sha256 || headLen <= 0 || EVP_DigestInit_ex(ctx.get(), sha256.get(), nullptr) != 1
        || EVP_DigestUpdate(ctx.get(), prevHash.data, size_t(prevHash.size)) != 1
        || EVP_DigestUpdate(ctx.get(), head, size_t(headLen)) != 1
        || EVP_DigestUpdate(ctx.get(), type.data, size_t(type.size)) != 1
        || EVP_DigestUpdate(ctx.get(), actor.data, size_t(actor.size)) != 1
        || EVP_DigestUpdate(ctx.get(), subject.data, size_t(subject.size)) != 1
        || EVP_DigestUpdate(ctx.get(), body.data, size_t(body.size)) != 1
        || EVP_DigestFinal_ex(ctx.get(), md, &len) != 1 || len != 32)
        std::abort(); // an event that cannot be hashed must never be written
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = 0; i < 32; ++i) {
        out[2 * i] = kHex[md[i] >> 4];
        out[2 * i + 1] = kHex[md[i] & 0xf];
    }
}

ChainVerifier::ChainVerifier(qint64 expectSeq, QByteArray prevHash)
    : m_expect(expectSeq)
    , m_prev(std::move(prevHash))
{
}

bool ChainVerifier::add(const Event& e)
{
    if (m_breakSeq || e.seq != m_expect)
        return addPrehashed(e.seq, e.hash, {});
    return addPrehashed(e.seq, e.hash, EventChain::hash(m_prev, e));
}

bool ChainVerifier::addPrehashed(qint64 seq, const QByteArray& storedHash, const QByteArray& computedHash)
{
    if (m_breakSeq)
        return false;
    if (seq != m_expect) {
        m_breakSeq = m_expect;
        m_reason = seq > m_expect
            ? QStringLiteral("event %1 is missing (next stored event is %2)").arg(m_expect).arg(seq)
            : QStringLiteral("event %1 appears out of order after %2").arg(seq).arg(m_expect - 1);
        return false;
    }
    if (computedHash != storedHash) {
        m_breakSeq = seq;
        m_reason
            = QStringLiteral("event %1 does not match its hash: it was edited, inserted or moved").arg(seq);
        return false;
    }
    m_prev = storedHash;
    ++m_expect;
    ++m_count;
    return true;
}

} // namespace lapse
