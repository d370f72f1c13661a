// Checkpoint bodies and tlog-proofs: one canonical spelling each, anything else refused with the reason.
#include "Checkpoint.h"

#include "SignedNote.h"

#include <cstring>
#include <openssl/evp.h>

namespace lapse
{

namespace
{

constexpr int kHashBytes = 32;
// A tree of at most 2^63 leaves has inclusion proofs of at most 63 hashes.
constexpr int kMaxProofHashes = 63;
const QByteArray kProofHeader = QByteArrayLiteral("c2sp.org/tlog-proof@v1");
const QByteArray kExtraPrefix = QByteArrayLiteral("extra ");
const QByteArray kIndexPrefix = QByteArrayLiteral("index ");

Error malformed(const QString& message)
{
    return makeError(ErrorCode::Malformed, message);
}

// ASCII decimal, no sign, no leading zeros (but "0" itself), within qint64.
bool parseDecimal(const QByteArray& text, qint64* out)
{
    if (text.isEmpty() || text.size() > 19 || (text.size() > 1 && text.at(0) == '0'))
        return false;
    for (char c : text)
        if (c < '0' || c > '9')
            return false;
    bool ok = false;
    const qint64 v = text.toLongLong(&ok);
    if (!ok || v < 0)
        return false;
    *out = v;
    return true;
}

// Canonical standard base64: padded, no stray bits, so each value has one spelling.
bool decodeStdBase64(const QByteArray& text, QByteArray* out)
{
    // Short lines (a proof's hashes, read a million at a time from an evidence pack) through OpenSSL's block
    // codec: decoded, then encoded again and compared, so only the one canonical spelling passes.
    if (!text.isEmpty() && text.size() % 4 == 0 && text.size() <= 256) {
        unsigned char decoded[192];
        const int n = EVP_DecodeBlock(
            decoded, reinterpret_cast<const unsigned char*>(text.constData()), int(text.size()));
        if (n < 0)
            return false;
        const int padding = text.endsWith("==") ? 2 : text.endsWith('=') ? 1 : 0;
        const int size = n - padding;
        char again[260];
        const int m = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(again), decoded, size);
        if (size < 0 || m != text.size() || std::memcmp(again, text.constData(), size_t(m)) != 0)
            return false;
        *out = QByteArray(reinterpret_cast<const char*>(decoded), size);
        return true;
    }
    auto r = QByteArray::fromBase64Encoding(text, QByteArray::AbortOnBase64DecodingErrors);
    if (r.decodingStatus != QByteArray::Base64DecodingStatus::Ok || r.decoded.toBase64() != text)
        return false;
    *out = r.decoded;
    return true;
}

bool isOneLine(const QString& s)
{
    return !s.isEmpty() && !s.contains(QLatin1Char('\n'));
}

} // namespace

QByteArray CheckpointBody::text() const
{
    QByteArray out = origin.toUtf8() + '\n' + QByteArray::number(size) + '\n' + root.toBase64() + '\n';
    for (const QString& line : extensions)
        out += line.toUtf8() + '\n';
    return out;
}

Status CheckpointBody::validate() const
{
    if (!isOneLine(origin))
        return makeError(ErrorCode::Invalid, QStringLiteral("a checkpoint origin is one non-empty line"));
    if (size < 0)
        return makeError(ErrorCode::Invalid, QStringLiteral("a checkpoint tree size cannot be negative"));
    if (root.size() != kHashBytes)
        return makeError(ErrorCode::Invalid,
            QStringLiteral("a checkpoint root hash is %1 bytes, not %2").arg(kHashBytes).arg(root.size()));
    for (const QString& line : extensions)
        if (!isOneLine(line))
            return makeError(
                ErrorCode::Invalid, QStringLiteral("a checkpoint extension is one non-empty line"));
    Status st = validateNoteText(text());
    if (!st)
        return makeError(ErrorCode::Invalid, st.error().message);
    return Ok {};
}

