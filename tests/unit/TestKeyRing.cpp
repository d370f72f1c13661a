// Key ring: Ed25519 signing, strict verification, key files on disk, rotation and the JWKS.
#include "engine/Crypto.h"
#include "engine/KeyRing.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <sys/stat.h>

using namespace lapse;

namespace
{

constexpr qint64 kT0 = 1'700'000'000'000;

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioFree {
    void operator()(BIO* p) const { BIO_free(p); }
};

QByteArray b64(const QByteArray& raw)
{
    return crypto::base64UrlEncode(raw);
}

QByteArray compact(const QJsonObject& o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QJsonObject sampleClaims()
{
    return QJsonObject {
        {"sub", "agent-7"}, {"scope", "billing-db:read"}, {"exp", 1700000900}, {"jti", "g-1"}};
}

QList<QByteArray> parts(const QByteArray& token)
{
    return token.split('.');
}

mode_t modeOf(const QString& path)
{
    struct stat st {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return mode_t(-1);
    return st.st_mode & 07777;
}

// Signs arbitrary bytes with a key file from disk, to build tokens KeyRing::sign() never would.
QByteArray signWithPem(const QString& pemPath, const QByteArray& input)
{
    QFile f(pemPath);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray pem = f.readAll();
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    std::unique_ptr<EVP_PKEY, PkeyFree> pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    QByteArray sig(64, Qt::Uninitialized);
    size_t len = 64;
    if (!pkey || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1
        || EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
               reinterpret_cast<const unsigned char*>(input.constData()), size_t(input.size()))
            != 1)
        return {};
    return sig;
}

// Verifies with nothing but the JWKS entry, the way an offline JOSE library would.
bool verifyWithJwk(const QJsonObject& jwk, const QByteArray& token)
{
    QByteArray x;
    if (!crypto::base64UrlDecode(jwk.value("x").toString().toLatin1(), &x) || x.size() != 32)
        return false;
    std::unique_ptr<EVP_PKEY, PkeyFree> pub(EVP_PKEY_new_raw_public_key(
        EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x.constData()), size_t(x.size())));
    const qsizetype lastDot = token.lastIndexOf('.');
    QByteArray sig;
    if (!pub || lastDot < 0 || !crypto::base64UrlDecode(token.mid(lastDot + 1), &sig))
        return false;
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    return EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pub.get()) == 1
        && EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.constData()),
               size_t(sig.size()), reinterpret_cast<const unsigned char*>(token.constData()), size_t(lastDot))
        == 1;
}

} // namespace

class TestKeyRing : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    std::unique_ptr<KeyRing> m_ring;

    QString keyPath(const QString& kid) const { return m_tmp.path() + "/keys/" + kid + ".pem"; }

    void expectRefused(const QByteArray& token, const QString& needle)
    {
        auto r = m_ring->verify(token);
        QVERIFY2(!r.ok(), token.left(120).constData());
        QCOMPARE(r.error().code, ErrorCode::Unauthenticated);
        QVERIFY2(r.error().message.contains(needle, Qt::CaseInsensitive), qPrintable(r.error().message));
    }

