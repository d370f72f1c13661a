// Matching a request path against a route pattern, segment by segment, without building a regex per request.
#include "ApiRoute.h"

namespace lapse
{

namespace
{
const QString kIdSegment = QStringLiteral("{id}");
} // namespace

ApiRoute::ApiRoute(
    QByteArray method, QString pattern, Access access, QList<Role> roles, Body body, Handler handler)
    : m_method(std::move(method))
    , m_pattern(std::move(pattern))
    , m_segments(m_pattern.mid(1).split(QLatin1Char('/')))
    , m_access(access)
    , m_roles(std::move(roles))
    , m_body(body)
    , m_handler(handler)
{
}

bool ApiRoute::isId(QStringView segment)
{
    if (segment.isEmpty() || segment.size() > kMaxIdLength)
        return false;
    for (const QChar c : segment) {
        const char16_t u = c.unicode();
        const bool ok = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9')
            || u == u'.' || u == u'_' || u == u'@' || u == u':' || u == u'-';
        if (!ok)
            return false;
    }
    return true;
}

bool ApiRoute::matches(const QByteArray& method, QStringView path, QString* id) const
{
    if (method != m_method)
        return false;
    QStringView found;
    qsizetype at = 0; // the '/' before the next segment
    for (const QString& expected : m_segments) {
        if (at >= path.size() || path[at] != QLatin1Char('/'))
            return false;
        qsizetype end = path.indexOf(QLatin1Char('/'), at + 1);
        if (end < 0)
            end = path.size();
        const QStringView segment = path.sliced(at + 1, end - at - 1);
        if (expected == kIdSegment) {
            if (!isId(segment))
                return false;
            found = segment;
        } else if (segment != expected) {
            return false;
        }
        at = end;
    }
    if (at != path.size())
        return false;
    if (id && !found.isNull())
        *id = found.toString();
    return true;
}

} // namespace lapse
