#pragma once

#include "policy/risk.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QLatin1StringView>
#include <QList>
#include <QString>

#include <optional>

namespace countersign::approvals {

/// pending -> approved | denied | expired | cancelled; approved -> consumed | expired
/// (docs/concepts.md, "Request states").
enum class RequestState { Pending, Approved, Denied, Expired, Cancelled, Consumed };

[[nodiscard]] QString stateName(RequestState state);
[[nodiscard]] std::optional<RequestState> parseState(const QString& name);
/// A time as decisions, receipts and the audit chain write it: ISO 8601 UTC with milliseconds,
/// null for none (0).
[[nodiscard]] QJsonValue isoTime(qint64 ms);

/// One approver's verdict on a request.
struct Decision final {
    QString memberId;
    QString memberName;
    bool approve = false;
    QString reason;
    qint64 decidedAt = 0; // ms since the epoch, as signed
    QByteArray memberKey; // the member's Ed25519 public key
    QByteArray signature; // over the DecisionStatement; empty for decisions made before signing

    /// As a receipt lists it (and the wire shows it): who decided what, when, signed how.
    [[nodiscard]] QJsonObject toJson() const;
};

/// A request as stored, with its decisions.
struct Request final {
    /// Ids made before the prefix existed are plain base64url and stay valid.
    static constexpr QLatin1StringView ID_PREFIX{"req_"};

    QString id;
    qint64 runtimeId = 0;
    QString runtimeName;
    QString capability;
    QString summary;
    QString details;
    QByteArray payload; // canonical JSON text
    QString payloadSha256;
    policy::Risk risk = policy::Risk::Medium;          // the effective risk: at least every matching floor
    policy::Risk requestedRisk = policy::Risk::Medium; // what the runtime declared
    QJsonObject context;
    QString idempotencyKey;
    RequestState state = RequestState::Pending;
    int requiredApprovals = 1;
    QString policyRule;
    int validitySeconds = 0;
    qint64 createdAt = 0;
    qint64 expiresAt = 0;
    qint64 decidedAt = 0;
    qint64 approvalExpiresAt = 0;
    qint64 consumedAt = 0;
    QList<Decision> decisions;
    bool runtimeRevoked = false; // the runtime that asked was revoked since
    QString raisedBy;            // the member the runtime acts for, if any: they may not decide it

    [[nodiscard]] int approvalCount() const;
};

} // namespace countersign::approvals
