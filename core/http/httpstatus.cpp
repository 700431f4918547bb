#include "httpstatus.h"

namespace countersign::http {

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
    case ErrorCode::OriginForbidden:
        return 403;
    case ErrorCode::NotFound:
        return 404;
    case ErrorCode::MethodNotAllowed:
        return 405;
    case ErrorCode::RequestTimeout:
        return 408;
    case ErrorCode::Conflict:
    case ErrorCode::AlreadyConsumed:
    case ErrorCode::AlreadyExists:
        return 409;
    case ErrorCode::Expired:
    case ErrorCode::Revoked:
        return 410;
    case ErrorCode::PayloadTooLarge:
        return 413;
    case ErrorCode::UnsupportedMediaType:
        return 415;
    case ErrorCode::MisdirectedRequest:
        return 421;
    case ErrorCode::DigestMismatch:
        return 422;
    case ErrorCode::RateLimited:
    case ErrorCode::LockedOut:
        return 429;
    case ErrorCode::HeadersTooLarge:
        return 431;
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

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 421:
        return "Misdirected Request";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    default:
        return "Internal Server Error";
    }
}

} // namespace countersign::http
