// Fuzz target: KeyRing::verify on compact JWS tokens. The ring signs three tokens at start (one with a key it
// has since rotated out) and checks they verify. An input starting with '!' is an edit script for one of them
// (byte 1 picks it; then triples of position, two bytes little-endian, and xor mask); anything else is a
// token as is. Invariant: the ring accepts a token only when its bytes are exactly one it signed, and then
// gives back the claims it signed.
#include "engine/KeyRing.h"

#include <QJsonObject>
#include <QTemporaryDir>
#include <cstdint>
#include <cstdlib>

using namespace lapse;

namespace
{
struct Ring {
    QTemporaryDir dir;
    std::unique_ptr<KeyRing> keys;
    QList<QByteArray> tokens;
    QList<QJsonObject> claims;
};

const Ring& ring()
{
    static const Ring* r = [] {
        auto* ring = new Ring; // never destroyed: libFuzzer exits without running static destructors
        auto opened = KeyRing::open(ring->dir.path(), 1'790'000'000'000);
        if (!ring->dir.isValid() || !opened)
            std::abort();
        ring->keys = std::move(opened).value();
        const QList<QJsonObject> claims {
            {{"iss", "lapse-broker"}, {"sub", "alice"}, {"aud", "staging-k8s"}, {"exp", 1790000900},
                {"jti", "grt_1"}, {"scope", "view"}},
            {{"iss", "lapse-broker"}, {"sub", "agent-7"}, {"aud", "prod-k8s"}, {"exp", 1790000600},
                {"jti", "grt_2"}, {"scope", "view exec"}},
            {{"iss", "lapse-broker"}, {"sub", "dave"}, {"aud", "billing-db"}, {"exp", 1790003600},
                {"jti", "grt_3"}, {"scope", "read"}, {"note", QString::fromUtf8("caf\u00e9 \U0001F600")}},
        };
        for (qsizetype i = 0; i < claims.size(); ++i) {
            if (i == 1 && !ring->keys->rotate(1'790'000'000'500)) // the first token's key is retired
                std::abort();
            ring->tokens << ring->keys->sign(claims[i]);
            ring->claims << claims[i];
        }
        for (qsizetype i = 0; i < claims.size(); ++i) {
            const auto v = ring->keys->verify(ring->tokens[i]);
            if (!v || v->claims != claims[i])
                std::abort(); // the ring does not accept what it signed
        }
        return ring;
    }();
    return *r;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const Ring& r = ring();
    QByteArray token;
    if (size >= 2 && data[0] == '!') {
        token = r.tokens.at(data[1] % r.tokens.size());
        for (size_t i = 2; i + 2 < size; i += 3) {
            const qsizetype at = (data[i] | data[i + 1] << 8) % token.size();
            token[at] = char(token.at(at) ^ data[i + 2]);
        }
    } else {
        token = QByteArray(reinterpret_cast<const char*>(data), qsizetype(size));
    }
    const auto verified = r.keys->verify(token);
    if (!verified)
        return 0;
    const qsizetype which = r.tokens.indexOf(token);
    if (which < 0)
        std::abort(); // accepted a token the ring never signed
    if (verified->claims != r.claims.at(which))
        std::abort(); // accepted, with other claims than were signed
    return 0;
}
