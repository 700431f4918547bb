#pragma once

#include "error.h"

#include <QList>
#include <QString>
#include <QStringView>

#include <optional>

namespace countersign::members {

/// Who a member is to the instance (docs/permissions.md).
enum class Role { Owner, Admin, Approver, Viewer };

/// Everything a member may be allowed to do. Every service call that acts for a member checks
/// one of these against the table in permissions.cpp (also docs/permissions.md, kept equal by
/// a test); the GUI and the HTTP routes only reflect it.
enum class Permission {
    ViewQueue,
    Decide,
    RevealPayload,
    ExtendRequest,
    ViewMembers,
    Invite,
    RevokeInvitation,
    ChangeRole,
    RemoveMember,
    RegisterRuntime,
    RevokeRuntime,
    EditPolicy,
    ViewAudit,
    ExportAudit,
    ChangePassphrase,
    ManageTeamListener,
};

[[nodiscard]] QList<Role> allRoles();
[[nodiscard]] QList<Permission> allPermissions();
[[nodiscard]] QString roleName(Role role);
[[nodiscard]] std::optional<Role> parseRole(QStringView name);
/// snake_case, as in the docs and in audit entries ("change_role").
[[nodiscard]] QString permissionName(Permission permission);
/// What the permission lets a member do, for messages: "decide requests".
[[nodiscard]] QString permissionDescription(Permission permission);

/// The table: may a member of \a role do \a permission?
[[nodiscard]] bool isAllowed(Role role, Permission permission);
/// isAllowed() as a Result: PermissionDenied naming the role and the action when refused.
[[nodiscard]] Result<void> require(Role role, Permission permission);

} // namespace countersign::members
