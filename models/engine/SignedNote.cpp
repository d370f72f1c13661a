// Signed notes over OpenSSL 3 EVP Ed25519: strict parsing, key ids, verification that fails closed, signing.
#include "SignedNote.h"

#include "Crypto.h"

#include <QtEndian>

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace lapse
{

namespace
{

struct MdCtxFree {
    void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

constexpr int kPublicKeyBytes = 32;
constexpr int kSeedBytes = 32;
constexpr int kSignatureBytes = 64;
constexpr char kAlgEd25519 = 0x01;
// "— " in UTF-8: em dash U+2014, then a space.
const QByteArray kSigPrefix = QByteArrayLiteral("\xE2\x80\x94 ");
const QString kSkeyPrefix = QStringLiteral("PRIVATE+KEY+");

Error malformed(const QString& message)
{
    return makeError(ErrorCode::Malformed, message);
}

Error refused(const QString& message)
{
    return makeError(ErrorCode::Unauthenticated, message);
}

QString keyLabel(const QString& name, quint32 keyId)
{
    return QStringLiteral("%1+%2").arg(name).arg(keyId, 8, 16, QLatin1Char('0'));
}

// Standard base64 (RFC 4648 section 4) in its one canonical spelling: padded, no stray bits, no whitespace,
// so a signature line or a root hash has exactly one textual form.
bool decodeStdBase64(const QByteArray& text, QByteArray* out)
{
    auto r = QByteArray::fromBase64Encoding(text, QByteArray::AbortOnBase64DecodingErrors);
    if (r.decodingStatus != QByteArray::Base64DecodingStatus::Ok || r.decoded.toBase64() != text)
        return false;
    *out = r.decoded;
    return true;
}

QByteArray bigEndian(quint32 v)
{
    QByteArray out(4, Qt::Uninitialized);
    qToBigEndian(v, out.data());
    return out;
}

// Decodes one code point of strict UTF-8 at data[i] (no overlong forms, surrogates or values past
// U+10FFFF), returning its length, or 0 if the bytes there are not UTF-8.
int utf8Length(const unsigned char* data, qsizetype size, qsizetype i, char32_t* cp)
{
    const unsigned char b0 = data[i];
    if (b0 < 0x80) {
        *cp = b0;
        return 1;
    }
    int len = 0;
    char32_t v = 0;
    char32_t min = 0;
    if ((b0 & 0xE0) == 0xC0) {
        len = 2;
        v = b0 & 0x1F;
        min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3;
        v = b0 & 0x0F;
        min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4;
        v = b0 & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (i + len > size)
        return 0;
    for (int k = 1; k < len; ++k) {
        const unsigned char b = data[i + k];
        if ((b & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (b & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

// The spec's character rule for a whole note: valid UTF-8 and no ASCII control character but "\n".
Status checkCharacters(const QByteArray& bytes, const QString& what)
{
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.constData());
    for (qsizetype i = 0; i < bytes.size();) {
        char32_t cp = 0;
        const int len = utf8Length(data, bytes.size(), i, &cp);
        if (len == 0)
            return malformed(QStringLiteral("%1 is not valid UTF-8 (at byte %2)").arg(what).arg(i));
        if (cp < 0x20 && cp != '\n')
            return malformed(
                QStringLiteral("%1 contains the control character 0x%2 at byte %3; only newlines are allowed")
                    .arg(what)
                    .arg(uint(cp), 2, 16, QLatin1Char('0'))
                    .arg(i));
        i += len;
    }
    return Ok {};
}

// "<name>+<key id>+<key>": names hold no '+', but the base64 key may, so only the first two separate.
QStringList splitKey(const QString& key)
{
    const qsizetype first = key.indexOf(QLatin1Char('+'));
    const qsizetype second = first < 0 ? -1 : key.indexOf(QLatin1Char('+'), first + 1);
    if (second < 0)
        return {};
    return {key.left(first), key.mid(first + 1, second - first - 1), key.mid(second + 1)};
}

QByteArray signatureLine(const SignedNote::Signature& sig)
{
    return kSigPrefix + sig.name.toUtf8() + ' ' + (bigEndian(sig.keyId) + sig.bytes).toBase64() + '\n';
}

Result<SignedNote::Signature> parseSignatureLine(const QByteArray& line, int lineNumber)
{
    if (!line.startsWith(kSigPrefix))
        return malformed(
            QStringLiteral("signature line %1 does not start with an em dash (U+2014) and a space")
                .arg(lineNumber));
    const QByteArray rest = line.mid(kSigPrefix.size());
    const qsizetype space = rest.indexOf(' ');
    if (space < 0)
        return malformed(
            QStringLiteral("signature line %1 has no space between key name and signature").arg(lineNumber));
    SignedNote::Signature sig;
    sig.name = QString::fromUtf8(rest.left(space));
    if (!isValidNoteKeyName(sig.name))
        return malformed(QStringLiteral("signature line %1 has an invalid key name").arg(lineNumber));
    const QByteArray b64 = rest.mid(space + 1);
    QByteArray raw;
    if (b64.isEmpty() || !decodeStdBase64(b64, &raw))
        return malformed(QStringLiteral("signature line %1 is not standard base64").arg(lineNumber));
    if (raw.size() < 5)
        return malformed(
            QStringLiteral("signature line %1 is shorter than a key id and a signature").arg(lineNumber));
    sig.keyId = qFromBigEndian<quint32>(raw.constData());
    sig.bytes = raw.mid(4);
    return sig;
}

} // namespace

quint32 noteKeyId(const QString& name, const QByteArray& ed25519Public)
{
    const QByteArray digest = crypto::sha256(name.toUtf8() + '\n' + kAlgEd25519 + ed25519Public);
    return qFromBigEndian<quint32>(digest.constData());
}

bool isValidNoteKeyName(const QString& name)
{
    if (name.isEmpty() || !name.isValidUtf16())
        return false;
    for (QChar c : name) {
        if (c.unicode() < 0x20 || c.isSpace() || c == QLatin1Char('+'))
            return false;
    }
    return true;
}

// NoteVerifier

Result<NoteVerifier> NoteVerifier::fromPublicKey(const QString& name, const QByteArray& ed25519Public)
{
    if (!isValidNoteKeyName(name))
        return makeError(ErrorCode::Invalid,
            QStringLiteral("'%1' is not a valid key name (no spaces, no '+', not empty)").arg(name.left(64)));
    if (ed25519Public.size() != kPublicKeyBytes)
        return makeError(ErrorCode::Invalid,
            QStringLiteral("an Ed25519 public key is 32 bytes, not %1").arg(ed25519Public.size()));
    NoteVerifier v;
    v.m_name = name;
    v.m_publicKey = ed25519Public;
    v.m_keyId = noteKeyId(name, ed25519Public);
    return v;
}

Result<NoteVerifier> NoteVerifier::fromVkey(const QString& vkey)
{
    const QStringList parts = splitKey(vkey);
    if (parts.size() != 3)
        return malformed(QStringLiteral("a verifier key has the form <name>+<key id>+<key>"));
    const QString& idText = parts.at(1);
    bool hexOk = idText.size() == 8;
    for (QChar c : idText)
        hexOk = hexOk
            && ((c >= QLatin1Char('0') && c <= QLatin1Char('9'))
                || (c >= QLatin1Char('a') && c <= QLatin1Char('f'))
                || (c >= QLatin1Char('A') && c <= QLatin1Char('F')));
    if (!hexOk)
        return malformed(QStringLiteral("the key id of a verifier key is 8 hexadecimal digits"));
    const quint32 keyId = idText.toUInt(nullptr, 16);
    QByteArray raw;
    if (!decodeStdBase64(parts.at(2).toUtf8(), &raw))
        return malformed(QStringLiteral("the key of a verifier key is not standard base64"));
    if (raw.isEmpty() || raw.at(0) != kAlgEd25519)
        return malformed(QStringLiteral("the verifier key is not an Ed25519 key (type byte 0x01)"));
    auto v = fromPublicKey(parts.at(0), raw.mid(1));
    if (!v)
        return malformed(v.error().message);
    if (v->keyId() != keyId)
        return malformed(QStringLiteral("the key id %1 does not match the name and key (expected %2)")
                             .arg(idText)
                             .arg(v->keyId(), 8, 16, QLatin1Char('0')));
    return v;
}

QString NoteVerifier::vkey() const
{
    if (isNull())
        return {};
    return keyLabel(m_name, m_keyId) + QLatin1Char('+')
        + QString::fromLatin1((QByteArray(1, kAlgEd25519) + m_publicKey).toBase64());
}

bool NoteVerifier::verify(const QByteArray& message, const QByteArray& signature) const
{
    if (m_publicKey.size() != kPublicKeyBytes || signature.size() != kSignatureBytes)
        return false;
    PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
        reinterpret_cast<const unsigned char*>(m_publicKey.constData()), size_t(m_publicKey.size())));
    MdCtxPtr ctx(EVP_MD_CTX_new());
    // Ed25519 hashes internally, hence the NULL digest and the one-shot EVP_DigestVerify.
    return pkey && ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) == 1
        && EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.constData()),
               size_t(signature.size()), reinterpret_cast<const unsigned char*>(message.constData()),
               size_t(message.size()))
        == 1;
}

// NoteSigner

Result<NoteSigner> NoteSigner::fromKey(const QString& name, evp_pkey_st* ed25519Private)
{
    if (!ed25519Private || EVP_PKEY_get_id(ed25519Private) != EVP_PKEY_ED25519)
        return makeError(ErrorCode::Invalid, QStringLiteral("not an Ed25519 private key"));
    QByteArray pub(kPublicKeyBytes, Qt::Uninitialized);
    size_t len = size_t(pub.size());
    if (EVP_PKEY_get_raw_public_key(ed25519Private, reinterpret_cast<unsigned char*>(pub.data()), &len) != 1
        || len != size_t(kPublicKeyBytes))
        return makeError(
            ErrorCode::Internal, QStringLiteral("cannot read the public half of an Ed25519 key"));
    auto verifier = NoteVerifier::fromPublicKey(name, pub);
    if (!verifier)
        return verifier.error();
    if (EVP_PKEY_up_ref(ed25519Private) != 1)
        return makeError(ErrorCode::Internal, QStringLiteral("cannot take a reference to an Ed25519 key"));
    NoteSigner s;
    s.m_verifier = verifier.value();
    s.m_key = std::shared_ptr<evp_pkey_st>(ed25519Private, EVP_PKEY_free);
    return s;
}

Result<NoteSigner> NoteSigner::fromSeed(const QString& name, const QByteArray& seed)
{
    if (seed.size() != kSeedBytes)
        return makeError(
            ErrorCode::Invalid, QStringLiteral("an Ed25519 seed is 32 bytes, not %1").arg(seed.size()));
    PkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
        reinterpret_cast<const unsigned char*>(seed.constData()), size_t(seed.size())));
    if (!pkey)
        return makeError(ErrorCode::Internal, QStringLiteral("OpenSSL refused the Ed25519 seed"));
    return fromKey(name, pkey.get());
}

