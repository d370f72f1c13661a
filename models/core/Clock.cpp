// System clock by default; tests swap in a ManualClock.
#include "Clock.h"

#include <atomic>

namespace lapse
{

namespace
{
const SystemClock kSystemClock;
std::atomic<const Clock*> g_clock {&kSystemClock};
} // namespace

const Clock& Clock::instance()
{
    return *g_clock.load(std::memory_order_acquire);
}

void Clock::setInstance(const Clock* clock)
{
    g_clock.store(clock ? clock : &kSystemClock, std::memory_order_release);
}

namespace
{
// The inverse of daysFromCivil below (H. Hinnant's civil_from_days).
void civilFromDays(qint64 z, int* y, int* m, int* d)
{
    z += 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const int doe = int(z - era * 146097);
    const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = int(yoe + era * 400) + (*m <= 2);
}
} // namespace

QString Clock::toIso(qint64 ms)
{
    // Every event and API answer carries several of these: formatted by hand for years 0..9999, the rest
    // (never written by Lapse) through QDateTime.
    constexpr qint64 kMax = 253'402'300'800'000; // 10000-01-01
    if (ms < 0 || ms >= kMax)
        return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
    int y, mo, d;
    civilFromDays(ms / 86'400'000, &y, &mo, &d);
    const qint64 inDay = ms % 86'400'000;
    const int h = int(inDay / 3'600'000), mi = int(inDay / 60'000 % 60), se = int(inDay / 1000 % 60),
              milli = int(inDay % 1000);
    char16_t out[] = u"0000-00-00T00:00:00.000Z";
    // Each field's digits written right to left into its place in the pattern.
    for (const auto& [end, value] :
        {std::pair {4, y}, {7, mo}, {10, d}, {13, h}, {16, mi}, {19, se}, {23, milli}})
        for (int i = end - 1, v = value; v > 0; --i, v /= 10)
            out[i] = char16_t(u'0' + v % 10);
    return QString(reinterpret_cast<const QChar*>(out), 24);
}

namespace
{
// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
qint64 daysFromCivil(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return qint64(era) * 146097 + doe - 719468;
}

// The form toIso() writes, "2026-11-22T10:00:00.123Z", parsed without QDateTime: ingest reads it for
// every grant and session event. Anything else returns false and takes the general path.
bool parseCanonicalIso(const QString& s, qint64* out)
{
    if (s.size() != 24 || s.at(4) != u'-' || s.at(7) != u'-' || s.at(10) != u'T' || s.at(13) != u':'
        || s.at(16) != u':' || s.at(19) != u'.' || s.at(23) != u'Z')
        return false;
    auto num = [&s](int from, int len, int* v) {
        int r = 0;
        for (int i = from; i < from + len; ++i) {
            const char16_t c = s.at(i).unicode();
            if (c < u'0' || c > u'9')
                return false;
            r = r * 10 + (c - u'0');
        }
        *v = r;
        return true;
    };
    int y, mo, d, h, mi, se, ms;
    if (!num(0, 4, &y) || !num(5, 2, &mo) || !num(8, 2, &d) || !num(11, 2, &h) || !num(14, 2, &mi)
        || !num(17, 2, &se) || !num(20, 3, &ms))
        return false;
    static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || h > 23 || mi > 59 || se > 59)
        return false;
    if (mo == 2 && d == 29 && !QDate::isLeapYear(y))
        return false;
    *out = ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60'000LL + se * 1000LL + ms;
    return true;
}
} // namespace

qint64 Clock::fromIso(const QString& iso, bool* ok)
{
    qint64 fast = 0;
    if (parseCanonicalIso(iso, &fast)) {
        if (ok)
            *ok = true;
        return fast;
    }
    QDateTime dt = QDateTime::fromString(iso, Qt::ISODateWithMs);
    if (!dt.isValid())
        dt = QDateTime::fromString(iso, Qt::ISODate);
    if (ok)
        *ok = dt.isValid();
    return dt.isValid() ? dt.toMSecsSinceEpoch() : 0;
}

} // namespace lapse
