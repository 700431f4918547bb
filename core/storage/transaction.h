#pragma once

#include "error.h"

#include <QSqlDatabase>

#include <type_traits>
#include <utility>

namespace countersign::storage {

/// True while \a db is inside a transaction (its own or a caller's).
[[nodiscard]] bool inTransaction(const QSqlDatabase& db);

/// Fails (Unavailable) when \a db's file was replaced or removed behind this process.
[[nodiscard]] Result<void> checkDatabaseFile(const QSqlDatabase& db);

namespace detail {
/// Opens a write transaction unless \a db is inside one already; true when this call opened it.
[[nodiscard]] Result<bool> beginWrite(QSqlDatabase& db);
/// Commits (\a succeeded) or rolls back the transaction beginWrite() opened; nothing when \a own is false.
[[nodiscard]] Result<void> endWrite(QSqlDatabase& db, bool own, bool succeeded);
} // namespace detail

/// Runs \a work inside a write transaction (BEGIN IMMEDIATE) on \a db and commits it, or rolls
/// back if \a work fails; returns what \a work returned (a Result). If the connection is already
/// inside a transaction, \a work joins it and the caller's transaction decides.
template <typename Work, typename Outcome = std::invoke_result_t<Work&>>
[[nodiscard]] Outcome transact(QSqlDatabase& db, Work&& work)
{
    auto own = detail::beginWrite(db);
    COUNTERSIGN_TRY(own);
    Outcome outcome = work();
    auto ended = detail::endWrite(db, *own, outcome.has_value());
    COUNTERSIGN_TRY(ended);
    return outcome;
}

} // namespace countersign::storage
