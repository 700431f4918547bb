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

    [[nodiscard]] Result<QJsonObject> redeemInvitation(const QJsonObject& body) override;
    [[nodiscard]] Result<QJsonObject> sessionChallenge(const QJsonObject& body) override;
    [[nodiscard]] Result<QJsonObject> openSession(const QJsonObject& body) override;
    [[nodiscard]] Result<members::Member> authenticateMember(QByteArrayView token) override;
    [[nodiscard]] Result<void> authorizeMember(const members::Member& member, members::Permission permission) override;
    [[nodiscard]] Result<QJsonObject> memberProfile(const members::Member& member) override;
    [[nodiscard]] Result<QJsonObject> memberQueue(const members::Member& member) override;
    [[nodiscard]] Result<QJsonObject> memberRequest(const members::Member& member, const QString& id) override;
    [[nodiscard]] Result<QJsonObject> memberDecide(const members::Member& member, const QString& id,
                                                   const QJsonObject& body) override;
    [[nodiscard]] Result<QJsonObject> memberAuditCheckpoint(const members::Member& member) override;
    [[nodiscard]] Result<QJsonObject> memberAuditProof(const members::Member& member, qint64 seq, qint64 size) override;
    [[nodiscard]] Result<QJsonObject> memberAuditConsistency(const members::Member& member, qint64 from,
                                                             qint64 to) override;

    [[nodiscard]] static QJsonObject memberJson(const members::Member& member);

private:
    RequestService& m_requests;
    members::MemberService& m_members;
    members::InvitationService& m_invitations;
    members::SessionService& m_sessions;
};

} // namespace countersign::approvals
