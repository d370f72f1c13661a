// Mapping between error codes, their wire names and HTTP statuses.
#include "Error.h"

namespace lapse
{

namespace
{
struct CodeInfo {
    ErrorCode code;
    const char* name;
    int status;
};
constexpr CodeInfo kCodes[] = {
    {ErrorCode::Malformed, "malformed", 400},
    {ErrorCode::Unauthenticated, "unauthenticated", 401},
    {ErrorCode::Forbidden, "forbidden", 403},
    {ErrorCode::NotFound, "not_found", 404},
    {ErrorCode::Conflict, "conflict", 409},
    {ErrorCode::TooLarge, "too_large", 413},
    {ErrorCode::Invalid, "invalid", 422},
    {ErrorCode::Unavailable, "unavailable", 503},
    {ErrorCode::Internal, "internal", 500},
    {ErrorCode::Cancelled, "cancelled", 499},
};
} // namespace

int Error::httpStatus() const
{
    for (const auto& c : kCodes)
        if (c.code == code)
            return c.status;
    return 500;
}

QString Error::codeName() const
{
    for (const auto& c : kCodes)
        if (c.code == code)
            return QString::fromLatin1(c.name);
    return QStringLiteral("internal");
}

std::optional<ErrorCode> Error::codeFromName(const QString& name)
{
    for (const auto& c : kCodes)
        if (name == QLatin1String(c.name))
            return c.code;
    return std::nullopt;
}

ErrorCode Error::codeFromHttpStatus(int status)
{
    for (const auto& c : kCodes)
        if (c.status == status)
            return c.code;
    return status >= 500 ? ErrorCode::Internal : ErrorCode::Malformed;
}

} // namespace lapse
