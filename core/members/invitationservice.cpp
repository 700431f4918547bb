#include "invitationservice.h"

#include "invitationlink.h"
#include "memberservice.h"

#include "audit/auditlog.h"
#include "crypto/crypto.h"
#include "storage/transaction.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>

namespace countersign::members {

namespace {

const QString COLUMNS =
    QStringLiteral("id, role, note, created_by, created_at, expires_at, state, coalesce(member_id, ''), "
                   "coalesce(closed_at, 0)");

Invitation readInvitation(const QSqlQuery& query, qint64 now)
{
    Invitation invitation;
    invitation.id = query.value(0).toString();
    invitation.role = parseRole(query.value(1).toString()).value_or(Role::Viewer);
    invitation.note = query.value(2).toString();
    invitation.createdBy = query.value(3).toString();
    invitation.createdAt = query.value(4).toLongLong();
    invitation.expiresAt = query.value(5).toLongLong();
    const QString state = query.value(6).toString();
    invitation.state = state == u"redeemed"          ? Invitation::State::Redeemed
                       : state == u"revoked"         ? Invitation::State::Revoked
                       : invitation.expiresAt <= now ? Invitation::State::Expired
                                                     : Invitation::State::Pending;
    invitation.memberId = query.value(7).toString();
    invitation.closedAt = query.value(8).toLongLong();
    return invitation;
}

QByteArray tokenHash(const QString& token)
{
    return crypto::sha256(token.toLatin1());
}

} // namespace

QString Invitation::stateName(State state)
{
    switch (state) {
    case State::Pending:
        return QStringLiteral("pending");
    case State::Redeemed:
        return QStringLiteral("redeemed");
    case State::Expired:
        return QStringLiteral("expired");
    case State::Revoked:
        return QStringLiteral("revoked");
    }
    return {};
}

InvitationService::InvitationService(QSqlDatabase db, audit::AuditLog& audit, MemberService& members)
    : m_db(std::move(db))
    , m_audit(audit)
    , m_members(members)
{
}

Result<InvitationService::Created> InvitationService::create(const QString& actorId, Role role, qint64 expirySeconds,
                                                             const QString& note)
{
    auto actor = m_members.authorize(actorId, Permission::Invite);
    COUNTERSIGN_TRY(actor);
    if (role == Role::Owner && actor->role != Role::Owner)
        return fail(ErrorCode::PermissionDenied, QStringLiteral("only an owner may invite an owner"));
    if (expirySeconds <= 0 || expirySeconds > MAX_EXPIRY_SECONDS)
        return fail(ErrorCode::InvalidArgument, QStringLiteral("an invitation expires after 1 second to 14 days"));
    const QString trimmedNote = note.trimmed();
    if (trimmedNote.size() > MAX_NOTE_CHARS)
        return fail(ErrorCode::InvalidArgument, QStringLiteral("a note has at most %1 characters").arg(MAX_NOTE_CHARS));

    Created created;
    created.token = InvitationLink::TOKEN_PREFIX + QString::fromLatin1(crypto::randomBytes(32).toBase64(
                                                       QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    Invitation& invitation = created.invitation;
    invitation.id = crypto::randomId(Invitation::ID_PREFIX, 12);
    invitation.role = role;
    invitation.note = trimmedNote;
    invitation.createdBy = actorId;
    invitation.createdAt = QDateTime::currentMSecsSinceEpoch();
    invitation.expiresAt = invitation.createdAt + expirySeconds * 1000;
    auto done = storage::transact(m_db, [&]() -> Result<void> {
        QSqlQuery insert(m_db);
        insert.prepare(QStringLiteral("INSERT INTO invitations (id, token_hash, role, note, created_by, created_at, "
                                      "expires_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')"));
        insert.addBindValue(invitation.id);
        insert.addBindValue(tokenHash(created.token));
        insert.addBindValue(roleName(role));
        insert.addBindValue(invitation.note);
        insert.addBindValue(actorId);
        insert.addBindValue(invitation.createdAt);
        insert.addBindValue(invitation.expiresAt);
        if (!insert.exec())
            return fail(ErrorCode::Storage, insert.lastError().text());
        auto audited = m_audit.append({actor->actor(), QStringLiteral("invitation.created"),
                                       QStringLiteral("invitation:") + invitation.id,
                                       QJsonObject{{QStringLiteral("role"), roleName(role)},
                                                   {QStringLiteral("expires_at"), invitation.expiresAt},
                                                   {QStringLiteral("note"), invitation.note}}});
        COUNTERSIGN_TRY(audited);
        return {};
    });
    COUNTERSIGN_TRY(done);
    return created;
}

Result<Invitation> InvitationService::find(const QString& invitationId) const
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT %1 FROM invitations WHERE id = ?").arg(COLUMNS));
    query.addBindValue(invitationId);
    if (!query.exec())
        return fail(ErrorCode::Storage, query.lastError().text());
    if (!query.next())
        return fail(ErrorCode::NotFound, QStringLiteral("no invitation '%1'").arg(invitationId));
    return readInvitation(query, QDateTime::currentMSecsSinceEpoch());
}

Result<QList<Invitation>> InvitationService::list(const QString& actorId) const
{
    COUNTERSIGN_TRY(m_members.authorize(actorId, Permission::ViewMembers));
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT %1 FROM invitations ORDER BY created_at DESC, id").arg(COLUMNS)))
        return fail(ErrorCode::Storage, query.lastError().text());
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<Invitation> result;
    while (query.next())
        result.append(readInvitation(query, now));
    return result;
}

Result<Invitation> InvitationService::revoke(const QString& actorId, const QString& invitationId)
{
    Invitation revoked;
    auto done = storage::transact(m_db, [&]() -> Result<void> {
        auto actor = m_members.authorize(actorId, Permission::RevokeInvitation);
        COUNTERSIGN_TRY(actor);
        auto found = find(invitationId);
        COUNTERSIGN_TRY(found);
        if (found->state != Invitation::State::Pending)
            return fail(ErrorCode::Conflict,
                        QStringLiteral("the invitation is already %1").arg(Invitation::stateName(found->state)));
        if (found->role == Role::Owner && actor->role != Role::Owner)
            return fail(ErrorCode::PermissionDenied, QStringLiteral("only an owner may revoke an owner's invitation"));
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QSqlQuery update(m_db);
        update.prepare(QStringLiteral(
            "UPDATE invitations SET state = 'revoked', closed_at = ? WHERE id = ? AND state = 'pending'"));
        update.addBindValue(now);
        update.addBindValue(invitationId);
        if (!update.exec())
            return fail(ErrorCode::Storage, update.lastError().text());
        auto audited = m_audit.append({actor->actor(), QStringLiteral("invitation.revoked"),
                                       QStringLiteral("invitation:") + invitationId,
                                       QJsonObject{{QStringLiteral("role"), roleName(found->role)}}});
        COUNTERSIGN_TRY(audited);
        revoked = *found;
        revoked.state = Invitation::State::Revoked;
        revoked.closedAt = now;
        return {};
    });
    COUNTERSIGN_TRY(done);
    return revoked;
}

Result<Member> InvitationService::redeem(const QString& token, const QString& displayName, const QByteArray& publicKey)
{
    if (!InvitationLink::isTokenForm(token))
        return fail(ErrorCode::NotFound, QStringLiteral("no such invitation"));
    Member joined;
    Invitation refused;
    auto done = storage::transact(m_db, [&]() -> Result<void> {
        QSqlQuery query(m_db);
        query.prepare(QStringLiteral("SELECT %1 FROM invitations WHERE token_hash = ?").arg(COLUMNS));
        query.addBindValue(tokenHash(token));
        if (!query.exec())
            return fail(ErrorCode::Storage, query.lastError().text());
        if (!query.next())
            return fail(ErrorCode::NotFound, QStringLiteral("no such invitation"));
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const Invitation invitation = readInvitation(query, now);
        query.finish();
        switch (invitation.state) {
        case Invitation::State::Pending:
            break;
        case Invitation::State::Expired:
            refused = invitation;
            return fail(ErrorCode::Expired, QStringLiteral("this invitation has expired"));
        case Invitation::State::Revoked:
            refused = invitation;
            return fail(ErrorCode::Revoked, QStringLiteral("this invitation was revoked"));
        case Invitation::State::Redeemed:
            refused = invitation;
            return fail(ErrorCode::Revoked, QStringLiteral("this invitation was already used"));
        }
        auto added =
            m_members.add(displayName, invitation.role, publicKey, QStringLiteral("invitation:") + invitation.id);
        COUNTERSIGN_TRY(added);
        QSqlQuery update(m_db);
        update.prepare(QStringLiteral("UPDATE invitations SET state = 'redeemed', member_id = ?, closed_at = ? "
                                      "WHERE id = ? AND state = 'pending'"));
        update.addBindValue(added->id);
        update.addBindValue(now);
        update.addBindValue(invitation.id);
        if (!update.exec())
            return fail(ErrorCode::Storage, update.lastError().text());
        if (update.numRowsAffected() != 1)
            return fail(ErrorCode::Revoked, QStringLiteral("this invitation was already used"));
        auto audited = m_audit.append(
            {added->actor(), QStringLiteral("invitation.redeemed"), QStringLiteral("invitation:") + invitation.id,
             QJsonObject{{QStringLiteral("role"), roleName(invitation.role)}, {QStringLiteral("member"), added->id}}});
        COUNTERSIGN_TRY(audited);
        joined = *added;
        return {};
    });
    if (!done) {
        if (!refused.id.isEmpty()) {
            // The refusal is worth keeping: someone holds a token that no longer works.
            (void)m_audit.append({audit::AuditLog::SYSTEM_ACTOR, QStringLiteral("invitation.redeem_refused"),
                                  QStringLiteral("invitation:") + refused.id,
                                  QJsonObject{{QStringLiteral("state"), Invitation::stateName(refused.state)}}});
        }
        return std::unexpected(done.error());
    }
    return joined;
}

} // namespace countersign::members
