// Signed notes, checkpoints, tlog-proofs and the log key: published test vectors, openssl as an outside
// verifier, and every malformed shape the parsers must refuse.
#include "engine/Checkpoint.h"
#include "engine/LogKey.h"
#include "engine/SignedNote.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <limits>
#include <memory>
#include <sys/stat.h>

using namespace lapse;

namespace
{

// The vectors of Go's golang.org/x/mod/sumdb/note tests (note_test.go).
const QString kPeterSkey
    = QStringLiteral("PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz");
const QString kPeterVkey
    = QStringLiteral("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
const QString kEnochVkey = QStringLiteral("EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop");
const QByteArray kText = QByteArrayLiteral("If you think cryptography is the answer to your problem,\n"
                                           "then you don't know what your problem is.\n");
const QByteArray kPeterSig
    = QByteArrayLiteral("\xE2\x80\x94 PeterNeumann "
                        "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfq"
                        "dngotpRZb6KE6RyyBwJnAM=\n");
const QByteArray kEnochSig
    = QByteArrayLiteral("\xE2\x80\x94 EnochRoot "
                        "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01o"
                        "OTGwnWLox33WWd1RvMc+QQ=\n");
const QByteArray kEmDash = QByteArrayLiteral("\xE2\x80\x94");

// From c2sp.org/tlog-checkpoint and c2sp.org/tlog-proof.
const QByteArray kSpecCheckpointText = QByteArrayLiteral(
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
const QByteArray kSpecProofHead
    = QByteArrayLiteral("c2sp.org/tlog-proof@v1\n"
                        "extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ\n"
                        "index 73894\n"
                        "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n"
                        "B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n"
                        "EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=\n"
                        "RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=\n"
                        "AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=\n"
                        "\n");
const QByteArray kSpecProofCheckpointText
    = QByteArrayLiteral("example.com/fancylog\n109482\nsFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n");

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct BioFree {
    void operator()(BIO* p) const { BIO_free(p); }
};

NoteVerifier vkey(const QString& text)
{
    auto v = NoteVerifier::fromVkey(text);
    return v.ok() ? v.value() : NoteVerifier();
}

NoteSigner freshSigner(const QString& name)
{
    std::unique_ptr<EVP_PKEY, PkeyFree> pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    auto s = NoteSigner::fromKey(name, pkey.get());
    return s.ok() ? s.value() : NoteSigner();
}

QByteArray hashOf(char fill)
{
    return QByteArray(32, fill);
}

QByteArray signedCheckpoint(const QByteArray& text, const NoteSigner& signer)
{
    auto note = signNoteText(text, signer);
    return note.ok() ? note.value() : QByteArray();
}

// The SubjectPublicKeyInfo PEM openssl reads with -pubin, built from the 32 raw bytes alone.
QByteArray publicPem(const QByteArray& raw)
{
    std::unique_ptr<EVP_PKEY, PkeyFree> pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
        reinterpret_cast<const unsigned char*>(raw.constData()), size_t(raw.size())));
    std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
    if (!pkey || !bio || PEM_write_bio_PUBKEY(bio.get(), pkey.get()) != 1)
        return {};
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, qsizetype(len));
}

