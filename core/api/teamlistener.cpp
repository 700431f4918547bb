#include "teamlistener.h"

#include "crypto/tlsidentity.h"
#include "members/teamlistenersettings.h"
#include "vault/vault.h"

namespace countersign::api {

Result<std::optional<http::EndpointSettings::Team>> teamListenerOf(const vault::Vault& vault)
{
    using Team = http::EndpointSettings::Team;
    auto stored = members::TeamListenerSettings::load(vault.database());
    COUNTERSIGN_TRY(stored);
    const std::optional<members::TeamListenerSettings> on = *stored;
    if (!on)
        return std::optional<Team>();
    const crypto::TlsIdentity* identity = vault.tlsIdentity();
    if (!identity)
        return fail(ErrorCode::UnsupportedSchema, QStringLiteral("this vault has no TLS identity for a team listener"));
    Team team;
    team.address = on->address;
    team.port = on->port;
    team.publicHost = on->publicHost;
    team.certificatePem = identity->certificatePem;
    team.privateKeyPem = std::make_shared<const crypto::SecureBuffer>(identity->privateKeyPem.clone());
    return std::optional<Team>(team);
}

} // namespace countersign::api
