#include "statementcache.h"

namespace countersign::storage {

QSqlQuery& StatementCache::prepared(const QString& sql)
{
    auto it = m_queries.find(sql);
    if (it == m_queries.end()) {
        QSqlQuery query(m_db);
        query.setForwardOnly(true);
        query.prepare(sql);
        it = m_queries.insert(sql, query);
    }
    return *it;
}

} // namespace countersign::storage
