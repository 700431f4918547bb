#include "permissions.h"

#include <array>

namespace countersign::members {

namespace {

struct Row {
    Permission permission;
    const char* name;
    const char* description;
    // owner, admin, approver, viewer
    std::array<bool, 4> allowed;
};

// The permission matrix (docs/permissions.md). An admin is an owner that cannot change the
// passphrase or the team listener; the rules about touching owners (an admin may not remove,
// demote or promote one; the last owner stays) are in MemberService, beyond this table.
constexpr std::array<Row, 16> TABLE{{
    {Permission::ViewQueue, "view_queue", "see the queue of pending requests", {true, true, true, false}},
    {Permission::Decide, "decide", "decide requests", {true, true, true, false}},
    {Permission::RevealPayload, "reveal_payload", "reveal masked payload fields", {true, true, true, false}},
    {Permission::ExtendRequest, "extend_request", "extend a pending request's deadline", {true, true, true, false}},
    {Permission::ViewMembers, "view_members", "see the members and invitations", {true, true, false, false}},
    {Permission::Invite, "invite", "invite members", {true, true, false, false}},
    {Permission::RevokeInvitation, "revoke_invitation", "revoke invitations", {true, true, false, false}},
    {Permission::ChangeRole, "change_role", "change members' roles", {true, true, false, false}},
    {Permission::RemoveMember, "remove_member", "remove members", {true, true, false, false}},
    {Permission::RegisterRuntime, "register_runtime", "register runtimes", {true, true, false, false}},
    {Permission::RevokeRuntime, "revoke_runtime", "revoke runtimes", {true, true, false, false}},
    {Permission::EditPolicy, "edit_policy", "edit the policy", {true, true, false, false}},
    {Permission::ViewAudit, "view_audit", "browse and verify the audit chain", {true, true, true, true}},
    {Permission::ExportAudit, "export_audit", "export the audit chain", {true, true, false, true}},
    {Permission::ChangePassphrase, "change_passphrase", "change the vault passphrase", {true, false, false, false}},
    {Permission::ManageTeamListener,
     "manage_team_listener",
     "turn the team listener on or off",
     {true, false, false, false}},
}};

const Row& row(Permission permission)
{
    return TABLE[static_cast<std::size_t>(permission)];
}

constexpr bool tableInEnumOrder()
{
    for (std::size_t i = 0; i < TABLE.size(); ++i) {
        if (static_cast<std::size_t>(TABLE[i].permission) != i)
            return false;
    }
    return true;
}
static_assert(tableInEnumOrder(), "TABLE must list the permissions in the enum's order");

} // namespace

QList<Role> allRoles()
{
    return {Role::Owner, Role::Admin, Role::Approver, Role::Viewer};
}

QList<Permission> allPermissions()
{
    QList<Permission> all;
    for (const Row& entry : TABLE)
        all.append(entry.permission);
    return all;
}

QString roleName(Role role)
{
    switch (role) {
    case Role::Owner:
        return QStringLiteral("owner");
    case Role::Admin:
        return QStringLiteral("admin");
    case Role::Approver:
        return QStringLiteral("approver");
    case Role::Viewer:
        return QStringLiteral("viewer");
    }
    return {};
}

std::optional<Role> parseRole(QStringView name)
{
    for (Role role : allRoles()) {
        if (name == roleName(role))
            return role;
    }
    return std::nullopt;
}

QString permissionName(Permission permission)
{
    return QString::fromLatin1(row(permission).name);
}

QString permissionDescription(Permission permission)
{
    return QString::fromLatin1(row(permission).description);
}

bool isAllowed(Role role, Permission permission)
{
    return row(permission).allowed[static_cast<std::size_t>(role)];
}

Result<void> require(Role role, Permission permission)
{
    if (isAllowed(role, permission))
        return {};
    const QString name = roleName(role);
    const bool vowel = name.startsWith(u'a') || name.startsWith(u'o');
    return fail(ErrorCode::PermissionDenied,
                QStringLiteral("%1 %2 may not %3")
                    .arg(vowel ? QStringLiteral("an") : QStringLiteral("a"), name, permissionDescription(permission)));
}

} // namespace countersign::members
