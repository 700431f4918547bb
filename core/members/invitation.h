#pragma once

#include "permissions.h"

#include <QLatin1StringView>
#include <QString>

namespace countersign::members {

/// An invitation to join with a role, redeemable once before it expires (docs/concepts.md).
struct Invitation final {
    enum class State { Pending, Redeemed, Expired, Revoked };
    /// Ids made before the prefix existed are plain base64url and stay valid.
    static constexpr QLatin1StringView ID_PREFIX{"inv_"};

    QString id;
    Role role = Role::Approver;
    QString note;
    QString createdBy; // member id
    qint64 createdAt = 0;
    qint64 expiresAt = 0;
    State state = State::Pending;
    QString memberId; // who redeemed it
    qint64 closedAt = 0;

    [[nodiscard]] static QString stateName(State state);
};

} // namespace countersign::members
