#pragma once

#include "error.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariantList>

class QSqlError;

namespace countersign::storage {

/// A database failure as an Error: the one place a driver's error becomes one of ours, so a
/// store never words it itself.
[[nodiscard]] Error storageError(const QSqlError& error);
/// The same, and Unavailable whenever \a db's PostgreSQL session is gone (server restarted,
/// session ended, network lost): libpq says so, whatever the message.
[[nodiscard]] Error storageError(const QSqlDatabase& db, const QSqlError& error);
/// True when \a db is a PostgreSQL connection whose session is gone.
[[nodiscard]] bool connectionLost(const QSqlDatabase& db);
/// What \a query's failure means, as storageError(db, error) for the connection it ran on: a
/// store's one reading of a failed statement.
[[nodiscard]] Error queryError(const QSqlQuery& query);
/// True for PostgreSQL's serialization failure and deadlock (SQLSTATE 40001, 40P01): the
/// transaction was rolled back whole and may simply run again.
[[nodiscard]] bool isRetryable(const QSqlError& error);

/// Replaces \a db's lost PostgreSQL session with a new one (docs/team-server.md, "Failures"):
/// when libpq says the session is gone and no transaction is open on it, closes and opens the
/// connection again, at most once a second while the server stays away (backing off to five).
/// Unavailable while it cannot; a no-op for a vault and for a session that is fine. Whoever keeps
/// prepared statements lets go of them on the way (SessionWatch).
[[nodiscard]] Result<void> reconnectIfLost(QSqlDatabase& db);

/// \a value as every backend stores it: a QString holding no characters is empty text, never
/// NULL (QPSQL would bind a null QString as NULL); a NULL is a null variant
/// (QVariant(QMetaType::fromType<QString>())) on every backend. execute() binds through it.
[[nodiscard]] QVariant bindable(const QVariant& value);

/// Prepares \a sql on \a db, binds \a values to its placeholders in order and runs it,
/// forward-only. The query is returned to be read (next(), value()) or asked how many rows it
/// changed; a failure to prepare or run it is a Storage error.
[[nodiscard]] Result<QSqlQuery> execute(const QSqlDatabase& db, const QString& sql, const QVariantList& values = {});

} // namespace countersign::storage
