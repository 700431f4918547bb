#pragma once

#include "approvals/decisionstatement.h"
#include "approvals/teamapi.h"
#include "error.h"
#include "members/member.h"
#include "members/sessionservice.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace countersign::api {

/// The invitee and member bodies (docs/team.md, "Routes"): each request body parsed and checked
/// into typed input (exactly the fields named, strings of bounded length, keys and signatures of
/// their size in base64), and members, sessions and challenges written out.
class MemberWire final {
public:
    /// {"token", "display_name", "public_key"}
    struct Redemption final {
        QString token;
        QString displayName;
        QByteArray publicKey;
    };
    /// {"member", "nonce", "signature"}
    struct SessionOpening final {
        QString memberId;
        QByteArray nonce;
        QByteArray signature;
    };
    /// {"verdict", "reason", "payload_sha256" or "view_sha256", "decided_at_ms", "signature"}
    struct SignedDecision final {
        approvals::DecisionStatement statement;
        QByteArray signature;
    };

    [[nodiscard]] static Result<Redemption> redemption(const QJsonObject& body);
    /// {"member"}: the member id a challenge is asked for.
    [[nodiscard]] static Result<QString> challengeFor(const QJsonObject& body);
    /// A malformed nonce or signature is Unauthenticated, as a wrong one is.
    [[nodiscard]] static Result<SessionOpening> sessionOpening(const QJsonObject& body);
    /// The decision of \a memberId on request \a requestId as they signed it.
    [[nodiscard]] static Result<SignedDecision> decision(const QString& memberId, const QString& requestId,
                                                         const QJsonObject& body);

    [[nodiscard]] static QJsonObject member(const members::Member& member);
    /// The member and the permissions their role grants.
    [[nodiscard]] static QJsonObject profile(const members::Member& member);
    [[nodiscard]] static QJsonObject challenge(const approvals::TeamApi::Challenge& challenge);
    [[nodiscard]] static QJsonObject session(const members::SessionService::Session& session);
};

} // namespace countersign::api
