#include "vaultkeys.h"

#include "audit/auditlog.h"
#include "crypto/crypto.h"
#include "crypto/sha256.h"
#include "storage/metastore.h"
#include "storage/transaction.h"
#include "vaultstore.h"

#include <QDateTime>
#include <QJsonObject>

namespace countersign::vault {

namespace {

constexpr qsizetype AUDIT_KEY_SIZE = 32;
const QString OWNER_NAME = QStringLiteral("owner_name");
// The short instance fingerprint in the TLS certificate's name (64 bits of SHA-256).
constexpr qsizetype INSTANCE_ID_HEX_DIGITS = 16;

Result<crypto::SigningKey> signingKeyFrom(const VaultStore& store, const QString& seedName)
{
    auto seed = store.secret(seedName);
    COUNTERSIGN_TRY(seed);
    return crypto::SigningKey::fromSeed(*seed);
}

} // namespace

Result<void> VaultKeys::seed(QSqlDatabase db, const QString& ownerName)
{
    const VaultStore store(db);
    return storage::transact(db, [&]() -> Result<void> {
        COUNTERSIGN_TRY(storage::MetaStore(db).set(
            {{OWNER_NAME, ownerName},
             {QStringLiteral("created_at"), QString::number(QDateTime::currentMSecsSinceEpoch())}}));
        QByteArray auditKey = crypto::randomBytes(AUDIT_KEY_SIZE);
        COUNTERSIGN_TRY(store.addSecret(VaultStore::AUDIT_KEY, crypto::SecureBuffer::takeFrom(auditKey)));
        return store.addSecret(VaultStore::INSTANCE_SEED, crypto::SigningKey::generate().seed());
    });
}

Result<QString> VaultKeys::ownerName(QSqlDatabase db)
{
    auto values = storage::MetaStore(std::move(db)).values({OWNER_NAME});
    COUNTERSIGN_TRY(values);
    if (!values->contains(OWNER_NAME))
        return fail(ErrorCode::Integrity, QStringLiteral("the vault lacks its %1").arg(OWNER_NAME));
    return values->value(OWNER_NAME);
}

Result<crypto::SigningKey> VaultKeys::instanceKey(QSqlDatabase db)
{
    return signingKeyFrom(VaultStore(db), VaultStore::INSTANCE_SEED);
}

Result<std::shared_ptr<const crypto::SigningKey>> VaultKeys::ownerKey(QSqlDatabase db, audit::AuditLog& audit)
{
    const VaultStore store(db);
    auto missing = store.ownerLacksKey();
    COUNTERSIGN_TRY(missing);
    if (*missing) {
        const crypto::SigningKey made = crypto::SigningKey::generate();
        auto created = storage::transact(db, [&]() -> Result<void> {
            COUNTERSIGN_TRY(store.addSecret(VaultStore::OWNER_SEED, made.seed()));
            COUNTERSIGN_TRY(store.setOwnerPublicKey(made.publicKey()));
            auto audited = audit.append(
                {audit::AuditLog::SYSTEM_ACTOR, QStringLiteral("member.key_created"), QStringLiteral("member:owner"),
                 QJsonObject{{QStringLiteral("public_key"), QString::fromLatin1(made.publicKey().toBase64())}}});
            COUNTERSIGN_TRY(audited);
            return {};
        });
        COUNTERSIGN_TRY(created);
    }
    auto key = signingKeyFrom(store, VaultStore::OWNER_SEED);
    COUNTERSIGN_TRY(key);
    return std::make_shared<const crypto::SigningKey>(std::move(*key));
}

Result<crypto::TlsIdentity> VaultKeys::tlsIdentity(QSqlDatabase db, audit::AuditLog& audit,
                                                   const QByteArray& instancePublicKey)
{
    const VaultStore store(db);
    auto stored = store.hasSecret(VaultStore::TLS_CERTIFICATE);
    COUNTERSIGN_TRY(stored);
    if (*stored) {
        auto certificate = store.secret(VaultStore::TLS_CERTIFICATE);
        COUNTERSIGN_TRY(certificate);
        auto key = store.secret(VaultStore::TLS_KEY);
        COUNTERSIGN_TRY(key);
        return crypto::TlsIdentity{certificate->view().toByteArray(), std::move(*key)};
    }
    // The certificate is shown to anyone who connects to the team listener: it names the instance
    // (by its signing key's fingerprint, which members can compare), never the owner.
    const QByteArray instanceId =
        crypto::toByteArray(crypto::Sha256::of(instancePublicKey)).toHex().left(INSTANCE_ID_HEX_DIGITS);
    auto made =
        crypto::TlsIdentity::generate(QStringLiteral("Countersign instance %1").arg(QLatin1StringView(instanceId)));
    COUNTERSIGN_TRY(made);
    auto fingerprint = crypto::TlsIdentity::fingerprint(made->certificatePem);
    COUNTERSIGN_TRY(fingerprint);
    auto kept = storage::transact(db, [&]() -> Result<void> {
        COUNTERSIGN_TRY(
            store.addSecret(VaultStore::TLS_CERTIFICATE, crypto::SecureBuffer::copyOf(made->certificatePem)));
        COUNTERSIGN_TRY(store.addSecret(VaultStore::TLS_KEY, made->privateKeyPem));
        auto audited = audit.append(
            {audit::AuditLog::SYSTEM_ACTOR, QStringLiteral("tls.certificate_created"), QStringLiteral("vault"),
             QJsonObject{{QStringLiteral("sha256"), QString::fromLatin1(fingerprint->toHex())}}});
        COUNTERSIGN_TRY(audited);
        return {};
    });
    COUNTERSIGN_TRY(kept);
    return std::move(*made);
}

} // namespace countersign::vault
