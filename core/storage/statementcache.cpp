#include "statementcache.h"

#include "execute.h"
#include "transaction.h"

#include <QLoggingCategory>
#include <QSqlError>

Q_LOGGING_CATEGORY(lcStatements, "countersign.storage.statements")

namespace countersign::storage {

StatementCache::StatementCache(QSqlDatabase db)
    : m_db(std::move(db))
    , m_session(m_db, [this] {
        m_queries.clear();
        m_unprepared = QSqlQuery();
    })
{
}

QSqlQuery& StatementCache::prepared(const QString& sql)
{
    // A read on its own is where a node serving only reads finds its session lost.
    if (!inTransaction(m_db)) {
        QSqlDatabase db = m_db;
        (void)reconnectIfLost(db);
    }
    auto it = m_queries.find(sql);
    if (it == m_queries.end()) {
        QSqlQuery query(m_db);
        query.setForwardOnly(true);
        if (!query.prepare(sql)) {
            // Not kept: prepared on no session (the database away), it would fail for good. The
            // caller's exec() fails and says so; the next call prepares again.
            qCWarning(lcStatements).noquote() << "cannot prepare a statement:" << query.lastError().text();
            m_unprepared = std::move(query);
            return m_unprepared;
        }
        it = m_queries.insert(sql, query);
    }
    return *it;
}

} // namespace countersign::storage
