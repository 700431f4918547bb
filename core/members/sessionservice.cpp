#include "sessionservice.h"

#include "memberservice.h"

#include "audit/auditlog.h"
#include "crypto/crypto.h"
#include "crypto/signingkey.h"
#include "json/canonicaljson.h"
#include "storage/transaction.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>

namespace countersign::members {

namespace {

Error refused()
{
    // One answer for every failure: nothing tells a prober which part was wrong.
    return Error{ErrorCode::Unauthenticated, QStringLiteral("the session could not be opened")};
}

} // namespace

SessionService::SessionService(QSqlDatabase db, audit::AuditLog& audit, MemberService& members)
    : m_db(std::move(db))
    , m_audit(audit)
    , m_members(members)
{
}

QByteArray SessionService::statement(const QString& instance, const QString& memberId, const QByteArray& nonce)
{
    return json::canonicalJson(QJsonObject{{QStringLiteral("type"), STATEMENT_TYPE},
                                           {QStringLiteral("instance"), instance},
                                           {QStringLiteral("member"), memberId},
                                           {QStringLiteral("nonce"), QString::fromLatin1(nonce.toBase64())}});
}

Result<QByteArray> SessionService::challenge(const QString& memberId)
{
    auto member = m_members.member(memberId);
    if (!member || !member->active || member->publicKey.isEmpty())
        return std::unexpected(refused());
    const QByteArray nonce = crypto::randomBytes(32);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    auto done = storage::transact(m_db, [&]() -> Result<void> {
        QSqlQuery stale(m_db);
        stale.prepare(QStringLiteral("DELETE FROM session_challenges WHERE expires_at <= ?"));
        stale.addBindValue(now);
        if (!stale.exec())
            return fail(ErrorCode::Storage, stale.lastError().text());
        QSqlQuery insert(m_db);
        insert.prepare(
            QStringLiteral("INSERT INTO session_challenges (nonce, member_id, expires_at) VALUES (?, ?, ?)"));
        insert.addBindValue(nonce);
        insert.addBindValue(memberId);
        insert.addBindValue(now + CHALLENGE_SECONDS * 1000);
        if (!insert.exec())
            return fail(ErrorCode::Storage, insert.lastError().text());
        return {};
    });
    COUNTERSIGN_TRY(done);
    return nonce;
}

Result<SessionService::Session> SessionService::open(const QString& memberId, const QByteArray& nonce,
                                                     const QByteArray& signature)
{
    Session session;
    auto done = storage::transact(m_db, [&]() -> Result<void> {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        // The nonce is used up whatever happens next.
        QSqlQuery take(m_db);
        take.prepare(QStringLiteral("DELETE FROM session_challenges WHERE nonce = ? AND member_id = ? AND "
                                    "expires_at > ?"));
        take.addBindValue(nonce);
        take.addBindValue(memberId);
        take.addBindValue(now);
        if (!take.exec())
            return fail(ErrorCode::Storage, take.lastError().text());
        const bool issued = take.numRowsAffected() == 1;
        auto member = m_members.member(memberId);
        if (!issued || !member || !member->active ||
            !crypto::SigningKey::verify(member->publicKey, statement(m_instance, memberId, nonce), signature))
            return std::unexpected(refused());
        session.token = TOKEN_PREFIX + QString::fromLatin1(crypto::randomBytes(32).toBase64(
                                           QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
        session.expiresAt = now + SESSION_SECONDS * 1000;
        session.member = *member;
        QSqlQuery insert(m_db);
        insert.prepare(QStringLiteral(
            "INSERT INTO member_sessions (token_hash, member_id, created_at, expires_at) VALUES (?, ?, ?, ?)"));
        insert.addBindValue(crypto::sha256(session.token.toLatin1()));
        insert.addBindValue(memberId);
        insert.addBindValue(now);
        insert.addBindValue(session.expiresAt);
        if (!insert.exec())
            return fail(ErrorCode::Storage, insert.lastError().text());
        auto audited = m_audit.append({member->actor(), QStringLiteral("member.session_opened"), member->actor(),
                                       QJsonObject{{QStringLiteral("expires_at"), session.expiresAt}}});
        COUNTERSIGN_TRY(audited);
        return {};
    });
    if (!done) {
        if (done.error().code == ErrorCode::Unauthenticated) {
            // The used nonce must stay used even though the transaction failed.
            QSqlQuery take(m_db);
            take.prepare(QStringLiteral("DELETE FROM session_challenges WHERE nonce = ?"));
            take.addBindValue(nonce);
            (void)take.exec();
        }
        return std::unexpected(done.error());
    }
    return session;
}

Result<Member> SessionService::authenticate(QByteArrayView token) const
{
    if (!token.startsWith(TOKEN_PREFIX.toLatin1()))
        return fail(ErrorCode::Unauthenticated, QStringLiteral("not a session token"));
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT member_id FROM member_sessions WHERE token_hash = ? AND expires_at > ?"));
    query.addBindValue(crypto::sha256(token));
    query.addBindValue(QDateTime::currentMSecsSinceEpoch());
    if (!query.exec())
        return fail(ErrorCode::Storage, query.lastError().text());
    if (!query.next())
        return fail(ErrorCode::Unauthenticated, QStringLiteral("the session is unknown, expired or ended"));
    const QString memberId = query.value(0).toString();
    query.finish();
    auto member = m_members.member(memberId);
    if (!member || !member->active)
        return fail(ErrorCode::Unauthenticated, QStringLiteral("the session is unknown, expired or ended"));
    return member;
}

} // namespace countersign::members
