#include "memberservice.h"

#include "memberstore.h"
#include "sessionstore.h"

#include "audit/auditlog.h"
#include "crypto/crypto.h"
#include "crypto/signingkey.h"
#include "storage/transaction.h"
#include "text/confusables.h"
#include "text/plaintext.h"

#include <QDateTime>

namespace countersign::members {

MemberService::MemberService(QSqlDatabase db, audit::AuditLog& audit)
    : m_store(std::make_unique<MemberStore>(db))
    , m_sessions(std::make_unique<SessionStore>(std::move(db)))
    , m_audit(audit)
{
}

MemberService::~MemberService() = default;

Result<QString> MemberService::validateName(const QString& name)
{
    const QString trimmed = name.trimmed();
    if (trimmed.isEmpty())
        return fail(ErrorCode::InvalidArgument, QStringLiteral("a display name is required"));
    const QList<uint> codes = trimmed.toUcs4();
    if (codes.size() > MAX_NAME_CHARS)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("a display name has at most %1 characters").arg(MAX_NAME_CHARS));
    // Control and direction-changing characters would make a name read as another's.
    if (!text::isPlainText(trimmed, false) || trimmed.contains(QChar::ReplacementCharacter))
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("a display name may not hold control, invisible or direction-changing characters"));
    return trimmed;
}

Result<Member> MemberService::member(const QString& memberId) const
{
    auto found = m_store->find(memberId);
    COUNTERSIGN_TRY(found);
    if (!*found)
        return fail(ErrorCode::NotFound, QStringLiteral("no member '%1'").arg(memberId));
    return **found;
}

Result<Member> MemberService::authorize(const QString& memberId, Permission permission) const
{
    auto found = member(memberId);
    if (!found) {
        if (found.error().code == ErrorCode::NotFound)
            return fail(ErrorCode::PermissionDenied, QStringLiteral("'%1' is not an active member").arg(memberId));
        return found;
    }
    if (!found->active)
        return fail(ErrorCode::PermissionDenied, QStringLiteral("'%1' was removed").arg(memberId));
    COUNTERSIGN_TRY(require(found->role, permission));
    return found;
}

Result<QList<Member>> MemberService::list(const QString& actorId) const
{
    COUNTERSIGN_TRY(authorize(actorId, Permission::ViewMembers));
    return m_store->list();
}

Result<void> MemberService::checkNameIsDistinct(const QString& name) const
{
    // A name that reads like an active member's would let its holder pass for them in the
    // queue, the history and the audit chain: compare what they look like, not their code points.
    const QString wanted = text::skeleton(name);
    auto names = m_store->activeDisplayNames();
    COUNTERSIGN_TRY(names);
    for (const QString& existing : std::as_const(*names)) {
        if (text::skeleton(existing) == wanted)
            return fail(ErrorCode::AlreadyExists,
                        existing == name
                            ? QStringLiteral("a member is already called '%1'; choose another display name").arg(name)
                            : QStringLiteral("'%1' reads like the name of a member ('%2'); choose another display name")
                                  .arg(name, existing));
    }
    return {};
}

Result<void> MemberService::keepAnOwner(const QString& refusal) const
{
    auto owners = m_store->activeOwnerCount();
    COUNTERSIGN_TRY(owners);
    if (*owners <= 1)
        return fail(ErrorCode::Conflict, refusal);
    return {};
}

Result<void> MemberService::voidOpenDecisions(const Member& target, const QString& actor, const QString& cause)
{
    auto voided = m_store->openDecisions(target.id);
    COUNTERSIGN_TRY(voided);
    for (const auto& [requestId, verdict] : std::as_const(*voided)) {
        COUNTERSIGN_TRY(m_store->deleteDecision(requestId, target.id));
        auto audited =
            m_audit.append({actor, QStringLiteral("request.decision_voided"), QStringLiteral("request:") + requestId,
                            QJsonObject{{QStringLiteral("member"), target.actor()},
                                        {QStringLiteral("verdict"), verdict},
                                        {QStringLiteral("cause"), cause}}});
        COUNTERSIGN_TRY(audited);
    }
    return {};
}

