#pragma once

#include <QHash>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

#include "sessionwatch.h"

namespace countersign::storage {

/// Prepared statements kept for the life of a connection, so hot paths (authenticating a
/// token, reading a request) do not parse their SQL again on every call.
class StatementCache final {
public:
    explicit StatementCache(QSqlDatabase db);

    /// The prepared, forward-only query for \a sql; bind, exec, read, then finish() it.
    [[nodiscard]] QSqlQuery& prepared(const QString& sql);

private:
    QSqlDatabase m_db;
    QHash<QString, QSqlQuery> m_queries;
    QSqlQuery m_unprepared; // the last statement that could not be prepared, not kept
    SessionWatch m_session; // drops them all when a lost session is replaced
};

} // namespace countersign::storage
