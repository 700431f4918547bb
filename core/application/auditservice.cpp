#include "auditservice.h"

#include "audit/auditedconnection.h"
#include "audit/auditexport.h"
#include "audit/checkpointsigner.h"
#include "team/teamdatabase.h"
#include "vault/vault.h"

#include <QSaveFile>

namespace countersign::application {

AuditService::AuditService(vault::Vault& vault)
    : m_vaultCheckpoints(vault.openCheckpointSigner(vault.database(), vault.audit()))
    , m_log(&vault.audit())
    , m_checkpoints(m_vaultCheckpoints.get())
{
}

AuditService::AuditService(audit::AuditLog& log, audit::CheckpointSigner& checkpoints)
    : m_log(&log)
    , m_checkpoints(&checkpoints)
{
}

std::unique_ptr<AuditService> AuditService::over(std::unique_ptr<audit::AuditedConnection> connection)
{
    std::unique_ptr<AuditService> service(new AuditService(connection->log(), connection->checkpoints()));
    service->m_connection = std::move(connection);
    return service;
}

Result<std::unique_ptr<AuditService>> AuditService::open(const vault::Vault& vault, const QString& connectionName)
{
    auto connection = vault.openAuditedConnection(connectionName);
    COUNTERSIGN_TRY(connection);
    return over(std::move(*connection));
}

Result<std::unique_ptr<AuditService>> AuditService::open(const team::TeamDatabase& team, const QString& connectionName)
{
    auto connection = team.openAuditedConnection(connectionName);
    COUNTERSIGN_TRY(connection);
    return over(std::move(*connection));
}

AuditService::~AuditService() = default;

Result<AuditService::Verification> AuditService::verifyVault(const Progress& progress) const
{
    // The checkpoints that left the vault: what a restored or rewritten vault cannot take back.
    auto checkpoints = m_checkpoints->witnessed();
    COUNTERSIGN_TRY(checkpoints);
    return Verification{m_log->verify(progress, *checkpoints), checkpoints->size()};
}

Result<AuditService::Exported> AuditService::exportTo(const QString& path, const Progress& progress)
{
    // A checkpoint of the log as exported, signed now: the export then proves that the instance
    // wrote every entry in it (docs/audit-format.md).
    auto signedNow = m_checkpoints->sign();
    COUNTERSIGN_TRY(signedNow);
    auto checkpoints = audit::CheckpointSigner::readFile(m_checkpoints->filePath(), m_checkpoints->publicKey());
    COUNTERSIGN_TRY(checkpoints);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(ErrorCode::Io, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    auto written = audit::AuditExport::write(*m_log, *checkpoints, m_checkpoints->publicKey(), file, progress);
    if (!written) {
        file.cancelWriting();
        return std::unexpected(written.error());
    }
    if (!file.commit())
        return fail(ErrorCode::Io, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return Exported{*written, checkpoints->size()};
}

} // namespace countersign::application
