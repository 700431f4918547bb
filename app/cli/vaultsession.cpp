#include "vaultsession.h"

#include "application/openservices.h"
#include "approvals/services.h"
#include "vault/passphrasereader.h"
#include "vault/vault.h"

namespace countersign::cli {

VaultSession::~VaultSession()
{
    services.reset(); // its connection closes before the vault's
}

Result<std::unique_ptr<VaultSession>> VaultSession::unlock(const QString& dataDir)
{
    auto passphrase = vault::PassphraseReader::read("COUNTERSIGN_PASSPHRASE_FILE", QStringLiteral("Passphrase: "));
    if (!passphrase)
        return std::unexpected(passphrase.error());
    auto vault = vault::Vault::open(dataDir, *passphrase);
    if (!vault)
        return std::unexpected(vault.error());
    auto session = std::make_unique<VaultSession>();
    session->vault = std::move(*vault);
    auto services = application::openServices(*session->vault, session->events, QStringLiteral("cli-admin"));
    if (!services)
        return std::unexpected(services.error());
    session->services = std::move(*services);
    return session;
}

} // namespace countersign::cli
