#include "transaction.h"

#include "sqlcipherdriver.h"

#include <QSqlError>

namespace countersign::storage {

Result<void> transact(QSqlDatabase& db, const std::function<Result<void>()>& work)
{
    auto* driver = qobject_cast<SqlCipherDriver*>(db.driver());
    const bool own = !driver || !driver->inTransaction();
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
