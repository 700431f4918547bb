#include "vaultstore.h"

#include "crypto/crypto.h"

#include <QSqlError>
#include <QSqlQuery>

namespace countersign::vault {

VaultStore::VaultStore(QSqlDatabase db)
    : m_db(std::move(db))
{
}

Result<crypto::SecureBuffer> VaultStore::secret(const QString& name) const
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT value FROM secrets WHERE name = ?"));
    query.addBindValue(name);
    if (!query.exec())
        return fail(ErrorCode::Storage, query.lastError().text());
    if (!query.next())
        return fail(ErrorCode::Integrity, QStringLiteral("the vault lacks its %1").arg(name));
    QByteArray value = query.value(0).toByteArray();
    return crypto::SecureBuffer::takeFrom(value);
}

Result<bool> VaultStore::hasSecret(const QString& name) const
{
    QSqlQuery present(m_db);
    present.prepare(QStringLiteral("SELECT 1 FROM secrets WHERE name = ?"));
    present.addBindValue(name);
    if (!present.exec())
        return fail(ErrorCode::Storage, present.lastError().text());
    return present.next();
}

Result<void> VaultStore::addSecret(const QString& name, const crypto::SecureBuffer& value) const
{
    QSqlQuery query(m_db);
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

Result<bool> VaultStore::ownerLacksKey() const
{
    QSqlQuery missing(m_db);
    if (!missing.exec(QStringLiteral("SELECT 1 FROM members WHERE id = 'owner' AND public_key IS NULL")))
        return fail(ErrorCode::Storage, missing.lastError().text());
    return missing.next();
}

Result<void> VaultStore::setOwnerPublicKey(const QByteArray& publicKey) const
{
    QSqlQuery update(m_db);
    update.prepare(QStringLiteral("UPDATE members SET public_key = ? WHERE id = 'owner'"));
    update.addBindValue(publicKey);
    if (!update.exec())
        return fail(ErrorCode::Storage, update.lastError().text());
    return {};
}

} // namespace countersign::vault
