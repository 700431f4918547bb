#pragma once

#include "crypto/keyderivation.h"
#include "crypto/securebuffer.h"
#include "crypto/signingkey.h"
#include "crypto/tlsidentity.h"
#include "error.h"
#include "unlockfailures.h"
#include "vaultlock.h"

#include <QMutex>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace countersign::audit {
class AuditedConnection;
class AuditLog;
class CheckpointSigner;
} // namespace countersign::audit

namespace countersign::vault {

/// The encrypted store of everything Countersign knows (docs/architecture.md, "Where data lives"): one SQLCipher
/// database keyed by Argon2id from the owner's passphrase, plus the plaintext header `vault.json` beside it.
///
/// A Vault is unlocked while the object lives; destroying it closes the database and wipes
/// the key. Its database connection belongs to the thread that opened it.
class Vault final {
public:
    struct CreateOptions {
        crypto::KdfParams kdf = crypto::KdfParams::defaults();
        /// Stop at this schema version instead of the latest (for upgrade tests).
        std::optional<int> schemaVersion;
    };

    inline static const QString HEADER_FILE = QStringLiteral("vault.json");
    inline static const QString FAILED_UNLOCKS_FILE = UnlockFailures::FILE_NAME;

    /// `$XDG_DATA_HOME/countersign` (usually ~/.local/share/countersign).
    [[nodiscard]] static QString defaultDataDir();
    [[nodiscard]] static bool exists(const QString& dataDir);

    /// Creates a vault in \a dataDir, refusing weak passphrases and existing vaults.
    [[nodiscard]] static Result<std::unique_ptr<Vault>> create(const QString& dataDir, const QString& ownerName,
                                                               const crypto::SecureBuffer& passphrase,
                                                               const CreateOptions& options);
    [[nodiscard]] static Result<std::unique_ptr<Vault>> create(const QString& dataDir, const QString& ownerName,
                                                               const crypto::SecureBuffer& passphrase);
    /// Unlocks an existing vault. A wrong passphrase leaves every vault file untouched; the
    /// failure is noted beside the vault and audited at the next successful unlock.
    ///
    /// The vault holds a VaultLock on \a dataDir while it lives: shared by default (other
    /// processes may use the vault too), or exclusive for a process about to re-key it, which
    /// is then refused (Conflict) while any other process has the vault open.
    [[nodiscard]] static Result<std::unique_ptr<Vault>> open(const QString& dataDir,
                                                             const crypto::SecureBuffer& passphrase,
                                                             VaultLock::Mode lockMode = VaultLock::Mode::Shared);
    /// Checks \a passphrase against the vault's header without opening the database (for
    /// confirming the current passphrase before a change). A wrong one is noted like a failed unlock.
    [[nodiscard]] static Result<void> verifyPassphrase(const QString& dataDir, const crypto::SecureBuffer& passphrase);
    /// Secure mode: the linked SQLite must be SQLCipher.
    [[nodiscard]] static Result<void> requireCipher(const QString& cipherVersion);

    ~Vault();
    Vault(const Vault&) = delete;
    Vault& operator=(const Vault&) = delete;

    /// Re-keys the vault atomically: after an interruption either the old or the new
    /// passphrase opens it, never neither. Refused (Conflict) while connections from
    /// openConnection() are still open, or while another process has the vault open: they
    /// would keep writing to the replaced file.
    [[nodiscard]] Result<void> changePassphrase(const crypto::SecureBuffer& newPassphrase,
                                                const crypto::KdfParams& kdf = crypto::KdfParams::defaults());

