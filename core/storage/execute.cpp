#include "execute.h"

#include <QSqlError>

namespace countersign::storage {

Error storageError(const QSqlError& error)
{
    return Error{ErrorCode::Storage, error.text()};
}

Result<QSqlQuery> execute(const QSqlDatabase& db, const QString& sql, const QVariantList& values)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.prepare(sql))
        return std::unexpected(storageError(query.lastError()));
    for (const QVariant& value : values)
        query.addBindValue(value);
    if (!query.exec())
        return std::unexpected(storageError(query.lastError()));
    return query;
}

} // namespace countersign::storage
