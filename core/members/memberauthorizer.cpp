#include "memberauthorizer.h"

#include <QSqlError>
#include <QSqlQuery>

namespace countersign::members {

MemberAuthorizer::MemberAuthorizer(QSqlDatabase db)
    : m_db(std::move(db))
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
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT role, state FROM members WHERE id = ?"));
    query.addBindValue(memberId);
    if (!query.exec())
        return fail(ErrorCode::Storage, query.lastError().text());
    if (!query.next() || query.value(1).toString() != u"active")
        return fail(ErrorCode::PermissionDenied, QStringLiteral("'%1' is not an active member").arg(memberId));
    const auto role = parseRole(query.value(0).toString());
    if (!role)
        return fail(ErrorCode::PermissionDenied, QStringLiteral("'%1' has no known role").arg(memberId));
    return require(*role, permission);
}

} // namespace countersign::members
