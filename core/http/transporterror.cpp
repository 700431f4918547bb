#include "transporterror.h"

namespace countersign::http {

QString transportErrorName(TransportError error)
{
    switch (error) {
    case TransportError::BadRequest:
        return QStringLiteral("invalid_argument");
    case TransportError::PayloadTooLarge:
        return QStringLiteral("payload_too_large");
    case TransportError::HeadersTooLarge:
        return QStringLiteral("headers_too_large");
    case TransportError::UnsupportedMediaType:
        return QStringLiteral("unsupported_media_type");
    case TransportError::MisdirectedRequest:
        return QStringLiteral("misdirected_request");
    case TransportError::OriginForbidden:
        return QStringLiteral("origin_forbidden");
    case TransportError::MethodNotAllowed:
        return QStringLiteral("method_not_allowed");
    case TransportError::RequestTimeout:
        return QStringLiteral("request_timeout");
    case TransportError::RateLimited:
        return QStringLiteral("rate_limited");
    case TransportError::LockedOut:
        return QStringLiteral("locked_out");
    case TransportError::Unavailable:
        return QStringLiteral("unavailable");
    }
    return QStringLiteral("unknown");
}

int transportErrorStatus(TransportError error)
{
    switch (error) {
    case TransportError::BadRequest:
        return 400;
    case TransportError::OriginForbidden:
        return 403;
    case TransportError::MethodNotAllowed:
        return 405;
    case TransportError::RequestTimeout:
        return 408;
    case TransportError::PayloadTooLarge:
        return 413;
    case TransportError::UnsupportedMediaType:
        return 415;
    case TransportError::MisdirectedRequest:
        return 421;
    case TransportError::RateLimited:
    case TransportError::LockedOut:
        return 429;
    case TransportError::HeadersTooLarge:
        return 431;
    case TransportError::Unavailable:
        return 503;
    }
    return 500;
}

} // namespace countersign::http