mode_t modeOf(const QString& path)
{
    struct stat st {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return mode_t(-1);
    return st.st_mode & 07777;
}

bool writeFile(const QString& path, const QByteArray& data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestSignedNote : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;

    QString keysDir() const { return m_tmp.path() + QStringLiteral("/keys"); }

    std::unique_ptr<LogKey> openLogKey(const QString& name = QStringLiteral("lapse.example/log"))
    {
        auto r = LogKey::open(m_tmp.path(), name);
        if (!r.ok())
            qWarning() << r.error().message;
        return r.ok() ? std::move(r).value() : nullptr;
    }

private slots:
    void init()
    {
        QVERIFY(m_tmp.isValid());
        QDir(keysDir()).removeRecursively();
    }

    // --- Go's sumdb/note vectors

    void goVectorKeys()
    {
        auto signer = NoteSigner::fromSkey(kPeterSkey);
        QVERIFY2(signer.ok(), signer.ok() ? "" : qPrintable(signer.error().message));
        QCOMPARE(signer->name(), QStringLiteral("PeterNeumann"));
        QCOMPARE(signer->keyId(), quint32(0xc74f20a3));
        QCOMPARE(signer->verifier().vkey(), kPeterVkey);

        auto verifier = NoteVerifier::fromVkey(kPeterVkey);
        QVERIFY2(verifier.ok(), verifier.ok() ? "" : qPrintable(verifier.error().message));
        QCOMPARE(verifier->name(), QStringLiteral("PeterNeumann"));
        QCOMPARE(verifier->keyId(), quint32(0xc74f20a3));
        QCOMPARE(verifier->publicKey().size(), 32);
        QCOMPARE(noteKeyId(QStringLiteral("PeterNeumann"), verifier->publicKey()), quint32(0xc74f20a3));
        QCOMPARE(verifier->vkey(), kPeterVkey);
        QVERIFY(verifier.value() == signer->verifier());

        auto enoch = NoteVerifier::fromVkey(kEnochVkey);
        QVERIFY(enoch.ok());
        QCOMPARE(enoch->keyId(), quint32(0xaf0cfe78));
    }

    void goVectorSignature()
    {
        auto signer = NoteSigner::fromSkey(kPeterSkey);
        QVERIFY(signer.ok());
        const QByteArray want = kText + '\n' + kPeterSig;
        // Ed25519 is deterministic: the same seed and text give Go's exact signature line.
        auto note = signNoteText(kText, signer.value());
        QVERIFY2(note.ok(), note.ok() ? "" : qPrintable(note.error().message));
        QCOMPARE(note.value(), want);

        auto parsed = SignedNote::parse(want);
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->text, kText);
        QCOMPARE(parsed->signatures.size(), 1);
        QCOMPARE(parsed->signatures.at(0).name, QStringLiteral("PeterNeumann"));
        QCOMPARE(parsed->signatures.at(0).keyId, quint32(0xc74f20a3));
        QCOMPARE(parsed->signatures.at(0).bytes.size(), 64);
        QCOMPARE(parsed->serialize(), want);

        auto signers = verifyNote(want, {vkey(kPeterVkey)});
        QVERIFY2(signers.ok(), signers.ok() ? "" : qPrintable(signers.error().message));
        QCOMPARE(signers->size(), 1);
        QVERIFY(signers->at(0) == vkey(kPeterVkey));

        // Signing again with the same key replaces its line instead of adding a second.
        auto again = addNoteSignature(want, signer.value());
        QVERIFY(again.ok());
        QCOMPARE(again.value(), want);
    }

    void vkeyManglingsRefused()
    {
        const QByteArray good = kPeterVkey.toUtf8();
        for (qsizetype i = 0; i <= good.size(); ++i)
            for (qsizetype j = i + 1; j <= good.size(); ++j)
                if (i != 0 || j != good.size())
                    QVERIFY2(!NoteVerifier::fromVkey(QString::fromUtf8(good.mid(i, j - i))).ok(),
                        good.mid(i, j - i).constData());
        for (qsizetype i = 0; i < good.size(); ++i) {
            QByteArray bad = good;
            bad[i] = char(bad[i] + 1);
            QVERIFY2(!NoteVerifier::fromVkey(QString::fromUtf8(bad)).ok(), bad.constData());
        }
        // Go's: a 35-byte key and an unknown algorithm byte, each with a key id adjusted to match.
        auto longKey = NoteVerifier::fromVkey(
            QStringLiteral("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="));
        QVERIFY(!longKey.ok());
        auto otherAlg = NoteVerifier::fromVkey(
            QStringLiteral("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"));
        QVERIFY(!otherAlg.ok());
        QVERIFY2(otherAlg.error().message.contains(QStringLiteral("Ed25519")),
            qPrintable(otherAlg.error().message));
        auto wrongId = NoteVerifier::fromVkey(
            QStringLiteral("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"));
        QVERIFY(!wrongId.ok());
        QCOMPARE(wrongId.error().code, ErrorCode::Malformed);
        QVERIFY2(wrongId.error().message.contains(QStringLiteral("c74f20a3")),
            qPrintable(wrongId.error().message));
    }

    void vkeysRoundTrip()
    {
        // Fixed seeds, so the case of a base64 key holding '+' (a separator elsewhere in a vkey) always runs.
        int withPlus = 0;
        for (int i = 0; i < 64; ++i) {
            auto signer = NoteSigner::fromSeed(QStringLiteral("lapse.example/log"), QByteArray(32, char(i)));
            QVERIFY(signer.ok());
            const QString text = signer->verifier().vkey();
            withPlus += text.section(QLatin1Char('+'), 2).contains(QLatin1Char('+')) ? 1 : 0;
            auto back = NoteVerifier::fromVkey(text);
            QVERIFY2(back.ok(), qPrintable(text));
            QVERIFY(back.value() == signer->verifier());
        }
        QVERIFY(withPlus > 0);
    }

    void skeyManglingsRefused()
    {
        const QByteArray good = kPeterSkey.toUtf8();
        for (qsizetype i = 0; i < good.size(); ++i) {
            QByteArray bad = good;
            bad[i] = char(bad[i] + 1);
            QVERIFY2(!NoteSigner::fromSkey(QString::fromUtf8(bad)).ok(), bad.constData());
        }
        QVERIFY(!NoteSigner::fromSkey(kPeterSkey.chopped(1)).ok());
        QVERIFY(!NoteSigner::fromSkey(kPeterSkey.mid(1)).ok());
        QVERIFY(!NoteSigner::fromSkey(kPeterVkey).ok());
    }

    void keyNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("url") << QStringLiteral("example.com/log42") << true;
        QTest::newRow("unicode") << QStringLiteral("quasimodo.example/salvatore\u00e8") << true;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("space") << QStringLiteral("Bad Name") << false;
        QTest::newRow("plus") << QStringLiteral("a+b") << false;
        QTest::newRow("tab") << QStringLiteral("a\tb") << false;
        QTest::newRow("no-break space") << QStringLiteral("a\u00a0b") << false;
        QTest::newRow("em space") << QStringLiteral("a\u2003b") << false;
        QTest::newRow("control") << QStringLiteral("a") + QChar(0x01) + QStringLiteral("b") << false;
    }

    void keyNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QCOMPARE(isValidNoteKeyName(name), valid);
        QCOMPARE(NoteVerifier::fromPublicKey(name, QByteArray(32, 'k')).ok(), valid);
        QCOMPARE(NoteSigner::fromSeed(name, QByteArray(32, 's')).ok(), valid);
    }

    // --- parsing

    void malformedNotes_data()
    {
        QTest::addColumn<QByteArray>("note");
        QTest::addColumn<QString>("reason");
        const QByteArray peterB64 = kPeterSig.mid(kEmDash.size() + 14).chopped(1);
        QTest::newRow("text only") << kText << "no blank line";
        QTest::newRow("text and blank line") << kText + '\n' << "no signature lines";
        QTest::newRow("no final newline") << kText + '\n' + kPeterSig.chopped(1) << "end with a newline";
        QTest::newRow("text without final newline") << kText.chopped(1) + '\n' + kPeterSig << "no blank line";
        QTest::newRow("control character") << "\x01" + kText + '\n' + kPeterSig << "control character 0x01";
        QTest::newRow("tab") << "a\tb\n\n" + kPeterSig << "control character 0x09";
        QTest::newRow("carriage return") << kText + '\n' + kPeterSig.chopped(1) + "\r\n"
                                         << "control character 0x0d";
        QTest::newRow("invalid utf-8") << "\xff" + kText + '\n' + kPeterSig << "UTF-8";
        QTest::newRow("overlong utf-8") << "\xc0\xaf" + kText + '\n' + kPeterSig << "UTF-8";
        QTest::newRow("utf-8 surrogate") << "\xed\xa0\x80" + kText + '\n' + kPeterSig << "UTF-8";
        QTest::newRow("hyphen") << kText + "\n- PeterNeumann " + peterB64 + '\n' << "em dash";
        QTest::newRow("double hyphen") << kText + "\n-- PeterNeumann " + peterB64 + '\n' << "em dash";
        QTest::newRow("en dash") << kText + "\n\xE2\x80\x93 PeterNeumann " + peterB64 + '\n' << "em dash";
        QTest::newRow("dash without space") << kText + '\n' + kEmDash + "PeterNeumann " + peterB64 + '\n'
                                            << "em dash";
        QTest::newRow("no signature") << kText + '\n' + kEmDash + " PeterNeumann\n"
                                      << "no space";
        QTest::newRow("empty signature") << kText + '\n' + kEmDash + " PeterNeumann \n"
                                         << "base64";
        QTest::newRow("name with space") << kText + '\n' + kEmDash + " Bad Name " + peterB64 + '\n'
                                         << "base64";
        QTest::newRow("name with plus") << kText + '\n' + kEmDash + " Peter+Neumann " + peterB64 + '\n'
                                        << "invalid key name";
        QTest::newRow("empty name") << kText + '\n' + kEmDash + "  " + peterB64 + '\n' << "invalid key name";
        QTest::newRow("bad base64") << kText + '\n' + kEmDash + " PeterNeumann x08go/!!" + peterB64.mid(8)
                + '\n' << "base64";
        QTest::newRow("unpadded base64") << kText + '\n' + kEmDash + " PeterNeumann " + peterB64.chopped(1)
                + '\n' << "base64";
        QTest::newRow("url-safe base64") << kText + '\n' + kEmDash + " EnochRoot "
                + QByteArray("rwz-eBzmZa0SO3NbfRGzPCpDckykFXSdeX-MNtCOXm2_5n2tiOHp-"
                             "vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc-QQ=")
                + '\n' << "base64";
        QTest::newRow("four bytes") << kText + '\n' + kEmDash + " PeterNeumann x08gow==\n"
                                    << "shorter";
        QTest::newRow("unexpected line") << kText + '\n' + kPeterSig + "Unexpected line.\n"
                                         << "signature line 2";
        QTest::newRow("101 signatures") << kText + '\n' + kPeterSig.repeated(101) << "101 signatures";
    }

    void malformedNotes()
    {
        QFETCH(QByteArray, note);
        QFETCH(QString, reason);
        auto parsed = SignedNote::parse(note);
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().code, ErrorCode::Malformed);
        QVERIFY2(
            parsed.error().message.contains(reason, Qt::CaseInsensitive), qPrintable(parsed.error().message));
        // Verification parses first, so a trusted key does not make a malformed note acceptable.
        QVERIFY(!verifyNote(note, {vkey(kPeterVkey)}).ok());
    }

    void limits()
    {
        auto hundred = SignedNote::parse(kText + '\n' + kPeterSig.repeated(100));
        QVERIFY(hundred.ok());
        QCOMPARE(hundred->signatures.size(), 100);
        QVERIFY(verifyNote(hundred.value(), {vkey(kPeterVkey)}).ok());

        QByteArray big = QByteArray(kMaxNoteBytes, 'a');
        big[10] = '\n';
        big += '\n' + kPeterSig;
        auto tooLarge = SignedNote::parse(big);
        QVERIFY(!tooLarge.ok());
        QCOMPARE(tooLarge.error().code, ErrorCode::TooLarge);
    }

    void textRulesForSigning()
    {
        const NoteSigner signer = freshSigner(QStringLiteral("lapse.example/log"));
        QVERIFY(!signer.isNull());
        QVERIFY(!signNoteText(QByteArray(), signer).ok());
        QVERIFY(!signNoteText("no final newline", signer).ok());
        QVERIFY(!signNoteText("tab\there\n", signer).ok());
        QVERIFY(!signNoteText("\xff\n", signer).ok());
        QVERIFY(!signNoteText(kText, NoteSigner()).ok());
        // The text may hold blank lines of its own; the last one separates the signatures.
        const QByteArray withBlank = "first\n\nsecond\n";
        auto note = signNoteText(withBlank, signer);
        QVERIFY(note.ok());
        auto parsed = SignedNote::parse(note.value());
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->text, withBlank);
        QVERIFY(verifyNote(note.value(), {signer.verifier()}).ok());
    }

    // --- verification

    void unknownSignersIgnored()
    {
        const QByteArray note = kText + '\n' + kPeterSig + kEnochSig;
        auto onlyPeter = verifyNote(note, {vkey(kPeterVkey)});
        QVERIFY2(onlyPeter.ok(), onlyPeter.ok() ? "" : qPrintable(onlyPeter.error().message));
        QCOMPARE(onlyPeter->size(), 1);
        QVERIFY(onlyPeter->at(0) == vkey(kPeterVkey));

        // Same name, other key id; same key id, other name: both unknown, both ignored even with a bad
        // signature.
        QByteArray otherId = kPeterSig;
        otherId.replace("x08g", "xxxx");
        QByteArray otherName = kPeterSig;
        otherName.replace("PeterNeumann", "CarmenSandiego");
        const QByteArray lookalikes = kText + '\n' + otherId + otherName + kEnochSig;
        QVERIFY(SignedNote::parse(lookalikes).ok());
        auto byEnoch = verifyNote(lookalikes, {vkey(kPeterVkey), vkey(kEnochVkey)});
        QVERIFY2(byEnoch.ok(), byEnoch.ok() ? "" : qPrintable(byEnoch.error().message));
        QCOMPARE(byEnoch->size(), 1);
        QVERIFY(byEnoch->at(0) == vkey(kEnochVkey));

        // Nothing from a trusted key: refused.
        auto none = verifyNote(note, {freshSigner(QStringLiteral("PeterNeumann")).verifier()});
        QVERIFY(!none.ok());
        QCOMPARE(none.error().code, ErrorCode::Unauthenticated);
        QVERIFY2(none.error().message.contains(QStringLiteral("no signature from a trusted key")),
            qPrintable(none.error().message));
        QVERIFY(!verifyNote(note, {}).ok());
    }

    void knownSignerWithBadSignatureRejects()
    {
        // A valid Enoch line does not save a note whose Peter line fails.
        QByteArray badPeter = kPeterSig;
        badPeter.insert(60, "ABCD");
        const QByteArray note = kText + '\n' + badPeter + kEnochSig;
        QVERIFY(SignedNote::parse(note).ok());
        auto r = verifyNote(note, {vkey(kPeterVkey), vkey(kEnochVkey)});
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Unauthenticated);
        QVERIFY2(r.error().message.contains(QStringLiteral("PeterNeumann+c74f20a3")),
            qPrintable(r.error().message));
        // Trusting only Enoch, Peter's line is unknown and ignored.
        QVERIFY(verifyNote(note, {vkey(kEnochVkey)}).ok());

        // A changed text fails under the signature that was good for the original.
        QByteArray changed = kText + '\n' + kPeterSig;
        changed[3] = 'Y';
        QVERIFY(!verifyNote(changed, {vkey(kPeterVkey)}).ok());
    }

    void twoSignersBothVerified()
    {
        const QByteArray note = kText + '\n' + kPeterSig + kEnochSig;
        auto both = verifyNote(note, {vkey(kEnochVkey), vkey(kPeterVkey)});
        QVERIFY2(both.ok(), both.ok() ? "" : qPrintable(both.error().message));
        QCOMPARE(both->size(), 2);
        QVERIFY(both->at(0) == vkey(kPeterVkey)); // in the order of the note's lines
        QVERIFY(both->at(1) == vkey(kEnochVkey));

        // A second signer added to an already signed note keeps the first line verbatim.
        const NoteSigner witness = freshSigner(QStringLiteral("witness.example"));
        auto cosigned = addNoteSignature(kText + '\n' + kPeterSig, witness);
        QVERIFY2(cosigned.ok(), cosigned.ok() ? "" : qPrintable(cosigned.error().message));
        QVERIFY(cosigned->startsWith(kText + '\n' + kPeterSig + kEmDash + " witness.example "));
        auto signers = verifyNote(cosigned.value(), {vkey(kPeterVkey), witness.verifier()});
        QVERIFY(signers.ok());
        QCOMPARE(signers->size(), 2);
        QVERIFY(signers->at(1) == witness.verifier());
    }

    // --- checkpoints

    void checkpointRoundTrip()
    {
        auto body = CheckpointBody::parse(kSpecCheckpointText);
        QVERIFY2(body.ok(), body.ok() ? "" : qPrintable(body.error().message));
        QCOMPARE(body->origin, QStringLiteral("example.com/behind-the-sofa"));
        QCOMPARE(body->size, qint64(20852163));
        QCOMPARE(body->root, QByteArray::fromBase64("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="));
        QVERIFY(body->extensions.isEmpty());
        QCOMPARE(body->text(), kSpecCheckpointText);
        QVERIFY(body->validate().ok());

        CheckpointBody built;
        built.origin = QStringLiteral("lapse.example/log");
        built.size = 0;
        built.root = hashOf('\x42');
        built.extensions = {QStringLiteral("ext one"), QStringLiteral("two")};
        QVERIFY(built.validate().ok());
        QVERIFY(built.text().startsWith("lapse.example/log\n0\n"));
        QVERIFY(built.text().endsWith("\next one\ntwo\n"));
        auto back = CheckpointBody::parse(built.text());
        QVERIFY(back.ok());
        QVERIFY(back.value() == built);

        built.size = std::numeric_limits<qint64>::max();
        auto maxSize = CheckpointBody::parse(built.text());
        QVERIFY(maxSize.ok());
        QCOMPARE(maxSize->size, std::numeric_limits<qint64>::max());
    }

    void malformedCheckpoints_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("reason");
        const QByteArray root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
        QTest::newRow("leading zeros") << "log\n007\n" + root + '\n' << "leading zeros";
        QTest::newRow("two zeros") << "log\n00\n" + root + '\n' << "leading zeros";
        QTest::newRow("negative") << "log\n-1\n" + root + '\n' << "decimal";
        QTest::newRow("plus sign") << "log\n+1\n" + root + '\n' << "decimal";
        QTest::newRow("not a number") << "log\n12a\n" + root + '\n' << "decimal";
        QTest::newRow("space") << "log\n 12\n" + root + '\n' << "decimal";
        QTest::newRow("empty size") << "log\n\n" + root + '\n' << "decimal";
        QTest::newRow("overflow") << "log\n9223372036854775808\n" + root + '\n' << "decimal";
        QTest::newRow("31-byte root") << "log\n1\n" + QByteArray(31, 'r').toBase64() + '\n' << "32 bytes";
        QTest::newRow("33-byte root") << "log\n1\n" + QByteArray(33, 'r').toBase64() + '\n' << "32 bytes";
        QTest::newRow("unpadded root") << "log\n1\n" + root.chopped(1) + '\n' << "32 bytes";
        QTest::newRow("url-safe root")
            << "log\n1\n" + QByteArray(32, '\xfb').toBase64(QByteArray::Base64UrlEncoding) + '\n'
            << "32 bytes";
        QTest::newRow("missing root") << QByteArray("log\n1\n") << "2 lines";
        QTest::newRow("origin only") << QByteArray("log\n") << "1 lines";
        QTest::newRow("empty origin") << "\n1\n" + root + '\n' << "origin is empty";
        QTest::newRow("empty extension") << "log\n1\n" + root + "\n\n"
                                         << "extension line 1 is empty";
        QTest::newRow("no final newline") << "log\n1\n" + root << "newline";
        QTest::newRow("control character") << "lo\x07g\n1\n" + root + '\n' << "control character";
    }

    void malformedCheckpoints()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, reason);
        auto body = CheckpointBody::parse(text);
        QVERIFY(!body.ok());
        QCOMPARE(body.error().code, ErrorCode::Malformed);
        QVERIFY2(
            body.error().message.contains(reason, Qt::CaseInsensitive), qPrintable(body.error().message));
    }

    void invalidCheckpointBodies()
    {
        CheckpointBody body;
        body.origin = QStringLiteral("log");
        body.size = 1;
        body.root = hashOf('a');
        QVERIFY(body.validate().ok());
        CheckpointBody bad = body;
        bad.size = -1;
        QCOMPARE(bad.validate().error().code, ErrorCode::Invalid);
        bad = body;
        bad.root = QByteArray(31, 'a');
        QVERIFY(!bad.validate().ok());
        bad = body;
        bad.origin = QStringLiteral("two\nlines");
        QVERIFY(!bad.validate().ok());
        bad = body;
        bad.origin.clear();
        QVERIFY(!bad.validate().ok());
        bad = body;
        bad.extensions = {QString()};
        QVERIFY(!bad.validate().ok());
    }

    // --- tlog-proof

    void tlogProofSpecLayout()
    {
        // The spec's example with real signatures in place of its elided ones.
        const NoteSigner log = freshSigner(QStringLiteral("example.com/fancylog"));
        const NoteSigner witness = freshSigner(QStringLiteral("witness1.example"));
        SignedNote checkpoint;
        checkpoint.text = kSpecProofCheckpointText;
        QVERIFY(addNoteSignature(checkpoint, log).ok());
        QVERIFY(addNoteSignature(checkpoint, witness).ok());
        const QByteArray proofText = kSpecProofHead + checkpoint.serialize();

        auto proof = TlogProof::parse(proofText);
        QVERIFY2(proof.ok(), proof.ok() ? "" : qPrintable(proof.error().message));
        QCOMPARE(proof->index, qint64(73894));
        QVERIFY(proof->extra.startsWith("age-v1.2.1-darwin-arm64.tar.gz"));
        QCOMPARE(proof->hashes.size(), 5);
        QCOMPARE(
            proof->hashes.first(), QByteArray::fromBase64("gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ="));
        QCOMPARE(
            proof->hashes.last(), QByteArray::fromBase64("AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk="));
        QCOMPARE(proof->checkpoint, checkpoint.serialize());
        QCOMPARE(proof->serialize(), proofText);

        // The checkpoint inside still verifies as the log's signed note, and its body is the spec's.
        auto signers = verifyNote(proof->checkpoint, {log.verifier()});
        QVERIFY(signers.ok());
        auto parsedNote = SignedNote::parse(proof->checkpoint);
        QVERIFY(parsedNote.ok());
        auto body = CheckpointBody::parse(parsedNote->text);
        QVERIFY(body.ok());
        QCOMPARE(body->size, qint64(109482));
    }

    void tlogProofRoundTrip()
    {
        const NoteSigner log = freshSigner(QStringLiteral("lapse.example/log"));
        CheckpointBody body {QStringLiteral("lapse.example/log"), 8, hashOf('r'), {}};
        TlogProof proof;
        proof.index = 5;
        proof.hashes = {hashOf('a'), hashOf('b'), hashOf('c')};
        proof.checkpoint = signedCheckpoint(body.text(), log);
        QVERIFY(!proof.checkpoint.isEmpty());

        const QByteArray plain = proof.serialize();
        QVERIFY(plain.startsWith("c2sp.org/tlog-proof@v1\nindex 5\n"));
        QVERIFY(!plain.contains("extra"));
        auto back = TlogProof::parse(plain);
        QVERIFY2(back.ok(), back.ok() ? "" : qPrintable(back.error().message));
        QVERIFY(back.value() == proof);

        proof.extra = QByteArray("\x00\x01 opaque \xff", 12);
        const QByteArray withExtra = proof.serialize();
        QVERIFY(
            withExtra.startsWith("c2sp.org/tlog-proof@v1\nextra " + proof.extra.toBase64() + "\nindex 5\n"));
        back = TlogProof::parse(withExtra);
        QVERIFY(back.ok());
        QVERIFY(back.value() == proof);
        QCOMPARE(back->serialize(), withExtra);

        // A single-leaf tree: index 0, no hashes at all.
        TlogProof single;
        single.checkpoint
            = signedCheckpoint(CheckpointBody {QStringLiteral("l"), 1, hashOf('z'), {}}.text(), log);
        QCOMPARE(single.serialize(), "c2sp.org/tlog-proof@v1\nindex 0\n\n" + single.checkpoint);
        back = TlogProof::parse(single.serialize());
        QVERIFY(back.ok());
        QVERIFY(back->hashes.isEmpty());
    }

    void malformedTlogProofs_data()
    {
        QTest::addColumn<QByteArray>("proof");
        QTest::addColumn<QString>("reason");
        const NoteSigner log = freshSigner(QStringLiteral("lapse.example/log"));
        const QByteArray cp = signedCheckpoint(
            CheckpointBody {QStringLiteral("lapse.example/log"), 8, hashOf('r'), {}}.text(), log);
        const QByteArray h = hashOf('h').toBase64() + '\n';
        const QByteArray head = "c2sp.org/tlog-proof@v1\n";
        QTest::newRow("wrong header") << "c2sp.org/tlog-proof@v2\nindex 1\n" + h + '\n' + cp << "start with";
        QTest::newRow("no header newline") << QByteArray("c2sp.org/tlog-proof@v1") << "start with";
        QTest::newRow("no index") << head + h + '\n' + cp << "no index";
        QTest::newRow("index leading zero") << head + "index 01\n" + h + '\n' + cp << "index";
        QTest::newRow("index negative") << head + "index -1\n" + h + '\n' + cp << "index";
        QTest::newRow("index not a number") << head + "index one\n" + h + '\n' + cp << "index";
        QTest::newRow("index two spaces") << head + "index  1\n" + h + '\n' + cp << "index";
        QTest::newRow("index past tree") << head + "index 8\n" + h + '\n' + cp << "outside";
        QTest::newRow("extra not base64") << head + "extra !!!!\nindex 1\n" + h + '\n' + cp << "extra";
        QTest::newRow("extra empty") << head + "extra \nindex 1\n" + h + '\n' + cp << "extra";
        QTest::newRow("extra after index") << head + "index 1\nextra AAAA\n" + h + '\n' + cp << "hash line 1";
        QTest::newRow("31-byte hash")
            << head + "index 1\n" + QByteArray(31, 'h').toBase64() + "\n\n" + cp << "hash line 1";
        QTest::newRow("bad hash") << head + "index 1\n" + h + "not base64\n\n" + cp << "hash line 2";
        QTest::newRow("64 hashes") << head + "index 1\n" + h.repeated(64) + '\n' + cp << "more than 63";
        QTest::newRow("no blank line") << head + "index 1\n" + h << "no blank line";
        QTest::newRow("no checkpoint") << head + "index 1\n" + h + '\n' << "checkpoint";
        QTest::newRow("unsigned checkpoint") << head + "index 1\n" + h + '\n'
                + CheckpointBody {QStringLiteral("log"), 8, hashOf('r'), {}}.text()
                                             << "checkpoint";
        QTest::newRow("not a checkpoint")
            << head + "index 1\n" + h + '\n' + signedCheckpoint("hello\n", log) << "checkpoint";
    }

    void malformedTlogProofs()
    {
        QFETCH(QByteArray, proof);
        QFETCH(QString, reason);
        auto parsed = TlogProof::parse(proof);
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().code, ErrorCode::Malformed);
        QVERIFY2(
            parsed.error().message.contains(reason, Qt::CaseInsensitive), qPrintable(parsed.error().message));
    }

    // --- the log key

    void logKeyCreatedPrivate()
    {
        auto key = openLogKey();
        QVERIFY(key);
        const QString path = keysDir() + QStringLiteral("/log-key.pem");
        QCOMPARE(modeOf(keysDir()), mode_t(0700));
        QCOMPARE(modeOf(path), mode_t(0600));
        QVERIFY(readFile(path).startsWith("-----BEGIN PRIVATE KEY-----\n")); // PKCS#8
        QCOMPARE(key->name(), QStringLiteral("lapse.example/log"));
        QCOMPARE(key->publicKey().size(), 32);
        QCOMPARE(key->keyId(), noteKeyId(key->name(), key->publicKey()));
        QVERIFY(key->retired().isEmpty());
        auto fromVkey = NoteVerifier::fromVkey(key->vkey());
        QVERIFY(fromVkey.ok());
        QVERIFY(fromVkey.value() == key->verifier());

        const QByteArray sig = key->sign("message");
        QCOMPARE(sig.size(), 64);
        QVERIFY(key->verifier().verify("message", sig));
        QVERIFY(!key->verifier().verify("messagf", sig));

        auto again = openLogKey();
        QVERIFY(again);
        QCOMPARE(again->publicKey(), key->publicKey());
        QCOMPARE(again->keyId(), key->keyId());
    }

    void logKeyRefusesBadSetups()
    {
        QVERIFY(!LogKey::open(m_tmp.path(), QStringLiteral("has space")).ok());
        QVERIFY(!LogKey::open(m_tmp.path(), QString()).ok());
        QVERIFY(!LogKey::open(QString(), QStringLiteral("log")).ok());

        QVERIFY(openLogKey());
        const QString path = keysDir() + QStringLiteral("/log-key.pem");
        QVERIFY(QFile::setPermissions(
            path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
        auto wide = LogKey::open(m_tmp.path(), QStringLiteral("log"));
        QVERIFY(!wide.ok());
        QVERIFY2(
            wide.error().message.contains(QStringLiteral("chmod 600")), qPrintable(wide.error().message));
        QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner));

        QVERIFY(writeFile(keysDir() + QStringLiteral("/log-key-nothex!.pem"), "junk"));
        auto stray = LogKey::open(m_tmp.path(), QStringLiteral("log"));
        QVERIFY(!stray.ok());
        QVERIFY2(stray.error().message.contains(QStringLiteral("log-key-nothex!.pem")),
            qPrintable(stray.error().message));
        QVERIFY(QFile::remove(keysDir() + QStringLiteral("/log-key-nothex!.pem")));
        QVERIFY(openLogKey());
    }

    void logKeyRotation()
    {
        auto key = openLogKey();
        QVERIFY(key);
        const NoteVerifier first = key->verifier();
        QVERIFY(key->rotate().ok());
        const NoteVerifier second = key->verifier();
        QVERIFY(second.keyId() != first.keyId());
        QVERIFY(second.publicKey() != first.publicKey());
        QCOMPARE(key->retired(), QList<NoteVerifier> {first});
        const QString firstFile
            = keysDir() + QStringLiteral("/log-key-%1.pem").arg(first.keyId(), 8, 16, QLatin1Char('0'));
        QVERIFY(QFile::exists(firstFile));
        QCOMPARE(modeOf(firstFile), mode_t(0600));
        QCOMPARE(modeOf(keysDir() + QStringLiteral("/log-key.pem")), mode_t(0600));

        QVERIFY(key->rotate().ok());
        const NoteVerifier third = key->verifier();
        QCOMPARE(key->retired(), (QList<NoteVerifier> {first, second}));

        // Reopened: the same current key and the retired keys in the order they were retired.
        auto reopened = openLogKey();
        QVERIFY(reopened);
        QVERIFY(reopened->verifier() == third);
        QCOMPARE(reopened->retired(), (QList<NoteVerifier> {first, second}));
    }

    void logKeySignsAcrossRotation()
    {
        auto key = openLogKey();
        QVERIFY(key);
        const NoteVerifier old = key->verifier();
        QVERIFY(key->rotate().ok());
        const NoteVerifier current = key->verifier();
        const QByteArray text = CheckpointBody {key->name(), 3, hashOf('c'), {}}.text();

        auto both = key->signNote(text, LogKey::Signers::CurrentAndPrevious);
        QVERIFY2(both.ok(), both.ok() ? "" : qPrintable(both.error().message));
        QCOMPARE(SignedNote::parse(both.value())->signatures.size(), 2);
        auto underOld = verifyNote(both.value(), {old});
        QVERIFY(underOld.ok());
        QCOMPARE(underOld.value(), QList<NoteVerifier> {old});
        auto underNew = verifyNote(both.value(), {current});
        QVERIFY(underNew.ok());
        QCOMPARE(underNew.value(), QList<NoteVerifier> {current});
        auto underBoth = verifyNote(both.value(), {old, current});
        QVERIFY(underBoth.ok());
        QCOMPARE(underBoth->size(), 2);

        // Later checkpoints carry the current key only: a witness still on the old key learns nothing new.
        auto currentOnly = key->signNote(text);
        QVERIFY(currentOnly.ok());
        QCOMPARE(SignedNote::parse(currentOnly.value())->signatures.size(), 1);
        QVERIFY(!verifyNote(currentOnly.value(), {old}).ok());
        QVERIFY(verifyNote(currentOnly.value(), {current}).ok());

        // Before any rotation there is no previous key; both modes sign with the current one alone.
        QDir(keysDir()).removeRecursively();
        auto fresh = openLogKey();
        QVERIFY(fresh);
        auto lone = fresh->signNote(text, LogKey::Signers::CurrentAndPrevious);
        QVERIFY(lone.ok());
        QCOMPARE(SignedNote::parse(lone.value())->signatures.size(), 1);
        QVERIFY(!fresh->signNote("no newline", LogKey::Signers::Current).ok());
    }

    void opensslVerifiesCheckpoint()
    {
        const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
        if (openssl.isEmpty())
            QSKIP("openssl command line not installed");
        auto key = openLogKey();
        QVERIFY(key);
        const QString work = m_tmp.path();
        auto run = [&](const QStringList& args) {
            QProcess p;
            p.start(openssl, args);
            if (!p.waitForFinished(30'000) || p.exitStatus() != QProcess::NormalExit)
                return -1;
            return p.exitCode();
        };

        const CheckpointBody body {key->name(), 1234, hashOf('\x7f'), {}};
        auto note = key->signNote(body.text());
        QVERIFY(note.ok());
        auto parsed = SignedNote::parse(note.value());
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->signatures.size(), 1);
        QCOMPARE(parsed->signatures.at(0).keyId, key->keyId());
        const QByteArray sig = parsed->signatures.at(0).bytes;
        QCOMPARE(sig.size(), 64);

        const QByteArray pem = publicPem(key->publicKey());
        QVERIFY(pem.startsWith("-----BEGIN PUBLIC KEY-----"));
        QVERIFY(writeFile(work + "/pub.pem", pem));
        QVERIFY(writeFile(work + "/body.txt", parsed->text));
        QVERIFY(writeFile(work + "/sig.bin", sig));
        const QStringList verify {"pkeyutl", "-verify", "-pubin", "-inkey", work + "/pub.pem", "-rawin",
            "-in", work + "/body.txt", "-sigfile", work + "/sig.bin"};
        QCOMPARE(run(verify), 0);

        // One flipped byte in the body, then in the signature: openssl refuses both.
        QByteArray flipped = parsed->text;
        flipped[0] = char(flipped[0] ^ 0x01);
        QVERIFY(writeFile(work + "/body.txt", flipped));
        QCOMPARE(run(verify), 1);
        QVERIFY(writeFile(work + "/body.txt", parsed->text));
        QByteArray badSig = sig;
        badSig[10] = char(badSig[10] ^ 0x01);
        QVERIFY(writeFile(work + "/sig.bin", badSig));
        QCOMPARE(run(verify), 1);

        // And openssl reads the key file itself as the same key.
        QCOMPARE(
            run({"pkey", "-in", keysDir() + "/log-key.pem", "-pubout", "-out", work + "/derived.pem"}), 0);
        QCOMPARE(readFile(work + "/derived.pem"), pem);
    }
};

QTEST_GUILESS_MAIN(TestSignedNote)
#include "TestSignedNote.moc"
