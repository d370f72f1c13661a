// A file written through a large in-memory window that seeks within itself: what the zip writer needs for a
// pack of a million small entries, where it writes each entry's header, data and descriptor and seeks back
// to fix the header — four system calls an entry on a plain QFile.
#pragma once

#include <QFile>
#include <QIODevice>

namespace lapse
{

class BufferedFile final : public QIODevice
{
public:
    explicit BufferedFile(const QString& path, qsizetype window = 8 * 1024 * 1024);
    ~BufferedFile() override;

    // Opens for writing only (truncating); anything else is refused.
    bool open(OpenMode mode) override;
    void close() override;
    bool seek(qint64 pos) override;
    qint64 size() const override;
    bool isSequential() const override { return false; }
    // Writes the window out; false (with errorString()) when the file refuses it.
    bool flushWindow();
    // Whether any write to the file failed since it was opened (close() cannot say so itself).
    bool failed() const { return m_failed; }

protected:
    qint64 readData(char* data, qint64 maxSize) override;
    qint64 writeData(const char* data, qint64 size) override;

private:
    QFile m_file;
    QByteArray
        m_window; // bytes [m_windowStart, m_windowStart + m_window.size()) of the file, not yet written
    qint64 m_windowStart = 0;
    qint64 m_fileSize = 0; // what is on disk
    qsizetype m_capacity;
    bool m_failed = false;
};

} // namespace lapse
