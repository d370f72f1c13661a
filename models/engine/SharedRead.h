// A value many threads need "as of now" from a store (the committed head): each caller gets the result of a
// read that started after it asked, and callers that ask while a read is in flight share the next one, so
// under load the store sees about one read per round trip instead of one per caller.
#pragma once

#include <QtGlobal>
#include <condition_variable>
#include <functional>
#include <mutex>

namespace lapse
{

class SharedRead
{
public:
    explicit SharedRead(std::function<qint64()> read)
        : m_read(std::move(read))
    {
    }

    qint64 get()
    {
        std::unique_lock lock(m_mutex);
        const quint64 wanted = m_started + 1; // the first read to start after this call
        while (m_done < wanted) {
            if (m_reading) {
                m_changed.wait(lock);
                continue;
            }
            m_reading = true;
            const quint64 mine = ++m_started;
            lock.unlock();
            const qint64 value = m_read();
            lock.lock();
            m_value = value;
            m_done = mine;
            m_reading = false;
            m_changed.notify_all();
        }
        return m_value; // from read m_done >= wanted: reads run one at a time, in order
    }

private:
    std::function<qint64()> m_read;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_reading = false;
    quint64 m_started = 0, m_done = 0;
    qint64 m_value = 0;
};

} // namespace lapse
