#pragma once

#include "teamapi.h"

namespace countersign::members {
class InvitationService;
class MemberService;
class SessionService;
} // namespace countersign::members

namespace countersign::approvals {

class RequestService;

/// TeamApi over the services of one thread.
class TeamService final : public TeamApi {
public:
    TeamService(RequestService& requests, members::MemberService& members, members::InvitationService& invitations,
                members::SessionService& sessions);

    [[nodiscard]] Result<members::Member> redeemInvitation(const QString& token, const QString& displayName,
                                                           const QByteArray& publicKey) override;
    [[nodiscard]] Result<Challenge> sessionChallenge(const QString& memberId) override;
    [[nodiscard]] Result<members::SessionService::Session> openSession(const QString& memberId, const QByteArray& nonce,
                                                                       const QByteArray& signature) override;
    [[nodiscard]] Result<members::Member> authenticateMember(QByteArrayView token) override;
    [[nodiscard]] Result<void> authorizeMember(const members::Member& member, members::Permission permission) override;
    [[nodiscard]] Result<QList<Shown>> memberQueue(const members::Member& member) override;
    [[nodiscard]] Result<Shown> memberRequest(const members::Member& member, const QString& id) override;
    [[nodiscard]] Result<Shown> memberDecide(const members::Member& member, DecisionStatement statement,
                                             const QByteArray& signature) override;
    [[nodiscard]] Result<audit::AuditProofs::SignedCheckpoint>
    memberAuditCheckpoint(const members::Member& member) override;
    [[nodiscard]] Result<audit::AuditProofs::Inclusion> memberAuditProof(const members::Member& member, qint64 seq,
                                                                         qint64 size) override;
    [[nodiscard]] Result<audit::AuditProofs::Consistency> memberAuditConsistency(const members::Member& member,
                                                                                 qint64 from, qint64 to) override;

private:
    /// Unless \a member is still active: PermissionDenied.
    [[nodiscard]] Result<void> checkActive(const members::Member& member) const;
    [[nodiscard]] Shown shown(Request request) const;

    RequestService& m_requests;
    members::MemberService& m_members;
    members::InvitationService& m_invitations;
    members::SessionService& m_sessions;
};

} // namespace countersign::approvals
