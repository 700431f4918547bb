#include "statusmap.h"

#include "http/httpresponse.h"

namespace countersign::api {

int statusFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidArgument:
    case ErrorCode::WeakPassphrase:
        return 400;
    case ErrorCode::Unauthenticated:
    case ErrorCode::WrongPassphrase:
        return 401;
    case ErrorCode::PermissionDenied:
    case ErrorCode::NotApproved:
        return 403;
    case ErrorCode::NotFound:
        return 404;
    case ErrorCode::Conflict:
    case ErrorCode::AlreadyConsumed:
    case ErrorCode::AlreadyExists:
        return 409;
    case ErrorCode::Expired:
    case ErrorCode::Revoked:
        return 410;
    case ErrorCode::PayloadTooLarge:
        return 413;
    case ErrorCode::DigestMismatch:
        return 422;
    case ErrorCode::Unavailable:
        return 503;
    case ErrorCode::NotEncrypted:
    case ErrorCode::UnsupportedSchema:
    case ErrorCode::Storage:
    case ErrorCode::Crypto:
    case ErrorCode::Io:
    case ErrorCode::Integrity:
        return 500;
    }
    return 500;
}

http::HttpResponse errorResponse(const Error& error)
{
    return http::HttpResponse::error(statusFor(error.code), errorCodeName(error.code), error.message);
}

} // namespace countersign::api
