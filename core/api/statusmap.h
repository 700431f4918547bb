#pragma once

#include "error.h"
#include "http/httpresponse.h"

namespace countersign::api {

/// The one place where an error code becomes an HTTP status (docs/architecture.md, "Errors").
[[nodiscard]] int statusFor(ErrorCode code);
/// {"error": {"code": ..., "message": ...}} with the status chosen by statusFor().
[[nodiscard]] http::HttpResponse errorResponse(const Error& error);

/// \a status (200 unless said) with \a result's value written by \a wire, or the error's answer.
template <typename T, typename Wire>
[[nodiscard]] http::HttpResponse answer(const Result<T>& result, Wire wire, int status = 200)
{
    return result ? http::HttpResponse::json(status, wire(*result)) : errorResponse(result.error());
}

} // namespace countersign::api