Result<CheckpointBody> CheckpointBody::parse(const QByteArray& text)
{
    Status st = validateNoteText(text);
    if (!st)
        return makeError(st.error().code, QStringLiteral("checkpoint: %1").arg(st.error().message));
    const QList<QByteArray> lines = text.left(text.size() - 1).split('\n');
    if (lines.size() < 3)
        return malformed(
            QStringLiteral("checkpoint has %1 lines; origin, tree size and root hash are required")
                .arg(lines.size()));
    CheckpointBody body;
    if (lines.at(0).isEmpty())
        return malformed(QStringLiteral("checkpoint origin is empty"));
    body.origin = QString::fromUtf8(lines.at(0));
    if (!parseDecimal(lines.at(1), &body.size))
        return malformed(
            QStringLiteral("checkpoint tree size '%1' is not a decimal number without leading zeros")
                .arg(QString::fromUtf8(lines.at(1).left(32))));
    if (!decodeStdBase64(lines.at(2), &body.root) || body.root.size() != kHashBytes)
        return malformed(QStringLiteral("checkpoint root hash is not 32 bytes of standard base64"));
    for (qsizetype i = 3; i < lines.size(); ++i) {
        if (lines.at(i).isEmpty())
            return malformed(QStringLiteral("checkpoint extension line %1 is empty").arg(i - 2));
        body.extensions.append(QString::fromUtf8(lines.at(i)));
    }
    return body;
}

QByteArray TlogProof::serialize() const
{
    QByteArray out = kProofHeader + '\n';
    if (!extra.isEmpty())
        out += kExtraPrefix + extra.toBase64() + '\n';
    out += kIndexPrefix + QByteArray::number(index) + '\n';
    for (const QByteArray& h : hashes)
        out += h.toBase64() + '\n';
    return out + '\n' + checkpoint;
}

Result<TlogProof> TlogProof::parse(const QByteArray& proof)
{
    return parse(proof, QByteArray());
}

Result<TlogProof> TlogProof::parse(const QByteArray& proof, const QByteArray& knownCheckpoint)
{
    // The header lines are small; the checkpoint carries its own limit.
    if (proof.size() > 2 * kMaxNoteBytes)
        return makeError(
            ErrorCode::TooLarge, QStringLiteral("tlog-proof is larger than %1 bytes").arg(2 * kMaxNoteBytes));
    qsizetype pos = 0;
    bool ended = false;
    // The next line without its newline; `ended` when there was no newline left.
    auto nextLine = [&]() {
        const qsizetype nl = proof.indexOf('\n', pos);
        if (nl < 0) {
            ended = true;
            return QByteArray();
        }
        QByteArray line = proof.mid(pos, nl - pos);
        pos = nl + 1;
        return line;
    };

    if (nextLine() != kProofHeader || ended)
        return malformed(QStringLiteral("tlog-proof does not start with the line %1")
                             .arg(QString::fromLatin1(kProofHeader)));
    TlogProof out;
    QByteArray line = nextLine();
    if (line.startsWith(kExtraPrefix)) {
        if (!decodeStdBase64(line.mid(kExtraPrefix.size()), &out.extra) || out.extra.isEmpty())
            return malformed(QStringLiteral("tlog-proof extra data is not non-empty standard base64"));
        line = nextLine();
    }
    if (ended || !line.startsWith(kIndexPrefix))
        return malformed(QStringLiteral("tlog-proof has no index line"));
    if (!parseDecimal(line.mid(kIndexPrefix.size()), &out.index))
        return malformed(QStringLiteral("tlog-proof index is not a decimal number without leading zeros"));

    for (;;) {
        line = nextLine();
        if (ended)
            return malformed(QStringLiteral("tlog-proof has no blank line before its checkpoint"));
        if (line.isEmpty())
            break;
        QByteArray hash;
        if (!decodeStdBase64(line, &hash) || hash.size() != kHashBytes)
            return malformed(QStringLiteral("tlog-proof hash line %1 is not 32 bytes of standard base64")
                                 .arg(out.hashes.size() + 1));
        if (out.hashes.size() == kMaxProofHashes)
            return malformed(QStringLiteral("tlog-proof has more than %1 hashes").arg(kMaxProofHashes));
        out.hashes.append(hash);
    }

    out.checkpoint = proof.mid(pos);
    if (!knownCheckpoint.isEmpty() && out.checkpoint == knownCheckpoint)
        return out; // parsed (and its index bounded) by the caller already
    auto note = SignedNote::parse(out.checkpoint);
    if (!note)
        return makeError(
            note.error().code, QStringLiteral("tlog-proof checkpoint: %1").arg(note.error().message));
    auto body = CheckpointBody::parse(note->text);
    if (!body)
        return makeError(body.error().code, QStringLiteral("tlog-proof %1").arg(body.error().message));
    // No inclusion proof can place an entry at or past the end of the tree.
    if (out.index >= body->size)
        return malformed(QStringLiteral("tlog-proof index %1 is outside the checkpoint's tree of size %2")
                             .arg(out.index)
                             .arg(body->size));
    return out;
}

} // namespace lapse
