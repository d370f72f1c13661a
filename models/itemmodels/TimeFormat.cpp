// Duration and instant formatting shared by the console's item models.
#include "TimeFormat.h"

#include "core/Clock.h"

#include <QCoreApplication>
#include <QDateTime>

namespace lapse::timefmt
{

QString duration(qint64 ms)
{
    if (ms < 0)
        return QLatin1Char('-') + duration(-ms);
    const qint64 s = ms / 1000;
    const auto tr = [](const char* text) { return QCoreApplication::translate("lapse::TimeFormat", text); };
    if (s < 60)
        return tr("%1s").arg(s);
    if (s < 3600)
        return tr("%1m %2s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    if (s < 86400)
        return tr("%1h %2m").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
    return tr("%1d %2h").arg(s / 86400).arg((s % 86400) / 3600);
}

QString instant(qint64 ms)
{
    if (ms == 0)
        return {};
    return QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

namespace
{
// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
qint64 daysFromCivil(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return qint64(era) * 146097 + doe - 719468;
}

int digits(QStringView s, int at, int n, bool* ok)
{
    int v = 0;
    for (int i = at; i < at + n; ++i) {
        const char16_t c = s[i].unicode();
        if (c < u'0' || c > u'9') {
            *ok = false;
            return 0;
        }
        v = v * 10 + (c - u'0');
    }
    return v;
}
} // namespace

qint64 parseIso(QStringView iso)
{
    if (iso.isEmpty())
        return 0;
    // 2026-11-22T10:00:00.123Z
    if (iso.size() == 24 && iso[4] == u'-' && iso[7] == u'-' && iso[10] == u'T' && iso[13] == u':'
        && iso[16] == u':' && iso[19] == u'.' && iso[23] == u'Z') {
        bool ok = true;
        const int y = digits(iso, 0, 4, &ok), mo = digits(iso, 5, 2, &ok), d = digits(iso, 8, 2, &ok);
        const int h = digits(iso, 11, 2, &ok), mi = digits(iso, 14, 2, &ok), s = digits(iso, 17, 2, &ok);
        const int milli = digits(iso, 20, 3, &ok);
        if (ok && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 && s < 61)
            return ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60'000 + s * 1000 + milli;
    }
    return Clock::fromIso(iso.toString());
}

} // namespace lapse::timefmt
