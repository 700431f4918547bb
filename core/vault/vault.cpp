#include "vault.h"

#include "crypto/tlsidentity.h"

#include "audit/checkpointsigner.h"

#include "audit/auditlog.h"
#include "crypto/crypto.h"
#include "crypto/hmacsha256.h"
#include "crypto/sha256.h"
#include "passphrasepolicy.h"
#include "storage/durablefile.h"
#include "storage/migrations.h"
#include "storage/sqlcipherdriver.h"
#include "storage/transaction.h"
#include "vaultheader.h"

#include <QAtomicInteger>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>

Q_LOGGING_CATEGORY(lcVault, "countersign.vault")

namespace countersign::vault {

namespace {

constexpr qsizetype AUDIT_KEY_SIZE = 32;
// The short instance fingerprint in the TLS certificate's name (64 bits of SHA-256).
constexpr qsizetype INSTANCE_ID_HEX_DIGITS = 16;
// How long an unlock waits for another process's passphrase change to finish.
constexpr int LOCK_WAIT_MS = 20000;
const QString SECRET_AUDIT_KEY = QStringLiteral("audit_mac_key");
const QString SECRET_INSTANCE_SEED = QStringLiteral("instance_signing_seed");
const QString SECRET_OWNER_SEED = QStringLiteral("owner_signing_seed");
const QString SECRET_TLS_CERTIFICATE = QStringLiteral("tls_certificate");
const QString SECRET_TLS_KEY = QStringLiteral("tls_private_key");
const QByteArray SQLITE_PLAINTEXT_MAGIC = QByteArrayLiteral("SQLite format 3\0");

QString nextConnectionName()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("countersign-vault-%1").arg(counter.fetchAndAddRelaxed(1) + 1);
}

/// vault-<n>.db -> vault-<n+1>.db
QString nextDatabaseFile(const QString& current)
{
    QString digits = current;
    digits.remove(QStringLiteral("vault-")).remove(QStringLiteral(".db"));
    bool ok = false;
    const qint64 generation = digits.toLongLong(&ok);
    return QStringLiteral("vault-%1.db").arg(ok ? generation + 1 : 1);
}

bool isPlaintextSqlite(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    return file.read(SQLITE_PLAINTEXT_MAGIC.size()) == SQLITE_PLAINTEXT_MAGIC;
}

Result<crypto::SecureBuffer> readSecret(const QSqlDatabase& db, const QString& name)
{
    QSqlQuery query(db);
    query.prepare(QStringLiteral("SELECT value FROM secrets WHERE name = ?"));
    query.addBindValue(name);
    if (!query.exec())
        return fail(ErrorCode::Storage, query.lastError().text());
    if (!query.next())
        return fail(ErrorCode::Integrity, QStringLiteral("the vault lacks its %1").arg(name));
    QByteArray value = query.value(0).toByteArray();
    return crypto::SecureBuffer::takeFrom(value);
}

Result<void> writeSecret(const QSqlDatabase& db, const QString& name, const crypto::SecureBuffer& value)
{
    QSqlQuery query(db);
    query.prepare(QStringLiteral("INSERT INTO secrets (name, value) VALUES (?, ?)"));
    query.addBindValue(name);
    QByteArray copy = value.view().toByteArray();
    query.addBindValue(copy);
    const bool ok = query.exec();
    crypto::wipe(copy);
    if (!ok)
        return fail(ErrorCode::Storage, query.lastError().text());
    return {};
}

Result<QString> readMeta(const QSqlDatabase& db, const QString& key)
{
    QSqlQuery query(db);
    query.prepare(QStringLiteral("SELECT value FROM meta WHERE key = ?"));
    query.addBindValue(key);
    if (!query.exec())
        return fail(ErrorCode::Storage, query.lastError().text());
    if (!query.next())
        return fail(ErrorCode::Integrity, QStringLiteral("the vault lacks its %1").arg(key));
    return query.value(0).toString();
}

void recordFailedUnlock(const QString& dataDir)
{
    // Outside the vault (which must stay byte-for-byte untouched); audited at the next unlock.
    QFile file(QDir(dataDir).filePath(Vault::FAILED_UNLOCKS_FILE));
    if (file.open(QIODevice::Append | QIODevice::WriteOnly)) {
        file.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
        file.write(QByteArray::number(QDateTime::currentMSecsSinceEpoch()) + '\n');
    }
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
        recordFailedUnlock(dataDir);
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

Result<std::unique_ptr<audit::AuditLog>> Vault::openAuditLog(const QSqlDatabase& connection) const
{
    auto key = readSecret(connection, SECRET_AUDIT_KEY);
    if (!key)
        return std::unexpected(key.error());
    return std::make_unique<audit::AuditLog>(connection, *key);
}

Result<crypto::SecureBuffer> Vault::viewSaltKey(const QSqlDatabase& connection) const
{
    auto auditKey = readSecret(connection, SECRET_AUDIT_KEY);
    if (!auditKey)
        return std::unexpected(auditKey.error());
    // A key of its own for another purpose (RFC 2104 as a PRF): the label keeps it apart from
    // the audit chain's MACs, which are over 32-byte entry hashes.
    QByteArray derived = crypto::HmacSha256(*auditKey).mac("countersign payload view salt key/1");
    return crypto::SecureBuffer::takeFrom(derived);
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

Result<void> Vault::seedSecrets(const QString& ownerName)
{
    QSqlDatabase db = database();
    return storage::transact(db, [&]() -> Result<void> {
        QSqlQuery meta(db);
        meta.prepare(QStringLiteral("INSERT INTO meta (key, value) VALUES ('owner_name', ?), ('created_at', ?)"));
        meta.addBindValue(ownerName);
        meta.addBindValue(QString::number(QDateTime::currentMSecsSinceEpoch()));
        if (!meta.exec())
            return fail(ErrorCode::Storage, meta.lastError().text());
        QByteArray auditKey = crypto::randomBytes(AUDIT_KEY_SIZE);
        if (auto stored = writeSecret(db, SECRET_AUDIT_KEY, crypto::SecureBuffer::takeFrom(auditKey)); !stored)
            return stored;
        return writeSecret(db, SECRET_INSTANCE_SEED, crypto::SigningKey::generate().seed());
    });
}

Result<void> Vault::loadSecrets()
{
    QSqlDatabase db = database();
    auto owner = readMeta(db, QStringLiteral("owner_name"));
    if (!owner)
        return std::unexpected(owner.error());
    m_ownerName = *owner;
    auto auditKey = readSecret(db, SECRET_AUDIT_KEY);
    if (!auditKey)
        return std::unexpected(auditKey.error());
    m_audit = std::make_unique<audit::AuditLog>(db, *auditKey);
    auto seed = readSecret(db, SECRET_INSTANCE_SEED);
    if (!seed)
        return std::unexpected(seed.error());
    auto key = crypto::SigningKey::fromSeed(*seed);
    if (!key)
        return std::unexpected(key.error());
    m_instanceKey.emplace(std::move(*key));
    return {};
}

Result<void> Vault::ensureOwnerKey()
{
    // Schema 2 brought members; the owner's Ed25519 key is made once, for vaults of any age.
    if (m_schemaVersion < 2)
        return {};
    QSqlDatabase db = database();
    QSqlQuery missing(db);
    if (!missing.exec(QStringLiteral("SELECT 1 FROM members WHERE id = 'owner' AND public_key IS NULL")))
        return fail(ErrorCode::Storage, missing.lastError().text());
    if (!missing.next())
        return loadOwnerKey();
    missing.finish();
    const crypto::SigningKey ownerKey = crypto::SigningKey::generate();
    auto created = storage::transact(db, [&]() -> Result<void> {
        if (auto stored = writeSecret(db, SECRET_OWNER_SEED, ownerKey.seed()); !stored)
            return stored;
        QSqlQuery update(db);
        update.prepare(QStringLiteral("UPDATE members SET public_key = ? WHERE id = 'owner'"));
        update.addBindValue(ownerKey.publicKey());
        if (!update.exec())
            return fail(ErrorCode::Storage, update.lastError().text());
        auto audited = m_audit->append(
            {audit::AuditLog::SYSTEM_ACTOR, QStringLiteral("member.key_created"), QStringLiteral("member:owner"),
             QJsonObject{{QStringLiteral("public_key"), QString::fromLatin1(ownerKey.publicKey().toBase64())}}});
        if (!audited)
            return std::unexpected(audited.error());
        return {};
    });
    if (!created)
        return created;
    return loadOwnerKey();
}

Result<void> Vault::ensureTlsIdentity()
{
    // The team listener's certificate is made once, with the vault (or at the first unlock of
    // an older one), and kept in it: members pin its fingerprint.
    if (m_schemaVersion < 5)
        return {};
    QSqlDatabase db = database();
    QSqlQuery present(db);
    present.prepare(QStringLiteral("SELECT 1 FROM secrets WHERE name = ?"));
    present.addBindValue(SECRET_TLS_CERTIFICATE);
    if (!present.exec())
        return fail(ErrorCode::Storage, present.lastError().text());
    const bool stored = present.next();
    present.finish();
    if (stored) {
        auto certificate = readSecret(db, SECRET_TLS_CERTIFICATE);
        if (!certificate)
            return std::unexpected(certificate.error());
        auto key = readSecret(db, SECRET_TLS_KEY);
        if (!key)
            return std::unexpected(key.error());
        m_tlsIdentity = crypto::TlsIdentity{certificate->view().toByteArray(), std::move(*key)};
        return {};
    }
    // The certificate is shown to anyone who connects to the team listener: it names the instance
    // (by its signing key's fingerprint, which members can compare), never the owner.
    const QByteArray instanceId =
        crypto::toByteArray(crypto::Sha256::of(instancePublicKey())).toHex().left(INSTANCE_ID_HEX_DIGITS);
    auto made =
        crypto::TlsIdentity::generate(QStringLiteral("Countersign instance %1").arg(QLatin1StringView(instanceId)));
    if (!made)
        return std::unexpected(made.error());
    auto fingerprint = crypto::TlsIdentity::fingerprint(made->certificatePem);
    if (!fingerprint)
        return std::unexpected(fingerprint.error());
    auto kept = storage::transact(db, [&]() -> Result<void> {
        if (auto written = writeSecret(db, SECRET_TLS_CERTIFICATE, crypto::SecureBuffer::copyOf(made->certificatePem));
            !written)
            return written;
        if (auto written = writeSecret(db, SECRET_TLS_KEY, made->privateKeyPem); !written)
            return written;
        auto audited = m_audit->append(
            {audit::AuditLog::SYSTEM_ACTOR, QStringLiteral("tls.certificate_created"), QStringLiteral("vault"),
             QJsonObject{{QStringLiteral("sha256"), QString::fromLatin1(fingerprint->toHex())}}});
        if (!audited)
            return std::unexpected(audited.error());
        return {};
    });
    if (!kept)
        return kept;
    m_tlsIdentity = std::move(*made);
    return {};
}

Result<void> Vault::loadOwnerKey()
{
    auto seed = readSecret(database(), SECRET_OWNER_SEED);
    if (!seed)
        return std::unexpected(seed.error());
    auto key = crypto::SigningKey::fromSeed(*seed);
    if (!key)
        return std::unexpected(key.error());
    m_ownerKey = std::make_shared<const crypto::SigningKey>(std::move(*key));
    return {};
}

Result<void> Vault::auditPendingFailures()
{
    // The first failures each get an entry with their time; every one beyond is counted into a
    // single summary entry, so that none goes unaudited and the file (outside the vault, its size
    // not to be trusted) cannot make the chain grow without bound.
    constexpr int MAX_ITEMIZED = 1000;
    const QString path = QDir(m_dataDir).filePath(FAILED_UNLOCKS_FILE);
    QFile file(path);
    if (!file.exists())
        return {};
    QList<audit::AuditRecord> records;
    qint64 summarized = 0;
    std::optional<qint64> firstSummarized;
    std::optional<qint64> lastSummarized;
    if (file.open(QIODevice::ReadOnly)) {
        while (!file.atEnd()) {
            bool ok = false;
            const QByteArray line = file.readLine(64);
            const qint64 when = line.trimmed().toLongLong(&ok);
            if (line.trimmed().isEmpty())
                continue;
            if (records.size() < MAX_ITEMIZED) {
                records.append({audit::AuditLog::SYSTEM_ACTOR, QStringLiteral("vault.unlock_failed"),
                                QStringLiteral("vault"),
                                QJsonObject{{QStringLiteral("reason"), QStringLiteral("wrong passphrase")},
                                            {QStringLiteral("attempted_at"), ok ? QJsonValue(when) : QJsonValue()}}});
                continue;
            }
            ++summarized;
            if (ok) {
                firstSummarized = firstSummarized ? std::min(*firstSummarized, when) : when;
                lastSummarized = lastSummarized ? std::max(*lastSummarized, when) : when;
            }
        }
        file.close();
    }
    if (summarized > 0)
        records.append(
            {audit::AuditLog::SYSTEM_ACTOR, QStringLiteral("vault.unlock_failures"), QStringLiteral("vault"),
             QJsonObject{
                 {QStringLiteral("reason"), QStringLiteral("wrong passphrase")},
                 {QStringLiteral("count"), summarized},
                 {QStringLiteral("first_attempted_at"), firstSummarized ? QJsonValue(*firstSummarized) : QJsonValue()},
                 {QStringLiteral("last_attempted_at"), lastSummarized ? QJsonValue(*lastSummarized) : QJsonValue()}}});
    if (!records.isEmpty()) {
        auto appended = m_audit->appendAll(records);
        if (!appended)
            return std::unexpected(appended.error());
    }
    file.remove();
    return {};
}

void Vault::removeStaleDatabases() const
{
    // Left behind by an interrupted passphrase change: any database the header does not name.
    // Another process may have re-keyed since this one read the header, so read it again under
    // the exclusive lock (nobody can re-key meanwhile) and delete nothing if it moved on.
    if (!m_lock || m_lock->mode() != VaultLock::Mode::Exclusive)
        return;
    const QDir dir(m_dataDir);
    auto header = VaultHeader::load(dir.filePath(HEADER_FILE));
    if (!header || header->databaseFile != m_databaseFile) {
        qCWarning(lcVault) << "the vault header no longer names" << m_databaseFile << "; removing nothing";
        return;
    }
    const QStringList files = dir.entryList({QStringLiteral("vault-*.db*")}, QDir::Files);
    for (const QString& name : files) {
        if (name == m_databaseFile || name == m_databaseFile + QStringLiteral("-wal") ||
            name == m_databaseFile + QStringLiteral("-shm") || name == m_databaseFile + QStringLiteral("-journal"))
            continue;
        qCInfo(lcVault) << "removing stale database file" << name;
        QFile::remove(dir.filePath(name));
    }
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
    const PassphraseAssessment strength = assessPassphrase(
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
    for (const QString& suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
        QFile::remove(QDir(dataDir).filePath(header.databaseFile + suffix)); // debris of an unfinished create

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
    if (auto seeded = vault->seedSecrets(owner); !seeded)
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
    if (isPlaintextSqlite(databasePath))
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
    {
        const QMutexLocker lock(&m_connectionsMutex);
        m_otherConnections.removeIf([](const QString& name) { return !QSqlDatabase::contains(name); });
        if (!m_otherConnections.isEmpty())
            return fail(ErrorCode::Conflict,
                        QStringLiteral("close the vault's other connections (stop the endpoint) before re-keying"));
    }
    // Another process with the vault open would go on writing to the file about to be replaced.
    const bool wasShared = m_lock->mode() == VaultLock::Mode::Shared;
    if (auto exclusive = m_lock->makeExclusive(); !exclusive)
        return exclusive;
    const auto shareAgain = qScopeGuard([&] {
        if (wasShared)
            m_lock->makeShared();
    });
    const PassphraseAssessment strength =
        assessPassphrase(QString::fromUtf8(reinterpret_cast<const char*>(newPassphrase.data()),
                                           static_cast<qsizetype>(newPassphrase.size())),
                         {m_ownerName});
    if (!strength.acceptable)
        return fail(ErrorCode::WeakPassphrase, QStringLiteral("passphrase refused: %1").arg(strength.reason));
    auto newKey = crypto::deriveKey(newPassphrase, kdf);
    if (!newKey)
        return std::unexpected(newKey.error());

    // 1. Copy the database, encrypted under the new key, to a new file the header does not name yet.
    const QString oldFile = m_databaseFile;
    const QString newFile = nextDatabaseFile(oldFile);
    const QDir dir(m_dataDir);
    for (const QString& suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
        QFile::remove(dir.filePath(newFile + suffix));
    auto* driver = qobject_cast<storage::SqlCipherDriver*>(database().driver());
    if (auto exported = driver->exportTo(dir.filePath(newFile), *newKey); !exported)
        return fail(ErrorCode::Storage,
                    QStringLiteral("cannot re-encrypt the vault: %1").arg(exported.error().message));

    // 2. Switch this connection to the copy and record the change there, so the entry exists
    //    exactly when the change does.
    auto restoreOld = [&](const Error& error) -> Result<void> {
        const QString failedCopy = dir.filePath(newFile);
        if (auto back = connect(oldFile, m_key.clone(), false); back)
            (void)loadSecrets();
        for (const QString& suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
            QFile::remove(failedCopy + suffix);
        return std::unexpected(error);
    };
    if (auto reconnected = connect(newFile, newKey->clone(), false); !reconnected)
        return restoreOld(reconnected.error());
    if (auto loaded = loadSecrets(); !loaded)
        return restoreOld(loaded.error());
    auto audited = m_audit->append({audit::AuditLog::SYSTEM_ACTOR, QStringLiteral("vault.passphrase_changed"),
                                    QStringLiteral("vault"),
                                    QJsonObject{{QStringLiteral("database"), newFile},
                                                {QStringLiteral("kdf_ops_limit"), static_cast<qint64>(kdf.opsLimit)},
                                                {QStringLiteral("kdf_mem_limit"), static_cast<qint64>(kdf.memLimit)}}});
    if (!audited)
        return restoreOld(audited.error());
    // Fold the WAL into the file so the copy is complete on its own before it becomes current.
    driver = qobject_cast<storage::SqlCipherDriver*>(database().driver());
    if (auto folded = driver->executeScript(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")); !folded)
        return restoreOld(folded.error());
    // The checkpoint synced the file (synchronous=FULL); the directory holds its name. The live
    // file is not opened and closed here: that would drop SQLite's POSIX locks on it.
    if (auto synced = storage::syncDirectory(m_dataDir); !synced)
        return restoreOld(synced.error());

    // 3. The commit point: the header now names the new file and the new salt.
    VaultHeader header;
    header.databaseFile = newFile;
    header.kdf = kdf;
    header.keyCheck = crypto::keyCheckValue(*newKey);
    if (auto saved = header.save(dir.filePath(HEADER_FILE)); !saved)
        return restoreOld(saved.error());
    m_key = std::move(*newKey);

    // 4. Only now is the old file garbage.
    for (const QString& suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
        QFile::remove(dir.filePath(oldFile + suffix));
    (void)storage::syncDirectory(m_dataDir);
    qCInfo(lcVault) << "vault re-keyed into" << newFile;
    return {};
}

} // namespace countersign::vault
