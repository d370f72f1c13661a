// Ed25519 signing keys for credentials: created on first start, stored 0600, rotated, published as a JWKS.
#pragma once

#include "core/Error.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <memory>

namespace lapse
{

struct VerifiedToken {
    QString kid;
    QJsonObject header;
    QJsonObject claims;
};

class KeyRing
{
public:
    KeyRing();
    ~KeyRing();
    KeyRing(KeyRing&&) noexcept;
    KeyRing& operator=(KeyRing&&) noexcept;

    // Opens DIR/keys (0700), loading every key; creates the first one if there is none.
    static Result<std::unique_ptr<KeyRing>> open(const QString& dataDir, qint64 nowMs);

    // A new current key; the old one is retired at nowMs but stays in the JWKS (see jwks()).
    Status rotate(qint64 nowMs);
    QString currentKid() const;

    // Compact JWS, header {"alg":"EdDSA","typ":"JWT","kid":currentKid}.
    QByteArray sign(const QJsonObject& claims) const;
    // Checks shape, alg == EdDSA exactly, a known kid and the signature. Claims (exp, aud) are the caller's.
    Result<VerifiedToken> verify(const QByteArray& token) const;

    // {"keys":[{"kty":"OKP","crv":"Ed25519","x":...,"kid":...,"use":"sig","alg":"EdDSA"}]}: the current key
    // and every retired key retired less than retainMs ago (its credentials may still be unexpired).
    QJsonObject jwks(qint64 nowMs, qint64 retainMs) const;
    int keyCount() const;

private:
    struct Key;
    QString m_dir;
    QList<std::shared_ptr<Key>> m_keys; // oldest first; the last is current
    Status saveIndex() const;
};

} // namespace lapse
