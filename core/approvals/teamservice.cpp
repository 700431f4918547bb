#include "teamservice.h"

#include "request.h"
#include "requestservice.h"

#include "members/invitationservice.h"
#include "members/memberservice.h"
#include "members/sessionservice.h"

#include <algorithm>

namespace countersign::approvals {

TeamService::TeamService(RequestService& requests, members::MemberService& members,
                         members::InvitationService& invitations, members::SessionService& sessions)
    : m_requests(requests)
    , m_members(members)
    , m_invitations(invitations)
    , m_sessions(sessions)
{
}

Result<members::Member> TeamService::redeemInvitation(const QString& token, const QString& displayName,
                                                      const QByteArray& publicKey)
{
    return m_invitations.redeem(token, displayName, publicKey);
}

Result<TeamApi::Challenge> TeamService::sessionChallenge(const QString& memberId)
{
    auto nonce = m_sessions.challenge(memberId);
    COUNTERSIGN_TRY(nonce);
    return Challenge{std::move(*nonce), m_sessions.instance(), members::SessionService::CHALLENGE_SECONDS};
}

Result<members::SessionService::Session> TeamService::openSession(const QString& memberId, const QByteArray& nonce,
                                                                  const QByteArray& signature)
{
    return m_sessions.open(memberId, nonce, signature);
}

Result<members::Member> TeamService::authenticateMember(QByteArrayView token)
{
    return m_sessions.authenticate(token);
}

Result<void> TeamService::authorizeMember(const members::Member& member, members::Permission permission)
{
    auto allowed = m_members.authorize(member.id, permission);
    COUNTERSIGN_TRY(allowed);
    return {};
}

TeamApi::Shown TeamService::shown(Request request) const
{
    PayloadView view = m_requests.payloadView(request);
    return Shown{std::move(request), std::move(view)};
}

Result<QList<TeamApi::Shown>> TeamService::memberQueue(const members::Member& member)
{
    auto pending = m_requests.queue(member.id);
    COUNTERSIGN_TRY(pending);
    // The queue they may decide: not what they raised (through a runtime acting for them), not
    // what they already decided.
    QList<Shown> requests;
    for (const Request& request : std::as_const(*pending)) {
        if (!request.raisedBy.isEmpty() && request.raisedBy == member.id)
            continue;
        const bool decided = std::any_of(request.decisions.cbegin(), request.decisions.cend(),
                                         [&](const Decision& decision) { return decision.memberId == member.id; });
        if (!decided)
            requests.append(shown(request));
    }
    return requests;
}

Result<TeamApi::Shown> TeamService::memberRequest(const members::Member& member, const QString& id)
{
    COUNTERSIGN_TRY(m_members.authorize(member.id, members::Permission::ViewQueue));
    auto request = m_requests.request(id);
    COUNTERSIGN_TRY(request);
    return shown(std::move(*request));
}

Result<TeamApi::Shown> TeamService::memberDecide(const members::Member& member, DecisionStatement statement,
                                                 const QByteArray& signature)
{
    // The member's statement as they signed it; the service refuses it unless it names the
    // payload this request holds and the signature verifies. The instance it names is read in by
    // the service: this one's.
    statement.memberId = member.id;
    auto decided = m_requests.decideSigned(statement, signature);
    COUNTERSIGN_TRY(decided);
    return shown(std::move(*decided));
}

Result<void> TeamService::checkActive(const members::Member& member) const
{
    if (auto current = m_members.member(member.id); !current || !current->active)
        return fail(ErrorCode::PermissionDenied, QStringLiteral("'%1' is not an active member").arg(member.id));
    return {};
}

Result<audit::AuditProofs::SignedCheckpoint> TeamService::memberAuditCheckpoint(const members::Member& member)
{
    // Hashes only, no entry: every member's client witnesses the log (checks that it was neither
    // rolled back nor rewritten), whatever the member may read of it.
    COUNTERSIGN_TRY(checkActive(member));
    return m_requests.auditCheckpoint();
}

Result<audit::AuditProofs::Inclusion> TeamService::memberAuditProof(const members::Member& member, qint64 seq,
                                                                    qint64 size)
{
    return m_requests.auditEntryProof(member.id, seq, size);
}

Result<audit::AuditProofs::Consistency> TeamService::memberAuditConsistency(const members::Member& member, qint64 from,
                                                                            qint64 to)
{
    COUNTERSIGN_TRY(checkActive(member));
    return m_requests.auditConsistencyProof(from, to);
}

} // namespace countersign::approvals
