#pragma once

#include "error.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace countersign::members {

/// Every SQL statement on session challenges and member sessions. Nonces are stored as issued
/// (they are single-use and short-lived), session tokens only as their SHA-256.
class SessionStore final {
public:
    explicit SessionStore(QSqlDatabase db);

    [[nodiscard]] QSqlDatabase& database() { return m_db; }
    [[nodiscard]] Result<void> deleteExpiredChallenges(qint64 now);
    [[nodiscard]] Result<void> insertChallenge(const QByteArray& nonce, const QString& memberId, qint64 expiresAt);
    /// Deletes \a nonce if it was issued to \a memberId and is fresh at \a now; whether it was.
    [[nodiscard]] Result<bool> takeChallenge(const QByteArray& nonce, const QString& memberId, qint64 now);
    /// Deletes \a nonce whoever it was issued to.
    [[nodiscard]] Result<void> discardChallenge(const QByteArray& nonce);
    [[nodiscard]] Result<void> insertSession(const QByteArray& tokenHash, const QString& memberId, qint64 createdAt,
                                             qint64 expiresAt);
    /// The member holding the session with \a tokenHash, if it is still open at \a now.
    [[nodiscard]] Result<std::optional<QString>> sessionMember(const QByteArray& tokenHash, qint64 now) const;
    /// Ends every session and outstanding challenge of \a memberId.
    [[nodiscard]] Result<void> endSessionsOf(const QString& memberId);

private:
    QSqlDatabase m_db;
};

} // namespace countersign::members
