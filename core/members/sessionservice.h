#pragma once

#include "member.h"

#include "error.h"

#include <QByteArray>
#include <QJsonObject>
#include <QSqlDatabase>

#include <memory>

namespace countersign::audit {
class AuditLog;
}

namespace countersign::members {

class MemberService;
class SessionStore;

/// Member sessions by challenge and response (issue: listening for a team): the instance hands
/// out a single-use nonce, the member signs a statement naming it with their Ed25519 key, and
/// gets a short-lived bearer token, stored only as its SHA-256. Removing a member or changing
/// their role deletes their sessions (MemberService), so they end at once.
class SessionService final {
public:
    static constexpr qint64 CHALLENGE_SECONDS = 60;
    static constexpr qint64 SESSION_SECONDS = qint64{15} * 60;
    inline static const QString TOKEN_PREFIX = QStringLiteral("css_");
    inline static const QString STATEMENT_TYPE = QStringLiteral("countersign-session/2");

    struct Session {
        QString token; // shown once
        qint64 expiresAt = 0;
        Member member;
    };

    SessionService(QSqlDatabase db, audit::AuditLog& audit, MemberService& members);
    ~SessionService();
    SessionService(const SessionService&) = delete;
    SessionService& operator=(const SessionService&) = delete;

    /// A nonce for active member \a memberId to sign; Unauthenticated for anyone else.
    [[nodiscard]] Result<QByteArray> challenge(const QString& memberId);
    /// The bytes a member signs to answer \a nonce, naming the \a instance (its origin) they sign
    /// in to: a signature made for one instance opens no session on another.
    [[nodiscard]] static QByteArray statement(const QString& instance, const QString& memberId,
                                              const QByteArray& nonce);
    /// This instance's origin (audit::Checkpoint::originFor its public key), which statements name.
    void setInstance(const QString& origin) { m_instance = origin; }
    [[nodiscard]] QString instance() const { return m_instance; }
    /// Opens a session if \a signature over statement(instance(), memberId, nonce) verifies with the
    /// member's key and the nonce is theirs, unused and fresh. Unauthenticated otherwise.
    [[nodiscard]] Result<Session> open(const QString& memberId, const QByteArray& nonce, const QByteArray& signature);
    /// The active member holding session token \a token; Unauthenticated when unknown, expired
    /// or ended.
    [[nodiscard]] Result<Member> authenticate(QByteArrayView token) const;

private:
    std::unique_ptr<SessionStore> m_store;
    audit::AuditLog& m_audit;
    MemberService& m_members;
    QString m_instance;
};

} // namespace countersign::members
