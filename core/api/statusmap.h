#pragma once

#include "error.h"

namespace countersign::http {
struct HttpResponse;
}

namespace countersign::api {

/// The one place where an error code becomes an HTTP status (docs/architecture.md, "Errors").
[[nodiscard]] int statusFor(ErrorCode code);
/// {"error": {"code": ..., "message": ...}} with the status chosen by statusFor().
[[nodiscard]] http::HttpResponse errorResponse(const Error& error);

} // namespace countersign::api
