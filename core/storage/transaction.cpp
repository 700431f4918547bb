#include "transaction.h"

#include "sqlcipherdriver.h"

#include <QSqlError>

namespace countersign::storage {

bool inTransaction(const QSqlDatabase& db)
{
    const auto* driver = qobject_cast<const SqlCipherDriver*>(db.driver());
    return driver && driver->inTransaction();
}

Result<void> checkDatabaseFile(const QSqlDatabase& db)
{
    const auto* driver = qobject_cast<const SqlCipherDriver*>(db.driver());
    return driver ? driver->checkFileIdentity() : Result<void>{};
}

void afterCommit(const QSqlDatabase& db, std::function<void()> action)
{
    auto* driver = qobject_cast<SqlCipherDriver*>(db.driver());
    if (driver)
        driver->afterCommit(std::move(action));
    else
        action();
}

namespace detail {

Result<Hold> beginWrite(QSqlDatabase& db)
{
    if (inTransaction(db)) {
        auto* driver = qobject_cast<SqlCipherDriver*>(db.driver());
        if (!driver->beginSavepoint())
            return fail(ErrorCode::Storage, driver->lastError().text());
        return Hold::Savepoint;
    }
    auto same = checkDatabaseFile(db);
    COUNTERSIGN_TRY(same);
    if (!db.transaction())
        return fail(ErrorCode::Storage, db.lastError().text());
    return Hold::Transaction;
}

Result<void> endWrite(QSqlDatabase& db, Hold hold, bool succeeded)
{
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
        const QString message = db.lastError().text();
        db.rollback();
        return fail(ErrorCode::Storage, message);
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
