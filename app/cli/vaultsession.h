#pragma once

#include "approvals/requestevents.h"
#include "error.h"

#include <QString>

#include <memory>

namespace countersign::vault {
class Vault;
}
namespace countersign::approvals {
class Services;
}

namespace countersign::cli {

/// The vault unlocked for one administration command, with its services. The passphrase comes
/// from the terminal or COUNTERSIGN_PASSPHRASE_FILE; the command acts as the owner.
struct VaultSession {
    std::unique_ptr<vault::Vault> vault;
    approvals::RequestEvents events;
    std::unique_ptr<approvals::Services> services;

    ~VaultSession();
    [[nodiscard]] static Result<std::unique_ptr<VaultSession>> unlock(const QString& dataDir);
    inline static const QString OWNER = QStringLiteral("owner");
    inline static const QString OWNER_ACTOR = QStringLiteral("member:owner");
};

} // namespace countersign::cli
