#pragma once

#include "http/httpresponse.h"
#include "members/member.h"
#include "router.h"

#include <optional>

namespace countersign::approvals {
class TeamApi;
}
namespace countersign::http {
class HttpConnection;
class LongPolls;
struct HttpRequest;
} // namespace countersign::http

namespace countersign::api {

class AnswerAfterCommit;

/// The routes of a member with a session (docs/team.md, "Routes"): their profile, the queue
/// they may decide (with a long-poll), a request, a signed decision, and the audit proofs.
/// Reads the wire, calls the service, writes the wire; the rules live behind approvals::TeamApi.
class MemberRoutes final {
public:
    /// Decisions go through \a afterCommit, which must outlive these routes.
    MemberRoutes(approvals::TeamApi& team, http::LongPolls& polls, AnswerAfterCommit& afterCommit, int maxWaitSeconds);

    /// Answers \a route for \a member, or nothing when the answer comes later.
    [[nodiscard]] std::optional<http::HttpResponse> serve(Route route, const http::HttpRequest& request,
                                                          http::HttpConnection& connection,
                                                          const members::Member& member, const QString& id);
    /// A request arrived: every member waiting on their queue is answered now.
    void requestCreated();

private:
    [[nodiscard]] std::optional<http::HttpResponse>
    queue(const http::HttpRequest& request, http::HttpConnection& connection, const members::Member& member);

    approvals::TeamApi& m_team;
    http::LongPolls& m_polls;
    AnswerAfterCommit& m_afterCommit;
    int m_maxWaitSeconds;
};

} // namespace countersign::api
