#pragma once

#include "audit/auditproofs.h"
#include "decisionstatement.h"
#include "error.h"
#include "members/member.h"
#include "members/sessionservice.h"
#include "payloadview.h"
#include "request.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

namespace countersign::approvals {

/// What the endpoint may do for team members and invitees (docs/team.md, "Routes"): redeem an
/// invitation, open a session by challenge and response, and, with a session, see the queue
/// and decide with a signed decision. Like RuntimeApi, every rule lives behind it; it takes
/// typed inputs and returns domain values (the api layer reads and writes the wire).
class TeamApi {
public:
    /// A request as a member is shown it: with its payload's view, masked values as commitments.
    struct Shown final {
        Request request;
        PayloadView view;
    };
    /// A nonce for a member to sign, naming this instance, valid for \a expiresIn seconds.
    struct Challenge final {
        QByteArray nonce;
        QString instance;
        qint64 expiresIn = 0;
    };

    virtual ~TeamApi() = default;

    /// The invitation \a token redeemed into a member named \a displayName with \a publicKey.
    [[nodiscard]] virtual Result<members::Member> redeemInvitation(const QString& token, const QString& displayName,
                                                                   const QByteArray& publicKey) = 0;
    [[nodiscard]] virtual Result<Challenge> sessionChallenge(const QString& memberId) = 0;
    [[nodiscard]] virtual Result<members::SessionService::Session>
    openSession(const QString& memberId, const QByteArray& nonce, const QByteArray& signature) = 0;
    /// The active member holding a session token.
    [[nodiscard]] virtual Result<members::Member> authenticateMember(QByteArrayView token) = 0;

    /// Whether the member (still active, with the role they have now) may do \a permission.
    [[nodiscard]] virtual Result<void> authorizeMember(const members::Member& member,
                                                       members::Permission permission) = 0;
    /// The pending requests the member may decide, payloads masked as in the desktop queue.
    [[nodiscard]] virtual Result<QList<Shown>> memberQueue(const members::Member& member) = 0;
    [[nodiscard]] virtual Result<Shown> memberRequest(const members::Member& member, const QString& id) = 0;
    /// The member's signed DecisionStatement; the instance it names is read in by the service.
    [[nodiscard]] virtual Result<Shown> memberDecide(const members::Member& member, DecisionStatement statement,
                                                     const QByteArray& signature) = 0;
    /// The audit routes for a member allowed view_audit: the newest checkpoint, the inclusion
    /// proof of entry \a seq together with the entry itself, and a consistency proof.
    [[nodiscard]] virtual Result<audit::AuditProofs::SignedCheckpoint>
    memberAuditCheckpoint(const members::Member& member) = 0;
    [[nodiscard]] virtual Result<audit::AuditProofs::Inclusion> memberAuditProof(const members::Member& member,
                                                                                 qint64 seq, qint64 size) = 0;
    [[nodiscard]] virtual Result<audit::AuditProofs::Consistency> memberAuditConsistency(const members::Member& member,
                                                                                         qint64 from, qint64 to) = 0;
};

} // namespace countersign::approvals
