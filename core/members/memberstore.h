#pragma once

#include "member.h"

#include "error.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <optional>
#include <utility>

namespace countersign::members {

/// Every SQL statement on the members table and the mapping of its rows; MemberService holds
/// the rules (the last owner, admins and owners, distinct names).
class MemberStore final {
public:
    explicit MemberStore(QSqlDatabase db);

    [[nodiscard]] QSqlDatabase& database() { return m_db; }
    /// The member \a memberId, active or removed; nothing when there is none.
    [[nodiscard]] Result<std::optional<Member>> find(const QString& memberId) const;
    /// Every member, active ones first, oldest first.
    [[nodiscard]] Result<QList<Member>> list() const;
    [[nodiscard]] Result<QStringList> activeDisplayNames() const;
    [[nodiscard]] Result<int> activeOwnerCount() const;
    [[nodiscard]] Result<bool> activeMemberHoldsKey(const QByteArray& publicKey) const;
    /// Stores \a member as active.
    [[nodiscard]] Result<void> insert(const Member& member);
    [[nodiscard]] Result<void> setRole(const QString& memberId, Role role);
    [[nodiscard]] Result<void> markRemoved(const QString& memberId, qint64 at);
    /// The requests still pending that \a memberId decided, with the verdict, oldest decision first.
    [[nodiscard]] Result<QList<std::pair<QString, QString>>> openDecisions(const QString& memberId) const;
    [[nodiscard]] Result<void> deleteDecision(const QString& requestId, const QString& memberId);

private:
    QSqlDatabase m_db;
};

} // namespace countersign::members