Result<Member> MemberService::changeRole(const QString& actorId, const QString& memberId, Role role)
{
    Member changed;
    auto done = storage::transact(m_store->database(), [&]() -> Result<void> {
        auto actor = authorize(actorId, Permission::ChangeRole);
        COUNTERSIGN_TRY(actor);
        auto target = member(memberId);
        COUNTERSIGN_TRY(target);
        if (!target->active)
            return fail(ErrorCode::Conflict, QStringLiteral("%1 was removed").arg(target->displayName));
        if (actor->role != Role::Owner && (target->role == Role::Owner || role == Role::Owner))
            return fail(ErrorCode::PermissionDenied, QStringLiteral("only an owner may change an owner or make one"));
        if (target->role == role) {
            changed = *target;
            return {};
        }
        if (target->role == Role::Owner) {
            COUNTERSIGN_TRY(keepAnOwner(QStringLiteral("the last owner cannot be demoted")));
        }
        COUNTERSIGN_TRY(m_store->setRole(memberId, role));
        COUNTERSIGN_TRY(m_sessions->endSessionsOf(memberId));
        auto audited = m_audit.append(
            {actor->actor(), QStringLiteral("member.role_changed"), target->actor(),
             QJsonObject{{QStringLiteral("from"), roleName(target->role)}, {QStringLiteral("to"), roleName(role)}}});
        COUNTERSIGN_TRY(audited);
        // Approvals given while allowed to decide stop counting with the permission.
        if (!isAllowed(role, Permission::Decide)) {
            if (auto voided = voidOpenDecisions(*target, actor->actor(), QStringLiteral("member.role_changed"));
                !voided)
                return voided;
        }
        changed = *target;
        changed.role = role;
        return {};
    });
    COUNTERSIGN_TRY(done);
    return changed;
}

Result<Member> MemberService::remove(const QString& actorId, const QString& memberId)
{
    Member removed;
    auto done = storage::transact(m_store->database(), [&]() -> Result<void> {
        auto actor = authorize(actorId, Permission::RemoveMember);
        COUNTERSIGN_TRY(actor);
        auto target = member(memberId);
        COUNTERSIGN_TRY(target);
        if (!target->active)
            return fail(ErrorCode::Conflict, QStringLiteral("%1 was already removed").arg(target->displayName));
        if (target->role == Role::Owner) {
            if (actor->role != Role::Owner)
                return fail(ErrorCode::PermissionDenied, QStringLiteral("only an owner may remove an owner"));
            COUNTERSIGN_TRY(keepAnOwner(QStringLiteral("the last owner cannot be removed")));
        }
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        COUNTERSIGN_TRY(m_store->markRemoved(memberId, now));
        COUNTERSIGN_TRY(m_sessions->endSessionsOf(memberId));
        auto audited = m_audit.append({actor->actor(), QStringLiteral("member.removed"), target->actor(),
                                       QJsonObject{{QStringLiteral("role"), roleName(target->role)},
                                                   {QStringLiteral("display_name"), target->displayName}}});
        COUNTERSIGN_TRY(audited);
        COUNTERSIGN_TRY(voidOpenDecisions(*target, actor->actor(), QStringLiteral("member.removed")));
        removed = *target;
        removed.active = false;
        removed.removedAt = now;
        return {};
    });
    COUNTERSIGN_TRY(done);
    return removed;
}

Result<Member> MemberService::add(const QString& displayName, Role role, const QByteArray& publicKey,
                                  const QString& actor)
{
    auto name = validateName(displayName);
    COUNTERSIGN_TRY(name);
    if (publicKey.size() != crypto::SigningKey::PUBLIC_KEY_SIZE)
        return fail(ErrorCode::InvalidArgument, QStringLiteral("a member's public key is 32 bytes (Ed25519)"));
    Member added;
    added.id = crypto::randomId(Member::ID_PREFIX, 12);
    added.displayName = *name;
    added.role = role;
    added.publicKey = publicKey;
    added.createdAt = QDateTime::currentMSecsSinceEpoch();
    auto done = storage::transact(m_store->database(), [&]() -> Result<void> {
        auto taken = m_store->activeMemberHoldsKey(publicKey);
        COUNTERSIGN_TRY(taken);
        if (*taken)
            return fail(ErrorCode::AlreadyExists, QStringLiteral("an active member already holds this key"));
        COUNTERSIGN_TRY(checkNameIsDistinct(added.displayName));
        COUNTERSIGN_TRY(m_store->insert(added));
        auto audited =
            m_audit.append({actor, QStringLiteral("member.added"), added.actor(),
                            QJsonObject{{QStringLiteral("display_name"), added.displayName},
                                        {QStringLiteral("role"), roleName(role)},
                                        {QStringLiteral("public_key"), QString::fromLatin1(publicKey.toBase64())}}});
        COUNTERSIGN_TRY(audited);
        return {};
    });
    COUNTERSIGN_TRY(done);
    return added;
}

} // namespace countersign::members
