#pragma once

#include "error.h"

#include <QSqlDatabase>
#include <QString>

#include <memory>

namespace countersign::audit {
class AuditLog;
class CheckpointSigner;
} // namespace countersign::audit
namespace countersign::members {
class InvitationService;
class MemberAuthorizer;
class MemberService;
class SessionService;
} // namespace countersign::members
namespace countersign::policy {
class PolicyStore;
}
namespace countersign::vault {
class Vault;
}

namespace countersign::approvals {

class RequestEvents;
class RequestService;
class RuntimeRegistry;
class TeamService;

/// The services of one thread over its own connection to an unlocked vault: audit log,
/// runtimes, policies and requests. The endpoint thread and the window each hold one.
class Services final {
public:
    /// Opens a new connection named \a connectionName; call from the thread that will use it.
    [[nodiscard]] static Result<std::unique_ptr<Services>> open(const vault::Vault& vault, RequestEvents& events,
                                                                const QString& connectionName);
    ~Services();
    Services(const Services&) = delete;
    Services& operator=(const Services&) = delete;

    [[nodiscard]] audit::AuditLog& audit() { return *m_audit; }
    [[nodiscard]] RuntimeRegistry& runtimes() { return *m_runtimes; }
    [[nodiscard]] policy::PolicyStore& policies() { return *m_policies; }
    [[nodiscard]] RequestService& requests() { return *m_requests; }
    [[nodiscard]] members::MemberService& members() { return *m_members; }
    [[nodiscard]] members::InvitationService& invitations() { return *m_invitations; }
    [[nodiscard]] members::SessionService& sessions() { return *m_sessions; }
    [[nodiscard]] TeamService& team() { return *m_team; }
    [[nodiscard]] audit::CheckpointSigner& checkpoints() { return *m_checkpoints; }
    [[nodiscard]] QSqlDatabase database() const;

private:
    explicit Services(QString connectionName);

    QString m_connectionName;
    std::unique_ptr<audit::AuditLog> m_audit;
    std::unique_ptr<audit::CheckpointSigner> m_checkpoints;
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
