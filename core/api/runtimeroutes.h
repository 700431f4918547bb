#pragma once

#include "approvals/runtimeidentity.h"
#include "http/httpresponse.h"
#include "router.h"
#include "statuscache.h"

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

class AnswerAfterCommit;

/// The routes of a runtime (docs/runtime-guide.md, "Routes"): its requests (create, list, get
/// with a long-poll, consume, cancel) and the audit proofs. Reads the wire, calls the service,
/// writes the wire; the rules live behind approvals::RuntimeApi.
class RuntimeRoutes final {
public:
    /// Writes go through \a afterCommit, which must outlive these routes.
    RuntimeRoutes(approvals::RuntimeApi& api, http::LongPolls& polls, AnswerAfterCommit& afterCommit,
                  int maxWaitSeconds);

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
    /// A consume: its state change and audit entry join the group commit, its receipt follows it.
    [[nodiscard]] std::optional<http::HttpResponse> consume(const http::HttpRequest& request,
                                                            http::HttpConnection& connection,
                                                            const approvals::RuntimeIdentity& runtime,
                                                            const QString& id);

    approvals::RuntimeApi& m_api;
    http::LongPolls& m_polls;
    AnswerAfterCommit& m_afterCommit;
    int m_maxWaitSeconds;
    StatusCache m_cache;
};

} // namespace countersign::api
