#pragma once

#include <QHash>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

namespace countersign::storage {

/// Prepared statements kept for the life of a connection, so hot paths (authenticating a
/// token, reading a request) do not parse their SQL again on every call.
class StatementCache final {
public:
    explicit StatementCache(QSqlDatabase db)
        : m_db(std::move(db))
    {
    }

    /// The prepared, forward-only query for \a sql; bind, exec, read, then finish() it.
    [[nodiscard]] QSqlQuery& prepared(const QString& sql);

private:
    QSqlDatabase m_db;
    QHash<QString, QSqlQuery> m_queries;
};

} // namespace countersign::storage
