#pragma once

#include "crypto/keyderivation.h"
#include "error.h"

namespace countersign::crypto {
class SecureBuffer;
}

namespace countersign::vault {

class Vault;

/// A passphrase change (Vault::changePassphrase): the database is copied under the new key to
/// the next generation's file, the change is audited in the copy, and rewriting the header is
/// the single commit point (docs/architecture.md, "Where data lives"). After an interruption
/// either the old or the new passphrase opens the vault, never neither.
class VaultRekey final {
public:
    [[nodiscard]] static Result<void> run(Vault& vault, const crypto::SecureBuffer& newPassphrase,
                                          const crypto::KdfParams& kdf);
};

} // namespace countersign::vault
