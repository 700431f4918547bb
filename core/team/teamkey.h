#pragma once

#include "crypto/keyderivation.h"
#include "crypto/securebuffer.h"
#include "error.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace countersign::team {

/// What opens the team's data key on a node (docs/team-server.md, "Keys"): the team passphrase,
/// or a raw 32-byte wrapping key, read from a systemd credential or handed over directly.
class TeamKey final {
public:
    /// The team passphrase; wrapping derives the key with \a params (Argon2id), by default
    /// DataKeyWrap::passphraseParams() with a fresh salt.
    [[nodiscard]] static TeamKey passphrase(crypto::SecureBuffer passphrase);
    [[nodiscard]] static TeamKey passphrase(crypto::SecureBuffer passphrase, const crypto::KdfParams& params);
    /// A raw wrapping key (DataKeyWrap::WRAPPING_KEY_SIZE bytes).
    [[nodiscard]] static TeamKey wrappingKey(crypto::SecureBuffer key);
    /// The raw wrapping key in systemd credential \a name.
    [[nodiscard]] static Result<TeamKey> fromCredential(const QString& name);

    /// Seals \a dataKey as the team database stores it.
    [[nodiscard]] Result<QByteArray> wrap(const crypto::SecureBuffer& dataKey) const;
    /// Opens the data key the team database stores; WrongPassphrase when this key does not open it.
    [[nodiscard]] Result<crypto::SecureBuffer> unwrap(QByteArrayView wrapped) const;

private:
    enum class Kind { Passphrase, WrappingKey };
    TeamKey(Kind kind, crypto::SecureBuffer secret, const crypto::KdfParams& params);

    Kind m_kind;
    crypto::SecureBuffer m_secret;
    crypto::KdfParams m_params;
};

} // namespace countersign::team
