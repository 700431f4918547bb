#pragma once

#include "error.h"

#include <QSqlDatabase>

#include <functional>

namespace countersign::storage {

/// Runs \a work inside a write transaction (BEGIN IMMEDIATE) on \a db and commits it, or rolls
/// back if \a work fails. If the connection is already inside a transaction, \a work joins it
/// and the caller's transaction decides.
/// True while \a db is inside a transaction (its own or a caller's).
[[nodiscard]] bool inTransaction(const QSqlDatabase& db);

/// Fails (Unavailable) when \a db's file was replaced or removed behind this process.
[[nodiscard]] Result<void> checkDatabaseFile(const QSqlDatabase& db);

[[nodiscard]] Result<void> transact(QSqlDatabase& db, const std::function<Result<void>()>& work);

} // namespace countersign::storage
