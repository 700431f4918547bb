#include "apihandler.h"

#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeapi.h"
#include "approvals/services.h"
#include "approvals/teamapi.h"
#include "http/httpconnection.h"
#include "http/httprequest.h"
#include "inviteeroutes.h"
#include "memberroutes.h"
#include "statusmap.h"

#include <QLoggingCategory>
#include <QTimer>

Q_LOGGING_CATEGORY(lcApi, "countersign.api")

namespace countersign::api {

namespace {

constexpr int VAULT_CHECK_MS = 2000;

} // namespace

ApiHandler::ApiHandler(std::shared_ptr<approvals::Services> services, const http::EndpointSettings& settings,
                       QObject* parent)
    : QObject(parent)
    , m_services(std::move(services))
    , m_api(m_services->requests())
    , m_rates(settings.ratePerSecond, settings.rateBurst)
    , m_failures(settings, [this](const QString& action,
                                  const QJsonObject& details) { m_api.recordSecurityEvent(action, details); })
    , m_afterCommit(m_api)
    , m_runtimeRoutes(m_api, m_polls, m_afterCommit, settings.maxWaitSeconds)
    , m_runtimesOnTeam(settings.team && settings.team->servesRuntimes)
{
    if (approvals::TeamApi* team = m_api.team()) {
        m_memberRoutes = std::make_unique<MemberRoutes>(*team, m_polls, m_afterCommit, settings.maxWaitSeconds);
        m_inviteeRoutes = std::make_unique<InviteeRoutes>(*team, m_rates, m_failures);
    }
    // Checked on every request, and on a timer so that an idle server says why it stopped.
    auto* vaultCheck = new QTimer(this);
    vaultCheck->setInterval(VAULT_CHECK_MS);
    connect(vaultCheck, &QTimer::timeout, this, [this] { (void)unavailable(); });
    vaultCheck->start();
    connect(&m_api.events(), &approvals::RequestEvents::requestChanged, this,
            [this](const QString& id, const QString&) { m_runtimeRoutes.requestChanged(id); });
    connect(&m_polls, &http::LongPolls::changedElsewhere, this,
            [this](const QString& id) { m_runtimeRoutes.requestChanged(id); });
    connect(&m_api.events(), &approvals::RequestEvents::requestCreated, this, [this] {
        if (m_memberRoutes)
            m_memberRoutes->requestCreated();
    });
}

ApiHandler::~ApiHandler() = default;

http::EndpointThread::HandlerFactory ApiHandler::factory(ServicesOpener openServices)
{
    return [openServices = std::move(openServices)](
               const http::EndpointSettings& settings) -> Result<std::shared_ptr<http::IRequestHandler>> {
        auto opened = openServices();
        COUNTERSIGN_TRY(opened);
        std::shared_ptr<approvals::Services> services(std::move(*opened));
        services->requests().setExpiryTimerEnabled(true); // expiry on time, even when nobody polls
        return std::make_shared<ApiHandler>(std::move(services), settings);
    };
}

quint64 ApiHandler::writeCommits() const
{
    return m_api.writeCommits();
}

QString ApiHandler::Caller::bucket() const
{
    return runtime ? QStringLiteral("runtime:") + QString::number(runtime->id)
                   : QStringLiteral("member:") + (member ? member->id : QString());
}

QJsonObject ApiHandler::health()
{
    // No secrets: the version, and that the vault behind it is open.
    return QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")},
                       {QStringLiteral("version"), QStringLiteral(COUNTERSIGN_VERSION)},
                       {QStringLiteral("vault"), QStringLiteral("unlocked")}};
}

std::optional<Error> ApiHandler::unavailable()
{
    if (!m_unavailable) {
        if (auto available = m_api.available(); !available) {
            m_unavailable = available.error();
            qCCritical(lcApi).noquote() << "stopped serving:" << available.error().message;
        }
    }
    return m_unavailable;
}

