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

namespace detail {

Result<bool> beginWrite(QSqlDatabase& db)
{
    if (inTransaction(db))
        return false;
    auto same = checkDatabaseFile(db);
    COUNTERSIGN_TRY(same);
    if (!db.transaction())
        return fail(ErrorCode::Storage, db.lastError().text());
    return true;
}

Result<void> endWrite(QSqlDatabase& db, bool own, bool succeeded)
{
    if (!own)
        return {};
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

} // namespace detail

} // namespace countersign::storage
