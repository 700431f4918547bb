#include "transaction.h"

#include "execute.h"
#include "sqlcipherdriver.h"

#include <QHash>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>

#include <vector>

namespace countersign::storage {

namespace {

/// What SqlCipherDriver keeps itself, kept here for a connection through another driver
/// (PostgreSQL's QPSQL): whether a transaction is open, its savepoints, and what waits for its
/// commit. A connection belongs to one thread, so each thread keeps those of its connections.
struct OpenTransaction {
    std::vector<std::function<void()>> afterCommit;
    std::vector<std::size_t> savepointMarks; // afterCommit's size when each savepoint began
};
thread_local QHash<QString, OpenTransaction> t_open;

[[nodiscard]] OpenTransaction* openTransaction(const QSqlDatabase& db)
{
    const auto found = t_open.find(db.connectionName());
    return found == t_open.end() ? nullptr : &*found;
}

[[nodiscard]] Result<void> run(QSqlDatabase& db, const QString& sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql))
        return std::unexpected(storageError(db, query.lastError()));
    return {};
}

Result<detail::Hold> beginOtherWrite(QSqlDatabase& db)
{
    if (OpenTransaction* open = openTransaction(db)) {
        auto saved = run(db, QStringLiteral("SAVEPOINT countersign_unit"));
        COUNTERSIGN_TRY(saved);
        open->savepointMarks.push_back(open->afterCommit.size());
        return detail::Hold::Savepoint;
    }
    COUNTERSIGN_TRY(reconnectIfLost(db));
    // READ COMMITTED: every conditional change is one UPDATE ... WHERE state = ..., and the audit
    // chain's head is taken with a row lock, so no write depends on a snapshot older than its
    // statement.
    auto begun = run(db, QStringLiteral("BEGIN ISOLATION LEVEL READ COMMITTED"));
    COUNTERSIGN_TRY(begun);
    t_open.insert(db.connectionName(), {});
    return detail::Hold::Transaction;
}

Result<void> endOtherWrite(QSqlDatabase& db, detail::Hold hold, bool succeeded)
{
    OpenTransaction* open = openTransaction(db);
    if (!open)
        return fail(ErrorCode::Storage, QStringLiteral("no transaction is open on this connection"));
    if (hold == detail::Hold::Savepoint) {
        const std::size_t mark = open->savepointMarks.empty() ? 0 : open->savepointMarks.back();
        if (!open->savepointMarks.empty())
            open->savepointMarks.pop_back();
        if (!succeeded) {
            open->afterCommit.resize(std::min(mark, open->afterCommit.size()));
            auto undone = run(db, QStringLiteral("ROLLBACK TO SAVEPOINT countersign_unit"));
            COUNTERSIGN_TRY(undone);
        }
        return run(db, QStringLiteral("RELEASE SAVEPOINT countersign_unit"));
    }
    std::vector<std::function<void()>> actions;
    actions.swap(open->afterCommit);
    t_open.remove(db.connectionName());
    if (!succeeded)
        return run(db, QStringLiteral("ROLLBACK"));
    auto committed = run(db, QStringLiteral("COMMIT"));
    if (!committed) {
        (void)run(db, QStringLiteral("ROLLBACK"));
        return committed;
    }
    for (const auto& action : actions)
        action();
    return {};
}

} // namespace

bool inTransaction(const QSqlDatabase& db)
{
    if (const auto* driver = qobject_cast<const SqlCipherDriver*>(db.driver()))
        return driver->inTransaction();
    return openTransaction(db) != nullptr;
}

Result<void> checkDatabaseFile(const QSqlDatabase& db)
{
    const auto* driver = qobject_cast<const SqlCipherDriver*>(db.driver());
    return driver ? driver->checkFileIdentity() : Result<void>{};
}

void afterCommit(const QSqlDatabase& db, std::function<void()> action)
{
    if (auto* driver = qobject_cast<SqlCipherDriver*>(db.driver())) {
        driver->afterCommit(std::move(action));
        return;
    }
    if (OpenTransaction* open = openTransaction(db)) {
        open->afterCommit.push_back(std::move(action));
        return;
    }
    action();
}

namespace detail {

Result<Hold> beginWrite(QSqlDatabase& db)
{
    if (!qobject_cast<SqlCipherDriver*>(db.driver()))
        return beginOtherWrite(db);
    if (inTransaction(db)) {
        auto* driver = qobject_cast<SqlCipherDriver*>(db.driver());
        if (!driver->beginSavepoint())
            return fail(ErrorCode::Storage, driver->lastError().text());
        return Hold::Savepoint;
    }
    auto same = checkDatabaseFile(db);
    COUNTERSIGN_TRY(same);
    if (!db.transaction())
        return std::unexpected(storageError(db.lastError()));
    return Hold::Transaction;
}

Result<void> endWrite(QSqlDatabase& db, Hold hold, bool succeeded)
{
    if (!qobject_cast<SqlCipherDriver*>(db.driver()))
        return endOtherWrite(db, hold, succeeded);
    if (hold == Hold::Savepoint) {
        auto* driver = qobject_cast<SqlCipherDriver*>(db.driver());
        if (!driver->endSavepoint(succeeded))
            return fail(ErrorCode::Storage, driver->lastError().text());
        return {};
    }
    if (!succeeded) {
        db.rollback();
        return {};
    }
    if (!db.commit()) {
        Error error = storageError(db.lastError());
        db.rollback();
        return std::unexpected(std::move(error));
    }
    return {};
}

bool deferSavepoints(QSqlDatabase& db, bool on)
{
    auto* driver = qobject_cast<SqlCipherDriver*>(db.driver());
    if (!driver)
        return false;
    driver->deferSavepoints(on);
    return true;
}

bool deferredUnitFailed(const QSqlDatabase& db)
{
    const auto* driver = qobject_cast<const SqlCipherDriver*>(db.driver());
    return driver && driver->deferredUnitFailed();
}

} // namespace detail

} // namespace countersign::storage
