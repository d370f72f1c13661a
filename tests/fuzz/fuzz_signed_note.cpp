// Fuzz target: the signed-note, checkpoint, tlog-proof and vkey parsers, and signature checks over what they
// accept. Whatever the bytes, parsing must end in a value or an error (no crash, no undefined behaviour), and
// what parses must serialise back to exactly the bytes it came from.
#include "engine/Checkpoint.h"
#include "engine/SignedNote.h"

#include <QByteArray>
#include <QString>
#include <cstdint>
#include <cstdlib>

using namespace lapse;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    static const NoteVerifier key
        = NoteSigner::fromSeed(QStringLiteral("127.0.0.1:8443/lapse"), QByteArray(32, '\x07'))->verifier();

    if (auto note = SignedNote::parse(bytes)) {
        if (note.value().serialize() != bytes)
            std::abort(); // a note has one spelling
        (void)verifyNote(note.value(), {key});
        if (auto body = CheckpointBody::parse(note.value().text))
            if (body.value().text() != note.value().text)
                std::abort();
    }
    if (auto proof = TlogProof::parse(bytes))
        if (proof.value().serialize() != bytes)
            std::abort(); // a proof has one spelling
    (void)TlogProof::parse(bytes, QByteArrayLiteral("x\n1\nAAAA\n\n"));
    (void)NoteVerifier::fromVkey(QString::fromUtf8(bytes));
    (void)validateNoteText(bytes);
    return 0;
}
