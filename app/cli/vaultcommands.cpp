#include "vaultcommands.h"

#include "application/auditservice.h"
#include "exitcode.h"
#include "output.h"
#include "vault/passphrasereader.h"
#include "vault/vault.h"

#include <QJsonObject>

namespace countersign::cli {

namespace {
constexpr const char* PASSPHRASE_FILE = "COUNTERSIGN_PASSPHRASE_FILE";
constexpr const char* NEW_PASSPHRASE_FILE = "COUNTERSIGN_NEW_PASSPHRASE_FILE";
} // namespace

VaultCommands::VaultCommands(QString dataDir, bool json)
    : m_dataDir(std::move(dataDir))
    , m_json(json)
{
}

int VaultCommands::run(const QStringList& args, const QString& ownerName)
{
    const QString command = args.value(0);
    if (command == u"init")
        return init(ownerName);
    if (command == u"passwd")
        return changePassphrase();
    if (command == u"check")
        return check();
    return printError(m_json, Error{ErrorCode::InvalidArgument,
                                    QStringLiteral("unknown vault command '%1' (init, passwd, check)").arg(command)});
}

int VaultCommands::init(const QString& ownerName)
{
    if (ownerName.trimmed().isEmpty())
        return printError(m_json, Error{ErrorCode::InvalidArgument, QStringLiteral("vault init needs --owner NAME")});
    if (vault::Vault::exists(m_dataDir))
        return printError(
            m_json, Error{ErrorCode::AlreadyExists, QStringLiteral("a vault already exists in %1").arg(m_dataDir)});
    auto passphrase = vault::PassphraseReader::readNew(PASSPHRASE_FILE, QStringLiteral("New vault passphrase: "));
    if (!passphrase)
        return printError(m_json, passphrase.error());
    auto vault = vault::Vault::create(m_dataDir, ownerName, *passphrase);
    if (!vault)
        return printError(m_json, vault.error());
    printResult(m_json, QStringLiteral("created the vault in %1 for %2").arg(m_dataDir, (*vault)->ownerName()),
                QJsonObject{{QStringLiteral("data_dir"), m_dataDir},
                            {QStringLiteral("owner"), (*vault)->ownerName()},
                            {QStringLiteral("instance_public_key"),
                             QString::fromLatin1((*vault)->instancePublicKey().toBase64())}});
    return EXIT_OK;
}

int VaultCommands::changePassphrase()
{
    auto current = vault::PassphraseReader::read(PASSPHRASE_FILE, QStringLiteral("Current passphrase: "));
    if (!current)
        return printError(m_json, current.error());
    auto next = vault::PassphraseReader::readNew(NEW_PASSPHRASE_FILE, QStringLiteral("New passphrase: "));
    if (!next)
        return printError(m_json, next.error());
    // Both passphrases are in hand before the vault is opened: the exclusive lock (refused while
    // a server or another command has the vault open) is then held only for the change itself.
    auto vault = vault::Vault::open(m_dataDir, *current, vault::VaultLock::Mode::Exclusive);
    if (!vault)
        return printError(m_json, vault.error());
    if (auto changed = (*vault)->changePassphrase(*next); !changed)
        return printError(m_json, changed.error());
    printResult(m_json, QStringLiteral("passphrase changed"), QJsonObject{{QStringLiteral("changed"), true}});
    return EXIT_OK;
}

int VaultCommands::check()
{
    auto passphrase = vault::PassphraseReader::read(PASSPHRASE_FILE, QStringLiteral("Passphrase: "));
    if (!passphrase)
        return printError(m_json, passphrase.error());
    auto vault = vault::Vault::open(m_dataDir, *passphrase);
    if (!vault)
        return printError(m_json, vault.error());
    auto verified = application::AuditService(**vault).verifyVault();
    if (!verified) {
        if (verified.error().code != ErrorCode::Integrity)
            return printError(m_json, verified.error());
        // A verdict, not an error running the command: the evidence outside the vault is gone.
        printResult(m_json, QStringLiteral("vault NOT OK: %1").arg(verified.error().message),
                    QJsonObject{{QStringLiteral("ok"), false},
                                {QStringLiteral("problem"), QStringLiteral("checkpoint_file")},
                                {QStringLiteral("message"), verified.error().message}});
        return EXIT_FAILED;
    }
    const audit::VerifyResult& result = verified->chain;
    QJsonObject object{{QStringLiteral("ok"), result.ok()},
                       {QStringLiteral("entries"), result.checked},
                       {QStringLiteral("checkpoints"), verified->checkpoints},
                       {QStringLiteral("schema_version"), (*vault)->schemaVersion()},
                       {QStringLiteral("cipher_version"), (*vault)->cipherVersion()}};
    if (result.ok()) {
        printResult(m_json,
                    QStringLiteral("vault OK: %1 audit entries verified against %2 signed checkpoints "
                                   "(schema %3, SQLCipher %4)")
                        .arg(result.checked)
                        .arg(verified->checkpoints)
                        .arg((*vault)->schemaVersion())
                        .arg((*vault)->cipherVersion()),
                    object);
        return EXIT_OK;
    }
    object.insert(QStringLiteral("broken_seq"), result.brokenSeq);
    object.insert(QStringLiteral("problem"), audit::VerifyResult::problemName(result.problem));
    object.insert(QStringLiteral("message"), result.message);
    printResult(m_json,
                QStringLiteral("audit chain broken at entry %1 (%2): %3")
                    .arg(result.brokenSeq)
                    .arg(audit::VerifyResult::problemName(result.problem), result.message),
                object);
    return EXIT_FAILED;
}

} // namespace countersign::cli
