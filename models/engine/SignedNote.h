// C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys: key ids, verifier keys, parsing, signing.
#pragma once

#include "core/Error.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <memory>

struct evp_pkey_st; // OpenSSL's EVP_PKEY, kept out of this header

namespace lapse
{

// Limits a reader applies before doing any work: the spec asks verifiers to bound both.
constexpr qsizetype kMaxNoteBytes = 1024 * 1024;
constexpr int kMaxNoteSignatures = 100;

// First four bytes, big-endian, of SHA-256(name || "\n" || 0x01 || public key): the Ed25519 key id.
quint32 noteKeyId(const QString& name, const QByteArray& ed25519Public);

// Non-empty, valid Unicode, no Unicode spaces, no '+', no control characters.
bool isValidNoteKeyName(const QString& name);

// A trusted public key: its name, key id and the 32 raw Ed25519 bytes. A value, cheap to copy.
class NoteVerifier
{
public:
    NoteVerifier() = default;

    // "<name>+<8 hex key id>+<base64(0x01 || 32-byte key)>"; the key id must match the name and key.
    static Result<NoteVerifier> fromVkey(const QString& vkey);
    static Result<NoteVerifier> fromPublicKey(const QString& name, const QByteArray& ed25519Public);

    QString name() const { return m_name; }
    quint32 keyId() const { return m_keyId; }
    QByteArray publicKey() const { return m_publicKey; }
    QString vkey() const;
    bool isNull() const { return m_publicKey.isEmpty(); }

    // True only for a 64-byte Ed25519 signature of message by this key.
    bool verify(const QByteArray& message, const QByteArray& signature) const;

    bool operator==(const NoteVerifier& other) const
    {
        return m_name == other.m_name && m_keyId == other.m_keyId && m_publicKey == other.m_publicKey;
    }
    bool operator!=(const NoteVerifier& other) const { return !(*this == other); }

private:
    QString m_name;
    quint32 m_keyId = 0;
    QByteArray m_publicKey;
};

// A private Ed25519 key under a note key name. Copies share the one OpenSSL key.
class NoteSigner
{
public:
    NoteSigner() = default;

    // From the 32-byte RFC 8032 seed.
    static Result<NoteSigner> fromSeed(const QString& name, const QByteArray& seed);
    // From a parsed OpenSSL Ed25519 private key; takes a reference of its own.
    static Result<NoteSigner> fromKey(const QString& name, evp_pkey_st* ed25519Private);
    // "PRIVATE+KEY+<name>+<8 hex key id>+<base64(0x01 || 32-byte seed)>", the form Go's sumdb/note writes.
    static Result<NoteSigner> fromSkey(const QString& skey);

    QString name() const { return m_verifier.name(); }
    quint32 keyId() const { return m_verifier.keyId(); }
    NoteVerifier verifier() const { return m_verifier; }
    bool isNull() const { return !m_key; }

    // The 64-byte Ed25519 signature of message; empty if this signer is null or OpenSSL fails.
    QByteArray sign(const QByteArray& message) const;

private:
    NoteVerifier m_verifier;
    std::shared_ptr<evp_pkey_st> m_key;
};

// Checks that text may be the text of a note: non-empty, ends in "\n", valid UTF-8, no control character
// but "\n", and within the size limit.
Status validateNoteText(const QByteArray& text);

struct SignedNote {
    struct Signature {
        QString name;
        quint32 keyId = 0;
        QByteArray bytes; // the signature proper, after the 4-byte key id

        bool operator==(const Signature& o) const
        {
            return name == o.name && keyId == o.keyId && bytes == o.bytes;
        }
    };

    QByteArray text; // includes its final "\n", not the blank line that follows
    QList<Signature> signatures;

    // Strict: the whole note is UTF-8 without control characters but "\n", at most kMaxNoteBytes; the text
    // ends at the last blank line; every following line is "— <name> <base64>\n" with a valid name and
    // canonical standard base64 of at least 5 bytes; at most kMaxNoteSignatures lines. Verifies nothing.
    static Result<SignedNote> parse(const QByteArray& note);
    // Text, blank line, one line per signature in order.
    QByteArray serialize() const;
};

// Checks a note against trusted keys. A line whose (name, key id) matches a trusted key must verify, or the
// whole note is refused; lines from other keys are ignored; at least one trusted key must have signed.
// Returns the trusted verifiers that signed, each once, in the order their first lines appear.
Result<QList<NoteVerifier>> verifyNote(const SignedNote& note, const QList<NoteVerifier>& trusted);
// Parses, then verifies.
Result<QList<NoteVerifier>> verifyNote(const QByteArray& note, const QList<NoteVerifier>& trusted);

// Adds signer's line to note (replacing a line already there under the same name and key id).
Status addNoteSignature(SignedNote& note, const NoteSigner& signer);
// The same on a serialized signed note: a second signer's line appended to a note that is already signed.
Result<QByteArray> addNoteSignature(const QByteArray& signedNote, const NoteSigner& signer);
// Signs plain note text: text, blank line, signer's line.
Result<QByteArray> signNoteText(const QByteArray& text, const NoteSigner& signer);

} // namespace lapse
