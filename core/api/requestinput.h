#pragma once

#include "error.h"
#include "http/httpresponse.h"

#include <QJsonObject>

#include <expected>
#include <utility>

namespace countersign::http {
struct HttpRequest;
}

namespace countersign::api {

/// What a route reads from a request before any service sees it: a refusal is already the
/// answer to send.
using Input = std::expected<QJsonObject, http::HttpResponse>;

/// The JSON object in \a request's body: sent as application/json (415 otherwise), checked by
/// json::checkStructure before Qt parses it, and an object.
[[nodiscard]] Input jsonBody(const http::HttpRequest& request);
/// The two numbers of an audit proof route: seq and size (\a inclusion), or from and to.
[[nodiscard]] Result<std::pair<qint64, qint64>> auditRange(const http::HttpRequest& request, bool inclusion);

} // namespace countersign::api
