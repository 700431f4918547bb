#include "vault.h"

#include "audit/auditedconnection.h"
#include "audit/auditlog.h"
#include "audit/checkpointsigner.h"
#include "crypto/crypto.h"
#include "crypto/passphrasepolicy.h"
#include "databasefiles.h"
#include "storage/durablefile.h"
#include "storage/migrations.h"
#include "storage/sqlcipherdriver.h"
#include "storage/transaction.h"
#include "unlockfailures.h"
#include "vaultheader.h"
#include "vaultkeys.h"
#include "vaultrekey.h"
#include "vaultstore.h"

#include <QAtomicInteger>
#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSqlError>
#include <QStandardPaths>

Q_LOGGING_CATEGORY(lcVault, "countersign.vault")

namespace countersign::vault {

namespace {

// How long an unlock waits for another process's passphrase change to finish.
constexpr int LOCK_WAIT_MS = 20000;

QString nextConnectionName()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("countersign-vault-%1").arg(counter.fetchAndAddRelaxed(1) + 1);
}

/// Derives the database key and checks it against the header, without touching the database.
/// A wrong passphrase is noted beside the vault.
Result<crypto::SecureBuffer> unlockKey(const QString& dataDir, const VaultHeader& header,
                                       const crypto::SecureBuffer& passphrase)
{
    auto key = crypto::deriveKey(passphrase, header.kdf);
    if (!key)
        return std::unexpected(key.error());
    if (!crypto::constantTimeEqual(crypto::keyCheckValue(*key), header.keyCheck)) {
        UnlockFailures::record(dataDir);
        return fail(ErrorCode::WrongPassphrase, QStringLiteral("wrong passphrase"));
    }
    return key;
}

} // namespace

QString Vault::defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/countersign");
}

bool Vault::exists(const QString& dataDir)
{
    return QFile::exists(QDir(dataDir).filePath(HEADER_FILE));
}

Result<void> Vault::verifyPassphrase(const QString& dataDir, const crypto::SecureBuffer& passphrase)
{
    auto header = VaultHeader::load(QDir(dataDir).filePath(HEADER_FILE));
    if (!header)
        return std::unexpected(header.error());
    auto key = unlockKey(dataDir, *header, passphrase);
    if (!key)
        return std::unexpected(key.error());
    return {};
}

Result<void> Vault::requireCipher(const QString& cipherVersion)
{
    if (cipherVersion.trimmed().isEmpty())
        return fail(ErrorCode::NotEncrypted,
                    QStringLiteral("the SQLite library in use is not SQLCipher (no PRAGMA cipher_version); "
                                   "refusing to store anything unencrypted"));
    return {};
}

Vault::Vault(QString dataDir, QString databaseFile, crypto::SecureBuffer key)
    : m_dataDir(std::move(dataDir))
    , m_databaseFile(std::move(databaseFile))
    , m_connectionName(nextConnectionName())
    , m_key(std::move(key))
{
}

Vault::~Vault()
{
    disconnect();
}

