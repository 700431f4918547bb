#include "sessionservice.h"

#include "memberservice.h"
#include "sessionstore.h"

#include "audit/auditlog.h"
#include "crypto/crypto.h"
#include "crypto/signingkey.h"
#include "json/canonicaljson.h"
#include "storage/transaction.h"

#include <QDateTime>

namespace countersign::members {

namespace {

Error refused()
{
    // One answer for every failure: nothing tells a prober which part was wrong.
    return Error{ErrorCode::Unauthenticated, QStringLiteral("the session could not be opened")};
}

} // namespace

SessionService::SessionService(QSqlDatabase db, audit::AuditLog& audit, MemberService& members)
    : m_store(std::make_unique<SessionStore>(std::move(db)))
    , m_audit(audit)
    , m_members(members)
{
}

SessionService::~SessionService() = default;

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
    auto done = storage::transact(m_store->database(), [&]() -> Result<void> {
        COUNTERSIGN_TRY(m_store->deleteExpiredChallenges(now));
        return m_store->insertChallenge(nonce, memberId, now + CHALLENGE_SECONDS * 1000);
    });
    COUNTERSIGN_TRY(done);
    return nonce;
}

Result<SessionService::Session> SessionService::open(const QString& memberId, const QByteArray& nonce,
                                                     const QByteArray& signature)
{
    Session session;
    auto done = storage::transact(m_store->database(), [&]() -> Result<void> {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        // The nonce is used up whatever happens next.
        auto taken = m_store->takeChallenge(nonce, memberId, now);
        COUNTERSIGN_TRY(taken);
        const bool issued = *taken;
        auto member = m_members.member(memberId);
        if (!issued || !member || !member->active ||
            !crypto::SigningKey::verify(member->publicKey, statement(m_instance, memberId, nonce), signature))
            return std::unexpected(refused());
        session.token = TOKEN_PREFIX + QString::fromLatin1(crypto::randomBytes(32).toBase64(
                                           QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
        session.expiresAt = now + SESSION_SECONDS * 1000;
        session.member = *member;
        COUNTERSIGN_TRY(
            m_store->insertSession(crypto::sha256(session.token.toLatin1()), memberId, now, session.expiresAt));
        auto audited = m_audit.append({member->actor(), QStringLiteral("member.session_opened"), member->actor(),
                                       QJsonObject{{QStringLiteral("expires_at"), session.expiresAt}}});
        COUNTERSIGN_TRY(audited);
        return {};
    });
    if (!done) {
        if (done.error().code == ErrorCode::Unauthenticated) {
            // The used nonce must stay used even though the transaction failed.
            (void)m_store->discardChallenge(nonce);
        }
        return std::unexpected(done.error());
    }
    return session;
}

Result<Member> SessionService::authenticate(QByteArrayView token) const
{
    if (!token.startsWith(TOKEN_PREFIX.toLatin1()))
        return fail(ErrorCode::Unauthenticated, QStringLiteral("not a session token"));
    auto memberId = m_store->sessionMember(crypto::sha256(token), QDateTime::currentMSecsSinceEpoch());
    COUNTERSIGN_TRY(memberId);
    if (!*memberId)
        return fail(ErrorCode::Unauthenticated, QStringLiteral("the session is unknown, expired or ended"));
    auto member = m_members.member(**memberId);
    if (!member || !member->active)
        return fail(ErrorCode::Unauthenticated, QStringLiteral("the session is unknown, expired or ended"));
    return member;
}

} // namespace countersign::members
