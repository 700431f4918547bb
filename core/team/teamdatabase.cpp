#include "teamdatabase.h"

#include "audit/auditedconnection.h"
#include "audit/auditlog.h"
#include "audit/checkpointsigner.h"
#include "crypto/crypto.h"
#include "crypto/sha256.h"
#include "storage/migrations.h"
#include "storage/pgconnection.h"
#include "storage/transaction.h"
#include "teamkey.h"
#include "teamstore.h"

#include <QDateTime>
#include <QJsonObject>
#include <QLoggingCategory>

#include <atomic>

Q_LOGGING_CATEGORY(lcTeam, "countersign.team")

namespace countersign::team {

namespace {

constexpr int DATA_KEY_VERSION = 1;
constexpr qsizetype AUDIT_KEY_SIZE = 32;

QString nextConnectionName()
{
    static std::atomic<int> next{0};
    return QStringLiteral("countersign-team-%1").arg(next.fetch_add(1));
}

} // namespace

TeamDatabase::TeamDatabase(storage::PgConnectionConfig config, QString checkpointFile)
    : m_config(std::move(config))
    , m_checkpointFile(std::move(checkpointFile))
    , m_connectionName(nextConnectionName())
{
}

TeamDatabase::~TeamDatabase()
{
    m_audit.reset();
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

Result<std::unique_ptr<TeamDatabase>> TeamDatabase::connect(const storage::PgConnectionConfig& config,
                                                            const QString& checkpointFile)
{
    std::unique_ptr<TeamDatabase> team(new TeamDatabase(config, checkpointFile));
    auto db = storage::PgConnection::open(config, team->m_connectionName);
    COUNTERSIGN_TRY(db);
    auto migrated = storage::Migrations(storage::Migrations::team()).migrate(*db);
    COUNTERSIGN_TRY(migrated);
    return team;
}

Result<std::unique_ptr<TeamDatabase>> TeamDatabase::initialize(const storage::PgConnectionConfig& config,
                                                               const TeamKey& key, const Owner& owner,
                                                               const QString& checkpointFile)
{
    if (owner.displayName.trimmed().isEmpty() || owner.publicKey.size() != crypto::SigningKey::PUBLIC_KEY_SIZE)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("a new team needs its owner's name and Ed25519 public key (32 bytes)"));
    auto team = connect(config, checkpointFile);
    COUNTERSIGN_TRY(team);
    QSqlDatabase db = (*team)->database();
    auto sealed = std::make_shared<const crypto::ColumnCipher>(crypto::ColumnCipher::generate());
    auto wrapped = key.wrap(sealed->key());
    COUNTERSIGN_TRY(wrapped);
    const crypto::SigningKey instanceKey = crypto::SigningKey::generate();
    // Named by the instance key's fingerprint, as a vault's is; never by a host, since every node
    // presents it and clients pin it rather than check a name.
    const QByteArray instanceId = crypto::toByteArray(crypto::Sha256::of(instanceKey.publicKey())).toHex().left(16);
    auto tls = crypto::TlsIdentity::generate(QStringLiteral("Countersign team %1").arg(QLatin1StringView(instanceId)));
    COUNTERSIGN_TRY(tls);
    auto fingerprint = crypto::TlsIdentity::fingerprint(tls->certificatePem);
    COUNTERSIGN_TRY(fingerprint);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    auto created = storage::transact(db, [&]() -> Result<void> {
        const TeamStore store(db, sealed);
        // The data key's row decides which of two nodes setting up at once made the team.
        auto added = store.addWrappedDataKey(DATA_KEY_VERSION, *wrapped, now);
        COUNTERSIGN_TRY(added);
        if (!*added)
            return fail(ErrorCode::AlreadyExists, QStringLiteral("the team database is already set up"));
        QByteArray auditKey = crypto::randomBytes(AUDIT_KEY_SIZE);
        const crypto::SecureBuffer auditSecret = crypto::SecureBuffer::takeFrom(auditKey);
        COUNTERSIGN_TRY(store.addSecret(TeamStore::AUDIT_KEY, auditSecret));
        COUNTERSIGN_TRY(store.addSecret(TeamStore::INSTANCE_SEED, instanceKey.seed()));
        COUNTERSIGN_TRY(store.addSecret(TeamStore::TLS_CERTIFICATE, crypto::SecureBuffer::copyOf(tls->certificatePem)));
        COUNTERSIGN_TRY(store.addSecret(TeamStore::TLS_KEY, tls->privateKeyPem));
        COUNTERSIGN_TRY(store.addOwner(owner.id, owner.displayName, owner.publicKey, now));
        audit::AuditLog log(db, auditSecret, sealed);
        auto audited =
            log.append({audit::AuditLog::SYSTEM_ACTOR, QStringLiteral("team.created"), QStringLiteral("team"),
                        QJsonObject{{QStringLiteral("instance_public_key"),
                                     QString::fromLatin1(instanceKey.publicKey().toBase64())},
                                    {QStringLiteral("schema_version"),
                                     storage::Migrations(storage::Migrations::team()).latestVersion()}}});
        COUNTERSIGN_TRY(audited);
        auto joined = log.append(
            {audit::AuditLog::SYSTEM_ACTOR, QStringLiteral("member.added"), QStringLiteral("member:") + owner.id,
             QJsonObject{{QStringLiteral("display_name"), owner.displayName},
                         {QStringLiteral("role"), QStringLiteral("owner")},
                         {QStringLiteral("public_key"), QString::fromLatin1(owner.publicKey.toBase64())}}});
        COUNTERSIGN_TRY(joined);
        return {};
    });
    COUNTERSIGN_TRY(created);
    COUNTERSIGN_TRY((*team)->loadKeys(key));
    qCInfo(lcTeam) << "set up the team database" << config.database << "on" << config.host;
    return team;
}

Result<std::unique_ptr<TeamDatabase>> TeamDatabase::open(const storage::PgConnectionConfig& config, const TeamKey& key,
                                                         const QString& checkpointFile)
{
    auto team = connect(config, checkpointFile);
    COUNTERSIGN_TRY(team);
    COUNTERSIGN_TRY((*team)->loadKeys(key));
    return team;
}

Result<void> TeamDatabase::loadKeys(const TeamKey& key)
{
    const QSqlDatabase db = database();
    auto wrapped = TeamStore(db, nullptr).wrappedDataKey(DATA_KEY_VERSION);
    COUNTERSIGN_TRY(wrapped);
    if (!*wrapped)
        return fail(ErrorCode::NotFound, QStringLiteral("the database %1 holds no team yet: set it up with "
                                                        "`countersign-cli --database URL team init`")
                                             .arg(m_config.database));
    auto dataKey = key.unwrap(**wrapped);
    COUNTERSIGN_TRY(dataKey);
    auto cipher = crypto::ColumnCipher::fromKey(std::move(*dataKey));
    COUNTERSIGN_TRY(cipher);
    m_cipher = std::make_shared<const crypto::ColumnCipher>(std::move(*cipher));
    const TeamStore store(db, m_cipher);
    auto auditKey = store.secret(TeamStore::AUDIT_KEY);
    COUNTERSIGN_TRY(auditKey);
    m_auditKey = std::move(*auditKey);
    auto seed = store.secret(TeamStore::INSTANCE_SEED);
    COUNTERSIGN_TRY(seed);
    auto instanceKey = crypto::SigningKey::fromSeed(*seed);
    COUNTERSIGN_TRY(instanceKey);
    m_instanceKey.emplace(std::move(*instanceKey));
    auto certificate = store.secret(TeamStore::TLS_CERTIFICATE);
    COUNTERSIGN_TRY(certificate);
    auto tlsKey = store.secret(TeamStore::TLS_KEY);
    COUNTERSIGN_TRY(tlsKey);
    m_tlsIdentity.emplace(crypto::TlsIdentity{certificate->view().toByteArray(), std::move(*tlsKey)});
    m_audit = std::make_unique<audit::AuditLog>(db, m_auditKey, m_cipher);
    return {};
}

QSqlDatabase TeamDatabase::database() const
{
    return QSqlDatabase::database(m_connectionName, false);
}

Result<QSqlDatabase> TeamDatabase::openConnection(const QString& connectionName) const
{
    return storage::PgConnection::open(m_config, connectionName);
}

Result<std::unique_ptr<audit::AuditedConnection>>
TeamDatabase::openAuditedConnection(const QString& connectionName) const
{
    auto db = openConnection(connectionName);
    COUNTERSIGN_TRY(db);
    auto connection = std::make_unique<audit::AuditedConnection>(connectionName);
    auto log = std::make_unique<audit::AuditLog>(*db, m_auditKey, m_cipher);
    auto checkpoints = openCheckpointSigner(*db, *log);
    connection->attach(std::move(log), std::move(checkpoints));
    return connection;
}

crypto::SecureBuffer TeamDatabase::viewSaltKey() const
{
    return audit::AuditLog::viewSaltKey(m_auditKey);
}

std::unique_ptr<audit::CheckpointSigner> TeamDatabase::openCheckpointSigner(const QSqlDatabase& connection,
                                                                            audit::AuditLog& audit) const
{
    return std::make_unique<audit::CheckpointSigner>(connection, audit, instanceKey(), m_checkpointFile);
}

} // namespace countersign::team