std::expected<ApiHandler::Caller, http::HttpResponse> ApiHandler::authenticate(const http::HttpRequest& request,
                                                                               http::HttpConnection& connection,
                                                                               bool runtimes, bool members)
{
    const QByteArray authorization = request.header("authorization");
    QByteArray token;
    if (authorization.size() > 7 && authorization.left(7).toLower() == "bearer " &&
        request.headerCount("authorization") == 1) {
        token = authorization.mid(7).trimmed();
        // A valid token is never blocked by a lockout: clients behind one address (loopback,
        // a NAT) cannot lock each other out.
        // A token that cannot be looked up now (a team database restarting) is neither valid nor
        // a failed attempt: the caller is told to come back, and nothing counts toward a lockout.
        if (runtimes) {
            auto identity = m_api.authenticate(token);
            if (identity) {
                connection.setProven();
                return Caller{*identity, std::nullopt};
            }
            if (identity.error().code == ErrorCode::Unavailable)
                return std::unexpected(errorResponse(identity.error()));
        }
        if (members && m_api.team()) {
            auto member = m_api.team()->authenticateMember(token);
            if (member) {
                connection.setProven();
                return Caller{std::nullopt, *member};
            }
            if (member.error().code == ErrorCode::Unavailable)
                return std::unexpected(errorResponse(member.error()));
        }
    }
    int retryAfter = 1;
    if (m_failures.refuseIfLockedOut(connection, retryAfter))
        return std::unexpected(
            http::HttpResponse::refusal(http::TransportError::LockedOut,
                                        QStringLiteral("too many failed authentications; try again later"))
                .withRetryAfter(retryAfter));
    m_failures.recordFailure(
        connection, authorization.isEmpty() ? QStringLiteral("missing token") : QStringLiteral("invalid token"),
        request, token.isEmpty() ? QByteArrayView(authorization) : QByteArrayView(token));
    http::HttpResponse refused = errorResponse(
        Error{ErrorCode::Unauthenticated, QStringLiteral("a valid token is required (Authorization: Bearer)")});
    refused.extraHeaders.append({QByteArrayLiteral("WWW-Authenticate"), QByteArrayLiteral("Bearer")});
    return std::unexpected(refused);
}

std::optional<http::HttpResponse> ApiHandler::handle(const http::HttpRequest& request, http::HttpConnection& connection)
{
    // Once the vault cannot be written safely every answer says so, health included, rather
    // than accept work that would be lost.
    if (auto down = unavailable())
        return errorResponse(*down);
    const RouteMatch match = Router::match(request.method, request.path);
    if (!match.route) {
        if (match.allow.isEmpty())
            return errorResponse(Error{ErrorCode::NotFound, QStringLiteral("no such route")});
        http::HttpResponse response = http::HttpResponse::refusal(http::TransportError::MethodNotAllowed,
                                                                  QStringLiteral("method not allowed here"));
        response.extraHeaders.append({QByteArrayLiteral("Allow"), match.allow});
        return response;
    }
    if (*match.route == Route::Health)
        return http::HttpResponse::json(200, health());
    const RouteAudience audience = audienceOf(*match.route);
    // Runtimes are served on loopback only; the team listener is for people, except on a team
    // node, whose runtimes reach it over TLS from other machines.
    if (connection.isTeam() && !m_runtimesOnTeam && audience == RouteAudience::Runtime)
        return errorResponse(Error{ErrorCode::NotFound, QStringLiteral("no such route")});
    if ((audience == RouteAudience::Invitee || audience == RouteAudience::Member) && !m_memberRoutes)
        return errorResponse(Error{ErrorCode::Unavailable, QStringLiteral("this instance serves no team")});
    if (audience == RouteAudience::Invitee)
        return m_inviteeRoutes->serve(*match.route, request, connection);

    // Runtime tokens count only on loopback and the Unix socket: on a desktop's team listener a
    // runtime token is no credential at all, for every route.
    const bool runtimesHere = (!connection.isTeam() || m_runtimesOnTeam) && audience != RouteAudience::Member;
    auto caller = authenticate(request, connection, runtimesHere, audience != RouteAudience::Runtime);
    if (!caller)
        return caller.error();
    int retryAfter = 1;
    if (!m_rates.take(caller->bucket(), retryAfter))
        return http::HttpResponse::refusal(http::TransportError::RateLimited, QStringLiteral("slow down"))
            .withRetryAfter(retryAfter);
    // Each kind of caller reaches only the routes of its audience, whatever authenticated it.
    const bool runtimeRoute = audience == RouteAudience::Runtime || audience == RouteAudience::RuntimeOrMember;
    const bool memberRoute = audience == RouteAudience::Member || audience == RouteAudience::RuntimeOrMember;
    if (caller->member && memberRoute && m_memberRoutes)
        return m_memberRoutes->serve(*match.route, request, connection, *caller->member, match.id);
    if (caller->runtime && runtimeRoute)
        return m_runtimeRoutes.serve(*match.route, request, connection, *caller->runtime, match.id);
    return errorResponse(Error{ErrorCode::PermissionDenied, QStringLiteral("this route is not for this caller")});
}

} // namespace countersign::api
