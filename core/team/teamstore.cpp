#include "teamstore.h"

#include "crypto/crypto.h"
#include "storage/execute.h"
#include "storage/sqldialect.h"

namespace countersign::team {

namespace {

const QString SECRETS = QStringLiteral("secrets");
const QString VALUE = QStringLiteral("value");

} // namespace

TeamStore::TeamStore(QSqlDatabase db, std::shared_ptr<const crypto::ColumnCipher> cipher)
    : m_db(std::move(db))
    , m_cipher(std::move(cipher))
{
}

Result<std::optional<QByteArray>> TeamStore::wrappedDataKey(int version) const
{
    auto row = storage::execute(m_db, QStringLiteral("SELECT wrapped FROM data_keys WHERE version = ?"), {version});
    COUNTERSIGN_TRY(row);
    if (!row->next())
        return std::optional<QByteArray>();
    return std::optional<QByteArray>(row->value(0).toString().toUtf8());
}

Result<bool> TeamStore::addWrappedDataKey(int version, const QByteArray& wrapped, qint64 createdAt) const
{
    const QString insert = storage::SqlDialect::of(m_db).insertOrIgnore(
        QStringLiteral("data_keys"),
        {QStringLiteral("version"), QStringLiteral("wrapped"), QStringLiteral("created_at")});
    auto done = storage::execute(m_db, insert, {version, QString::fromUtf8(wrapped), createdAt});
    COUNTERSIGN_TRY(done);
    return done->numRowsAffected() == 1;
}

Result<crypto::SecureBuffer> TeamStore::secret(const QString& name) const
{
    if (!m_cipher)
        return fail(ErrorCode::Crypto, QStringLiteral("the team's secrets need its data key"));
    auto row = storage::execute(m_db, QStringLiteral("SELECT value FROM secrets WHERE name = ?"), {name});
    COUNTERSIGN_TRY(row);
    if (!row->next())
        return fail(ErrorCode::Integrity, QStringLiteral("the team database lacks its %1").arg(name));
    auto opened = m_cipher->open(row->value(0).toByteArray(), crypto::CellAddress{SECRETS, VALUE, name});
    if (!opened)
        return fail(ErrorCode::Integrity,
                    QStringLiteral("the team's %1 does not open: %2").arg(name, opened.error().message));
    return crypto::SecureBuffer::takeFrom(*opened);
}

Result<void> TeamStore::addSecret(const QString& name, const crypto::SecureBuffer& value) const
{
    if (!m_cipher)
        return fail(ErrorCode::Crypto, QStringLiteral("the team's secrets need its data key"));
    const QByteArray sealed = m_cipher->seal(value.view(), crypto::CellAddress{SECRETS, VALUE, name});
    auto done =
        storage::execute(m_db, QStringLiteral("INSERT INTO secrets (name, value) VALUES (?, ?)"), {name, sealed});
    COUNTERSIGN_TRY(done);
    return {};
}

Result<void> TeamStore::addOwner(const QString& memberId, const QString& displayName, const QByteArray& publicKey,
                                 qint64 createdAt) const
{
    auto done = storage::execute(m_db,
                                 QStringLiteral("INSERT INTO members (id, display_name, role, public_key, created_at) "
                                                "VALUES (?, ?, 'owner', ?, ?)"),
                                 {memberId, displayName, publicKey, createdAt});
    COUNTERSIGN_TRY(done);
    return {};
}

} // namespace countersign::team
