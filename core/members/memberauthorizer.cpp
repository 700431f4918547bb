#include "memberauthorizer.h"

namespace countersign::members {

MemberAuthorizer::MemberAuthorizer(QSqlDatabase db)
    : m_store(std::move(db))
{
}

Result<void> MemberAuthorizer::authorize(const audit::Actor& actor, Permission permission) const
{
    // Deny by default: the only actor that may act through a permission is a member, checked
    // against the table; system, policy and runtimes are refused.
    if (!actor.isMember() || actor.id().isEmpty())
        return fail(ErrorCode::PermissionDenied,
                    QStringLiteral("only a member may %1").arg(permissionDescription(permission)));
    const QString& memberId = actor.id();
    auto member = m_store.find(memberId);
    COUNTERSIGN_TRY(member);
    if (!*member || !(*member)->active)
        return fail(ErrorCode::PermissionDenied, QStringLiteral("'%1' is not an active member").arg(memberId));
    return require((*member)->role, permission);
}

} // namespace countersign::members
