#include "memberstore.h"

#include "storage/execute.h"

namespace countersign::members {

namespace {

const QString SELECT_MEMBER =
    QStringLiteral("SELECT id, display_name, role, public_key, state, created_at, removed_at FROM members ");

Result<Member> memberFromRow(const QSqlQuery& row)
{
    Member member;
    member.id = row.value(0).toString();
    member.displayName = row.value(1).toString();
    // Deny by default: a role this build does not know grants nothing, not a viewer's rights.
    const auto role = parseRole(row.value(2).toString());
    if (!role)
        return fail(ErrorCode::Integrity, QStringLiteral("member '%1' has no known role").arg(member.id));
    member.role = *role;
    member.publicKey = row.value(3).toByteArray();
    member.active = row.value(4).toString() == u"active";
    member.createdAt = row.value(5).toLongLong();
    member.removedAt = row.value(6).toLongLong();
    return member;
}

} // namespace

MemberStore::MemberStore(QSqlDatabase db)
    : m_db(std::move(db))
{
}

Result<std::optional<Member>> MemberStore::find(const QString& memberId) const
{
    auto row = storage::execute(m_db, SELECT_MEMBER + QStringLiteral("WHERE id = ?"), {memberId});
    COUNTERSIGN_TRY(row);
    if (!row->next())
        return std::optional<Member>();
    auto member = memberFromRow(*row);
    COUNTERSIGN_TRY(member);
    return std::optional<Member>(std::move(*member));
}

Result<QList<Member>> MemberStore::list() const
{
    auto rows = storage::execute(m_db, SELECT_MEMBER + QStringLiteral("ORDER BY state, created_at, id"));
    COUNTERSIGN_TRY(rows);
    QList<Member> members;
    while (rows->next()) {
        auto member = memberFromRow(*rows);
        COUNTERSIGN_TRY(member);
        members.append(std::move(*member));
    }
    return members;
}

Result<QStringList> MemberStore::activeDisplayNames() const
{
    auto rows = storage::execute(m_db, QStringLiteral("SELECT display_name FROM members WHERE state = 'active'"));
    COUNTERSIGN_TRY(rows);
    QStringList names;
    while (rows->next())
        names.append(rows->value(0).toString());
    return names;
}

Result<int> MemberStore::activeOwnerCount() const
{
    auto row = storage::execute(
        m_db, QStringLiteral("SELECT count(*) FROM members WHERE role = 'owner' AND state = 'active'"));
    COUNTERSIGN_TRY(row);
    return row->next() ? row->value(0).toInt() : 0;
}

Result<bool> MemberStore::activeMemberHoldsKey(const QByteArray& publicKey) const
{
    auto row = storage::execute(m_db, QStringLiteral("SELECT 1 FROM members WHERE public_key = ? AND state = 'active'"),
                                {publicKey});
    COUNTERSIGN_TRY(row);
    return row->next();
}

Result<void> MemberStore::insert(const Member& member)
{
    auto done =
        storage::execute(m_db,
                         QStringLiteral("INSERT INTO members (id, display_name, role, public_key, state, "
                                        "created_at) VALUES (?, ?, ?, ?, 'active', ?)"),
                         {member.id, member.displayName, roleName(member.role), member.publicKey, member.createdAt});
    COUNTERSIGN_TRY(done);
    return {};
}

Result<void> MemberStore::setRole(const QString& memberId, Role role)
{
    auto done =
        storage::execute(m_db, QStringLiteral("UPDATE members SET role = ? WHERE id = ?"), {roleName(role), memberId});
    COUNTERSIGN_TRY(done);
    return {};
}

Result<void> MemberStore::markRemoved(const QString& memberId, qint64 at)
{
    auto done = storage::execute(
        m_db, QStringLiteral("UPDATE members SET state = 'removed', removed_at = ? WHERE id = ?"), {at, memberId});
    COUNTERSIGN_TRY(done);
    return {};
}

Result<QList<std::pair<QString, QString>>> MemberStore::openDecisions(const QString& memberId) const
{
    auto rows = storage::execute(
        m_db,
        QStringLiteral("SELECT d.request_id, d.verdict FROM decisions d JOIN requests q ON q.id = d.request_id "
                       "WHERE d.member_id = ? AND q.state = 'pending' ORDER BY d.decided_at"),
        {memberId});
    COUNTERSIGN_TRY(rows);
    QList<std::pair<QString, QString>> open;
    while (rows->next())
        open.append({rows->value(0).toString(), rows->value(1).toString()});
    return open;
}

Result<void> MemberStore::deleteDecision(const QString& requestId, const QString& memberId)
{
    auto done = storage::execute(m_db, QStringLiteral("DELETE FROM decisions WHERE request_id = ? AND member_id = ?"),
                                 {requestId, memberId});
    COUNTERSIGN_TRY(done);
    return {};
}

} // namespace countersign::members
