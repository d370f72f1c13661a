// The log key on disk: PKCS#8 PEM files through OpenSSL 3, written 0600 under a 0700 directory, rotated by
// keeping the old file under its key id before the new key takes the current name.
#include "LogKey.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lapse
{

namespace
{

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct BioFree {
    void operator()(BIO* p) const { BIO_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

constexpr qsizetype kMaxKeyFileBytes = 64 * 1024;
const QString kCurrentName = QStringLiteral("log-key.pem");
const QRegularExpression kRetiredName(QStringLiteral("^log-key-[0-9a-f]{8}\\.pem$"));

Error internal(const QString& message)
{
    return makeError(ErrorCode::Internal, message);
}

QString octalMode(mode_t mode)
{
    return QStringLiteral("0%1").arg(uint(mode & 07777), 3, 8, QLatin1Char('0'));
}

QString hexId(quint32 keyId)
{
    return QStringLiteral("%1").arg(keyId, 8, 16, QLatin1Char('0'));
}

// Never let OpenSSL prompt on a terminal for a passphrase: the key files are unencrypted by design.
int noPassphrase(char*, int, int, void*)
{
    return 0;
}

void syncDirectory(const QString& dir)
{
    const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

// Writes the PEM under a temporary name created 0600 from the start, then renames it over path, so a
// reader sees either the old file or the whole new one.
Status storeKey(const QString& path, EVP_PKEY* pkey)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    // PEM_write_bio_PrivateKey writes PKCS#8 ("BEGIN PRIVATE KEY").
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return internal(QStringLiteral("cannot encode the log key for %1").arg(path));
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    const QString tmp = path + QStringLiteral(".tmp");
    QFile::remove(tmp); // a leftover from an interrupted write; NewOnly below refuses anything else
    QFile f(tmp);
    if (!f.open(
            QIODevice::WriteOnly | QIODevice::NewOnly, QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        OPENSSL_cleanse(data, size_t(len));
        return internal(QStringLiteral("cannot create %1: %2").arg(tmp, f.errorString()));
    }
    const bool written = f.write(data, qint64(len)) == qint64(len) && f.flush() && ::fsync(f.handle()) == 0;
    OPENSSL_cleanse(data, size_t(len));
    f.close();
    if (!written || ::rename(QFile::encodeName(tmp).constData(), QFile::encodeName(path).constData()) != 0) {
        QFile::remove(tmp);
        return internal(QStringLiteral("cannot write %1").arg(path));
    }
    syncDirectory(QFileInfo(path).absolutePath());
    return Ok {};
}

Result<PkeyPtr> loadKey(const QString& path)
{
    struct stat st {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return internal(QStringLiteral("log key file %1 is missing").arg(path));
    if (!S_ISREG(st.st_mode))
        return internal(QStringLiteral("log key file %1 is not a regular file").arg(path));
    if ((st.st_mode & 0777 & ~mode_t(0600)) != 0)
        return internal(
            QStringLiteral("log key file %1 has permissions %2, wider than 0600; fix with: chmod 600 %1")
                .arg(path, octalMode(st.st_mode)));
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return internal(QStringLiteral("cannot read log key file %1: %2").arg(path, f.errorString()));
    QByteArray pem = f.read(kMaxKeyFileBytes + 1);
    if (pem.size() > kMaxKeyFileBytes)
        return internal(QStringLiteral("log key file %1 is too large to be a key").arg(path));
    BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    PkeyPtr pkey(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr) : nullptr);
    OPENSSL_cleanse(pem.data(), size_t(pem.size()));
    if (!pkey)
        return internal(QStringLiteral("log key file %1 is not a PEM private key").arg(path));
    if (EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519)
        return internal(QStringLiteral("log key file %1 is not an Ed25519 key").arg(path));
    return pkey;
}

Result<NoteSigner> loadSigner(const QString& path, const QString& name)
{
    auto pkey = loadKey(path);
    if (!pkey)
        return pkey.error();
    return NoteSigner::fromKey(name, pkey->get());
}

// Modification time in nanoseconds: rotate() stamps each retired file with a time later than every
// earlier one, so this orders them.
qint64 modifiedNs(const QString& path)
{
    struct stat st {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return 0;
    return qint64(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

} // namespace

Result<std::unique_ptr<LogKey>> LogKey::open(const QString& dataDir, const QString& name)
{
    if (dataDir.isEmpty())
        return internal(QStringLiteral("no data directory given for the log key"));
    if (!isValidNoteKeyName(name))
        return makeError(ErrorCode::Invalid,
            QStringLiteral("'%1' is not a valid log key name (no spaces, no '+', not empty)")
                .arg(name.left(64)));
    if (!QDir().mkpath(dataDir))
        return internal(QStringLiteral("cannot create data directory %1").arg(dataDir));
    const QString dir = QDir(dataDir).absoluteFilePath(QStringLiteral("keys"));
    if (!QFileInfo(dir).isDir()
        && !QDir(dataDir).mkdir(
            QStringLiteral("keys"), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner))
        return internal(QStringLiteral("cannot create key directory %1").arg(dir));
    struct stat dirStat {
    };
    if (::stat(QFile::encodeName(dir).constData(), &dirStat) != 0 || !S_ISDIR(dirStat.st_mode))
        return internal(QStringLiteral("key directory %1 is not a directory").arg(dir));
    // Anyone else who can write here could swap the log key.
    if ((dirStat.st_mode & 0022) != 0)
        return internal(
            QStringLiteral("key directory %1 has permissions %2, writable by others; fix with: chmod 700 %1")
                .arg(dir, octalMode(dirStat.st_mode)));

    std::unique_ptr<LogKey> key(new LogKey);
    key->m_dir = dir;
    const QString currentPath = dir + QLatin1Char('/') + kCurrentName;
    if (QFileInfo::exists(currentPath)) {
        auto signer = loadSigner(currentPath, name);
        if (!signer)
            return signer.error();
        key->m_current = signer.value();
    } else {
        PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
        if (!pkey)
            return internal(QStringLiteral("Ed25519 key generation failed"));
        Status st = storeKey(currentPath, pkey.get());
        if (!st)
            return st.error();
        auto signer = NoteSigner::fromKey(name, pkey.get());
        if (!signer)
            return signer.error();
        key->m_current = signer.value();
    }

    struct Retired {
        QString path;
        qint64 modified;
    };
    QList<Retired> files;
    for (const QString& file : QDir(dir).entryList({QStringLiteral("log-key-*.pem")}, QDir::Files)) {
        if (!kRetiredName.match(file).hasMatch())
            return internal(
                QStringLiteral("%1 in %2 is not a log key file name (log-key-<8 hex digits>.pem); "
                               "move it away")
                    .arg(file, dir));
        const QString path = dir + QLatin1Char('/') + file;
        files.append({path, modifiedNs(path)});
    }
    std::sort(files.begin(), files.end(), [](const Retired& a, const Retired& b) {
        return a.modified != b.modified ? a.modified < b.modified : a.path < b.path;
    });
    for (const Retired& file : std::as_const(files)) {
        // The id in the file name was computed under the name in use when it was retired; the verifier is
        // rebuilt under the current name, so a renamed log still has every key it ever used.
        auto signer = loadSigner(file.path, name);
        if (!signer)
            return signer.error();
        // A rotation interrupted after keeping the old key leaves the current key under a retired name too.
        if (signer->verifier() == key->m_current.verifier())
            continue;
        key->m_retired.append(signer.value());
        key->m_lastRetiredNs = std::max(key->m_lastRetiredNs, file.modified);
    }
    return key;
}

Status LogKey::rotate()
{
    // Every key this log ever used keeps a distinct key id, so a note signed by two of them stays
    // unambiguous and each retired key has a file name of its own.
    QList<quint32> usedIds {keyId()};
    for (const NoteSigner& s : std::as_const(m_retired))
        usedIds.append(s.keyId());
    PkeyPtr pkey;
    Result<NoteSigner> next = internal(QStringLiteral("Ed25519 key generation failed"));
    for (int attempt = 0; attempt < 8; ++attempt) {
        pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
        if (!pkey)
            return internal(QStringLiteral("Ed25519 key generation failed"));
        next = NoteSigner::fromKey(name(), pkey.get());
        if (!next)
            return next.error();
        if (!usedIds.contains(next->keyId()))
            break;
    }
    if (usedIds.contains(next->keyId()))
        return internal(QStringLiteral("cannot generate a log key with an unused key id"));

    // Keep the current key under its retired name first (a hard link: no second encoding of the secret),
    // so whatever happens next, no key that signed a checkpoint is lost.
    const QString currentPath = m_dir + QLatin1Char('/') + kCurrentName;
    const QString retiredPath = m_dir + QStringLiteral("/log-key-%1.pem").arg(hexId(keyId()));
    bool linked = false;
    if (QFileInfo::exists(retiredPath)) {
        auto existing = loadSigner(retiredPath, name());
        if (!existing)
            return existing.error();
        if (existing->verifier() != verifier())
            return internal(QStringLiteral("%1 already holds a different key").arg(retiredPath));
    } else {
        if (::link(QFile::encodeName(currentPath).constData(), QFile::encodeName(retiredPath).constData())
            != 0)
            return internal(QStringLiteral("cannot keep the current log key as %1").arg(retiredPath));
        linked = true;
    }
    // Stamp it as retired now, and strictly after the key retired before it: open() orders retired keys by
    // this time, and file system clocks are coarse enough for two rotations to share a tick.
    struct timespec now {
    };
    ::clock_gettime(CLOCK_REALTIME, &now);
    const qint64 stamp = std::max(qint64(now.tv_sec) * 1'000'000'000 + now.tv_nsec, m_lastRetiredNs + 1);
    const struct timespec times[2] = {{time_t(stamp / 1'000'000'000), long(stamp % 1'000'000'000)},
        {time_t(stamp / 1'000'000'000), long(stamp % 1'000'000'000)}};
    if (::utimensat(AT_FDCWD, QFile::encodeName(retiredPath).constData(), times, 0) != 0) {
        if (linked)
            QFile::remove(retiredPath);
        return internal(QStringLiteral("cannot stamp %1 with its retirement time").arg(retiredPath));
    }
    syncDirectory(m_dir);

    Status st = storeKey(currentPath, pkey.get());
    if (!st) {
        if (linked)
            QFile::remove(retiredPath);
        return st;
    }
    m_retired.append(m_current);
    m_current = next.value();
    m_lastRetiredNs = modifiedNs(retiredPath);
    return Ok {};
}

QString LogKey::name() const
{
    return m_current.name();
}

QByteArray LogKey::publicKey() const
{
    return m_current.verifier().publicKey();
}

quint32 LogKey::keyId() const
{
    return m_current.keyId();
}

QString LogKey::vkey() const
{
    return m_current.verifier().vkey();
}

NoteVerifier LogKey::verifier() const
{
    return m_current.verifier();
}

QList<NoteVerifier> LogKey::retired() const
{
    QList<NoteVerifier> out;
    for (const NoteSigner& s : m_retired)
        out.append(s.verifier());
    return out;
}

QByteArray LogKey::sign(const QByteArray& message) const
{
    return m_current.sign(message);
}

Result<QByteArray> LogKey::signNote(const QByteArray& text, Signers signers) const
{
    SignedNote note;
    note.text = text;
    Status st = addNoteSignature(note, m_current);
    if (st && signers == Signers::CurrentAndPrevious && !m_retired.isEmpty())
        st = addNoteSignature(note, m_retired.last());
    if (!st)
        return st.error();
    return note.serialize();
}

} // namespace lapse
