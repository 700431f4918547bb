#pragma once

#include "error.h"
#include "http/httpresponse.h"
#include "router.h"

#include <QJsonObject>

namespace countersign::approvals {
class TeamApi;
}
namespace countersign::http {
class HttpConnection;
class RateLimiter;
struct HttpRequest;
} // namespace countersign::http

namespace countersign::api {

class FailureAudit;

/// The routes of someone without a bearer yet (docs/team.md, "Routes"): redeeming an invitation
/// and opening a session by challenge and response. The attempt itself is the credential, so
/// these routes meet the rate limit and the lockout themselves.
class InviteeRoutes final {
public:
    InviteeRoutes(approvals::TeamApi& team, http::RateLimiter& rates, FailureAudit& failures);

    [[nodiscard]] http::HttpResponse serve(Route route, const http::HttpRequest& request,
                                           http::HttpConnection& connection);

private:
    /// Each route's body read, the service called, the answer's body written.
    [[nodiscard]] Result<QJsonObject> redeem(const QJsonObject& body);
    [[nodiscard]] Result<QJsonObject> challenge(const QJsonObject& body);
    [[nodiscard]] Result<QJsonObject> openSession(const QJsonObject& body);

    approvals::TeamApi& m_team;
    http::RateLimiter& m_rates;
    FailureAudit& m_failures;
};

} // namespace countersign::api
