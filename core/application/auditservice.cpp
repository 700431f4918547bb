#include "auditservice.h"

#include "audit/auditexport.h"
#include "audit/checkpointsigner.h"
#include "vault/vault.h"

#include <QSaveFile>

namespace countersign::application {

AuditService::AuditService(vault::Vault& vault)
    : m_log(&vault.audit())
    , m_checkpoints(vault.openCheckpointSigner(vault.database(), vault.audit()))
{
}

AuditService::AuditService(QString connectionName)
    : m_connectionName(std::move(connectionName))
{
}

Result<std::unique_ptr<AuditService>> AuditService::open(const vault::Vault& vault, const QString& connectionName)
{
    auto db = vault.openConnection(connectionName);
    COUNTERSIGN_TRY(db);
    // Constructed at once, so that a failure below still closes the connection it opened.
    std::unique_ptr<AuditService> service(new AuditService(connectionName));
    auto log = vault.openAuditLog(*db);
    COUNTERSIGN_TRY(log);
    service->m_ownLog = std::move(*log);
    service->m_log = service->m_ownLog.get();
    service->m_checkpoints = vault.openCheckpointSigner(*db, *service->m_log);
    return service;
}

AuditService::~AuditService()
{
    m_checkpoints.reset();
    m_ownLog.reset();
    if (m_connectionName.isEmpty())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

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
