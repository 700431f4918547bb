#pragma once

#include "approvals/runtimeidentity.h"
#include "http/httpresponse.h"
#include "router.h"
#include "statuscache.h"

#include <functional>
#include <optional>

namespace countersign::approvals {
class RuntimeApi;
}
namespace countersign::http {
class HttpConnection;
class LongPolls;
struct HttpRequest;
} // namespace countersign::http

namespace countersign::api {

/// The routes of a runtime (docs/runtime-guide.md, "Routes"): its requests (create, list, get
/// with a long-poll, consume, cancel) and the audit proofs. Reads the wire, calls the service,
/// writes the wire; the rules live behind approvals::RuntimeApi.
class RuntimeRoutes final {
public:
    RuntimeRoutes(approvals::RuntimeApi& api, http::LongPolls& polls, int maxWaitSeconds);

    /// Answers \a route for \a runtime, or nothing when the answer comes later.
    [[nodiscard]] std::optional<http::HttpResponse> serve(Route route, const http::HttpRequest& request,
                                                          http::HttpConnection& connection,
                                                          const approvals::RuntimeIdentity& runtime, const QString& id);
    /// Request \a id changed: its cached status goes, and its long-polls are answered now.
    void requestChanged(const QString& id);

private:
    [[nodiscard]] std::optional<http::HttpResponse> getRequest(const http::HttpRequest& request,
                                                               http::HttpConnection& connection,
                                                               const approvals::RuntimeIdentity& runtime,
                                                               const QString& id);
    /// The request as its runtime reads it now.
    [[nodiscard]] http::HttpResponse status(const approvals::RuntimeIdentity& runtime, const QString& id);
    /// Hands \a write to the group commit; the connection is answered after the commit.
    [[nodiscard]] std::optional<http::HttpResponse> answerAfterCommit(http::HttpConnection& connection,
                                                                      std::function<http::HttpResponse()> write);

    approvals::RuntimeApi& m_api;
    http::LongPolls& m_polls;
    int m_maxWaitSeconds;
    StatusCache m_cache;
};

} // namespace countersign::api
