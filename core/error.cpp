#include "error.h"

namespace countersign {

QString errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidArgument:
        return QStringLiteral("invalid_argument");
    case ErrorCode::NotFound:
        return QStringLiteral("not_found");
    case ErrorCode::AlreadyExists:
        return QStringLiteral("already_exists");
    case ErrorCode::WrongPassphrase:
        return QStringLiteral("wrong_passphrase");
    case ErrorCode::WeakPassphrase:
        return QStringLiteral("weak_passphrase");
    case ErrorCode::NotEncrypted:
        return QStringLiteral("not_encrypted");
    case ErrorCode::UnsupportedSchema:
        return QStringLiteral("unsupported_schema");
    case ErrorCode::Storage:
        return QStringLiteral("storage");
    case ErrorCode::Crypto:
        return QStringLiteral("crypto");
    case ErrorCode::Io:
        return QStringLiteral("io");
    case ErrorCode::Integrity:
        return QStringLiteral("integrity");
    case ErrorCode::Unauthenticated:
        return QStringLiteral("unauthenticated");
    case ErrorCode::PermissionDenied:
        return QStringLiteral("permission_denied");
    case ErrorCode::NotApproved:
        return QStringLiteral("not_approved");
    case ErrorCode::Conflict:
        return QStringLiteral("conflict");
    case ErrorCode::AlreadyConsumed:
        return QStringLiteral("already_consumed");
    case ErrorCode::Expired:
        return QStringLiteral("expired");
    case ErrorCode::Revoked:
        return QStringLiteral("revoked");
    case ErrorCode::DigestMismatch:
        return QStringLiteral("digest_mismatch");
    case ErrorCode::PayloadTooLarge:
        return QStringLiteral("payload_too_large");
    case ErrorCode::Unavailable:
        return QStringLiteral("unavailable");
    }
    return QStringLiteral("unknown");
}

} // namespace countersign
