#pragma once

#include "authorizer.h"
#include "memberstore.h"

#include <QSqlDatabase>

namespace countersign::members {

/// Authorizer over the vault's members table and the permission table: only an active member
/// whose role allows the permission passes. System, policy and runtime actors are refused: none
/// of them acts through a member's permission.
class MemberAuthorizer final : public Authorizer {
public:
    explicit MemberAuthorizer(QSqlDatabase db);
    [[nodiscard]] Result<void> authorize(const audit::Actor& actor, Permission permission) const override;
    using Authorizer::authorize;

private:
    MemberStore m_store;
};

} // namespace countersign::members
