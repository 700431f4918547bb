#include "services.h"

#include "crypto/securebuffer.h"

#include "audit/auditlog.h"
#include "audit/checkpointsigner.h"
#include "members/invitationservice.h"
#include "members/memberauthorizer.h"
#include "members/memberservice.h"
#include "members/sessionservice.h"
#include "policy/policystore.h"
#include "requestservice.h"
#include "runtimeregistry.h"
#include "teamservice.h"
#include "vault/vault.h"

namespace countersign::approvals {

Services::Services(QString connectionName)
    : m_connectionName(std::move(connectionName))
{
}

Services::~Services()
{
    m_team.reset();
    m_requests.reset();
    m_sessions.reset();
    m_invitations.reset();
    m_members.reset();
    m_policies.reset();
    m_runtimes.reset();
    m_authorizer.reset();
    m_checkpoints.reset();
    m_audit.reset();
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

QSqlDatabase Services::database() const
{
    return QSqlDatabase::database(m_connectionName, false);
}

Result<std::unique_ptr<Services>> Services::open(const vault::Vault& vault, RequestEvents& events,
                                                 const QString& connectionName)
{
    auto db = vault.openConnection(connectionName);
    COUNTERSIGN_TRY(db);
    std::unique_ptr<Services> services(new Services(connectionName));
    auto audit = vault.openAuditLog(*db);
    COUNTERSIGN_TRY(audit);
    services->m_audit = std::move(*audit);
    services->m_checkpoints = vault.openCheckpointSigner(*db, *services->m_audit);
    services->m_authorizer = std::make_unique<members::MemberAuthorizer>(*db);
    services->m_runtimes = std::make_unique<RuntimeRegistry>(*db, *services->m_audit, *services->m_authorizer);
    services->m_policies = std::make_unique<policy::PolicyStore>(*db, *services->m_audit, *services->m_authorizer);
    services->m_requests = std::make_unique<RequestService>(*db, *services->m_audit, *services->m_runtimes,
                                                            *services->m_policies, events, *services->m_authorizer);
    services->m_members = std::make_unique<members::MemberService>(*db, *services->m_audit);
    services->m_invitations =
        std::make_unique<members::InvitationService>(*db, *services->m_audit, *services->m_members);
    services->m_sessions = std::make_unique<members::SessionService>(*db, *services->m_audit, *services->m_members);
    services->m_sessions->setInstance(audit::Checkpoint::originFor(vault.instancePublicKey()));
    services->m_team = std::make_unique<TeamService>(*services->m_requests, *services->m_members,
                                                     *services->m_invitations, *services->m_sessions);
    services->m_requests->setTeamApi(services->m_team.get());
    services->m_requests->setCheckpointSigner(services->m_checkpoints.get());
    auto viewKey = vault.viewSaltKey(*db);
    COUNTERSIGN_TRY(viewKey);
    services->m_requests->setViewSaltKey(*viewKey);
    if (auto ownerKey = vault.ownerKey())
        services->m_requests->setLocalSigningKey(vault::Vault::OWNER_MEMBER_ID, ownerKey);
    return services;
}

} // namespace countersign::approvals
