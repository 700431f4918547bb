#pragma once

#include "crypto/securebuffer.h"
#include "error.h"

#include <QString>

namespace countersign::vault {

/// Where countersign-cli and `countersign --headless` get passphrases: the file named by an environment variable
/// (COUNTERSIGN_PASSPHRASE_FILE, first line), or else the terminal with echo off.
/// Never argv, never the environment's value itself.
class PassphraseReader final {
public:
    /// \a fileVariable names the environment variable that may point at a passphrase file.
    [[nodiscard]] static Result<crypto::SecureBuffer> read(const char* fileVariable, const QString& prompt);
    /// Asks twice on the terminal (or reads the file once) and refuses a mismatch.
    [[nodiscard]] static Result<crypto::SecureBuffer> readNew(const char* fileVariable, const QString& prompt);
};

} // namespace countersign::vault
