#pragma once

#include "member.h"

#include "error.h"

#include <QList>
#include <QSqlDatabase>

#include <memory>

namespace countersign::audit {
class AuditLog;
}

namespace countersign::members {

class MemberStore;
class SessionStore;

/// Members and their roles (docs/concepts.md, docs/permissions.md). Every call names the member acting and is
/// checked against the permission table; the rules beyond it live here: the last owner can
/// never be removed or demoted, and an admin cannot touch owners (nor make one). Every change
/// is audited and ends the member's sessions at once.
class MemberService final {
public:
    static constexpr qsizetype MAX_NAME_CHARS = 100;

    MemberService(QSqlDatabase db, audit::AuditLog& audit);
    ~MemberService();
    MemberService(const MemberService&) = delete;
    MemberService& operator=(const MemberService&) = delete;

    /// The active member \a memberId, if allowed \a permission; PermissionDenied otherwise
    /// (also for unknown and removed members).
    [[nodiscard]] Result<Member> authorize(const QString& memberId, Permission permission) const;
    /// Any member, active or removed.
    [[nodiscard]] Result<Member> member(const QString& memberId) const;
    [[nodiscard]] Result<QList<Member>> list(const QString& actorId) const;
    [[nodiscard]] Result<Member> changeRole(const QString& actorId, const QString& memberId, Role role);
    [[nodiscard]] Result<Member> remove(const QString& actorId, const QString& memberId);

    /// Adds an active member (redeeming an invitation does this, inside its transaction). Refused
    /// (AlreadyExists) when an active member holds the key or a name that reads the same.
    [[nodiscard]] Result<Member> add(const QString& displayName, Role role, const QByteArray& publicKey,
                                     const QString& actor);
    /// A display name is 1 to MAX_NAME_CHARS characters of plain text (text::isPlainText), and
    /// add() also wants it distinct from every active member's (checkNameIsDistinct).
    [[nodiscard]] static Result<QString> validateName(const QString& name);

private:
    /// AlreadyExists when an active member's display name reads like \a name (text::skeleton).
    [[nodiscard]] Result<void> checkNameIsDistinct(const QString& name) const;
    /// Conflict(\a refusal) unless another active owner remains.
    [[nodiscard]] Result<void> keepAnOwner(const QString& refusal) const;
    /// Takes back \a target's approvals of requests still pending (they no longer count once
    /// the member is removed or may no longer decide), each audited as "request.decision_voided".
    [[nodiscard]] Result<void> voidOpenDecisions(const Member& target, const QString& actor, const QString& cause);

    std::unique_ptr<MemberStore> m_store;
    std::unique_ptr<SessionStore> m_sessions;
    audit::AuditLog& m_audit;
};

} // namespace countersign::members
