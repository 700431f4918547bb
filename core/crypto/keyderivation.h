#pragma once

#include "error.h"

#include <QByteArray>
#include <QJsonObject>

#include <cstddef>

namespace countersign::crypto {

class SecureBuffer;

/// Argon2id parameters; stored in plaintext beside the vault so the key can be derived again.
struct KdfParams final {
    QByteArray salt;          // crypto_pwhash_SALTBYTES
    quint64 opsLimit = 0;     // Argon2 passes
    std::size_t memLimit = 0; // bytes

    /// Fresh salt with the product's default limits: 3 passes over 128 MiB, between libsodium's
    /// "interactive" and "moderate" settings (about half a second on the reference laptop).
    [[nodiscard]] static KdfParams defaults();
    /// Cheaper limits for tests and benchmarks that derive keys many times.
    [[nodiscard]] static KdfParams fast();

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<KdfParams> fromJson(const QJsonObject& json);
};

/// Turns a passphrase into a raw 256-bit key with Argon2id (libsodium crypto_pwhash).
[[nodiscard]] Result<SecureBuffer> deriveKey(const SecureBuffer& passphrase, const KdfParams& params);

} // namespace countersign::crypto

namespace countersign::crypto {

/// A value that shows whether \a key is the right one without trying it on the database:
/// BLAKE2b-256 keyed with the key over a fixed label. Reveals nothing usable about the key.
[[nodiscard]] QByteArray keyCheckValue(const SecureBuffer& key);

} // namespace countersign::crypto
