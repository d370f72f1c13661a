// SHA-256, randomness and base64url through OpenSSL (never hand-rolled).
#include "Crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>

namespace lapse::crypto
{

QByteArray sha256(const QByteArray& data)
{
    QByteArray out(32, Qt::Uninitialized);
    unsigned int len = 0;
    if (EVP_Digest(data.constData(), size_t(data.size()), reinterpret_cast<unsigned char*>(out.data()), &len,
            EVP_sha256(), nullptr)
            != 1
        || len != 32)
        std::abort(); // a digest that cannot be computed must not be mistaken for one that was
    return out;
}

QByteArray sha256Hex(const QByteArray& data)
{
    return sha256(data).toHex();
}

QByteArray randomBytes(int n)
{
    QByteArray out(n, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), n) != 1)
        std::abort(); // no entropy means no safe ids or keys: stop rather than degrade
    return out;
}

QByteArray base64UrlEncode(const QByteArray& raw)
{
    return raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

bool base64UrlDecode(const QByteArray& text, QByteArray* out)
{
    for (char c : text) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
            || c == '_';
        if (!ok)
            return false;
    }
    if (text.size() % 4 == 1)
        return false;
    auto r = QByteArray::fromBase64Encoding(text,
        QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals
            | QByteArray::AbortOnBase64DecodingErrors);
    if (!r)
        return false;
    *out = *r;
    return true;
}

bool constantTimeEquals(const QByteArray& a, const QByteArray& b)
{
    return a.size() == b.size() && CRYPTO_memcmp(a.constData(), b.constData(), size_t(a.size())) == 0;
}

} // namespace lapse::crypto
