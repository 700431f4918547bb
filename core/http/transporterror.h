#pragma once

#include <QString>

namespace countersign::http {

/// What the transport itself refuses, before or around any handler: malformed or oversized
/// messages, slow clients, a wrong Host or Origin, a full listener, a client sending too fast.
/// Each has one wire name and one status (RFC 9110 section 15); the handler's own errors are
/// mapped elsewhere (docs/architecture.md, "Errors").
enum class TransportError {
    BadRequest,
    PayloadTooLarge,
    HeadersTooLarge,
    UnsupportedMediaType,
    MisdirectedRequest, // Host header does not name this server (DNS rebinding)
    OriginForbidden,
    MethodNotAllowed,
    RequestTimeout,
    RateLimited,
    LockedOut, // too many failed authentications from this client
    Unavailable,
};

/// The code a client reads in {"error": {"code": ...}}.
[[nodiscard]] QString transportErrorName(TransportError error);
[[nodiscard]] int transportErrorStatus(TransportError error);

} // namespace countersign::http
