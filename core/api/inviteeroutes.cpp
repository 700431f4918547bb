#include "inviteeroutes.h"

#include "approvals/teamapi.h"
#include "failureaudit.h"
#include "http/httpconnection.h"
#include "http/httprequest.h"
#include "http/ratelimiter.h"
#include "json/fields.h"
#include "memberwire.h"
#include "requestinput.h"
#include "statusmap.h"

namespace countersign::api {

InviteeRoutes::InviteeRoutes(approvals::TeamApi& team, http::RateLimiter& rates, FailureAudit& failures)
    : m_team(team)
    , m_rates(rates)
    , m_failures(failures)
{
}

http::HttpResponse InviteeRoutes::serve(Route route, const http::HttpRequest& request, http::HttpConnection& connection)
{
    // No bearer yet: the attempt itself is the credential. It is always evaluated, so that a
    // known member's challenge and a valid signature or invitation are served even while their
    // address is locked out (a shared NAT address must not let one client lock out the others);
    // only a failed attempt meets the lockout, and counts towards it.
    auto body = jsonBody(request);
    if (!body)
        return body.error();
    // Rate-limited per address and, for sessions, per member claimed: guessing invitation
    // tokens from an address does not use up a member's own sessions there.
    const QString claimed =
        route == Route::RedeemInvitation
            ? QStringLiteral("redeem")
            : QStringLiteral("session:") + json::Fields(*body).value(QStringLiteral("member")).toString().left(64);
    int retryAfter = 1;
    if (!m_rates.take(QStringLiteral("client:%1/%2/%3")
                          .arg(static_cast<int>(connection.listener()))
                          .arg(connection.client(), claimed),
                      retryAfter))
        return http::HttpResponse::refusal(http::TransportError::RateLimited, QStringLiteral("slow down"))
            .withRetryAfter(retryAfter);
    Result<QJsonObject> result = fail(ErrorCode::NotFound, QStringLiteral("no such route"));
    ErrorCode failure = ErrorCode::Unauthenticated; // the error that counts as a failed attempt
    QString reason;
    QByteArray credential;
    int status = 200;
    switch (route) {
    case Route::RedeemInvitation:
        result = redeem(*body);
        failure = ErrorCode::NotFound;
        reason = QStringLiteral("unknown invitation token");
        credential = json::Fields(*body).value(QStringLiteral("token")).toString().toUtf8();
        status = 201;
        break;
    case Route::SessionChallenge:
        result = challenge(*body);
        reason = QStringLiteral("session challenge for an unknown member");
        credential = json::Fields(*body).value(QStringLiteral("member")).toString().toUtf8();
        break;
    case Route::OpenSession:
        result = openSession(*body);
        reason = QStringLiteral("session signature refused");
        credential = json::Fields(*body).value(QStringLiteral("member")).toString().toUtf8();
        status = 201;
        if (result)
            connection.setProven();
        break;
    default:
        return errorResponse(result.error());
    }
    if (!result && result.error().code == failure) {
        if (m_failures.refuseIfLockedOut(connection, retryAfter))
            return http::HttpResponse::refusal(http::TransportError::LockedOut,
                                               QStringLiteral("too many failed authentications; try again later"))
                .withRetryAfter(retryAfter);
        m_failures.recordFailure(connection, reason, request, credential);
    }
    return result ? http::HttpResponse::json(status, *result) : errorResponse(result.error());
}

Result<QJsonObject> InviteeRoutes::redeem(const QJsonObject& body)
{
    auto redemption = MemberWire::redemption(body);
    COUNTERSIGN_TRY(redemption);
    auto member = m_team.redeemInvitation(redemption->token, redemption->displayName, redemption->publicKey);
    COUNTERSIGN_TRY(member);
    return QJsonObject{{QStringLiteral("member"), MemberWire::member(*member)}};
}

Result<QJsonObject> InviteeRoutes::challenge(const QJsonObject& body)
{
    auto memberId = MemberWire::challengeFor(body);
    COUNTERSIGN_TRY(memberId);
    auto challenge = m_team.sessionChallenge(*memberId);
    COUNTERSIGN_TRY(challenge);
    return MemberWire::challenge(*challenge);
}

Result<QJsonObject> InviteeRoutes::openSession(const QJsonObject& body)
{
    auto opening = MemberWire::sessionOpening(body);
    COUNTERSIGN_TRY(opening);
    auto session = m_team.openSession(opening->memberId, opening->nonce, opening->signature);
    COUNTERSIGN_TRY(session);
    return MemberWire::session(*session);
}

} // namespace countersign::api
