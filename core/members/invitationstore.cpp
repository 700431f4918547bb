#include "invitationstore.h"

#include "storage/execute.h"

namespace countersign::members {

namespace {

const QString SELECT_INVITATION =
    QStringLiteral("SELECT id, role, note, created_by, created_at, expires_at, state, coalesce(member_id, ''), "
                   "coalesce(closed_at, 0) FROM invitations ");

Invitation invitationFromRow(const QSqlQuery& row, qint64 now)
{
    Invitation invitation;
    invitation.id = row.value(0).toString();
    invitation.role = parseRole(row.value(1).toString()).value_or(Role::Viewer);
    invitation.note = row.value(2).toString();
    invitation.createdBy = row.value(3).toString();
    invitation.createdAt = row.value(4).toLongLong();
    invitation.expiresAt = row.value(5).toLongLong();
    const QString state = row.value(6).toString();
    invitation.state = state == u"redeemed"          ? Invitation::State::Redeemed
                       : state == u"revoked"         ? Invitation::State::Revoked
                       : invitation.expiresAt <= now ? Invitation::State::Expired
                                                     : Invitation::State::Pending;
    invitation.memberId = row.value(7).toString();
    invitation.closedAt = row.value(8).toLongLong();
    return invitation;
}

} // namespace

InvitationStore::InvitationStore(QSqlDatabase db)
    : m_db(std::move(db))
{
}

Result<void> InvitationStore::insert(const Invitation& invitation, const QByteArray& tokenHash)
{
    auto done =
        storage::execute(m_db,
                         QStringLiteral("INSERT INTO invitations (id, token_hash, role, note, created_by, "
                                        "created_at, expires_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')"),
                         {invitation.id, tokenHash, roleName(invitation.role), invitation.note, invitation.createdBy,
                          invitation.createdAt, invitation.expiresAt});
    COUNTERSIGN_TRY(done);
    return {};
}

Result<std::optional<Invitation>> InvitationStore::find(const QString& invitationId, qint64 now) const
{
    auto row = storage::execute(m_db, SELECT_INVITATION + QStringLiteral("WHERE id = ?"), {invitationId});
    COUNTERSIGN_TRY(row);
    if (!row->next())
        return std::optional<Invitation>();
    return std::optional<Invitation>(invitationFromRow(*row, now));
}

Result<std::optional<Invitation>> InvitationStore::findByTokenHash(const QByteArray& tokenHash, qint64 now) const
{
    auto row = storage::execute(m_db, SELECT_INVITATION + QStringLiteral("WHERE token_hash = ?"), {tokenHash});
    COUNTERSIGN_TRY(row);
    if (!row->next())
        return std::optional<Invitation>();
    return std::optional<Invitation>(invitationFromRow(*row, now));
}

Result<QList<Invitation>> InvitationStore::list(qint64 now) const
{
    auto rows = storage::execute(m_db, SELECT_INVITATION + QStringLiteral("ORDER BY created_at DESC, id"));
    COUNTERSIGN_TRY(rows);
    QList<Invitation> invitations;
    while (rows->next())
        invitations.append(invitationFromRow(*rows, now));
    return invitations;
}

Result<bool> InvitationStore::markRevoked(const QString& invitationId, qint64 at)
{
    auto done = storage::execute(
        m_db,
        QStringLiteral("UPDATE invitations SET state = 'revoked', closed_at = ? WHERE id = ? AND state = 'pending'"),
        {at, invitationId});
    COUNTERSIGN_TRY(done);
    return done->numRowsAffected() == 1;
}

Result<bool> InvitationStore::markRedeemed(const QString& invitationId, const QString& memberId, qint64 at)
{
    auto done =
        storage::execute(m_db,
                         QStringLiteral("UPDATE invitations SET state = 'redeemed', member_id = ?, closed_at = ? "
                                        "WHERE id = ? AND state = 'pending'"),
                         {memberId, at, invitationId});
    COUNTERSIGN_TRY(done);
    return done->numRowsAffected() == 1;
}

} // namespace countersign::members
