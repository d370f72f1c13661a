// Errors as values: a machine code, an HTTP status and a sentence a person can act on.
#pragma once

#include <QString>
#include <optional>
#include <utility>
#include <variant>

namespace lapse
{

enum class ErrorCode {
    Malformed, // 400: the input could not be parsed
    Unauthenticated, // 401: missing or unknown credential
    Forbidden, // 403: role or separation of duties
    NotFound, // 404: unknown id
    Conflict, // 409: wrong state for this action
    TooLarge, // 413: body over the limit
    Invalid, // 422: well-formed but not allowed (widening, TTL over cap, missing reason)
    Unavailable, // 503: the backend cannot be reached
    Internal, // 500: the store failed; nothing was changed
    Cancelled, // the caller stopped a long operation (never sent over HTTP)
};

struct Error {
    ErrorCode code = ErrorCode::Internal;
    QString message;

    int httpStatus() const;
    QString codeName() const; // "malformed", "forbidden", ...
    static std::optional<ErrorCode> codeFromName(const QString& name);
    static ErrorCode codeFromHttpStatus(int status);
};

inline Error makeError(ErrorCode code, QString message)
{
    return Error {code, std::move(message)};
}

// Either a value or an Error. Deliberately tiny: no exceptions cross module boundaries.
template <typename T> class Result
{
public:
    Result(T value)
        : m_v(std::move(value))
    {
    }
    Result(Error error)
        : m_v(std::move(error))
    {
    }
    bool ok() const { return std::holds_alternative<T>(m_v); }
    explicit operator bool() const { return ok(); }
    const T& value() const& { return std::get<T>(m_v); }
    T& value() & { return std::get<T>(m_v); }
    T&& value() && { return std::get<T>(std::move(m_v)); }
    const T* operator->() const { return &std::get<T>(m_v); }
    const T& operator*() const { return std::get<T>(m_v); }
    const Error& error() const { return std::get<Error>(m_v); }

private:
    std::variant<T, Error> m_v;
};

struct Ok {
};
using Status = Result<Ok>;

} // namespace lapse