Result<NoteSigner> NoteSigner::fromSkey(const QString& skey)
{
    if (!skey.startsWith(kSkeyPrefix))
        return malformed(QStringLiteral("a signer key starts with PRIVATE+KEY+"));
    const QStringList parts = splitKey(skey.mid(kSkeyPrefix.size()));
    if (parts.size() != 3 || parts.at(1).size() != 8)
        return malformed(QStringLiteral("a signer key has the form PRIVATE+KEY+<name>+<key id>+<key>"));
    bool idOk = false;
    const quint32 keyId = parts.at(1).toUInt(&idOk, 16);
    QByteArray raw;
    if (!idOk || !decodeStdBase64(parts.at(2).toUtf8(), &raw) || raw.size() != 1 + kSeedBytes
        || raw.at(0) != kAlgEd25519) {
        OPENSSL_cleanse(raw.data(), size_t(raw.size()));
        return malformed(QStringLiteral("the signer key is not an Ed25519 seed with a key id"));
    }
    auto signer = fromSeed(parts.at(0), raw.mid(1));
    OPENSSL_cleanse(raw.data(), size_t(raw.size()));
    if (!signer)
        return malformed(signer.error().message);
    if (signer->keyId() != keyId)
        return malformed(QStringLiteral("the key id of the signer key does not match its name and key"));
    return signer;
}

