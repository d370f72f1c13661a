// Cursor files: one decimal seq each, replaced atomically; the delivery they record is never taken back.
#include "WebhookCursor.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <fcntl.h>
#include <unistd.h>

namespace lapse
{

WebhookCursor::WebhookCursor(const QString& dataDir, const QString& sinkId)
    : m_dir(dataDir + QStringLiteral("/notifications"))
    , m_path(m_dir + QLatin1Char('/') + sinkId + QStringLiteral(".cursor"))
{
}

Result<qint64> WebhookCursor::read() const
{
    QFile f(m_path);
    if (!f.exists())
        return qint64(0);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(
            ErrorCode::Internal, QStringLiteral("cannot read %1: %2").arg(m_path, f.errorString()));
    bool ok = false;
    const qint64 seq = f.readAll().trimmed().toLongLong(&ok);
    if (!ok || seq < 0)
        return makeError(ErrorCode::Internal, QStringLiteral("%1 does not hold an event seq").arg(m_path));
    return seq;
}

Status WebhookCursor::write(qint64 seq) const
{
    if (!QDir().mkpath(m_dir))
        return makeError(ErrorCode::Internal, QStringLiteral("cannot create %1").arg(m_dir));
    QSaveFile f(m_path);
    if (!f.open(QIODevice::WriteOnly))
        return makeError(
            ErrorCode::Internal, QStringLiteral("cannot write %1: %2").arg(m_path, f.errorString()));
    f.write(QByteArray::number(seq) + '\n');
    if (!f.commit())
        return makeError(
            ErrorCode::Internal, QStringLiteral("cannot write %1: %2").arg(m_path, f.errorString()));
    // The rename is durable only once the directory is.
    const int dirFd = ::open(QFile::encodeName(m_dir).constData(), O_RDONLY | O_DIRECTORY);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
    return Ok {};
}

} // namespace lapse