    [[nodiscard]] QSqlDatabase database() const;
    /// Fails (Unavailable, saying why) once the database file this vault opened was replaced or
    /// removed by another program: whatever is written from then on would be lost.
    [[nodiscard]] Result<void> checkDatabaseFile() const;
    /// Another connection to this vault, named \a connectionName, for use by the calling thread
    /// only (Qt Sql connections are thread-affine). Close it with QSqlDatabase::removeDatabase.
    [[nodiscard]] Result<QSqlDatabase> openConnection(const QString& connectionName) const;
    /// Another connection (openConnection()) with the audit log appending through it and the
    /// checkpoint signer over that log: what a thread's services or audit jobs write evidence
    /// with. The connection closes with the returned object.
    [[nodiscard]] Result<std::unique_ptr<audit::AuditedConnection>>
    openAuditedConnection(const QString& connectionName) const;
    [[nodiscard]] audit::AuditLog& audit() { return *m_audit; }
    /// The key that salts the commitments to masked payload values (approvals::PayloadView),
    /// derived from the audit key through \a connection: stable for the vault's life, never shown.
    [[nodiscard]] Result<crypto::SecureBuffer> viewSaltKey(const QSqlDatabase& connection) const;
    [[nodiscard]] QString dataDir() const { return m_dataDir; }
    [[nodiscard]] QString databasePath() const;
    [[nodiscard]] QString ownerName() const { return m_ownerName; }
    [[nodiscard]] QString cipherVersion() const { return m_cipherVersion; }
    [[nodiscard]] int schemaVersion() const { return m_schemaVersion; }
    /// The instance's Ed25519 public key (checkpoints and receipts are signed with it).
    [[nodiscard]] QByteArray instancePublicKey() const;
    /// The instance's signing key; lives as long as this vault.
    [[nodiscard]] const crypto::SigningKey& instanceKey() const
    {
        // Set by loadSecrets() before any Vault is handed out (create() and open() fail otherwise).
        return *m_instanceKey; // NOLINT(bugprone-unchecked-optional-access)
    }
    /// The owner's Ed25519 key (decisions made at this desktop are signed with it); null on
    /// vaults older than members.
    [[nodiscard]] std::shared_ptr<const crypto::SigningKey> ownerKey() const { return m_ownerKey; }
    inline static const QString OWNER_MEMBER_ID = QStringLiteral("owner");
    /// The team listener's certificate and key (null on vaults older than schema 5).
    [[nodiscard]] const crypto::TlsIdentity* tlsIdentity() const { return m_tlsIdentity ? &*m_tlsIdentity : nullptr; }
    /// The plain, append-only checkpoint file beside the vault.
    [[nodiscard]] QString checkpointFilePath() const;
    /// A checkpoint signer over \a connection and \a audit (the log appending through it).
    [[nodiscard]] std::unique_ptr<audit::CheckpointSigner> openCheckpointSigner(const QSqlDatabase& connection,
                                                                                audit::AuditLog& audit) const;

private:
    friend class VaultRekey; // the re-key switches this vault's connection, key and files

    Vault(QString dataDir, QString databaseFile, crypto::SecureBuffer key);
    [[nodiscard]] Result<void> connect(const QString& databaseFile, crypto::SecureBuffer key, bool create);
    [[nodiscard]] Result<void> configureConnection();
    [[nodiscard]] Result<void> loadSecrets();
    [[nodiscard]] Result<void> ensureOwnerKey();
    [[nodiscard]] Result<void> ensureTlsIdentity();
    [[nodiscard]] Result<void> auditPendingFailures();
    /// Removes database files the header does not name, under the exclusive lock only.
    void removeStaleDatabases() const;
    void disconnect();

    std::optional<VaultLock> m_lock; // first declared, so released after everything else
    QString m_dataDir;
    QString m_databaseFile;
    QString m_connectionName;
    mutable QMutex m_connectionsMutex;
    mutable QStringList m_otherConnections;
    crypto::SecureBuffer m_key;
    QString m_ownerName;
    QString m_cipherVersion;
    int m_schemaVersion = 0;
    std::optional<crypto::SigningKey> m_instanceKey;
    std::shared_ptr<const crypto::SigningKey> m_ownerKey;
    std::optional<crypto::TlsIdentity> m_tlsIdentity;
    std::unique_ptr<audit::AuditLog> m_audit;
};

} // namespace countersign::vault
