#include "openservices.h"

#include "approvals/services.h"
#include "audit/auditedconnection.h"
#include "team/teamdatabase.h"
#include "vault/vault.h"

namespace countersign::application {

Result<std::unique_ptr<approvals::Services>> openServices(const vault::Vault& vault, approvals::RequestEvents& events,
                                                          const QString& connectionName)
{
    auto connection = vault.openAuditedConnection(connectionName);
    COUNTERSIGN_TRY(connection);
    auto viewSaltKey = vault.viewSaltKey((*connection)->database());
    COUNTERSIGN_TRY(viewSaltKey);
    const approvals::Services::Keys keys{vault.instancePublicKey(), std::move(*viewSaltKey), vault.ownerKey(),
                                         vault::Vault::OWNER_MEMBER_ID, nullptr};
    return std::make_unique<approvals::Services>(std::move(*connection), events, keys);
}

Result<std::unique_ptr<approvals::Services>>
openServices(const team::TeamDatabase& team, approvals::RequestEvents& events, const QString& connectionName)
{
    auto connection = team.openAuditedConnection(connectionName);
    COUNTERSIGN_TRY(connection);
    // A team node signs no decision itself: every member proves their own with their key.
    approvals::Services::Keys keys{team.instancePublicKey(), team.viewSaltKey(), nullptr, QString(), team.cipher()};
    return std::make_unique<approvals::Services>(std::move(*connection), events, keys);
}

} // namespace countersign::application
