#pragma once

#include "permissions.h"

#include "error.h"
#include "evidence/actor.h"

namespace countersign::members {

/// The one question every service asks before acting for a party: may \a actor do \a permission
/// now? Injected, so a team server can answer from elsewhere than this vault's members table.
/// Fails closed: an actor it cannot place is refused, never let through.
class Authorizer {
public:
    virtual ~Authorizer() = default;
    /// Nothing when allowed; PermissionDenied (or Storage when it could not tell) otherwise.
    [[nodiscard]] virtual Result<void> authorize(const audit::Actor& actor, Permission permission) const = 0;
    /// authorize() for an actor as the audit chain names it ("member:<id>"); text that names no
    /// actor is refused like any party that is not a member.
    [[nodiscard]] Result<void> authorize(const QString& actor, Permission permission) const;
};

} // namespace countersign::members
