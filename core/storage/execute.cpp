#include "execute.h"

#include "sqldialect.h"

#include <QSqlDriver>
#include <QSqlError>

#include <libpq-fe.h>

namespace countersign::storage {

Error storageError(const QSqlError& error)
{
    // PostgreSQL's SQLSTATE (QPSQL's native code): a database that cannot be reached, is shutting
    // down or out of resources, or a transaction it gave up to keep others consistent, is a
    // failure to try again later (503 with Retry-After), not a broken request or a broken vault.
    const QString state = error.nativeErrorCode();
    const bool postgres = state.size() == 5;
    if (postgres && (state.startsWith(u"08") || state.startsWith(u"53") || state.startsWith(u"57P") ||
                     state == u"40001" || state == u"40P01"))
        return Error{ErrorCode::Unavailable, QStringLiteral("the team database cannot serve this now (%1, SQLSTATE "
                                                            "%2); try again shortly")
                                                 .arg(error.databaseText().trimmed(), state)};
    if (postgres && state.startsWith(u"23"))
        return Error{ErrorCode::Conflict, error.text()};
    return Error{ErrorCode::Storage, error.text()};
}

bool connectionLost(const QSqlDatabase& db)
{
    if (SqlDialect::of(db).kind() != SqlDialect::Kind::PostgreSql || !db.driver())
        return false;
    const QVariant handle = db.driver()->handle();
    if (qstrcmp(handle.typeName(), "PGconn*") != 0)
        return false;
    PGconn* connection = *static_cast<PGconn* const*>(handle.constData());
    return !connection || PQstatus(connection) == CONNECTION_BAD;
}

Error storageError(const QSqlDatabase& db, const QSqlError& error)
{
    if (connectionLost(db))
        return Error{ErrorCode::Unavailable,
                     QStringLiteral("the connection to the team database was lost (%1); try again shortly")
                         .arg(error.databaseText().trimmed())};
    return storageError(error);
}

bool isRetryable(const QSqlError& error)
{
    const QString state = error.nativeErrorCode();
    return state == u"40001" || state == u"40P01";
}

QVariant bindable(const QVariant& value)
{
    // QPSQL binds a null QString as NULL even when the variant holds a value; SQLite (our driver)
    // binds it as empty text, which is what the stores mean. A NULL is a null variant on both.
    if (!value.isNull() && value.metaType() == QMetaType::fromType<QString>() && value.toString().isNull())
        return QVariant(QStringLiteral(""));
    return value;
}

Result<QSqlQuery> execute(const QSqlDatabase& db, const QString& sql, const QVariantList& values)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (values.isEmpty()) {
        // Run as it is: PostgreSQL prepares no schema statement (a migration step).
        if (!query.exec(sql))
            return std::unexpected(storageError(db, query.lastError()));
        return query;
    }
    if (!query.prepare(sql))
        return std::unexpected(storageError(db, query.lastError()));
    for (const QVariant& value : values)
        query.addBindValue(bindable(value));
    if (!query.exec())
        return std::unexpected(storageError(db, query.lastError()));
    return query;
}

} // namespace countersign::storage
