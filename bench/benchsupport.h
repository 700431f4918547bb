#pragma once

#include "http/endpointsettings.h"
#include "vault/vault.h"

#include <QTemporaryDir>

#include <memory>

namespace countersign::application {
class Instance;
}

namespace countersign::bench {

/// Quiets the logs and initialises libsodium; every benchmark starts here.
void initialize();
/// A vault in \a dir with the fast KDF (unlock time is not what these programs measure);
/// exits the program if it cannot be created.
[[nodiscard]] std::unique_ptr<vault::Vault> scratchVault(const QTemporaryDir& dir);
/// The running app on a scratchVault() in \a dir, built as every front end builds it, its
/// endpoint (on \a settings) not started; exits the program if it cannot be built.
[[nodiscard]] std::unique_ptr<application::Instance> scratchInstance(const QTemporaryDir& dir,
                                                                     const http::EndpointSettings& settings = {});
/// Appends audit entries until the log holds \a count, in batches of 10,000.
void fillAuditLog(vault::Vault& vault, qint64 count);
/// The resident set size of this process, in MiB (-1 if unknown).
[[nodiscard]] double residentMiB();

} // namespace countersign::bench