private slots:
    void init()
    {
        QVERIFY(m_tmp.isValid());
        auto r = KeyRing::open(m_tmp.path(), kT0);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
        m_ring = std::move(r).value();
    }

    void cleanup()
    {
        m_ring.reset();
        QDir(m_tmp.path() + "/keys").removeRecursively();
    }

    void signThenVerifyRoundTrips()
    {
        QCOMPARE(m_ring->keyCount(), 1);
        QCOMPARE(m_ring->currentKid().size(), 16);
        const QByteArray token = m_ring->sign(sampleClaims());
        QCOMPARE(parts(token).size(), 3);

        QByteArray header;
        QVERIFY(crypto::base64UrlDecode(parts(token).at(0), &header));
        const QJsonObject h = QJsonDocument::fromJson(header).object();
        QCOMPARE(h, (QJsonObject {{"alg", "EdDSA"}, {"kid", m_ring->currentKid()}, {"typ", "JWT"}}));
        QByteArray sig;
        QVERIFY(crypto::base64UrlDecode(parts(token).at(2), &sig));
        QCOMPARE(sig.size(), 64);

        auto v = m_ring->verify(token);
        QVERIFY2(v.ok(), v.ok() ? "" : qPrintable(v.error().message));
        QCOMPARE(v->kid, m_ring->currentKid());
        QCOMPARE(v->claims, sampleClaims());
        QCOMPARE(v->header.value("alg").toString(), QStringLiteral("EdDSA"));
    }

    void refusesForgedSignature()
    {
        QList<QByteArray> p = parts(m_ring->sign(sampleClaims()));
        QByteArray sig;
        QVERIFY(crypto::base64UrlDecode(p[2], &sig));
        sig[10] = char(sig[10] ^ 0x01);
        expectRefused(p[0] + '.' + p[1] + '.' + b64(sig), "signature does not verify");
    }

    void refusesAlteredPayload()
    {
        QList<QByteArray> p = parts(m_ring->sign(sampleClaims()));
        QJsonObject widened = sampleClaims();
        widened["scope"] = "billing-db:ddl";
        expectRefused(p[0] + '.' + b64(compact(widened)) + '.' + p[2], "signature does not verify");
    }

    void refusesOtherAlgorithms_data()
    {
        QTest::addColumn<QJsonValue>("alg");
        QTest::addColumn<QString>("needle");
        QTest::newRow("none") << QJsonValue("none") << "unsupported alg 'none'";
        QTest::newRow("HS256") << QJsonValue("HS256") << "unsupported alg 'HS256'";
        QTest::newRow("ES256") << QJsonValue("ES256") << "unsupported alg 'ES256'";
        QTest::newRow("lowercase eddsa") << QJsonValue("eddsa") << "unsupported alg";
        QTest::newRow("Ed25519") << QJsonValue("Ed25519") << "unsupported alg";
        QTest::newRow("not a string") << QJsonValue(1) << "no alg";
        QTest::newRow("missing") << QJsonValue(QJsonValue::Undefined) << "no alg";
    }
    void refusesOtherAlgorithms()
    {
        QFETCH(QJsonValue, alg);
        QFETCH(QString, needle);
        QJsonObject header {{"kid", m_ring->currentKid()}, {"typ", "JWT"}};
        if (!alg.isUndefined())
            header["alg"] = alg;
        const QByteArray input = b64(compact(header)) + '.' + b64(compact(sampleClaims()));
        // Both an empty signature and a real EdDSA signature over these bytes must be refused.
        expectRefused(input + '.', "not a compact JWS");
        expectRefused(input + '.' + b64("x"), needle);
        expectRefused(input + '.' + b64(signWithPem(keyPath(m_ring->currentKid()), input)), needle);
    }

    void refusesCritHeader()
    {
        const QJsonObject header {
            {"alg", "EdDSA"}, {"kid", m_ring->currentKid()}, {"crit", QJsonArray {"exp"}}};
        const QByteArray input = b64(compact(header)) + '.' + b64(compact(sampleClaims()));
        expectRefused(input + '.' + b64(signWithPem(keyPath(m_ring->currentKid()), input)), "crit");
    }

    void refusesTokenFromAnotherRing()
    {
        QTemporaryDir otherDir;
        auto other = KeyRing::open(otherDir.path(), kT0);
        QVERIFY(other.ok());
        QVERIFY(other.value()->currentKid() != m_ring->currentKid());
        const QByteArray foreign = other.value()->sign(sampleClaims());
        QVERIFY(other.value()->verify(foreign).ok());
        expectRefused(foreign, "unknown signing key");

        // Same foreign signature, header rewritten to claim our kid: the kid is trusted only as a lookup.
        const QJsonObject header {{"alg", "EdDSA"}, {"kid", m_ring->currentKid()}, {"typ", "JWT"}};
        const QByteArray payload = b64(compact(sampleClaims()));
        const QByteArray input = b64(compact(header)) + '.' + payload;
        const QByteArray sig
            = signWithPem(otherDir.path() + "/keys/" + other.value()->currentKid() + ".pem", input);
        QCOMPARE(sig.size(), 64);
        expectRefused(input + '.' + b64(sig), "signature does not verify");
    }

    void refusesMalformedTokens_data()
    {
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<QString>("needle");
        const QByteArray good = [] {
            QTemporaryDir d;
            return KeyRing::open(d.path(), kT0).value()->sign(sampleClaims());
        }();
        const QList<QByteArray> p = parts(good);
        QTest::newRow("empty") << QByteArray() << "not a compact JWS";
        QTest::newRow("two parts") << QByteArray("a.b") << "not a compact JWS";
        QTest::newRow("four parts") << QByteArray("a.b.c.d") << "not a compact JWS";
        QTest::newRow("empty header") << ('.' + p[1] + '.' + p[2]) << "not a compact JWS";
        QTest::newRow("empty payload") << (p[0] + ".." + p[2]) << "not a compact JWS";
        QTest::newRow("empty signature") << (p[0] + '.' + p[1] + '.') << "not a compact JWS";
        QTest::newRow("dots only") << QByteArray("..") << "not a compact JWS";
        QTest::newRow("plus in header") << ('+' + p[0] + '.' + p[1] + '.' + p[2]) << "not base64url";
        QTest::newRow("padding") << (p[0] + "==." + p[1] + '.' + p[2]) << "not base64url";
        QTest::newRow("space") << (p[0] + ' ' + '.' + p[1] + '.' + p[2]) << "not base64url";
        QTest::newRow("nul byte") << (p[0] + QByteArray(1, '\0') + '.' + p[1] + '.' + p[2])
                                  << "not base64url";
        QTest::newRow("header not json")
            << (b64("not json") + '.' + p[1] + '.' + p[2]) << "not a JSON object";
        QTest::newRow("header is an array")
            << (b64("[\"EdDSA\"]") + '.' + p[1] + '.' + p[2]) << "not a JSON object";
        QTest::newRow("oversize") << (p[0] + '.' + QByteArray(9000, 'A') + '.' + p[2]) << "larger than";
    }
    void refusesMalformedTokens()
    {
        QFETCH(QByteArray, token);
        QFETCH(QString, needle);
        expectRefused(token, needle);
    }

    void refusesBadSegmentsUnderOurKid()
    {
        const QByteArray header = b64(compact(QJsonObject {{"alg", "EdDSA"}, {"kid", m_ring->currentKid()}}));
        const QByteArray payload = b64(compact(sampleClaims()));
        const QString pem = keyPath(m_ring->currentKid());

        expectRefused(header + '.' + payload + '.' + b64(QByteArray(63, 'x')), "not 64 bytes");
        expectRefused(header + '.' + payload + '.' + b64(QByteArray(65, 'x')), "not 64 bytes");
        expectRefused(header + '.' + payload + ".$$$", "signature is not base64url");

        // Validly signed, but the payload is not an object: the signature alone must not be enough.
        for (const QByteArray& body : {QByteArray("[1,2]"), QByteArray("\"text\""), QByteArray("{")}) {
            const QByteArray input = header + '.' + b64(body);
            expectRefused(input + '.' + b64(signWithPem(pem, input)), "payload is not a JSON object");
        }

        // Unused trailing bits give a second spelling of the same signature; only the canonical one counts.
        const QByteArray input = header + '.' + payload;
        QByteArray sigText = b64(signWithPem(pem, input));
        QVERIFY(m_ring->verify(input + '.' + sigText).ok());
        QCOMPARE(sigText.size(), 86); // 64 bytes: the last char carries 4 unused bits
        const char last = sigText.back();
        const QByteArray alphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
        sigText.back() = alphabet.at(alphabet.indexOf(last) | 1);
        QVERIFY(sigText.back() != last);
        QByteArray decoded;
        QVERIFY(crypto::base64UrlDecode(sigText, &decoded)); // the lenient decoder accepts it...
        expectRefused(input + '.' + sigText, "signature is not base64url"); // ...verify does not
    }

    void keyFilesArePrivate()
    {
        const QString dir = m_tmp.path() + "/keys";
        QCOMPARE(modeOf(dir), mode_t(0700));
        QCOMPARE(modeOf(keyPath(m_ring->currentKid())), mode_t(0600));
        QCOMPARE(QFileInfo(keyPath(m_ring->currentKid())).permissions(),
            QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadUser
                | QFileDevice::WriteUser);
        QCOMPARE(modeOf(dir + "/index.json"), mode_t(0600));
        QVERIFY(m_ring->rotate(kT0 + 1).ok());
        QCOMPARE(modeOf(keyPath(m_ring->currentKid())), mode_t(0600));
        QCOMPARE(modeOf(dir + "/index.json"), mode_t(0600));
        QVERIFY(QDir(dir).entryList({"*.tmp"}, QDir::Files).isEmpty());

        QFile pem(keyPath(m_ring->currentKid()));
        QVERIFY(pem.open(QIODevice::ReadOnly));
        QVERIFY(pem.readAll().startsWith("-----BEGIN PRIVATE KEY-----\n")); // PKCS#8
    }

    void refusesWorldReadableKeyFile()
    {
        const QString path = keyPath(m_ring->currentKid());
        m_ring.reset();
        QVERIFY(::chmod(QFile::encodeName(path).constData(), 0644) == 0);
        auto r = KeyRing::open(m_tmp.path(), kT0);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Internal);
        QVERIFY2(r.error().message.contains(path), qPrintable(r.error().message));
        QVERIFY2(r.error().message.contains("0644"), qPrintable(r.error().message));
        QVERIFY2(r.error().message.contains("chmod 600"), qPrintable(r.error().message));

        QVERIFY(::chmod(QFile::encodeName(path).constData(), 0600) == 0);
        QVERIFY(KeyRing::open(m_tmp.path(), kT0).ok());
    }

    void refusesTamperedIndex()
    {
        const QString index = m_tmp.path() + "/keys/index.json";
        const QString kid = m_ring->currentKid();
        m_ring.reset();
        QFile f(index);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(compact(QJsonObject {{"keys",
            QJsonArray {QJsonObject {{"kid", "../../etc/passwd"}, {"created_ms", 1}, {"retired_ms", 0}}}}}));
        f.close();
        auto r = KeyRing::open(m_tmp.path(), kT0);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains("malformed kid"), qPrintable(r.error().message));

        // Key files without an index: refuse rather than start a fresh key and orphan live credentials.
        QVERIFY(QFile::remove(index));
        r = KeyRing::open(m_tmp.path(), kT0);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains("no index.json"), qPrintable(r.error().message));
        QVERIFY(QFileInfo::exists(keyPath(kid)));
    }

    void reopenKeepsTheSameKeys()
    {
        const QString first = m_ring->currentKid();
        const QByteArray token = m_ring->sign(sampleClaims());
        m_ring.reset();
        auto again = KeyRing::open(m_tmp.path(), kT0 + 1000);
        QVERIFY(again.ok());
        QCOMPARE(again.value()->currentKid(), first);
        QCOMPARE(again.value()->keyCount(), 1);
        QVERIFY(again.value()->verify(token).ok());
    }

    void rotationRetiresAndPublishes()
    {
        const QString oldKid = m_ring->currentKid();
        const QByteArray oldToken = m_ring->sign(sampleClaims());
        const qint64 rotatedAt = kT0 + 60'000;
        QVERIFY(m_ring->rotate(rotatedAt).ok());
        const QString newKid = m_ring->currentKid();
        QVERIFY(newKid != oldKid);
        QCOMPARE(m_ring->keyCount(), 2);

        const QByteArray newToken = m_ring->sign(sampleClaims());
        QCOMPARE(m_ring->verify(newToken)->kid, newKid);
        QCOMPARE(m_ring->verify(oldToken)->kid, oldKid); // retired keys still verify

        const qint64 retain = 3'600'000;
        const QJsonArray within = m_ring->jwks(rotatedAt + retain - 1, retain).value("keys").toArray();
        QCOMPARE(within.size(), 2);
        QCOMPARE(within.at(0).toObject().value("kid").toString(), newKid); // current first
        QCOMPARE(within.at(1).toObject().value("kid").toString(), oldKid);
        const QJsonArray after = m_ring->jwks(rotatedAt + retain, retain).value("keys").toArray();
        QCOMPARE(after.size(), 1);
        QCOMPARE(after.at(0).toObject().value("kid").toString(), newKid);

        // The rotation survives a restart, retired key included.
        m_ring.reset();
        auto again = KeyRing::open(m_tmp.path(), rotatedAt + 1);
        QVERIFY(again.ok());
        QCOMPARE(again.value()->currentKid(), newKid);
        QCOMPARE(again.value()->keyCount(), 2);
        QVERIFY(again.value()->verify(oldToken).ok());
        QCOMPARE(again.value()->jwks(rotatedAt + retain - 1, retain).value("keys").toArray().size(), 2);
        QCOMPARE(again.value()->jwks(rotatedAt + retain, retain).value("keys").toArray().size(), 1);
    }

    void jwksVerifiesOffline()
    {
        const QByteArray oldToken = m_ring->sign(sampleClaims());
        QVERIFY(m_ring->rotate(kT0 + 1).ok());
        const QByteArray newToken = m_ring->sign(sampleClaims());
        const QJsonArray keys = m_ring->jwks(kT0 + 2, 60'000).value("keys").toArray();
        QCOMPARE(keys.size(), 2);
        for (const QJsonValue& v : keys) {
            const QJsonObject jwk = v.toObject();
            QCOMPARE(jwk.keys(), QStringList({"alg", "crv", "kid", "kty", "use", "x"}));
            QCOMPARE(jwk.value("kty").toString(), QStringLiteral("OKP"));
            QCOMPARE(jwk.value("crv").toString(), QStringLiteral("Ed25519"));
            QCOMPARE(jwk.value("use").toString(), QStringLiteral("sig"));
            QCOMPARE(jwk.value("alg").toString(), QStringLiteral("EdDSA"));
            QByteArray x;
            QVERIFY(crypto::base64UrlDecode(jwk.value("x").toString().toLatin1(), &x));
            QCOMPARE(x.size(), 32);
            // kid is derived from the public key, so anyone can recompute it.
            QCOMPARE(jwk.value("kid").toString(), QString::fromLatin1(b64(crypto::sha256(x).left(12))));
        }
        QVERIFY(verifyWithJwk(keys.at(0).toObject(), newToken));
        QVERIFY(verifyWithJwk(keys.at(1).toObject(), oldToken));
        QVERIFY(!verifyWithJwk(keys.at(0).toObject(), oldToken));
    }

    void opensslCommandLineAgrees()
    {
        const QString openssl = QStandardPaths::findExecutable("openssl");
        if (openssl.isEmpty())
            QSKIP("openssl command line not installed");
        const QString kid = m_ring->currentKid();
        const QString work = m_tmp.path();
        auto run = [&](const QStringList& args) {
            QProcess p;
            p.start(openssl, args);
            const bool ok
                = p.waitForFinished(30'000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
            if (!ok)
                qWarning() << args << p.readAllStandardError();
            return ok;
        };
        auto writeFile = [](const QString& path, const QByteArray& data) {
            QFile f(path);
            return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
        };

        // Our token verifies with the public key openssl derives from our key file.
        QVERIFY(run({"pkey", "-in", keyPath(kid), "-pubout", "-out", work + "/pub.pem"}));
        const QByteArray token = m_ring->sign(sampleClaims());
        const qsizetype lastDot = token.lastIndexOf('.');
        QByteArray sig;
        QVERIFY(crypto::base64UrlDecode(token.mid(lastDot + 1), &sig));
        QVERIFY(writeFile(work + "/input", token.left(lastDot)));
        QVERIFY(writeFile(work + "/sig", sig));
        QVERIFY(run({"pkeyutl", "-verify", "-pubin", "-inkey", work + "/pub.pem", "-rawin", "-in",
            work + "/input", "-sigfile", work + "/sig"}));

        // And openssl's signature over fresh claims verifies in the ring.
        const QByteArray input = b64(compact(QJsonObject {{"alg", "EdDSA"}, {"kid", kid}})) + '.'
            + b64(compact(QJsonObject {{"sub", "from-openssl"}}));
        QVERIFY(writeFile(work + "/input2", input));
        QVERIFY(run({"pkeyutl", "-sign", "-inkey", keyPath(kid), "-rawin", "-in", work + "/input2", "-out",
            work + "/sig2"}));
        QFile sig2(work + "/sig2");
        QVERIFY(sig2.open(QIODevice::ReadOnly));
        auto v = m_ring->verify(input + '.' + b64(sig2.readAll()));
        QVERIFY2(v.ok(), v.ok() ? "" : qPrintable(v.error().message));
        QCOMPARE(v->claims.value("sub").toString(), QStringLiteral("from-openssl"));
    }

    void emptyRingSignsNothing()
    {
        KeyRing empty;
        QCOMPARE(empty.keyCount(), 0);
        QVERIFY(empty.currentKid().isEmpty());
        QVERIFY(empty.sign(sampleClaims()).isEmpty());
        QVERIFY(!empty.verify(m_ring->sign(sampleClaims())).ok());
        QVERIFY(empty.jwks(kT0, 1).value("keys").toArray().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestKeyRing)
#include "TestKeyRing.moc"
