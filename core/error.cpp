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
    }
    return QStringLiteral("unknown");
}

} // namespace countersign
