#pragma once

#include <QString>

#include <expected>

namespace countersign {

/// Why a fallible call failed. Every module maps its failures onto these codes; the api layer
/// chooses an HTTP status from the code in exactly one place (api/statusmap.h). What only the
/// transport refuses (a wrong Host, headers too large, a client sending too fast) has codes of
/// its own there (http/transporterror.h).
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
    // Runtime API and endpoint
    Unauthenticated,  // no or unknown credentials
    PermissionDenied, // authenticated but not allowed (e.g. a capability outside the runtime's globs)
    NotApproved,      // consume of a request that is not approved
    Conflict,         // idempotency key reused with another body; a state that forbids the change
    AlreadyConsumed,
    Expired,
    Revoked,        // an invitation (or credential) withdrawn by its issuer
    DigestMismatch, // consume with a payload digest other than the approved one
    PayloadTooLarge,
    Unavailable,
};

/// A failure with a code for programs and a message for people.
struct Error final {
    ErrorCode code = ErrorCode::Storage;
    QString message;

    [[nodiscard]] static Error make(ErrorCode code, const QString& message) { return Error{code, message}; }
};

[[nodiscard]] QString errorCodeName(ErrorCode code);

template <typename T> using Result = std::expected<T, Error>;

/// Shorthand for returning a failure: `return fail(ErrorCode::Io, u"..."_s);`
[[nodiscard]] inline std::unexpected<Error> fail(ErrorCode code, const QString& message)
{
    return std::unexpected(Error{code, message});
}

} // namespace countersign

/// Returns the failure of \a result (any Result, by name or expression) from the enclosing
/// function, which must itself return a Result; carries on when it holds a value:
/// `auto found = store.find(id); COUNTERSIGN_TRY(found); use(*found);`
#define COUNTERSIGN_TRY(result)                                                                                        \
    do {                                                                                                               \
        if (auto&& countersignTried = (result); !countersignTried)                                                     \
            return std::unexpected(std::move(countersignTried).error());                                               \
    } while (false)
