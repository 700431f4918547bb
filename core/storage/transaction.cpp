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

Result<void> transact(QSqlDatabase& db, const std::function<Result<void>()>& work)
{
    const bool own = !inTransaction(db);
    if (own) {
        if (auto same = checkDatabaseFile(db); !same)
            return same;
    }
    if (own && !db.transaction())
        return fail(ErrorCode::Storage, db.lastError().text());
    auto result = work();
    if (!own)
        return result;
    if (!result) {
        db.rollback();
        return result;
    }
    if (!db.commit()) {
        const QString message = db.lastError().text();
        db.rollback();
        return fail(ErrorCode::Storage, message);
    }
    return {};
}

} // namespace countersign::storage
