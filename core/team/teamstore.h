#pragma once

#include "crypto/columncipher.h"
#include "crypto/securebuffer.h"
#include "error.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>

#include <memory>
#include <optional>

namespace countersign::team {

/// The rows of a team database that hold its keys (docs/team-server.md, "What is encrypted
/// where"): the wrapped data key in `data_keys`, and the team's own secrets (the audit key, the
/// instance seed) in `secrets`, each sealed under the data key for its row.
class TeamStore final {
public:
    inline static const QString AUDIT_KEY = QStringLiteral("audit_key");
    inline static const QString INSTANCE_SEED = QStringLiteral("instance_seed");
    inline static const QString TLS_CERTIFICATE = QStringLiteral("tls_certificate");
    inline static const QString TLS_KEY = QStringLiteral("tls_key");

    /// Over \a db; \a cipher seals and opens the secrets (null: only the data key can be read).
    TeamStore(QSqlDatabase db, std::shared_ptr<const crypto::ColumnCipher> cipher);

    /// The wrapped data key of \a version; nullopt before the team was set up.
    [[nodiscard]] Result<std::optional<QByteArray>> wrappedDataKey(int version) const;
    /// Stores the wrapped data key of \a version; false when another node stored one first.
    [[nodiscard]] Result<bool> addWrappedDataKey(int version, const QByteArray& wrapped, qint64 createdAt) const;

    /// The secret \a name, opened (Integrity when the team lacks it or it was moved or altered).
    [[nodiscard]] Result<crypto::SecureBuffer> secret(const QString& name) const;
    /// Seals \a value for its row and stores it.
    [[nodiscard]] Result<void> addSecret(const QString& name, const crypto::SecureBuffer& value) const;

    /// Adds the team's first member, \a memberId, as its owner.
    [[nodiscard]] Result<void> addOwner(const QString& memberId, const QString& displayName,
                                        const QByteArray& publicKey, qint64 createdAt) const;

private:
    QSqlDatabase m_db;
    std::shared_ptr<const crypto::ColumnCipher> m_cipher;
};

} // namespace countersign::team
