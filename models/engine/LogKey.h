// The event log's own Ed25519 signing key for checkpoints, apart from the credential keys: created on first
// open, stored 0600, rotated with the retired keys kept so old checkpoints stay verifiable.
#pragma once

#include "SignedNote.h"

#include "core/Error.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <memory>

namespace lapse
{

class LogKey
{
public:
    // Which keys sign a note.
    enum class Signers {
        Current,
        // The current key and the most recently retired one: the checkpoint cut right after a rotation,
        // so a witness that trusts only the old key sees the new key vouched for.
        CurrentAndPrevious,
    };

    // Opens DIR/keys (created 0700): the current key is DIR/keys/log-key.pem (PKCS#8 PEM, 0600), created if
    // missing; retired keys are DIR/keys/log-key-<key id hex>.pem. name is the note key name (the origin).
    static Result<std::unique_ptr<LogKey>> open(const QString& dataDir, const QString& name);

    // A new current key; the old one is kept as a retired key file first, so a failure loses no key.
    Status rotate();

    QString name() const;
    QByteArray publicKey() const; // 32 raw bytes
    quint32 keyId() const;
    QString vkey() const;
    NoteVerifier verifier() const;
    // Retired keys, oldest first.
    QList<NoteVerifier> retired() const;

    // 64-byte Ed25519 signature by the current key.
    QByteArray sign(const QByteArray& message) const;
    // text (a valid note text), a blank line and the signature lines of the chosen keys.
    Result<QByteArray> signNote(const QByteArray& text, Signers signers = Signers::Current) const;

private:
    LogKey() = default;

    QString m_dir;
    NoteSigner m_current;
    QList<NoteSigner> m_retired; // oldest first
    qint64 m_lastRetiredNs = 0; // the newest retired file's modification time
};

} // namespace lapse
