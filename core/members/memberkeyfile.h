#pragma once

#include "crypto/keyderivation.h"
#include "crypto/signingkey.h"
#include "error.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace countersign::crypto {
class SecureBuffer;
}

namespace countersign::members {

/// A member's side of a team: their Ed25519 key, sealed under their passphrase (Argon2id as the
/// vault, then XSalsa20-Poly1305), and the instance they joined with its pinned certificate
/// fingerprint. The private key never leaves this file and this machine.
struct MemberKeyFile final {
    QString host;
    quint16 port = 0;
    QByteArray certificateSha256; // pinned from the invitation link
    QString memberId;             // known once the invitation is redeemed
    QString displayName;
    QString role;
    QByteArray publicKey;

    /// Writes the file (mode 0600, atomically) with \a key sealed under \a passphrase, which
    /// must pass the vault's passphrase rule (WeakPassphrase otherwise; the display name counts
    /// as a guess).
    [[nodiscard]] Result<void> save(const QString& path, const crypto::SigningKey& key,
                                    const crypto::SecureBuffer& passphrase,
                                    const crypto::KdfParams& kdf = crypto::KdfParams::defaults()) const;
    /// Rewrites the metadata, keeping the sealed key as it is (no passphrase needed).
    [[nodiscard]] Result<void> update(const QString& path) const;
    /// The metadata, without unsealing the key.
    [[nodiscard]] static Result<MemberKeyFile> read(const QString& path);
    /// The key; WrongPassphrase when \a passphrase does not unseal it.
    [[nodiscard]] static Result<crypto::SigningKey> unseal(const QString& path, const crypto::SecureBuffer& passphrase);

    inline static const QString FORMAT = QStringLiteral("countersign-member-key");
    /// `$XDG_CONFIG_HOME/countersign/member.json`.
    [[nodiscard]] static QString defaultPath();
};

} // namespace countersign::members
