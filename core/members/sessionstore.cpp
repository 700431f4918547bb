#include "sessionstore.h"

#include "storage/execute.h"

namespace countersign::members {

SessionStore::SessionStore(QSqlDatabase db)
    : m_db(std::move(db))
{
}

Result<void> SessionStore::deleteExpiredChallenges(qint64 now)
{
    auto done = storage::execute(m_db, QStringLiteral("DELETE FROM session_challenges WHERE expires_at <= ?"), {now});
    COUNTERSIGN_TRY(done);
    return {};
}

Result<void> SessionStore::insertChallenge(const QByteArray& nonce, const QString& memberId, qint64 expiresAt)
{
    auto done = storage::execute(
        m_db, QStringLiteral("INSERT INTO session_challenges (nonce, member_id, expires_at) VALUES (?, ?, ?)"),
        {nonce, memberId, expiresAt});
    COUNTERSIGN_TRY(done);
    return {};
}

Result<bool> SessionStore::takeChallenge(const QByteArray& nonce, const QString& memberId, qint64 now)
{
    auto done = storage::execute(
        m_db, QStringLiteral("DELETE FROM session_challenges WHERE nonce = ? AND member_id = ? AND expires_at > ?"),
        {nonce, memberId, now});
    COUNTERSIGN_TRY(done);
    return done->numRowsAffected() == 1;
}

Result<void> SessionStore::discardChallenge(const QByteArray& nonce)
{
    auto done = storage::execute(m_db, QStringLiteral("DELETE FROM session_challenges WHERE nonce = ?"), {nonce});
    COUNTERSIGN_TRY(done);
    return {};
}

Result<void> SessionStore::insertSession(const QByteArray& tokenHash, const QString& memberId, qint64 createdAt,
                                         qint64 expiresAt)
{
    auto done = storage::execute(
        m_db,
        QStringLiteral(
            "INSERT INTO member_sessions (token_hash, member_id, created_at, expires_at) VALUES (?, ?, ?, ?)"),
        {tokenHash, memberId, createdAt, expiresAt});
    COUNTERSIGN_TRY(done);
    return {};
}

Result<std::optional<QString>> SessionStore::sessionMember(const QByteArray& tokenHash, qint64 now) const
{
    auto row = storage::execute(
        m_db, QStringLiteral("SELECT member_id FROM member_sessions WHERE token_hash = ? AND expires_at > ?"),
        {tokenHash, now});
    COUNTERSIGN_TRY(row);
    if (!row->next())
        return std::optional<QString>();
    return std::optional<QString>(row->value(0).toString());
}

Result<void> SessionStore::endSessionsOf(const QString& memberId)
{
    auto sessions =
        storage::execute(m_db, QStringLiteral("DELETE FROM member_sessions WHERE member_id = ?"), {memberId});
    COUNTERSIGN_TRY(sessions);
    auto challenges =
        storage::execute(m_db, QStringLiteral("DELETE FROM session_challenges WHERE member_id = ?"), {memberId});
    COUNTERSIGN_TRY(challenges);
    return {};
}

} // namespace countersign::members
