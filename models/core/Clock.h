// The one source of "now" (UTC milliseconds), replaceable so tests move time instead of sleeping.
#pragma once

#include <QDateTime>
#include <QtGlobal>

namespace lapse
{

class Clock
{
public:
    virtual ~Clock() = default;
    virtual qint64 nowMs() const = 0;

    static const Clock& instance();
    static qint64 now() { return instance().nowMs(); }
    // Install a clock for tests (nullptr restores the system clock). Not owned.
    static void setInstance(const Clock* clock);

    static QString toIso(qint64 ms); // 2026-11-22T10:00:00.123Z
    static qint64 fromIso(const QString& iso, bool* ok = nullptr);
};

class SystemClock final : public Clock
{
public:
    qint64 nowMs() const override { return QDateTime::currentMSecsSinceEpoch(); }
};

// A clock that only moves when told to.
class ManualClock final : public Clock
{
public:
    explicit ManualClock(qint64 startMs = 1'790'000'000'000)
        : m_now(startMs)
    {
    }
    qint64 nowMs() const override { return m_now; }
    void set(qint64 ms) { m_now = ms; }
    void advance(qint64 ms) { m_now += ms; }

private:
    qint64 m_now;
};

} // namespace lapse
