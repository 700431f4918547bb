#pragma once

#include "crypto/keyderivation.h"
#include "error.h"

#include <QByteArray>
#include <QString>

namespace countersign::vault {

/// The plaintext file beside the encrypted database (`vault.json`): which database file is
/// current, the Argon2id salt and limits, and a check value of the derived key. It holds no
/// secret: the check value is a keyed hash that only someone with the key can reproduce.
///
/// Replacing this file (write, fsync, rename) is the single commit point of a passphrase
/// change, which is what makes re-keying atomic.
struct VaultHeader final {
    static constexpr int FORMAT_VERSION = 1;

    QString databaseFile; // relative to the data directory
    crypto::KdfParams kdf;
    QByteArray keyCheck; // BLAKE2b-256 keyed with the database key, over a fixed label

    [[nodiscard]] static Result<VaultHeader> load(const QString& path);
    /// Writes to a temporary file, fsyncs it, renames it over \a path and fsyncs the directory.
    [[nodiscard]] Result<void> save(const QString& path) const;
};

} // namespace countersign::vault
