#include "services.h"

#include "audit/auditedconnection.h"
#include "audit/auditlog.h"
#include "audit/checkpointsigner.h"
#include "crypto/signingkey.h"
#include "members/invitationservice.h"
#include "members/memberauthorizer.h"
#include "members/memberservice.h"
#include "members/sessionservice.h"
#include "policy/policystore.h"
#include "requestservice.h"
#include "runtimeregistry.h"
#include "teamservice.h"

namespace countersign::approvals {

Services::Services(std::unique_ptr<audit::AuditedConnection> connection, RequestEvents& events, const Keys& keys)
    : m_connection(std::move(connection))
{
    const QSqlDatabase db = m_connection->database();
    audit::AuditLog& log = m_connection->log();
    m_authorizer = std::make_unique<members::MemberAuthorizer>(db);
    m_runtimes = std::make_unique<RuntimeRegistry>(db, log, *m_authorizer);
    m_policies = std::make_unique<policy::PolicyStore>(db, log, *m_authorizer);
    m_requests =
        std::make_unique<RequestService>(db, log, *m_runtimes, *m_policies, events, *m_authorizer, keys.cipher);
    m_members = std::make_unique<members::MemberService>(db, log);
    m_invitations = std::make_unique<members::InvitationService>(db, log, *m_members);
    m_sessions = std::make_unique<members::SessionService>(db, log, *m_members);
    m_sessions->setInstance(audit::Checkpoint::originFor(keys.instancePublicKey));
    m_team = std::make_unique<TeamService>(*m_requests, *m_members, *m_invitations, *m_sessions);
    m_requests->setTeamApi(m_team.get());
    m_requests->setCheckpointSigner(&m_connection->checkpoints());
    m_requests->setViewSaltKey(keys.viewSaltKey);
    if (keys.ownerKey)
        m_requests->setLocalSigningKey(keys.ownerId, keys.ownerKey);
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
    m_connection.reset(); // the log and the checkpoint signer, then the connection
}

audit::AuditLog& Services::audit()
{
    return m_connection->log();
}

audit::CheckpointSigner& Services::checkpoints()
{
    return m_connection->checkpoints();
}

QSqlDatabase Services::database() const
{
    return m_connection->database();
}

} // namespace countersign::approvals
