#include "endpointsettings.h"

#include "crypto/tlsidentity.h"
#include "members/teamlistenersettings.h"
#include "vault/vault.h"

#include <QStandardPaths>

namespace countersign::http {

QString EndpointSettings::defaultLocalSocketPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation) +
           QStringLiteral("/countersign/countersign.sock");
}

Result<std::optional<EndpointSettings::Team>> EndpointSettings::teamOf(const vault::Vault& vault)
{
    auto stored = members::TeamListenerSettings::load(vault.database());
    if (!stored)
        return std::unexpected(stored.error());
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

} // namespace countersign::http
