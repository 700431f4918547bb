#include "memberservice.h"

#include "audit/auditlog.h"
#include "crypto/crypto.h"
#include "crypto/signingkey.h"
#include "storage/transaction.h"
#include "text/confusables.h"
#include "text/plaintext.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>

namespace countersign::members {

namespace {

const QString COLUMNS = QStringLiteral("id, display_name, role, public_key, state, created_at, removed_at");

Member readMember(const QSqlQuery& query)
{
    Member member;
    member.id = query.value(0).toString();
    member.displayName = query.value(1).toString();
    member.role = parseRole(query.value(2).toString()).value_or(Role::Viewer);
    member.publicKey = query.value(3).toByteArray();
    member.active = query.value(4).toString() == u"active";
    member.createdAt = query.value(5).toLongLong();
    member.removedAt = query.value(6).toLongLong();
    return member;
}

} // namespace

MemberService::MemberService(QSqlDatabase db, audit::AuditLog& audit)
    : m_db(std::move(db))
    , m_audit(audit)
{
}

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
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT %1 FROM members WHERE id = ?").arg(COLUMNS));
    query.addBindValue(memberId);
    if (!query.exec())
        return fail(ErrorCode::Storage, query.lastError().text());
    if (!query.next())
        return fail(ErrorCode::NotFound, QStringLiteral("no member '%1'").arg(memberId));
    return readMember(query);
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
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT %1 FROM members ORDER BY state, created_at, id").arg(COLUMNS)))
        return fail(ErrorCode::Storage, query.lastError().text());
    QList<Member> result;
    while (query.next())
        result.append(readMember(query));
    return result;
}

Result<void> MemberService::checkNameIsDistinct(const QString& name) const
{
    // A name that reads like an active member's would let its holder pass for them in the
    // queue, the history and the audit chain: compare what they look like, not their code points.
    const QString wanted = text::skeleton(name);
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT display_name FROM members WHERE state = 'active'")))
        return fail(ErrorCode::Storage, query.lastError().text());
    while (query.next()) {
        const QString existing = query.value(0).toString();
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
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT count(*) FROM members WHERE role = 'owner' AND state = 'active'")) ||
        !query.next())
        return fail(ErrorCode::Storage, query.lastError().text());
    if (query.value(0).toInt() <= 1)
        return fail(ErrorCode::Conflict, refusal);
    return {};
}

Result<void> MemberService::endSessions(const QString& memberId)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("DELETE FROM member_sessions WHERE member_id = ?"));
    query.addBindValue(memberId);
    if (!query.exec())
        return fail(ErrorCode::Storage, query.lastError().text());
    QSqlQuery challenges(m_db);
    challenges.prepare(QStringLiteral("DELETE FROM session_challenges WHERE member_id = ?"));
    challenges.addBindValue(memberId);
    if (!challenges.exec())
        return fail(ErrorCode::Storage, challenges.lastError().text());
    return {};
}

Result<void> MemberService::voidOpenDecisions(const Member& target, const QString& actor, const QString& cause)
{
    QSqlQuery open(m_db);
    open.prepare(
        QStringLiteral("SELECT d.request_id, d.verdict FROM decisions d JOIN requests q ON q.id = d.request_id "
                       "WHERE d.member_id = ? AND q.state = 'pending' ORDER BY d.decided_at"));
    open.addBindValue(target.id);
    if (!open.exec())
        return fail(ErrorCode::Storage, open.lastError().text());
    QList<std::pair<QString, QString>> voided;
    while (open.next())
        voided.append({open.value(0).toString(), open.value(1).toString()});
    open.finish();
    for (const auto& [requestId, verdict] : std::as_const(voided)) {
        QSqlQuery remove(m_db);
        remove.prepare(QStringLiteral("DELETE FROM decisions WHERE request_id = ? AND member_id = ?"));
        remove.addBindValue(requestId);
        remove.addBindValue(target.id);
        if (!remove.exec())
            return fail(ErrorCode::Storage, remove.lastError().text());
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
    auto done = storage::transact(m_db, [&]() -> Result<void> {
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
        QSqlQuery update(m_db);
        update.prepare(QStringLiteral("UPDATE members SET role = ? WHERE id = ?"));
        update.addBindValue(roleName(role));
        update.addBindValue(memberId);
        if (!update.exec())
            return fail(ErrorCode::Storage, update.lastError().text());
        COUNTERSIGN_TRY(endSessions(memberId));
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
    auto done = storage::transact(m_db, [&]() -> Result<void> {
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
        QSqlQuery update(m_db);
        update.prepare(QStringLiteral("UPDATE members SET state = 'removed', removed_at = ? WHERE id = ?"));
        update.addBindValue(now);
        update.addBindValue(memberId);
        if (!update.exec())
            return fail(ErrorCode::Storage, update.lastError().text());
        COUNTERSIGN_TRY(endSessions(memberId));
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
    auto done = storage::transact(m_db, [&]() -> Result<void> {
        QSqlQuery taken(m_db);
        taken.prepare(QStringLiteral("SELECT 1 FROM members WHERE public_key = ? AND state = 'active'"));
        taken.addBindValue(publicKey);
        if (!taken.exec())
            return fail(ErrorCode::Storage, taken.lastError().text());
        if (taken.next())
            return fail(ErrorCode::AlreadyExists, QStringLiteral("an active member already holds this key"));
        COUNTERSIGN_TRY(checkNameIsDistinct(added.displayName));
        QSqlQuery insert(m_db);
        insert.prepare(QStringLiteral("INSERT INTO members (id, display_name, role, public_key, state, created_at) "
                                      "VALUES (?, ?, ?, ?, 'active', ?)"));
        insert.addBindValue(added.id);
        insert.addBindValue(added.displayName);
        insert.addBindValue(roleName(role));
        insert.addBindValue(publicKey);
        insert.addBindValue(added.createdAt);
        if (!insert.exec())
            return fail(ErrorCode::Storage, insert.lastError().text());
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
