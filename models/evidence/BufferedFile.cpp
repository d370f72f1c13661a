// A write-only file behind a seekable in-memory window.
#include "BufferedFile.h"

#include <cstring>

namespace lapse
{

BufferedFile::BufferedFile(const QString& path, qsizetype window)
    : m_file(path)
    , m_capacity(window)
{
}

BufferedFile::~BufferedFile()
{
    if (isOpen())
        close();
}

bool BufferedFile::open(OpenMode mode)
{
    if ((mode & ReadOnly) || !(mode & WriteOnly)) {
        setErrorString(QStringLiteral("a buffered file is written only"));
        return false;
    }
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Unbuffered)) {
        setErrorString(m_file.errorString());
        return false;
    }
    m_window.clear();
    m_window.reserve(m_capacity);
    m_windowStart = 0;
    m_fileSize = 0;
    m_failed = false;
    return QIODevice::open(WriteOnly | Unbuffered);
}

void BufferedFile::close()
{
    flushWindow();
    m_file.close();
    QIODevice::close();
}

bool BufferedFile::flushWindow()
{
    if (m_window.isEmpty())
        return true;
    if (!m_file.seek(m_windowStart) || m_file.write(m_window) != m_window.size() || !m_file.flush()) {
        setErrorString(m_file.errorString());
        m_failed = true;
        return false;
    }
    m_fileSize = std::max(m_fileSize, m_windowStart + m_window.size());
    m_windowStart += m_window.size();
    m_window.clear();
    return true;
}

bool BufferedFile::seek(qint64 pos)
{
    if (pos < 0)
        return false;
    // Inside the window (or just past it): nothing to write yet. Elsewhere: the window goes out first and a
    // new one starts there.
    if (pos < m_windowStart || pos > m_windowStart + m_window.size()) {
        if (!flushWindow())
            return false;
        m_windowStart = pos;
    }
    return QIODevice::seek(pos);
}

qint64 BufferedFile::size() const
{
    return std::max(m_fileSize, m_windowStart + m_window.size());
}

qint64 BufferedFile::readData(char*, qint64)
{
    return -1;
}

qint64 BufferedFile::writeData(const char* data, qint64 size)
{
    qint64 pos = QIODevice::pos();
    if (pos < m_windowStart || pos > m_windowStart + m_window.size()) {
        if (!flushWindow())
            return -1;
        m_windowStart = pos;
    }
    const qint64 offset = pos - m_windowStart;
    const qint64 overlap = std::min<qint64>(size, m_window.size() - offset);
    if (overlap > 0)
        std::memcpy(m_window.data() + offset, data, size_t(overlap));
    m_window.append(data + overlap, size - overlap);
    if (m_window.size() >= m_capacity && !flushWindow())
        return -1;
    return size;
}

} // namespace lapse