QByteArray NoteSigner::sign(const QByteArray& message) const
{
    if (!m_key)
        return {};
    MdCtxPtr ctx(EVP_MD_CTX_new());
    QByteArray sig(kSignatureBytes, Qt::Uninitialized);
    size_t sigLen = size_t(sig.size());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, m_key.get()) != 1
        || EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &sigLen,
               reinterpret_cast<const unsigned char*>(message.constData()), size_t(message.size()))
            != 1
        || sigLen != size_t(kSignatureBytes))
        return {};
    return sig;
}

// Notes

Status validateNoteText(const QByteArray& text)
{
    if (text.isEmpty() || !text.endsWith('\n'))
        return malformed(QStringLiteral("note text must end with a newline"));
    if (text.size() > kMaxNoteBytes)
        return makeError(
            ErrorCode::TooLarge, QStringLiteral("note text is larger than %1 bytes").arg(kMaxNoteBytes));
    return checkCharacters(text, QStringLiteral("note text"));
}

Result<SignedNote> SignedNote::parse(const QByteArray& note)
{
    if (note.size() > kMaxNoteBytes)
        return makeError(
            ErrorCode::TooLarge, QStringLiteral("signed note is larger than %1 bytes").arg(kMaxNoteBytes));
    Status chars = checkCharacters(note, QStringLiteral("signed note"));
    if (!chars)
        return chars.error();
    // The text may hold blank lines itself; only the last one separates it from the signatures.
    const qsizetype split = note.lastIndexOf("\n\n");
    if (split < 0)
        return malformed(QStringLiteral("signed note has no blank line before its signatures"));
    SignedNote out;
    out.text = note.left(split + 1);
    const QByteArray sigs = note.mid(split + 2);
    if (sigs.isEmpty())
        return malformed(QStringLiteral("signed note has no signature lines"));
    if (!sigs.endsWith('\n'))
        return malformed(QStringLiteral("signed note does not end with a newline"));
    const QList<QByteArray> lines = sigs.left(sigs.size() - 1).split('\n');
    if (lines.size() > kMaxNoteSignatures)
        return malformed(QStringLiteral("signed note has %1 signatures; at most %2 are read")
                             .arg(lines.size())
                             .arg(kMaxNoteSignatures));
    for (int i = 0; i < lines.size(); ++i) {
        auto sig = parseSignatureLine(lines.at(i), i + 1);
        if (!sig)
            return sig.error();
        out.signatures.append(sig.value());
    }
    return out;
}

