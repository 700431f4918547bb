#pragma once

#include "crypto/signingkey.h"
#include "crypto/tlsidentity.h"
#include "error.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>

#include <memory>

namespace countersign::audit {
class AuditLog;
}

namespace countersign::vault {

/// The keys a vault keeps among its secrets: the audit chain's MAC key, the instance's signing
/// key, the owner's signing key and the team listener's TLS identity. Keys an older vault lacks
/// are made once, at its first unlock, and their making is audited.
class VaultKeys final {
public:
    /// A new vault's first secrets: the audit key and the instance's signing seed, with the
    /// owner's name, in one transaction.
    [[nodiscard]] static Result<void> seed(QSqlDatabase db, const QString& ownerName);
    /// The owner's name, as the vault was created with it.
    [[nodiscard]] static Result<QString> ownerName(QSqlDatabase db);
    [[nodiscard]] static Result<crypto::SigningKey> instanceKey(QSqlDatabase db);
    /// The owner's key (decisions made at this desktop are signed with it), made the first time.
    [[nodiscard]] static Result<std::shared_ptr<const crypto::SigningKey>> ownerKey(QSqlDatabase db,
                                                                                    audit::AuditLog& audit);
    /// The team listener's certificate and key, made the first time: members pin its fingerprint.
    /// The certificate names the instance by \a instancePublicKey's fingerprint, never the owner.
    [[nodiscard]] static Result<crypto::TlsIdentity> tlsIdentity(QSqlDatabase db, audit::AuditLog& audit,
                                                                 const QByteArray& instancePublicKey);
};

} // namespace countersign::vault
