#include "cellsealing.h"

#include "sqldialect.h"

namespace countersign::storage {

namespace {

Error withoutKey()
{
    return Error{ErrorCode::Crypto, QStringLiteral("the team database is sealed and this node has no data key")};
}

} // namespace

CellSealing::CellSealing(const QSqlDatabase& db, std::shared_ptr<const crypto::ColumnCipher> cipher)
    : m_seals(SqlDialect::of(db).kind() == SqlDialect::Kind::PostgreSql)
    , m_cipher(m_seals ? std::move(cipher) : nullptr)
{
}

Result<QVariant> CellSealing::seal(const QString& table, const QString& column, const QString& rowId,
                                   const QString& text) const
{
    if (!m_seals)
        return QVariant(text);
    if (!m_cipher)
        return std::unexpected(withoutKey());
    return QVariant(m_cipher->seal(text.toUtf8(), crypto::CellAddress{table, column, rowId}));
}

Result<QString> CellSealing::open(const QString& table, const QString& column, const QString& rowId,
                                  const QVariant& stored) const
{
    if (!m_seals)
        return stored.toString();
    if (!m_cipher)
        return std::unexpected(withoutKey());
    auto opened = m_cipher->open(stored.toByteArray(), crypto::CellAddress{table, column, rowId});
    if (!opened)
        return fail(opened.error().code, QStringLiteral("the sealed %1.%2 of %3 does not open: %4")
                                             .arg(table, column, rowId.left(64), opened.error().message));
    return QString::fromUtf8(*opened);
}

} // namespace countersign::storage
