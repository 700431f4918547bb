#include "invitationservice.h"

#include "invitationlink.h"
#include "invitationstore.h"
#include "memberservice.h"

#include "audit/auditlog.h"
#include "crypto/crypto.h"
#include "storage/transaction.h"

#include <QDateTime>

namespace countersign::members {

namespace {

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
    : m_store(std::make_unique<InvitationStore>(std::move(db)))
    , m_audit(audit)
    , m_members(members)
{
}

InvitationService::~InvitationService() = default;

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
    auto done = storage::transact(m_store->database(), [&]() -> Result<void> {
        COUNTERSIGN_TRY(m_store->insert(invitation, tokenHash(created.token)));
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
    auto found = m_store->find(invitationId, QDateTime::currentMSecsSinceEpoch());
    COUNTERSIGN_TRY(found);
    if (!*found)
        return fail(ErrorCode::NotFound, QStringLiteral("no invitation '%1'").arg(invitationId));
    return **found;
}

Result<QList<Invitation>> InvitationService::list(const QString& actorId) const
{
    COUNTERSIGN_TRY(m_members.authorize(actorId, Permission::ViewMembers));
    return m_store->list(QDateTime::currentMSecsSinceEpoch());
}

Result<Invitation> InvitationService::revoke(const QString& actorId, const QString& invitationId)
{
    Invitation revoked;
    auto done = storage::transact(m_store->database(), [&]() -> Result<void> {
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
        auto closed = m_store->markRevoked(invitationId, now);
        COUNTERSIGN_TRY(closed);
        if (!*closed)
            return fail(ErrorCode::Conflict, QStringLiteral("the invitation is no longer pending"));
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
    auto done = storage::transact(m_store->database(), [&]() -> Result<void> {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        auto found = m_store->findByTokenHash(tokenHash(token), now);
        COUNTERSIGN_TRY(found);
        if (!*found)
            return fail(ErrorCode::NotFound, QStringLiteral("no such invitation"));
        const Invitation invitation = **found;
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
        auto redeemed = m_store->markRedeemed(invitation.id, added->id, now);
        COUNTERSIGN_TRY(redeemed);
        if (!*redeemed)
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
