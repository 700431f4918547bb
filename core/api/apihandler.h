#pragma once

#include "answeraftercommit.h"
#include "error.h"
#include "failureaudit.h"
#include "http/endpointsettings.h"
#include "http/endpointthread.h"
#include "http/irequesthandler.h"
#include "http/longpolls.h"
#include "http/ratelimiter.h"
#include "members/member.h"
#include "runtimeroutes.h"

#include <QObject>
#include <QString>

#include <expected>
#include <functional>
#include <memory>
#include <optional>

namespace countersign::approvals {
class RuntimeApi;
class Services;
} // namespace countersign::approvals

namespace countersign::api {

class InviteeRoutes;
class MemberRoutes;

/// Countersign's answer to every request that passed the transport's guards (docs/runtime-guide.md
/// and docs/team.md, "Routes"): the route table, who may call which route, authentication with
/// its lockout, the rate limit per credential, then the routes of each audience. Everything here
/// is wire; every rule lives in the services behind approvals::RuntimeApi and approvals::TeamApi.
class ApiHandler final : public QObject, public http::IRequestHandler {
    Q_OBJECT
public:
    /// Serves \a services (kept alive as long as this handler) with \a settings' limits.
    ApiHandler(std::shared_ptr<approvals::Services> services, const http::EndpointSettings& settings,
               QObject* parent = nullptr);
    ~ApiHandler() override;

    /// Opens the services of the calling thread (application::openServices).
    using ServicesOpener = std::function<Result<std::unique_ptr<approvals::Services>>()>;
    /// A factory for http::EndpointThread: opens services by \a openServices in the endpoint's
    /// thread, with their expiry timer running, and serves them.
    [[nodiscard]] static http::EndpointThread::HandlerFactory factory(ServicesOpener openServices);

    [[nodiscard]] std::optional<http::HttpResponse> handle(const http::HttpRequest& request,
                                                           http::HttpConnection& connection) override;
    /// Transactions the endpoint's writes were committed in (group commits), for tests and
    /// figures; any thread may ask.
    [[nodiscard]] quint64 writeCommits() const;

private:
    /// Who made an authenticated call: a runtime or a member with a session.
    struct Caller final {
        std::optional<approvals::RuntimeIdentity> runtime;
        std::optional<members::Member> member;
        [[nodiscard]] QString bucket() const;
    };

    /// The caller behind the request's bearer token. A valid token is always served (and marks
    /// the connection proven); only failures meet the lockout.
    [[nodiscard]] std::expected<Caller, http::HttpResponse>
    authenticate(const http::HttpRequest& request, http::HttpConnection& connection, bool runtimes, bool members);
    /// GET /v1/health: version and state.
    [[nodiscard]] static QJsonObject health();
    /// Why the vault can no longer be served (latched once seen), or nothing while it can.
    [[nodiscard]] std::optional<Error> unavailable();

    std::shared_ptr<approvals::Services> m_services;
    approvals::RuntimeApi& m_api;
    http::LongPolls m_polls;
    http::RateLimiter m_rates;
    FailureAudit m_failures;
    AnswerAfterCommit m_afterCommit;
    RuntimeRoutes m_runtimeRoutes;
    bool m_runtimesOnTeam = false;
    std::unique_ptr<MemberRoutes> m_memberRoutes;   // when the instance serves a team
    std::unique_ptr<InviteeRoutes> m_inviteeRoutes; // likewise
    std::optional<Error> m_unavailable;
};

} // namespace countersign::api
