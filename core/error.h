#pragma once

#include <QString>

#include <expected>

namespace countersign {

/// Why a fallible call failed. Every module maps its failures onto these codes; the HTTP layer
/// later chooses a status from the code in exactly one place.
enum class ErrorCode {
    InvalidArgument,
    NotFound,
    AlreadyExists,
    WrongPassphrase,
    WeakPassphrase,
    NotEncrypted,
    UnsupportedSchema,
    Storage,
    Crypto,
    Io,
    Integrity,
};

/// A failure with a code for programs and a message for people.
struct Error final {
    ErrorCode code = ErrorCode::Storage;
    QString message;

    [[nodiscard]] static Error make(ErrorCode code, const QString& message) { return Error{code, message}; }
};

[[nodiscard]] QString errorCodeName(ErrorCode code);

template <typename T>
using Result = std::expected<T, Error>;

/// Shorthand for returning a failure: `return fail(ErrorCode::Io, u"..."_s);`
[[nodiscard]] inline std::unexpected<Error> fail(ErrorCode code, const QString& message)
{
    return std::unexpected(Error{code, message});
}

} // namespace countersign