void Vault::disconnect()
{
    m_audit.reset();
    if (QSqlDatabase::contains(m_connectionName)) {
        {
            QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

QSqlDatabase Vault::database() const
{
    return QSqlDatabase::database(m_connectionName, false);
}

Result<void> Vault::checkDatabaseFile() const
{
    return storage::checkDatabaseFile(database());
}

Result<QSqlDatabase> Vault::openConnection(const QString& connectionName) const
{
    auto* driver = new storage::SqlCipherDriver();
    driver->setKey(m_key.clone());
    QSqlDatabase db = QSqlDatabase::addDatabase(driver, connectionName);
    db.setDatabaseName(databasePath());
    db.setConnectOptions(QStringLiteral("NO_CREATE"));
    if (!db.open()) {
        const QString message = db.lastError().text();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(connectionName);
        return fail(ErrorCode::Storage, QStringLiteral("cannot open another vault connection: %1").arg(message));
    }
    auto configured = driver->executeScript(QStringLiteral("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; "
                                                           "PRAGMA secure_delete = ON;"));
    if (!configured)
        return std::unexpected(configured.error());
    const QMutexLocker lock(&m_connectionsMutex);
    m_otherConnections.append(connectionName);
    return db;
}

Result<std::unique_ptr<audit::AuditedConnection>> Vault::openAuditedConnection(const QString& connectionName) const
{
    auto db = openConnection(connectionName);
    COUNTERSIGN_TRY(db);
    // Owned from here on, so that a failure below still closes the connection.
    auto connection = std::make_unique<audit::AuditedConnection>(connectionName);
    auto key = VaultStore(*db).secret(VaultStore::AUDIT_KEY);
    COUNTERSIGN_TRY(key);
    auto log = std::make_unique<audit::AuditLog>(*db, *key);
    auto checkpoints = openCheckpointSigner(*db, *log);
    connection->attach(std::move(log), std::move(checkpoints));
    return connection;
}

Result<crypto::SecureBuffer> Vault::viewSaltKey(const QSqlDatabase& connection) const
{
    auto auditKey = VaultStore(connection).secret(VaultStore::AUDIT_KEY);
    COUNTERSIGN_TRY(auditKey);
    return audit::AuditLog::viewSaltKey(*auditKey);
}

QString Vault::databasePath() const
{
    return QDir(m_dataDir).filePath(m_databaseFile);
}

QByteArray Vault::instancePublicKey() const
{
    return m_instanceKey ? m_instanceKey->publicKey() : QByteArray();
}

QString Vault::checkpointFilePath() const
{
    return QDir(m_dataDir).filePath(audit::CheckpointSigner::FILE_NAME);
}

std::unique_ptr<audit::CheckpointSigner> Vault::openCheckpointSigner(const QSqlDatabase& connection,
                                                                     audit::AuditLog& audit) const
{
    // The key is loaded before any Vault is handed out (create() and open() fail otherwise).
    return std::make_unique<audit::CheckpointSigner>(connection, audit, instanceKey(), checkpointFilePath());
}

Result<void> Vault::connect(const QString& databaseFile, crypto::SecureBuffer key, bool create)
{
    disconnect();
    auto* driver = new storage::SqlCipherDriver();
    driver->setKey(std::move(key));
    QSqlDatabase db = QSqlDatabase::addDatabase(driver, m_connectionName);
    db.setDatabaseName(QDir(m_dataDir).filePath(databaseFile));
    db.setConnectOptions(create ? QString() : QStringLiteral("NO_CREATE"));
    if (!db.open()) {
        const QSqlError error = db.lastError();
        disconnect();
        // SQLITE_NOTADB (26): the key does not decrypt the file.
        if (error.nativeErrorCode() == QStringLiteral("26"))
            return fail(ErrorCode::Integrity,
                        QStringLiteral("the vault database cannot be decrypted with its key: it is damaged or was "
                                       "replaced"));
        return fail(ErrorCode::Storage, QStringLiteral("cannot open the vault database: %1").arg(error.text()));
    }
    m_databaseFile = databaseFile;
    m_cipherVersion = driver->cipherVersion();
    if (auto cipher = requireCipher(m_cipherVersion); !cipher) {
        disconnect();
        return cipher;
    }
    return configureConnection();
}

Result<void> Vault::configureConnection()
{
    auto* driver = qobject_cast<storage::SqlCipherDriver*>(database().driver());
    // WAL with synchronous=FULL: a commit returns only after the WAL is on stable storage,
    // so an acknowledged write survives kill -9 and power loss (docs/architecture.md, "Durability").
    auto configured = driver->executeScript(QStringLiteral("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
                                                           "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;"));
    if (!configured)
        return fail(ErrorCode::Storage,
                    QStringLiteral("cannot configure the vault: %1").arg(configured.error().message));
    return {};
}

Result<void> Vault::loadSecrets()
{
    auto owner = VaultKeys::ownerName(database());
    COUNTERSIGN_TRY(owner);
    m_ownerName = *owner;
    auto auditKey = VaultStore(database()).secret(VaultStore::AUDIT_KEY);
    COUNTERSIGN_TRY(auditKey);
    m_audit = std::make_unique<audit::AuditLog>(database(), *auditKey);
    auto key = VaultKeys::instanceKey(database());
    COUNTERSIGN_TRY(key);
    m_instanceKey.emplace(std::move(*key));
    return {};
}

Result<void> Vault::ensureOwnerKey()
{
    // Schema 2 brought members; the owner's Ed25519 key is made once, for vaults of any age.
    if (m_schemaVersion < 2)
        return {};
    auto key = VaultKeys::ownerKey(database(), *m_audit);
    COUNTERSIGN_TRY(key);
    m_ownerKey = std::move(*key);
    return {};
}

Result<void> Vault::ensureTlsIdentity()
{
    // The team listener's certificate is made once, with the vault (or at the first unlock of
    // an older one), and kept in it: members pin its fingerprint.
    if (m_schemaVersion < 5)
        return {};
    auto identity = VaultKeys::tlsIdentity(database(), *m_audit, instancePublicKey());
    COUNTERSIGN_TRY(identity);
    m_tlsIdentity = std::move(*identity);
    return {};
}

Result<void> Vault::auditPendingFailures()
{
    const QList<audit::AuditRecord> records = UnlockFailures::pending(m_dataDir);
    if (!records.isEmpty())
        COUNTERSIGN_TRY(m_audit->appendAll(records));
    UnlockFailures::clear(m_dataDir);
    return {};
}

void Vault::removeStaleDatabases() const
{
    // Left behind by an interrupted passphrase change: any database the header does not name.
    // Another process may have re-keyed since this one read the header, so read it again under
    // the exclusive lock (nobody can re-key meanwhile) and delete nothing if it moved on.
    if (!m_lock || m_lock->mode() != VaultLock::Mode::Exclusive)
        return;
    auto header = VaultHeader::load(QDir(m_dataDir).filePath(HEADER_FILE));
    if (!header || header->databaseFile != m_databaseFile) {
        qCWarning(lcVault) << "the vault header no longer names" << m_databaseFile << "; removing nothing";
        return;
    }
    DatabaseFiles(m_dataDir).removeAllBut(m_databaseFile);
}

Result<std::unique_ptr<Vault>> Vault::create(const QString& dataDir, const QString& ownerName,
                                             const crypto::SecureBuffer& passphrase)
{
    return create(dataDir, ownerName, passphrase, CreateOptions{});
}

Result<std::unique_ptr<Vault>> Vault::create(const QString& dataDir, const QString& ownerName,
                                             const crypto::SecureBuffer& passphrase, const CreateOptions& options)
{
    if (!crypto::initialize())
        return fail(ErrorCode::Crypto, QStringLiteral("libsodium cannot be initialised"));
    const QString owner = ownerName.trimmed();
    if (owner.isEmpty() || owner.size() > 100)
        return fail(ErrorCode::InvalidArgument, QStringLiteral("the owner's name must have 1 to 100 characters"));
    const crypto::PassphraseAssessment strength = crypto::assessPassphrase(
        QString::fromUtf8(reinterpret_cast<const char*>(passphrase.data()), static_cast<qsizetype>(passphrase.size())),
        {owner});
    if (!strength.acceptable)
        return fail(ErrorCode::WeakPassphrase, QStringLiteral("passphrase refused: %1").arg(strength.reason));
    if (exists(dataDir))
        return fail(ErrorCode::AlreadyExists, QStringLiteral("a vault already exists in %1").arg(dataDir));
    if (!QDir().mkpath(dataDir))
        return fail(ErrorCode::Io, QStringLiteral("cannot create %1").arg(dataDir));
    QFile::setPermissions(dataDir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    // Exclusive while the files come into being: a second create, or an open, waits its turn.
    auto lock = VaultLock::acquire(dataDir, VaultLock::Mode::Exclusive);
    if (!lock)
        return std::unexpected(lock.error());
    if (exists(dataDir))
        return fail(ErrorCode::AlreadyExists, QStringLiteral("a vault already exists in %1").arg(dataDir));

    auto key = crypto::deriveKey(passphrase, options.kdf);
    if (!key)
        return std::unexpected(key.error());
    VaultHeader header;
    header.databaseFile = QStringLiteral("vault-1.db");
    header.kdf = options.kdf;
    header.keyCheck = crypto::keyCheckValue(*key);
    DatabaseFiles(dataDir).remove(header.databaseFile); // debris of an unfinished create

    std::unique_ptr<Vault> vault(new Vault(dataDir, header.databaseFile, key->clone()));
    vault->m_lock = std::move(*lock);
    if (auto connected = vault->connect(header.databaseFile, std::move(*key), true); !connected)
        return std::unexpected(connected.error());
    QSqlDatabase db = vault->database();
    const storage::Migrations migrations;
    const int target = options.schemaVersion.value_or(migrations.latestVersion());
    // Schema 1 holds the seed; later steps may carry it forward (schema 2 makes the owner a member).
    auto version = migrations.migrate(db, 1);
    if (!version)
        return std::unexpected(version.error());
    if (auto seeded = VaultKeys::seed(db, owner); !seeded)
        return std::unexpected(seeded.error());
    version = migrations.migrate(db, target);
    if (!version)
        return std::unexpected(version.error());
    vault->m_schemaVersion = *version;
    if (auto loaded = vault->loadSecrets(); !loaded)
        return std::unexpected(loaded.error());
    auto created =
        vault->audit().append({audit::AuditLog::SYSTEM_ACTOR, QStringLiteral("vault.created"), QStringLiteral("vault"),
                               QJsonObject{{QStringLiteral("owner"), owner},
                                           {QStringLiteral("schema_version"), *version},
                                           {QStringLiteral("cipher_version"), vault->m_cipherVersion},
                                           {QStringLiteral("instance_public_key"),
                                            QString::fromLatin1(vault->instancePublicKey().toBase64())}}});
    if (!created)
        return std::unexpected(created.error());
    if (auto owned = vault->ensureOwnerKey(); !owned)
        return std::unexpected(owned.error());
    if (auto tls = vault->ensureTlsIdentity(); !tls)
        return std::unexpected(tls.error());
    // The header is written last: a vault exists exactly when its header does.
    // Its pages are durable through SQLite (WAL, synchronous=FULL); what remains is the file's
    // name in the directory. Never open and close the live database file ourselves: POSIX
    // record locks belong to the process and file, so closing any descriptor of it drops
    // SQLite's locks, and another process (the CLI) then writes under our connections' feet.
    if (auto synced = storage::syncDirectory(dataDir); !synced)
        return std::unexpected(synced.error());
    if (auto saved = header.save(QDir(dataDir).filePath(HEADER_FILE)); !saved)
        return std::unexpected(saved.error());
    vault->m_lock->makeShared();
    qCInfo(lcVault) << "created vault in" << dataDir;
    return vault;
}

Result<std::unique_ptr<Vault>> Vault::open(const QString& dataDir, const crypto::SecureBuffer& passphrase,
                                           VaultLock::Mode lockMode)
{
    if (!crypto::initialize())
        return fail(ErrorCode::Crypto, QStringLiteral("libsodium cannot be initialised"));
    if (!exists(dataDir)) // the header's own error says what is missing
        return std::unexpected(VaultHeader::load(QDir(dataDir).filePath(HEADER_FILE)).error());
    // The lock comes before the header is read: the header names the database, and nobody may
    // replace that database while this process uses it.
    auto lock = VaultLock::acquire(dataDir, lockMode, LOCK_WAIT_MS);
    if (!lock)
        return std::unexpected(lock.error());
    auto header = VaultHeader::load(QDir(dataDir).filePath(HEADER_FILE));
    if (!header)
        return std::unexpected(header.error());
    const QString databasePath = QDir(dataDir).filePath(header->databaseFile);
    if (!QFile::exists(databasePath))
        return fail(ErrorCode::NotFound, QStringLiteral("the vault database %1 is missing").arg(databasePath));
    // Secure mode: an unencrypted database is never accepted as a vault.
    if (DatabaseFiles::isPlaintextSqlite(databasePath))
        return fail(ErrorCode::NotEncrypted,
                    QStringLiteral("%1 is a plaintext SQLite database, not an encrypted vault; refusing to open it")
                        .arg(databasePath));

    auto key = unlockKey(dataDir, *header, passphrase);
    if (!key)
        return std::unexpected(key.error());

    std::unique_ptr<Vault> vault(new Vault(dataDir, header->databaseFile, key->clone()));
    vault->m_lock = std::move(*lock);
    if (auto connected = vault->connect(header->databaseFile, std::move(*key), false); !connected)
        return std::unexpected(connected.error());
    QSqlDatabase db = vault->database();
    auto before = storage::Migrations::currentVersion(db);
    if (!before)
        return std::unexpected(before.error());
    auto version = storage::Migrations().migrate(db);
    if (!version)
        return std::unexpected(version.error());
    vault->m_schemaVersion = *version;
    if (auto loaded = vault->loadSecrets(); !loaded)
        return std::unexpected(loaded.error());
    if (*before != *version) {
        auto upgraded = vault->audit().append(
            {audit::AuditLog::SYSTEM_ACTOR, QStringLiteral("vault.schema_upgraded"), QStringLiteral("vault"),
             QJsonObject{{QStringLiteral("from"), *before}, {QStringLiteral("to"), *version}}});
        if (!upgraded)
            return std::unexpected(upgraded.error());
    }
    if (auto owned = vault->ensureOwnerKey(); !owned)
        return std::unexpected(owned.error());
    if (auto tls = vault->ensureTlsIdentity(); !tls)
        return std::unexpected(tls.error());
    if (auto failures = vault->auditPendingFailures(); !failures)
        return std::unexpected(failures.error());
    auto unlocked = vault->audit().append(
        {audit::AuditLog::SYSTEM_ACTOR, QStringLiteral("vault.unlocked"), QStringLiteral("vault"), QJsonObject{}});
    if (!unlocked)
        return std::unexpected(unlocked.error());
    // Tidying needs the vault to itself; when others have it open, a later unlock tidies.
    if (vault->m_lock->makeExclusive()) {
        vault->removeStaleDatabases();
        if (lockMode == VaultLock::Mode::Shared)
            vault->m_lock->makeShared();
    }
    return vault;
}

Result<void> Vault::changePassphrase(const crypto::SecureBuffer& newPassphrase, const crypto::KdfParams& kdf)
{
    return VaultRekey::run(*this, newPassphrase, kdf);
}

} // namespace countersign::vault
