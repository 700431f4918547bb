#pragma once

#include "httpresponse.h"

#include <optional>

namespace countersign::http {

class HttpConnection;
struct HttpRequest;

/// What answers the requests a connection has parsed (in qBittorrent's words, the request
/// handler behind a generic HTTP server). The transport calls it in order, one request at a
/// time per connection; it knows nothing of what the requests mean.
class IRequestHandler {
public:
    virtual ~IRequestHandler() = default;

    /// Answers \a request, or returns nothing when the answer comes later (a long-poll, a write
    /// waiting for its commit); \a connection then receives it through HttpConnection::complete().
    [[nodiscard]] virtual std::optional<HttpResponse> handle(const HttpRequest& request,
                                                             HttpConnection& connection) = 0;
};

} // namespace countersign::http
