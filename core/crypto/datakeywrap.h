#pragma once

#include "error.h"
#include "keyderivation.h"
#include "securebuffer.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace countersign::crypto {

/// The team's data key as the database stores it: sealed under a key-encryption key that never
/// reaches the database. That key is derived with Argon2id from the team passphrase, or read raw
/// (32 bytes) from a systemd credential, which systemd-creds(1) can keep encrypted under the
/// machine's TPM. The stored form is a small JSON document (docs/team-server.md).
class DataKeyWrap final {
public:
    static constexpr qsizetype WRAPPING_KEY_SIZE = 32;

    /// Argon2id at libsodium's MODERATE limits (3 passes over 256 MiB). A node derives the key
    /// once when it starts, not per request, and the wrapped key sits in every database dump:
    /// offline guessing is the attack to price, so the cost is higher than the desktop unlock's.
    [[nodiscard]] static KdfParams passphraseParams();

    /// Seals \a dataKey under a key derived from \a passphrase with \a params (salt included).
    [[nodiscard]] static Result<QByteArray> wrapWithPassphrase(const SecureBuffer& dataKey,
                                                               const SecureBuffer& passphrase, const KdfParams& params);
    /// Seals \a dataKey under \a wrappingKey (WRAPPING_KEY_SIZE bytes, e.g. from a credential).
    [[nodiscard]] static Result<QByteArray> wrapWithKey(const SecureBuffer& dataKey, const SecureBuffer& wrappingKey);

    /// Opens a key wrapped by wrapWithPassphrase(); WrongPassphrase when \a passphrase does not open it.
    [[nodiscard]] static Result<SecureBuffer> unwrapWithPassphrase(QByteArrayView wrapped,
                                                                   const SecureBuffer& passphrase);
    /// Opens a key wrapped by wrapWithKey(); WrongPassphrase when \a wrappingKey does not open it.
    [[nodiscard]] static Result<SecureBuffer> unwrapWithKey(QByteArrayView wrapped, const SecureBuffer& wrappingKey);

    /// The raw wrapping key in systemd credential \a name (exactly WRAPPING_KEY_SIZE bytes).
    [[nodiscard]] static Result<SecureBuffer> readWrappingKeyCredential(const QString& name);
};

} // namespace countersign::crypto
