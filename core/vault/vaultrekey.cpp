#include "vaultrekey.h"

#include "audit/auditlog.h"
#include "crypto/crypto.h"
#include "crypto/passphrasepolicy.h"
#include "databasefiles.h"
#include "storage/durablefile.h"
#include "storage/sqlcipherdriver.h"
#include "vault.h"
#include "vaultheader.h"

#include <QJsonObject>
#include <QLoggingCategory>
#include <QScopeGuard>

Q_DECLARE_LOGGING_CATEGORY(lcVault)

namespace countersign::vault {

Result<void> VaultRekey::run(Vault& vault, const crypto::SecureBuffer& newPassphrase, const crypto::KdfParams& kdf)
{
    {
        const QMutexLocker lock(&vault.m_connectionsMutex);
        vault.m_otherConnections.removeIf([](const QString& name) { return !QSqlDatabase::contains(name); });
        if (!vault.m_otherConnections.isEmpty())
            return fail(ErrorCode::Conflict,
                        QStringLiteral("close the vault's other connections (stop the endpoint) before re-keying"));
    }
    // Another process with the vault open would go on writing to the file about to be replaced.
    const bool wasShared = vault.m_lock->mode() == VaultLock::Mode::Shared;
    if (auto exclusive = vault.m_lock->makeExclusive(); !exclusive)
        return exclusive;
    const auto shareAgain = qScopeGuard([&] {
        if (wasShared)
            vault.m_lock->makeShared();
    });
    const crypto::PassphraseAssessment strength =
        crypto::assessPassphrase(QString::fromUtf8(reinterpret_cast<const char*>(newPassphrase.data()),
                                                   static_cast<qsizetype>(newPassphrase.size())),
                                 {vault.m_ownerName});
    if (!strength.acceptable)
        return fail(ErrorCode::WeakPassphrase, QStringLiteral("passphrase refused: %1").arg(strength.reason));
    auto newKey = crypto::deriveKey(newPassphrase, kdf);
    if (!newKey)
        return std::unexpected(newKey.error());

    // 1. Copy the database, encrypted under the new key, to a new file the header does not name yet.
    const QString oldFile = vault.m_databaseFile;
    const QString newFile = DatabaseFiles::next(oldFile);
    const DatabaseFiles files(vault.m_dataDir);
    files.remove(newFile);
    auto* driver = qobject_cast<storage::SqlCipherDriver*>(vault.database().driver());
    if (auto exported = driver->exportTo(files.path(newFile), *newKey); !exported)
        return fail(ErrorCode::Storage,
                    QStringLiteral("cannot re-encrypt the vault: %1").arg(exported.error().message));

    // 2. Switch this connection to the copy and record the change there, so the entry exists
    //    exactly when the change does.
    auto restoreOld = [&](const Error& error) -> Result<void> {
        if (auto back = vault.connect(oldFile, vault.m_key.clone(), false); back)
            (void)vault.loadSecrets();
        files.remove(newFile);
        return std::unexpected(error);
    };
    if (auto reconnected = vault.connect(newFile, newKey->clone(), false); !reconnected)
        return restoreOld(reconnected.error());
    if (auto loaded = vault.loadSecrets(); !loaded)
        return restoreOld(loaded.error());
    auto audited = vault.m_audit->append(
        {audit::AuditLog::SYSTEM_ACTOR, QStringLiteral("vault.passphrase_changed"), QStringLiteral("vault"),
         QJsonObject{{QStringLiteral("database"), newFile},
                     {QStringLiteral("kdf_ops_limit"), static_cast<qint64>(kdf.opsLimit)},
                     {QStringLiteral("kdf_mem_limit"), static_cast<qint64>(kdf.memLimit)}}});
    if (!audited)
        return restoreOld(audited.error());
    // Fold the WAL into the file so the copy is complete on its own before it becomes current.
    driver = qobject_cast<storage::SqlCipherDriver*>(vault.database().driver());
    if (auto folded = driver->executeScript(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")); !folded)
        return restoreOld(folded.error());
    // The checkpoint synced the file (synchronous=FULL); the directory holds its name. The live
    // file is not opened and closed here: that would drop SQLite's POSIX locks on it.
    if (auto synced = storage::syncDirectory(vault.m_dataDir); !synced)
        return restoreOld(synced.error());

    // 3. The commit point: the header now names the new file and the new salt.
    VaultHeader header;
    header.databaseFile = newFile;
    header.kdf = kdf;
    header.keyCheck = crypto::keyCheckValue(*newKey);
    if (auto saved = header.save(files.path(Vault::HEADER_FILE)); !saved)
        return restoreOld(saved.error());
    vault.m_key = std::move(*newKey);

    // 4. Only now is the old file garbage.
    files.remove(oldFile);
    (void)storage::syncDirectory(vault.m_dataDir);
    qCInfo(lcVault) << "vault re-keyed into" << newFile;
    return {};
}

} // namespace countersign::vault
