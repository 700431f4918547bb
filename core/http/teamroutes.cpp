// The invitee and member routes of HttpServer (docs/team.md, "Routes"): redeeming an invitation,
// opening a session, and a member's queue, requests, decisions and long-poll. The rules live
// behind TeamApi; this is transport.
#include "httpserver.h"

#include "approvals/runtimeapi.h"
#include "approvals/teamapi.h"
#include "httpconnection.h"
#include "json/fields.h"
#include "router.h"

#include <QJsonArray>
#include <QTimer>

namespace countersign::http {

namespace {

HttpResponse answer(const Result<QJsonObject>& result, int status = 200)
{
    return result ? HttpResponse::json(status, *result) : HttpResponse::error(result.error());
}

} // namespace

HttpResponse HttpServer::invitee(const HttpRequest& request, HttpConnection& connection, int routeValue)
{
    // No bearer yet: the attempt itself is the credential. It is always evaluated, so that a
    // known member's challenge and a valid signature or invitation are served even while their
    // address is locked out (a shared NAT address must not let one client lock out the others);
    // only a failed attempt meets the lockout, and counts towards it.
    auto body = jsonBody(request);
    if (!body)
        return HttpResponse::error(body.error());
    const auto route = static_cast<Route>(routeValue);
    // Rate-limited per address and, for sessions, per member claimed: guessing invitation
    // tokens from an address does not use up a member's own sessions there.
    const QString claimed =
        route == Route::RedeemInvitation
            ? QStringLiteral("redeem")
            : QStringLiteral("session:") + json::Fields(*body).value(QStringLiteral("member")).toString().left(64);
    int retryAfter = 1;
    if (!takeRateToken(QStringLiteral("client:%1/%2/%3")
                           .arg(static_cast<int>(connection.listener()))
                           .arg(connection.client(), claimed),
                       retryAfter)) {
        HttpResponse response = HttpResponse::error(Error{ErrorCode::RateLimited, QStringLiteral("slow down")});
        response.extraHeaders.append({QByteArrayLiteral("Retry-After"), QByteArray::number(std::max(1, retryAfter))});
        return response;
    }
    approvals::TeamApi& team = *m_api.team();
    Result<QJsonObject> result = fail(ErrorCode::NotFound, QStringLiteral("no such route"));
    ErrorCode failure = ErrorCode::Unauthenticated; // the error that counts as a failed attempt
    QString reason;
    QByteArray credential;
    int status = 200;
    switch (route) {
    case Route::RedeemInvitation:
        result = team.redeemInvitation(*body);
        failure = ErrorCode::NotFound;
        reason = QStringLiteral("unknown invitation token");
        credential = json::Fields(*body).value(QStringLiteral("token")).toString().toUtf8();
        status = 201;
        break;
    case Route::SessionChallenge:
        result = team.sessionChallenge(*body);
        reason = QStringLiteral("session challenge for an unknown member");
        credential = json::Fields(*body).value(QStringLiteral("member")).toString().toUtf8();
        break;
    case Route::OpenSession:
        result = team.openSession(*body);
        reason = QStringLiteral("session signature refused");
        credential = json::Fields(*body).value(QStringLiteral("member")).toString().toUtf8();
        status = 201;
        if (result)
            connection.setProven();
        break;
    default:
        return HttpResponse::error(result.error());
    }
    if (!result && result.error().code == failure) {
        if (refuseIfLockedOut(connection, retryAfter)) {
            HttpResponse response = HttpResponse::error(
                Error{ErrorCode::LockedOut, QStringLiteral("too many failed authentications; try again later")});
            response.extraHeaders.append({QByteArrayLiteral("Retry-After"), QByteArray::number(retryAfter)});
            return response;
        }
        recordFailure(connection, reason, request, credential);
    }
    return answer(result, status);
}

std::optional<HttpResponse> HttpServer::dispatchTeam(const HttpRequest& request, HttpConnection& connection,
                                                     const Caller& caller, int routeValue, const QString& id)
{
    approvals::TeamApi& team = *m_api.team();
    if (!caller.member)
        return HttpResponse::error(Error{ErrorCode::Unauthenticated, QStringLiteral("a member session is required")});
    const members::Member& member = *caller.member;
    switch (static_cast<Route>(routeValue)) {
    case Route::AuditCheckpoint:
        return answer(team.memberAuditCheckpoint(member));
    case Route::AuditProof:
    case Route::AuditConsistency: {
        const bool inclusion = static_cast<Route>(routeValue) == Route::AuditProof;
        auto range = auditRange(request, inclusion);
        if (!range)
            return HttpResponse::error(range.error());
        return answer(inclusion ? team.memberAuditProof(member, range->first, range->second)
                                : team.memberAuditConsistency(member, range->first, range->second));
    }
    case Route::MemberProfile:
        return answer(team.memberProfile(member));
    case Route::MemberQueue: {
        bool hasWait = false;
        const QByteArray waitText = request.queryValue("wait", &hasWait);
        bool ok = true;
        const int wait = hasWait ? waitText.toInt(&ok) : 0;
        bool hasSince = false;
        const QByteArray sinceText = request.queryValue("since", &hasSince);
        bool sinceOk = true;
        const qint64 since = hasSince ? sinceText.toLongLong(&sinceOk) : 0;
        if (!ok || wait < 0 || !sinceOk)
            return HttpResponse::error(
                Error{ErrorCode::InvalidArgument, QStringLiteral("wait is a number of seconds, since a time in ms")});
        auto queue = team.memberQueue(member);
        if (!queue || wait == 0)
            return answer(queue);
        // Long-poll: answer at once if something newer than `since` is waiting, else on the next
        // new request or when the wait runs out.
        const QJsonArray requests = queue->value(QStringLiteral("requests")).toArray();
        for (const QJsonValue& pending : requests) {
            if (pending.toObject().value(QStringLiteral("created_at_ms")).toInteger() > since)
                return answer(queue);
        }
        const int seconds = std::min(wait, m_settings.maxWaitSeconds);
        m_memberWaiters.append(MemberWaiter{&connection, member, m_clock.elapsed() + qint64{seconds} * 1000});
        if (!m_waitTimer->isActive())
            m_waitTimer->start();
        return std::nullopt;
    }
    case Route::MemberRequest:
        return answer(team.memberRequest(member, id));
    case Route::MemberDecide: {
        auto body = jsonBody(request);
        if (!body)
            return HttpResponse::error(body.error());
        return answer(team.memberDecide(member, id, *body));
    }
    default:
        break;
    }
    return HttpResponse::error(Error{ErrorCode::NotFound, QStringLiteral("no such route")});
}

void HttpServer::answerMemberWaiters(bool all)
{
    if (!m_api.team())
        return;
    const qint64 now = m_clock.elapsed();
    QList<MemberWaiter> ready;
    m_memberWaiters.removeIf([&](const MemberWaiter& waiter) {
        if (!waiter.connection)
            return true;
        if (!all && waiter.deadline > now)
            return false;
        ready.append(waiter);
        return true;
    });
    for (const MemberWaiter& waiter : std::as_const(ready)) {
        if (waiter.connection)
            waiter.connection->complete(answer(m_api.team()->memberQueue(waiter.member)));
    }
}

} // namespace countersign::http
