#pragma once

#include "crypto/columncipher.h"
#include "crypto/securebuffer.h"
#include "crypto/signingkey.h"
#include "crypto/tlsidentity.h"
#include "error.h"
#include "storage/pgconnectionconfig.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>

#include <memory>
#include <optional>

namespace countersign::audit {
class AuditedConnection;
class AuditLog;
class CheckpointSigner;
} // namespace countersign::audit

namespace countersign::team {

class TeamKey;

/// A team's PostgreSQL database as one node holds it open (docs/team-server.md): the node's
/// own connection, the data key that seals what requests say, the team's audit key and instance
/// key (sealed in the database under the data key), and the audit log. What the vault is to the
/// desktop, this is to a team node: services open their own connections through it.
///
/// Like a vault, it belongs to the thread that opened it; destroying it closes its connection
/// and wipes the keys.
class TeamDatabase final {
public:
    /// The member a new team starts with, who administers it.
    struct Owner {
        QString id = QStringLiteral("owner");
        QString displayName;
        /// The owner's Ed25519 public key: decisions and sessions are proven with it.
        QByteArray publicKey;
    };

    /// Sets up an empty team database: migrates it, makes the data key, the audit key and the
    /// instance key, stores the data key wrapped by \a key, adds \a owner and audits it all in one
    /// transaction. Refused (AlreadyExists) when the database already holds a team, even when two
    /// nodes set it up at once.
    [[nodiscard]] static Result<std::unique_ptr<TeamDatabase>> initialize(const storage::PgConnectionConfig& config,
                                                                          const TeamKey& key, const Owner& owner,
                                                                          const QString& checkpointFile);
    /// Opens a team database: migrates it to this build's schema (refusing a newer one), opens the
    /// data key with \a key and loads the team's keys. \a checkpointFile is this node's own copy of
    /// the checkpoints it witnessed (CheckpointSigner).
    [[nodiscard]] static Result<std::unique_ptr<TeamDatabase>> open(const storage::PgConnectionConfig& config,
                                                                    const TeamKey& key, const QString& checkpointFile);

    ~TeamDatabase();
    TeamDatabase(const TeamDatabase&) = delete;
    TeamDatabase& operator=(const TeamDatabase&) = delete;

    [[nodiscard]] QSqlDatabase database() const;
    [[nodiscard]] const storage::PgConnectionConfig& config() const { return m_config; }
    /// Another connection to the team database, named \a connectionName, for the calling thread.
    [[nodiscard]] Result<QSqlDatabase> openConnection(const QString& connectionName) const;
    /// Another connection with the audit log and the checkpoint signer over it, closing with the
    /// returned object: what a thread's services write evidence with.
    [[nodiscard]] Result<std::unique_ptr<audit::AuditedConnection>>
    openAuditedConnection(const QString& connectionName) const;
    [[nodiscard]] audit::AuditLog& audit() { return *m_audit; }
    /// The key salting the commitments to masked payload values, derived from the audit key.
    [[nodiscard]] crypto::SecureBuffer viewSaltKey() const;
    [[nodiscard]] std::shared_ptr<const crypto::ColumnCipher> cipher() const { return m_cipher; }
    [[nodiscard]] QByteArray instancePublicKey() const { return m_instanceKey->publicKey(); }
    [[nodiscard]] const crypto::SigningKey& instanceKey() const { return *m_instanceKey; }
    [[nodiscard]] QString checkpointFilePath() const { return m_checkpointFile; }
    /// The team's TLS certificate and key, the same on every node: runtimes and members pin its
    /// fingerprint, whichever node they reach.
    [[nodiscard]] const crypto::TlsIdentity& tlsIdentity() const { return *m_tlsIdentity; }
    /// A checkpoint signer over \a connection and \a audit (the log appending through it).
    [[nodiscard]] std::unique_ptr<audit::CheckpointSigner> openCheckpointSigner(const QSqlDatabase& connection,
                                                                                audit::AuditLog& audit) const;

private:
    TeamDatabase(storage::PgConnectionConfig config, QString checkpointFile);
    [[nodiscard]] static Result<std::unique_ptr<TeamDatabase>> connect(const storage::PgConnectionConfig& config,
                                                                       const QString& checkpointFile);
    [[nodiscard]] Result<void> loadKeys(const TeamKey& key);

    storage::PgConnectionConfig m_config;
    QString m_checkpointFile;
    QString m_connectionName;
    std::shared_ptr<const crypto::ColumnCipher> m_cipher;
    crypto::SecureBuffer m_auditKey;
    std::optional<crypto::SigningKey> m_instanceKey;
    std::optional<crypto::TlsIdentity> m_tlsIdentity;
    std::unique_ptr<audit::AuditLog> m_audit;
};

} // namespace countersign::team
