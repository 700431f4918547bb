// The member routes (docs/team.md, "Routes"): a member's queue, requests, decisions and
// long-poll. The rules live behind TeamApi; this is the wire.
#include "memberroutes.h"

#include "answeraftercommit.h"
#include "approvals/teamapi.h"
#include "auditwire.h"
#include "http/httprequest.h"
#include "http/longpolls.h"
#include "memberwire.h"
#include "requestinput.h"
#include "requestwire.h"
#include "statusmap.h"

#include <QJsonArray>

namespace countersign::api {

namespace {

// Not a request id (those hold no space): the topic every member's queue long-poll waits on.
const QString QUEUE_TOPIC = QStringLiteral("member queue");

QJsonObject shownJson(const approvals::TeamApi::Shown& shown)
{
    return RequestWire::shown(shown.request, shown.view);
}

QJsonObject queueJson(const QList<approvals::TeamApi::Shown>& queue)
{
    QJsonArray requests;
    for (const approvals::TeamApi::Shown& shown : queue)
        requests.append(shownJson(shown));
    return QJsonObject{{QStringLiteral("requests"), requests}};
}

} // namespace

MemberRoutes::MemberRoutes(approvals::TeamApi& team, http::LongPolls& polls, AnswerAfterCommit& afterCommit,
                           int maxWaitSeconds)
    : m_team(team)
    , m_polls(polls)
    , m_afterCommit(afterCommit)
    , m_maxWaitSeconds(maxWaitSeconds)
{
}

std::optional<http::HttpResponse> MemberRoutes::serve(Route route, const http::HttpRequest& request,
                                                      http::HttpConnection& connection, const members::Member& member,
                                                      const QString& id)
{
    switch (route) {
    case Route::AuditCheckpoint:
        return answer(m_team.memberAuditCheckpoint(member), &AuditWire::checkpoint);
    case Route::AuditProof:
    case Route::AuditConsistency: {
        const bool inclusion = route == Route::AuditProof;
        auto range = auditRange(request, inclusion);
        if (!range)
            return errorResponse(range.error());
        if (inclusion)
            return answer(m_team.memberAuditProof(member, range->first, range->second), &AuditWire::inclusion);
        return answer(m_team.memberAuditConsistency(member, range->first, range->second), &AuditWire::consistency);
    }
    case Route::MemberProfile:
        return http::HttpResponse::json(200, MemberWire::profile(member));
    case Route::MemberQueue:
        return queue(request, connection, member);
    case Route::MemberRequest:
        return answer(m_team.memberRequest(member, id), &shownJson);
    case Route::MemberDecide: {
        auto body = jsonBody(request);
        if (!body)
            return body.error();
        auto decision = MemberWire::decision(member.id, id, *body);
        if (!decision)
            return errorResponse(decision.error());
        // Decisions arriving together commit together (and with the runtimes' writes); each is
        // answered once its commit is on disk.
        return m_afterCommit.answer(connection, [this, member, decision = std::move(*decision)] {
            return answer(m_team.memberDecide(member, decision.statement, decision.signature), &shownJson);
        });
    }
    default:
        break;
    }
    return errorResponse(Error{ErrorCode::NotFound, QStringLiteral("no such route")});
}

std::optional<http::HttpResponse> MemberRoutes::queue(const http::HttpRequest& request,
                                                      http::HttpConnection& connection, const members::Member& member)
{
    bool hasWait = false;
    const QByteArray waitText = request.queryValue("wait", &hasWait);
    bool ok = true;
    const int wait = hasWait ? waitText.toInt(&ok) : 0;
    bool hasSince = false;
    const QByteArray sinceText = request.queryValue("since", &hasSince);
    bool sinceOk = true;
    const qint64 since = hasSince ? sinceText.toLongLong(&sinceOk) : 0;
    if (!ok || wait < 0 || !sinceOk)
        return errorResponse(
            Error{ErrorCode::InvalidArgument, QStringLiteral("wait is a number of seconds, since a time in ms")});
    auto queue = m_team.memberQueue(member);
    if (!queue || wait == 0)
        return answer(queue, &queueJson);
    // Long-poll: answer at once if something newer than `since` is waiting, else on the next
    // new request or when the wait runs out.
    for (const approvals::TeamApi::Shown& pending : std::as_const(*queue)) {
        if (pending.request.createdAt > since)
            return answer(queue, &queueJson);
    }
    const int seconds = std::min(wait, m_maxWaitSeconds);
    m_polls.wait(connection, QUEUE_TOPIC, qint64{seconds} * 1000,
                 [this, member] { return answer(m_team.memberQueue(member), &queueJson); });
    return std::nullopt;
}

void MemberRoutes::requestCreated()
{
    m_polls.wake(QUEUE_TOPIC);
}

} // namespace countersign::api
