#include "exitcode.h"

namespace countersign::cli {

// The one table of the CLI's exit codes, documented in docs/runtime-guide.md ("Exit codes").

ExitCode exitCodeFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidArgument:
    case ErrorCode::WeakPassphrase:
        return EXIT_USAGE;
    case ErrorCode::WrongPassphrase:
    case ErrorCode::Unauthenticated:
        return EXIT_AUTH;
    case ErrorCode::PermissionDenied:
    case ErrorCode::Conflict:
    case ErrorCode::Expired:
    case ErrorCode::Revoked:
    case ErrorCode::NotEncrypted:
    case ErrorCode::UnsupportedSchema:
    case ErrorCode::AlreadyExists:
        return EXIT_REFUSED;
    default:
        return EXIT_FAILED;
    }
}

ExitCode exitCodeForStatus(int status)
{
    if (status >= 200 && status < 300)
        return EXIT_OK;
    // No exchange (no connection, a certificate other than the pinned one) or no valid credential.
    if (status == 0 || status == 401)
        return EXIT_AUTH;
    // Any other answer is a refusal, 410 Gone included (an approval that expired before its
    // consume, an invitation expired, revoked or used): an expired request's own state, not a
    // status, is what exits 11.
    return EXIT_REFUSED;
}

} // namespace countersign::cli