QByteArray SignedNote::serialize() const
{
    QByteArray out = text + '\n';
    for (const Signature& sig : signatures)
        out += signatureLine(sig);
    return out;
}

Result<QList<NoteVerifier>> verifyNote(const SignedNote& note, const QList<NoteVerifier>& trusted)
{
    Status textOk = validateNoteText(note.text);
    if (!textOk)
        return textOk.error();
    QList<NoteVerifier> signers;
    for (const SignedNote::Signature& sig : note.signatures) {
        const NoteVerifier* match = nullptr;
        for (const NoteVerifier& v : trusted) {
            if (v.name() != sig.name || v.keyId() != sig.keyId)
                continue;
            // Two trusted keys under one name and id: which one signed would be a guess.
            if (match && *match != v)
                return makeError(ErrorCode::Invalid,
                    QStringLiteral("two trusted keys share the name and key id %1")
                        .arg(keyLabel(sig.name, sig.keyId)));
            match = &v;
        }
        if (!match)
            continue; // the spec: signatures from unknown keys are ignored
        if (!match->verify(note.text, sig.bytes))
            return refused(QStringLiteral("the signature by %1 does not verify; the note is refused")
                               .arg(keyLabel(sig.name, sig.keyId)));
        if (!signers.contains(*match))
            signers.append(*match);
    }
    if (signers.isEmpty())
        return refused(QStringLiteral("the note carries no signature from a trusted key"));
    return signers;
}

Result<QList<NoteVerifier>> verifyNote(const QByteArray& note, const QList<NoteVerifier>& trusted)
{
    auto parsed = SignedNote::parse(note);
    if (!parsed)
        return parsed.error();
    return verifyNote(parsed.value(), trusted);
}

Status addNoteSignature(SignedNote& note, const NoteSigner& signer)
{
    if (signer.isNull())
        return makeError(ErrorCode::Internal, QStringLiteral("no signing key"));
    Status textOk = validateNoteText(note.text);
    if (!textOk)
        return textOk;
    SignedNote::Signature sig {signer.name(), signer.keyId(), signer.sign(note.text)};
    if (sig.bytes.isEmpty())
        return makeError(ErrorCode::Internal, QStringLiteral("Ed25519 signing failed"));
    // Signing again with the same key replaces its line rather than adding a second one.
    QList<SignedNote::Signature> signatures = note.signatures;
    signatures.removeIf(
        [&](const SignedNote::Signature& s) { return s.name == sig.name && s.keyId == sig.keyId; });
    if (signatures.size() >= kMaxNoteSignatures)
        return makeError(ErrorCode::Invalid,
            QStringLiteral("the note already carries %1 signatures").arg(kMaxNoteSignatures));
    signatures.append(sig);
    const SignedNote signedNote {note.text, signatures};
    if (signedNote.serialize().size() > kMaxNoteBytes)
        return makeError(ErrorCode::TooLarge,
            QStringLiteral("the signed note would be larger than %1 bytes").arg(kMaxNoteBytes));
    note = signedNote;
    return Ok {};
}

Result<QByteArray> addNoteSignature(const QByteArray& signedNote, const NoteSigner& signer)
{
    auto note = SignedNote::parse(signedNote);
    if (!note)
        return note.error();
    Status st = addNoteSignature(note.value(), signer);
    if (!st)
        return st.error();
    return note->serialize();
}

Result<QByteArray> signNoteText(const QByteArray& text, const NoteSigner& signer)
{
    SignedNote note;
    note.text = text;
    Status st = addNoteSignature(note, signer);
    if (!st)
        return st.error();
    return note.serialize();
}

} // namespace lapse
