#include "statusmap.h"

#include "http/httpresponse.h"

namespace countersign::api {

namespace {

constexpr int UNAVAILABLE_RETRY_SECONDS = 2;

} // namespace

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
    http::HttpResponse response =
        http::HttpResponse::error(statusFor(error.code), errorCodeName(error.code), error.message);
    // Unavailable is for now only (a team database restarting, a deadlock given up): say when to
    // come back, so that a client retries instead of giving up (RFC 9110, section 10.2.3).
    if (error.code == ErrorCode::Unavailable)
        return std::move(response).withRetryAfter(UNAVAILABLE_RETRY_SECONDS);
    return response;
}

} // namespace countersign::api
