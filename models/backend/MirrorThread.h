// A Mirror and the backend it follows, on a thread of their own: a catch-up's page writes never stall the
// thread that shows the mirror (the console's GUI). Signals arrive queued on the thread that opened it.
#pragma once

#include "core/Error.h"

#include <QObject>
#include <QString>
#include <QThread>
#include <atomic>
#include <functional>
#include <memory>

namespace lapse
{

class Backend;
class Mirror;

class MirrorThread : public QObject
{
    Q_OBJECT
public:
    // makeSource runs on the mirror's thread: the backend is created, used and destroyed there.
    using SourceFactory = std::function<std::unique_ptr<Backend>()>;
    static Result<std::unique_ptr<MirrorThread>> open(
        const QString& file, SourceFactory makeSource, QObject* parent = nullptr);
    ~MirrorThread() override; // stops following, closes the mirror on its thread, ends the thread

    QString file() const { return m_file; }
    qint64 lastSeq() const { return m_lastSeq.load(); } // as of the last advance
    bool runsOn(const QThread* thread) const { return thread == &m_thread; }
    void start(); // follows the source from the mirror's last event on

signals:
    void advanced(qint64 lastSeq);
    void chainBroken(qint64 seq, const QString& reason);
    void checkpointVerified(qint64 size, qint64 atMs);
    void logInconsistent(const QString& reason);

private:
    MirrorThread() = default;
    void onThread(const std::function<void()>& work); // runs work on the mirror's thread and waits for it

    QThread m_thread;
    QObject* m_context = nullptr; // lives on m_thread: the receiver of the calls made there
    std::unique_ptr<Backend> m_source;
    std::unique_ptr<Mirror> m_mirror;
    QString m_file;
    std::atomic<qint64> m_lastSeq {0};
};

} // namespace lapse
