#pragma once

#include "error.h"

#include <QSqlDatabase>

#include <functional>
#include <type_traits>
#include <utility>

namespace countersign::storage {

/// True while \a db is inside a transaction (its own or a caller's).
[[nodiscard]] bool inTransaction(const QSqlDatabase& db);

/// Fails (Unavailable) when \a db's file was replaced or removed behind this process.
[[nodiscard]] Result<void> checkDatabaseFile(const QSqlDatabase& db);

/// Runs \a action once \a db's open transaction has committed, or now when none is open; the
/// action is dropped if that transaction, or the unit of work that queued it, rolls back. Events
/// and wake-ups go through here, so nobody hears of a write that may still vanish.
void afterCommit(const QSqlDatabase& db, std::function<void()> action);

namespace detail {
/// How a unit of work holds the database: its own transaction, or a savepoint inside a caller's.
enum class Hold { Transaction, Savepoint };
/// Opens a write transaction, or a savepoint when \a db is inside one already.
[[nodiscard]] Result<Hold> beginWrite(QSqlDatabase& db);
/// Commits or releases (\a succeeded) what beginWrite() opened, or rolls it back.
[[nodiscard]] Result<void> endWrite(QSqlDatabase& db, Hold hold, bool succeeded);
/// Inside a transaction of \a db, units of work that follow open no real savepoint until
/// deferSavepoints(db, false) (SqlCipherDriver::deferSavepoints); false for other drivers.
[[nodiscard]] bool deferSavepoints(QSqlDatabase& db, bool on);
/// True when, since savepoints were deferred, a unit failed after it had changed rows.
[[nodiscard]] bool deferredUnitFailed(const QSqlDatabase& db);
} // namespace detail

/// Runs \a work inside a write transaction (BEGIN IMMEDIATE) on \a db and commits it, or rolls
/// back if \a work fails; returns what \a work returned (a Result). If the connection is already
/// inside a transaction, \a work runs in a savepoint of it: a failure undoes \a work's writes
/// only, and the caller's transaction decides about the rest (a group commit relies on this).
template <typename Work, typename Outcome = std::invoke_result_t<Work&>>
[[nodiscard]] Outcome transact(QSqlDatabase& db, Work&& work)
{
    auto hold = detail::beginWrite(db);
    COUNTERSIGN_TRY(hold);
    Outcome outcome = work();
    auto ended = detail::endWrite(db, *hold, outcome.has_value());
    COUNTERSIGN_TRY(ended);
    return outcome;
}

} // namespace countersign::storage
