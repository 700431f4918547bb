#pragma once

#include "crypto/securebuffer.h"
#include "error.h"

#include <QSqlDatabase>
#include <QString>

#include <memory>

namespace countersign::audit {
class AuditedConnection;
class AuditLog;
class CheckpointSigner;
} // namespace countersign::audit
namespace countersign::crypto {
class ColumnCipher;
class SigningKey;
} // namespace countersign::crypto
namespace countersign::members {
class InvitationService;
class MemberAuthorizer;
class MemberService;
class SessionService;
} // namespace countersign::members
namespace countersign::policy {
class PolicyStore;
}

namespace countersign::approvals {

class RequestEvents;
class RequestService;
class RuntimeRegistry;
class TeamService;

/// The services of one thread over its own connection to an unlocked vault: audit log,
/// runtimes, policies and requests. The endpoint thread and the window each hold one;
/// application::openServices opens them from a vault.
class Services final {
public:
    /// What the services take from the vault besides the connection.
    struct Keys {
        /// The instance's public key, naming this instance as the origin of its checkpoints.
        QByteArray instancePublicKey;
        /// Salts the commitments to masked payload values (RequestService::setViewSaltKey).
        crypto::SecureBuffer viewSaltKey;
        /// Signs the decisions of \a ownerId made here; null on vaults older than members.
        std::shared_ptr<const crypto::SigningKey> ownerKey;
        QString ownerId;
        /// Seals what requests say on a team database; null on a vault, which is encrypted whole.
        std::shared_ptr<const crypto::ColumnCipher> cipher;
    };

    /// Builds every service over \a connection (a connection of the calling thread's own,
    /// which closes with the services).
    Services(std::unique_ptr<audit::AuditedConnection> connection, RequestEvents& events, const Keys& keys);
    ~Services();
    Services(const Services&) = delete;
    Services& operator=(const Services&) = delete;

    [[nodiscard]] audit::AuditLog& audit();
    [[nodiscard]] RuntimeRegistry& runtimes() { return *m_runtimes; }
    [[nodiscard]] policy::PolicyStore& policies() { return *m_policies; }
    [[nodiscard]] RequestService& requests() { return *m_requests; }
    [[nodiscard]] members::MemberService& members() { return *m_members; }
    [[nodiscard]] members::InvitationService& invitations() { return *m_invitations; }
    [[nodiscard]] members::SessionService& sessions() { return *m_sessions; }
    [[nodiscard]] TeamService& team() { return *m_team; }
    [[nodiscard]] audit::CheckpointSigner& checkpoints();
    [[nodiscard]] QSqlDatabase database() const;

private:
    std::unique_ptr<audit::AuditedConnection> m_connection;
    std::unique_ptr<RuntimeRegistry> m_runtimes;
    std::unique_ptr<policy::PolicyStore> m_policies;
    std::unique_ptr<members::MemberAuthorizer> m_authorizer;
    std::unique_ptr<RequestService> m_requests;
    std::unique_ptr<members::MemberService> m_members;
    std::unique_ptr<members::InvitationService> m_invitations;
    std::unique_ptr<members::SessionService> m_sessions;
    std::unique_ptr<TeamService> m_team;
};

} // namespace countersign::approvals
