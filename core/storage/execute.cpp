#include "execute.h"

#include "pgconnection.h"
#include "sqldialect.h"
#include "transaction.h"

#include <QDateTime>
#include <QHash>
#include <QLoggingCategory>

#include <QSqlDriver>
#include <QSqlError>

#include <libpq-fe.h>

Q_LOGGING_CATEGORY(lcStorage, "countersign.storage")

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

namespace {

bool sessionLost(const QSqlDriver* driver)
{
    if (!driver)
        return false;
    // Closed, and not opened again (the server still away): no session at all.
    if (!driver->isOpen())
        return true;
    const QVariant handle = driver->handle();
    if (qstrcmp(handle.typeName(), "PGconn*") != 0)
        return false;
    PGconn* connection = *static_cast<PGconn* const*>(handle.constData());
    return !connection || PQstatus(connection) == CONNECTION_BAD;
}

Error lostSession(const QSqlError& error)
{
    return Error{ErrorCode::Unavailable, QStringLiteral("the connection to the team database was lost (%1); try "
                                                        "again shortly")
                                             .arg(error.databaseText().trimmed())};
}

} // namespace

bool connectionLost(const QSqlDatabase& db)
{
    return SqlDialect::of(db).kind() == SqlDialect::Kind::PostgreSql && sessionLost(db.driver());
}

Error queryError(const QSqlQuery& query)
{
    // A connection closed under a kept query (its lost session being replaced) leaves the query
    // on a driver that is not open: no statement ran, and the next attempt may well succeed.
    if (!query.driver() || !query.driver()->isOpen())
        return Error{ErrorCode::Unavailable,
                     QStringLiteral("the connection to the database is closed for now; try again shortly")};
    return sessionLost(query.driver()) ? lostSession(query.lastError()) : storageError(query.lastError());
}

Error storageError(const QSqlDatabase& db, const QSqlError& error)
{
    return connectionLost(db) ? lostSession(error) : storageError(error);
}

bool isRetryable(const QSqlError& error)
{
    const QString state = error.nativeErrorCode();
    return state == u"40001" || state == u"40P01";
}

namespace {

/// A connection's attempts to replace its lost session, kept with the calling thread (which owns
/// the connection).
struct Reconnection {
    qint64 nextAttemptMs = 0;
    int backoffMs = 0;
};
thread_local QHash<QString, Reconnection> t_reconnections;

constexpr int FIRST_BACKOFF_MS = 1000;
constexpr int MAX_BACKOFF_MS = 5000;

} // namespace

Result<void> reconnectIfLost(QSqlDatabase& db)
{
    if (!connectionLost(db))
        return {};
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    Reconnection& state = t_reconnections[db.connectionName()];
    if (now < state.nextAttemptMs)
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("the team database is out of reach; trying again in a moment"));
    if (auto reopened = PgConnection::reopen(db); !reopened) {
        state.backoffMs = std::min(MAX_BACKOFF_MS, state.backoffMs == 0 ? FIRST_BACKOFF_MS : state.backoffMs * 2);
        state.nextAttemptMs = now + state.backoffMs;
        return fail(
            ErrorCode::Unavailable,
            QStringLiteral("the team database is out of reach (%1); try again shortly").arg(reopened.error().message));
    }
    t_reconnections.remove(db.connectionName());
    qCInfo(lcStorage) << "a new session to the team database for" << db.connectionName();
    return {};
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
    if (!inTransaction(db)) {
        QSqlDatabase reconnected = db;
        COUNTERSIGN_TRY(reconnectIfLost(reconnected));
    }
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
