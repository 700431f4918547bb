#pragma once

#include "approvals/requestevents.h"
#include "error.h"

#include <QByteArray>
#include <QString>

#include <memory>

namespace countersign::application {
class AuditService;
}
namespace countersign::approvals {
class Services;
}
namespace countersign::crypto {
struct TlsIdentity;
}
namespace countersign::team {
class TeamDatabase;
}
namespace countersign::vault {
class Vault;
}

namespace countersign::cli {

/// What an administration command acts on: the vault in dataDir, or, with a database URL, a
/// team's PostgreSQL database (docs/team-server.md, "Administering a team").
struct AdminTarget final {
    QString dataDir;
    /// postgresql://... without a password; empty: the vault.
    QString databaseUrl;
    /// The systemd credential holding the team's raw wrapping key; empty: the team passphrase.
    QString keyCredential;

    [[nodiscard]] bool isTeam() const { return !databaseUrl.isEmpty(); }
    /// Where this machine keeps the checkpoints it signs of the team's chain (audit export), as a
    /// node keeps its own: below dataDir, one file per server and database.
    [[nodiscard]] QString teamCheckpointFile() const;
};

/// The vault unlocked, or the team database opened, for one administration command, with its
/// services. The command acts as the owner: the vault's, or the team's first active owner
/// (whom `team init` made). A vault's passphrase comes from the terminal or
/// COUNTERSIGN_PASSPHRASE_FILE, a team's key as a node's does (application::TeamKeySource).
class AdminSession final {
public:
    [[nodiscard]] static Result<std::unique_ptr<AdminSession>> open(const AdminTarget& target);
    /// Over \a team, just set up or opened.
    [[nodiscard]] static Result<std::unique_ptr<AdminSession>> over(std::unique_ptr<team::TeamDatabase> team);
    ~AdminSession();
    AdminSession(const AdminSession&) = delete;
    AdminSession& operator=(const AdminSession&) = delete;

    [[nodiscard]] approvals::Services& services() const { return *m_services; }
    /// The certificate that invitation links and runtimes pin; null on vaults older than schema 5.
    [[nodiscard]] const crypto::TlsIdentity* tlsIdentity() const;
    [[nodiscard]] QByteArray instancePublicKey() const;
    /// The member the command acts for, and how the audit log names them.
    [[nodiscard]] QString ownerId() const { return m_ownerId; }
    [[nodiscard]] QString ownerActor() const;
    [[nodiscard]] bool isTeam() const { return m_team != nullptr; }
    /// The audit use cases over this session's vault or team database.
    [[nodiscard]] Result<std::unique_ptr<application::AuditService>> auditService() const;

    inline static const QString VAULT_OWNER = QStringLiteral("owner");

private:
    AdminSession();
    [[nodiscard]] Result<void> openServices();

    std::unique_ptr<vault::Vault> m_vault;
    std::unique_ptr<team::TeamDatabase> m_team;
    approvals::RequestEvents m_events;
    std::unique_ptr<approvals::Services> m_services;
    QString m_ownerId;
};

} // namespace countersign::cli
