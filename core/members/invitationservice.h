#pragma once

#include "invitation.h"
#include "member.h"

#include "error.h"

#include <QList>
#include <QSqlDatabase>

#include <memory>

namespace countersign::audit {
class AuditLog;
}

namespace countersign::members {

class InvitationStore;
class MemberService;

/// Invitations (docs/concepts.md, "Invitations"): created by members allowed to invite, shown once as a token
/// of 256 random bits and stored only as its SHA-256, listed with their state, revoked, and
/// redeemed exactly once into a member with the invited role. Everything is audited.
class InvitationService final {
public:
    static constexpr qint64 DEFAULT_EXPIRY_SECONDS = qint64{72} * 3600;
    static constexpr qint64 MAX_EXPIRY_SECONDS = qint64{14} * 24 * 3600;
    static constexpr qsizetype MAX_NOTE_CHARS = 500;

    struct Created {
        Invitation invitation;
        QString token; // shown once, never stored
    };

    InvitationService(QSqlDatabase db, audit::AuditLog& audit, MemberService& members);
    ~InvitationService();
    InvitationService(const InvitationService&) = delete;
    InvitationService& operator=(const InvitationService&) = delete;

    [[nodiscard]] Result<Created> create(const QString& actorId, Role role,
                                         qint64 expirySeconds = DEFAULT_EXPIRY_SECONDS, const QString& note = {});
    /// Newest first.
    [[nodiscard]] Result<QList<Invitation>> list(const QString& actorId) const;
    [[nodiscard]] Result<Invitation> revoke(const QString& actorId, const QString& invitationId);
    /// Turns a pending invitation into an active member. Unknown token: NotFound; expired:
    /// Expired; revoked or already used: Revoked. Of two concurrent redeems of one token,
    /// exactly one succeeds (the write transaction serialises them).
    [[nodiscard]] Result<Member> redeem(const QString& token, const QString& displayName, const QByteArray& publicKey);

private:
    [[nodiscard]] Result<Invitation> find(const QString& invitationId) const;

    std::unique_ptr<InvitationStore> m_store;
    audit::AuditLog& m_audit;
    MemberService& m_members;
};

} // namespace countersign::members
