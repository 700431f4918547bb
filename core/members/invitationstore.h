#pragma once

#include "invitation.h"

#include "error.h"

#include <QByteArray>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace countersign::members {

/// Every SQL statement on the invitations table and the mapping of its rows. Tokens appear here
/// only as their SHA-256. An invitation past its expiry reads as Expired at the time asked.
class InvitationStore final {
public:
    explicit InvitationStore(QSqlDatabase db);

    [[nodiscard]] QSqlDatabase& database() { return m_db; }
    /// Stores \a invitation as pending.
    [[nodiscard]] Result<void> insert(const Invitation& invitation, const QByteArray& tokenHash);
    [[nodiscard]] Result<std::optional<Invitation>> find(const QString& invitationId, qint64 now) const;
    [[nodiscard]] Result<std::optional<Invitation>> findByTokenHash(const QByteArray& tokenHash, qint64 now) const;
    /// Newest first.
    [[nodiscard]] Result<QList<Invitation>> list(qint64 now) const;
    /// Closes pending invitation \a invitationId as revoked; false when it was no longer pending.
    [[nodiscard]] Result<bool> markRevoked(const QString& invitationId, qint64 at);
    /// Closes pending invitation \a invitationId as redeemed by \a memberId; false when it was no
    /// longer pending.
    [[nodiscard]] Result<bool> markRedeemed(const QString& invitationId, const QString& memberId, qint64 at);

private:
    QSqlDatabase m_db;
};

} // namespace countersign::members
