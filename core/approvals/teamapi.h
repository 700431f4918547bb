#pragma once

#include "error.h"
#include "members/member.h"

#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

namespace countersign::approvals {

/// What the endpoint may do for team members and invitees (docs/team.md, "Routes"): redeem an
/// invitation, open a session by challenge and response, and, with a session, see the queue
/// and decide with a signed decision. Like RuntimeApi, every rule lives behind it; results are
/// the JSON bodies of the responses.
class TeamApi {
public:
    virtual ~TeamApi() = default;

    /// {"token", "display_name", "public_key"} -> the new member.
    [[nodiscard]] virtual Result<QJsonObject> redeemInvitation(const QJsonObject& body) = 0;
    /// {"member"} -> {"nonce"}.
    [[nodiscard]] virtual Result<QJsonObject> sessionChallenge(const QJsonObject& body) = 0;
    /// {"member", "nonce", "signature"} -> {"token", "expires_at", "member"}.
    [[nodiscard]] virtual Result<QJsonObject> openSession(const QJsonObject& body) = 0;
    /// The active member holding a session token.
    [[nodiscard]] virtual Result<members::Member> authenticateMember(QByteArrayView token) = 0;

    /// Whether the member (still active, with the role they have now) may do \a permission.
    [[nodiscard]] virtual Result<void> authorizeMember(const members::Member& member,
                                                       members::Permission permission) = 0;
    [[nodiscard]] virtual Result<QJsonObject> memberProfile(const members::Member& member) = 0;
    /// The pending requests the member may decide, payloads masked as in the desktop queue.
    [[nodiscard]] virtual Result<QJsonObject> memberQueue(const members::Member& member) = 0;
    [[nodiscard]] virtual Result<QJsonObject> memberRequest(const members::Member& member, const QString& id) = 0;
    /// {"verdict", "reason", "payload_sha256", "decided_at_ms", "signature"}: the member's signed
    /// DecisionStatement.
    [[nodiscard]] virtual Result<QJsonObject> memberDecide(const members::Member& member, const QString& id,
                                                           const QJsonObject& body) = 0;
    /// The audit routes for a member allowed view_audit: the newest checkpoint, the inclusion
    /// proof of entry \a seq together with the entry itself, and a consistency proof.
    [[nodiscard]] virtual Result<QJsonObject> memberAuditCheckpoint(const members::Member& member) = 0;
    [[nodiscard]] virtual Result<QJsonObject> memberAuditProof(const members::Member& member, qint64 seq,
                                                               qint64 size) = 0;
    [[nodiscard]] virtual Result<QJsonObject> memberAuditConsistency(const members::Member& member, qint64 from,
                                                                     qint64 to) = 0;
};

} // namespace countersign::approvals
