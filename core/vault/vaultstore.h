#pragma once

#include "crypto/securebuffer.h"
#include "error.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>

namespace countersign::vault {

/// Every SQL statement the vault itself runs on the secrets table (keys and seeds, never shown)
/// and on the owner's public key, over one of its connections; its meta values are a MetaStore's.
class VaultStore final {
public:
    inline static const QString AUDIT_KEY = QStringLiteral("audit_mac_key");
    inline static const QString INSTANCE_SEED = QStringLiteral("instance_signing_seed");
    inline static const QString OWNER_SEED = QStringLiteral("owner_signing_seed");
    inline static const QString TLS_CERTIFICATE = QStringLiteral("tls_certificate");
    inline static const QString TLS_KEY = QStringLiteral("tls_private_key");

    explicit VaultStore(QSqlDatabase db);

    /// Secret \a name; Integrity when the vault lacks it.
    [[nodiscard]] Result<crypto::SecureBuffer> secret(const QString& name) const;
    [[nodiscard]] Result<bool> hasSecret(const QString& name) const;
    [[nodiscard]] Result<void> addSecret(const QString& name, const crypto::SecureBuffer& value) const;
    /// The owner is a member (schema 2) without a public key yet.
    [[nodiscard]] Result<bool> ownerLacksKey() const;
    [[nodiscard]] Result<void> setOwnerPublicKey(const QByteArray& publicKey) const;

private:
    QSqlDatabase m_db;
};

} // namespace countersign::vault
