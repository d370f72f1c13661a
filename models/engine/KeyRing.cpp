// Ed25519 key ring over OpenSSL 3 EVP: key files on disk, compact JWS signing, strict verification, JWKS.
#include "KeyRing.h"

#include "Crypto.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <sys/stat.h>
#include <unistd.h>

namespace lapse
{

namespace
{

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioFree {
    void operator()(BIO* p) const { BIO_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

constexpr qsizetype kMaxTokenBytes = 8 * 1024;
constexpr qsizetype kMaxKeyFileBytes = 64 * 1024;
constexpr int kSignatureBytes = 64;
constexpr int kPublicKeyBytes = 32;
constexpr int kKidHashBytes = 12; // 16 base64url chars
const QString kIndexName = QStringLiteral("index.json");

Error internal(const QString& message)
{
    return makeError(ErrorCode::Internal, message);
}

Error refused(const QString& reason)
{
    return makeError(ErrorCode::Unauthenticated, reason);
}

// A kid from index.json becomes part of a file name, so only the shape we generate is accepted.
bool isWellFormedKid(const QString& kid)
{
    if (kid.size() != 16)
        return false;
    for (QChar c : kid) {
        const char16_t u = c.unicode();
        const bool ok = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-'
            || u == '_';
        if (!ok)
            return false;
    }
    return true;
}

// Decodes one JWS segment and insists on the canonical encoding, so a token has exactly one spelling
// (otherwise unused trailing bits would let the same signature appear under several token strings).
bool decodeSegment(const QByteArray& text, QByteArray* out)
{
    return crypto::base64UrlDecode(text, out) && crypto::base64UrlEncode(*out) == text;
}

bool rawPublicKey(EVP_PKEY* pkey, QByteArray* out)
{
    size_t len = kPublicKeyBytes;
    QByteArray raw(kPublicKeyBytes, Qt::Uninitialized);
    if (EVP_PKEY_get_raw_public_key(pkey, reinterpret_cast<unsigned char*>(raw.data()), &len) != 1
        || len != size_t(kPublicKeyBytes))
        return false;
    *out = raw;
    return true;
}

QString kidFor(const QByteArray& rawPublic)
{
    return QString::fromLatin1(crypto::base64UrlEncode(crypto::sha256(rawPublic).left(kKidHashBytes)));
}

// Never let OpenSSL prompt on a terminal for a passphrase: our key files are unencrypted by design.
int noPassphrase(char*, int, int, void*)
{
    return 0;
}

QString octalMode(mode_t mode)
{
    return QStringLiteral("0%1").arg(uint(mode & 07777), 3, 8, QLatin1Char('0'));
}

// Writes the file under a temporary name created 0600 from the start, then renames it into place.
Status writePrivateFile(const QString& path, const QByteArray& data)
{
    const QString tmp = path + QStringLiteral(".tmp");
    QFile::remove(tmp); // a leftover from an interrupted write; NewOnly below refuses anything else
    QFile f(tmp);
    if (!f.open(QIODevice::WriteOnly | QIODevice::NewOnly, QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return internal(QStringLiteral("cannot create %1: %2").arg(tmp, f.errorString()));
    const bool written = f.write(data) == data.size() && f.flush() && ::fsync(f.handle()) == 0;
    f.close();
    if (!written || ::rename(QFile::encodeName(tmp).constData(), QFile::encodeName(path).constData()) != 0) {
        QFile::remove(tmp);
        return internal(QStringLiteral("cannot write %1").arg(path));
    }
    return Ok {};
}

// The cryptographic part of a key, kept apart from KeyRing::Key so the file helpers below can build it.
struct KeyMaterial {
    QString kid;
    QByteArray rawPublic; // 32 bytes, the JWKS "x"
    PkeyPtr pkey; // parsed once; verify and sign reuse it
};

Result<KeyMaterial> adopt(PkeyPtr pkey, const QString& source)
{
    if (!pkey || EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519)
        return internal(QStringLiteral("%1 is not an Ed25519 private key").arg(source));
    KeyMaterial m;
    if (!rawPublicKey(pkey.get(), &m.rawPublic))
        return internal(QStringLiteral("cannot read the public half of %1").arg(source));
    m.kid = kidFor(m.rawPublic);
    m.pkey = std::move(pkey);
    return m;
}

Result<KeyMaterial> generateKey()
{
    PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    if (!pkey)
        return internal(QStringLiteral("Ed25519 key generation failed"));
    return adopt(std::move(pkey), QStringLiteral("the generated key"));
}

Status storeKey(const QString& path, EVP_PKEY* pkey)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return internal(QStringLiteral("cannot encode the private key for %1").arg(path));
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    QByteArray pem(data, qsizetype(len));
    OPENSSL_cleanse(data, size_t(len));
    Status st = writePrivateFile(path, pem);
    OPENSSL_cleanse(pem.data(), size_t(pem.size())); // no second plaintext copy lingering in the heap
    return st;
}

Result<KeyMaterial> loadKey(const QString& path)
{
    struct stat st {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return internal(QStringLiteral("key file %1 is missing").arg(path));
    if (!S_ISREG(st.st_mode))
        return internal(QStringLiteral("key file %1 is not a regular file").arg(path));
    if ((st.st_mode & 0777 & ~mode_t(0600)) != 0)
        return internal(QStringLiteral("key file %1 has permissions %2, wider than 0600; "
                                       "fix with: chmod 600 %1")
                            .arg(path, octalMode(st.st_mode)));
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return internal(QStringLiteral("cannot read key file %1: %2").arg(path, f.errorString()));
    QByteArray pem = f.read(kMaxKeyFileBytes + 1);
    if (pem.size() > kMaxKeyFileBytes)
        return internal(QStringLiteral("key file %1 is too large to be a key").arg(path));
    BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    PkeyPtr pkey(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr) : nullptr);
    OPENSSL_cleanse(pem.data(), size_t(pem.size()));
    if (!pkey)
        return internal(QStringLiteral("key file %1 is not a PEM private key").arg(path));
    return adopt(std::move(pkey), QStringLiteral("key file %1").arg(path));
}

} // namespace

struct KeyRing::Key : KeyMaterial {
    qint64 createdMs = 0;
    qint64 retiredMs = 0; // 0 while current
};

KeyRing::KeyRing() = default;
KeyRing::~KeyRing() = default;
KeyRing::KeyRing(KeyRing&&) noexcept = default;
KeyRing& KeyRing::operator=(KeyRing&&) noexcept = default;

Result<std::unique_ptr<KeyRing>> KeyRing::open(const QString& dataDir, qint64 nowMs)
{
    if (dataDir.isEmpty())
        return internal(QStringLiteral("no data directory given for the key ring"));
    if (!QDir().mkpath(dataDir))
        return internal(QStringLiteral("cannot create data directory %1").arg(dataDir));
    const QString dir = QDir(dataDir).absoluteFilePath(QStringLiteral("keys"));
    if (!QFileInfo(dir).isDir()
        && !QDir(dataDir).mkdir(
            QStringLiteral("keys"), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner))
        return internal(QStringLiteral("cannot create key directory %1").arg(dir));

    auto ring = std::make_unique<KeyRing>();
    ring->m_dir = dir;
    const QString indexPath = dir + QLatin1Char('/') + kIndexName;

    if (QFileInfo::exists(indexPath)) {
        QFile f(indexPath);
        if (!f.open(QIODevice::ReadOnly))
            return internal(QStringLiteral("cannot read %1: %2").arg(indexPath, f.errorString()));
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
        if (pe.error != QJsonParseError::NoError || !doc.isObject() || !doc.object().value("keys").isArray())
            return internal(
                QStringLiteral("%1 is not a key index (expected {\"keys\":[...]})").arg(indexPath));
        for (const QJsonValue& v : doc.object().value("keys").toArray()) {
            const QJsonObject e = v.toObject();
            const QString kid = e.value("kid").toString();
            if (!isWellFormedKid(kid))
                return internal(QStringLiteral("%1 lists a malformed kid '%2'").arg(indexPath, kid.left(32)));
            for (const auto& k : std::as_const(ring->m_keys))
                if (k->kid == kid)
                    return internal(QStringLiteral("%1 lists kid %2 twice").arg(indexPath, kid));
            const QString path = dir + QLatin1Char('/') + kid + QStringLiteral(".pem");
            auto loaded = loadKey(path);
            if (!loaded)
                return loaded.error();
            if (loaded->kid != kid)
                return internal(
                    QStringLiteral("key file %1 holds key %2, not %3").arg(path, loaded->kid, kid));
            auto key = std::make_shared<Key>();
            static_cast<KeyMaterial&>(*key) = std::move(loaded).value();
            key->createdMs = e.value("created_ms").toInteger();
            key->retiredMs = e.value("retired_ms").toInteger();
            ring->m_keys.append(key);
        }
    } else if (!QDir(dir).entryList({QStringLiteral("*.pem")}, QDir::Files).isEmpty()) {
        // Silently starting a fresh key would orphan every credential signed by these.
        return internal(
            QStringLiteral("%1 holds key files but no %2; restore the index or move the keys away")
                .arg(dir, kIndexName));
    }

    if (ring->m_keys.isEmpty()) {
        Status st = ring->rotate(nowMs);
        if (!st)
            return st.error();
    } else {
        ring->m_keys.last()->retiredMs = 0; // the last listed is current by definition
    }
    return ring;
}

Status KeyRing::rotate(qint64 nowMs)
{
    auto generated = generateKey();
    if (!generated)
        return generated.error();
    auto key = std::make_shared<Key>();
    static_cast<KeyMaterial&>(*key) = std::move(generated).value();
    key->createdMs = nowMs;
    const QString path = m_dir + QLatin1Char('/') + key->kid + QStringLiteral(".pem");
    if (QFileInfo::exists(path))
        return internal(QStringLiteral("key file %1 already exists").arg(path));
    Status st = storeKey(path, key->pkey.get());
    if (!st)
        return st;

    std::shared_ptr<Key> previous = m_keys.isEmpty() ? nullptr : m_keys.last();
    if (previous)
        previous->retiredMs = nowMs;
    m_keys.append(key);
    st = saveIndex();
    if (!st) {
        // The index is the source of truth: undo so memory and disk still agree.
        m_keys.removeLast();
        if (previous)
            previous->retiredMs = 0;
        QFile::remove(path);
    }
    return st;
}

Status KeyRing::saveIndex() const
{
    QJsonArray keys;
    for (const auto& k : m_keys)
        keys.append(
            QJsonObject {{"kid", k->kid}, {"created_ms", k->createdMs}, {"retired_ms", k->retiredMs}});
    const QString path = m_dir + QLatin1Char('/') + kIndexName;
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return internal(QStringLiteral("cannot write %1: %2").arg(path, f.errorString()));
    // QSaveFile creates a new file 0666 & ~umask; narrow it before anything is written.
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    f.write(QJsonDocument(QJsonObject {{"keys", keys}}).toJson(QJsonDocument::Indented));
    if (!f.commit())
        return internal(QStringLiteral("cannot write %1: %2").arg(path, f.errorString()));
    return Ok {};
}

QString KeyRing::currentKid() const
{
    return m_keys.isEmpty() ? QString() : m_keys.last()->kid;
}

int KeyRing::keyCount() const
{
    return int(m_keys.size());
}

QByteArray KeyRing::sign(const QJsonObject& claims) const
{
    if (m_keys.isEmpty())
        return {};
    const Key& key = *m_keys.last();
    const QJsonObject header {{"alg", "EdDSA"}, {"kid", key.kid}, {"typ", "JWT"}};
    const QByteArray input = crypto::base64UrlEncode(QJsonDocument(header).toJson(QJsonDocument::Compact))
        + '.' + crypto::base64UrlEncode(QJsonDocument(claims).toJson(QJsonDocument::Compact));

    MdCtxPtr ctx(EVP_MD_CTX_new());
    QByteArray sig(kSignatureBytes, Qt::Uninitialized);
    size_t sigLen = size_t(sig.size());
    // Ed25519 hashes internally, hence the NULL digest and the one-shot EVP_DigestSign.
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.pkey.get()) != 1
        || EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &sigLen,
               reinterpret_cast<const unsigned char*>(input.constData()), size_t(input.size()))
            != 1
        || sigLen != size_t(kSignatureBytes))
        return {}; // an empty token verifies as nothing, so a failure cannot turn into a credential
    return input + '.' + crypto::base64UrlEncode(sig);
}

Result<VerifiedToken> KeyRing::verify(const QByteArray& token) const
{
    if (token.size() > kMaxTokenBytes)
        return refused(QStringLiteral("token is larger than %1 bytes").arg(kMaxTokenBytes));
    const qsizetype dot1 = token.indexOf('.');
    const qsizetype dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
    if (dot1 <= 0 || dot2 <= dot1 + 1 || dot2 + 1 >= token.size() || token.indexOf('.', dot2 + 1) >= 0)
        return refused(QStringLiteral("token is not a compact JWS"));
    const QByteArray headerPart = token.left(dot1);
    const QByteArray payloadPart = token.mid(dot1 + 1, dot2 - dot1 - 1);
    const QByteArray sigPart = token.mid(dot2 + 1);

    QByteArray headerJson;
    if (!decodeSegment(headerPart, &headerJson))
        return refused(QStringLiteral("token header is not base64url"));
    QJsonParseError pe;
    const QJsonDocument headerDoc = QJsonDocument::fromJson(headerJson, &pe);
    if (pe.error != QJsonParseError::NoError || !headerDoc.isObject())
        return refused(QStringLiteral("token header is not a JSON object"));
    const QJsonObject header = headerDoc.object();
    const QJsonValue alg = header.value("alg");
    if (!alg.isString())
        return refused(QStringLiteral("token header has no alg"));
    if (alg.toString() != QLatin1String("EdDSA"))
        return refused(QStringLiteral("unsupported alg '%1'").arg(alg.toString().left(32)));
    // RFC 7515 4.1.11: extensions we do not understand must not be silently ignored.
    if (header.contains("crit"))
        return refused(QStringLiteral("token header has unsupported crit parameters"));
    const QString kid = header.value("kid").toString();
    const Key* key = nullptr;
    for (const auto& k : m_keys)
        if (k->kid == kid) {
            key = k.get();
            break;
        }
    if (!key)
        return refused(QStringLiteral("unknown signing key"));

    QByteArray sig;
    if (!decodeSegment(sigPart, &sig))
        return refused(QStringLiteral("token signature is not base64url"));
    if (sig.size() != kSignatureBytes)
        return refused(QStringLiteral("token signature is not 64 bytes"));
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key->pkey.get()) != 1)
        return refused(QStringLiteral("signature cannot be checked"));
    if (EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.constData()),
            size_t(sig.size()), reinterpret_cast<const unsigned char*>(token.constData()), size_t(dot2))
        != 1)
        return refused(QStringLiteral("signature does not verify"));

    // Only signed bytes reach the payload parser.
    QByteArray payloadJson;
    if (!decodeSegment(payloadPart, &payloadJson))
        return refused(QStringLiteral("token payload is not base64url"));
    const QJsonDocument payloadDoc = QJsonDocument::fromJson(payloadJson, &pe);
    if (pe.error != QJsonParseError::NoError || !payloadDoc.isObject())
        return refused(QStringLiteral("token payload is not a JSON object"));
    return VerifiedToken {key->kid, header, payloadDoc.object()};
}

QJsonObject KeyRing::jwks(qint64 nowMs, qint64 retainMs) const
{
    QJsonArray keys;
    // Newest first: the current key, then retired keys whose credentials may still be alive.
    for (qsizetype i = m_keys.size() - 1; i >= 0; --i) {
        const Key& k = *m_keys.at(i);
        const bool current = i == m_keys.size() - 1;
        if (!current && nowMs - k.retiredMs >= retainMs)
            continue;
        keys.append(QJsonObject {{"kty", "OKP"}, {"crv", "Ed25519"},
            {"x", QString::fromLatin1(crypto::base64UrlEncode(k.rawPublic))}, {"kid", k.kid}, {"use", "sig"},
            {"alg", "EdDSA"}});
    }
    return QJsonObject {{"keys", keys}};
}

} // namespace lapse
