#pragma once

#include "audit/auditlog.h"
#include "error.h"

#include <QString>

#include <functional>
#include <memory>

namespace countersign::audit {
class AuditedConnection;
class CheckpointSigner;
} // namespace countersign::audit
namespace countersign::team {
class TeamDatabase;
}
namespace countersign::vault {
class Vault;
}

namespace countersign::application {

/// The audit use cases every front end shares (the window's Vault and Audit tabs, the CLI's
/// `vault check` and `audit export`, the tests): the vault's chain verified against every
/// checkpoint that left it, and the chain exported with a checkpoint signed for it
/// (docs/audit-format.md). One service works over one connection, from the thread that owns it.
class AuditService final {
public:
    /// Told the entries done so far, now and then; returning false cancels.
    using Progress = std::function<bool(qint64 done)>;

    /// What verifying the vault found: the chain's verdict (ok, the first broken entry, or
    /// Cancelled with the entries checked until then) and how many signed checkpoints it was
    /// held against.
    struct Verification {
        audit::VerifyResult chain;
        qsizetype checkpoints = 0;
    };

    /// What an export wrote.
    struct Exported {
        qint64 entries = 0;
        qsizetype checkpoints = 0;
    };

    /// Over the vault's own connection and audit log: for the thread that opened \a vault.
    explicit AuditService(vault::Vault& vault);
    /// Over a connection of its own named \a connectionName, for the calling thread (a worker's);
    /// the connection closes with the service.
    [[nodiscard]] static Result<std::unique_ptr<AuditService>> open(const vault::Vault& vault,
                                                                    const QString& connectionName);
    /// The same over a connection to the team database \a team: its one chain, with the checkpoints
    /// this process signs kept in \a team's checkpoint file (docs/team-server.md).
    [[nodiscard]] static Result<std::unique_ptr<AuditService>> open(const team::TeamDatabase& team,
                                                                    const QString& connectionName);
    ~AuditService();
    AuditService(const AuditService&) = delete;
    AuditService& operator=(const AuditService&) = delete;

    /// Walks the whole chain (every hash, MAC, link and the order) and holds it against every
    /// checkpoint in the checkpoint file beside the vault, which the log must match and reach.
    /// An Error when there is no verdict on the chain: Integrity when the checkpoint file lags
    /// behind the vault (deleted or replaced by an older copy: the evidence outside is gone),
    /// Io when it cannot be read.
    [[nodiscard]] Result<Verification> verifyVault(const Progress& progress = {}) const;

    /// Signs a checkpoint of the log as it stands (refused if the log was cut or rewritten), then
    /// writes the chain and every signed checkpoint to \a path as JSON Lines, whole or not at all.
    [[nodiscard]] Result<Exported> exportTo(const QString& path, const Progress& progress = {});

private:
    AuditService(audit::AuditLog& log, audit::CheckpointSigner& checkpoints);
    [[nodiscard]] static std::unique_ptr<AuditService> over(std::unique_ptr<audit::AuditedConnection> connection);

    std::unique_ptr<audit::AuditedConnection> m_connection;      // when the service has its own
    std::unique_ptr<audit::CheckpointSigner> m_vaultCheckpoints; // over the vault's connection
    audit::AuditLog* m_log = nullptr;
    audit::CheckpointSigner* m_checkpoints = nullptr;
};

} // namespace countersign::application
