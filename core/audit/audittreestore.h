#pragma once

#include "error.h"

#include "storage/sessionwatch.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QSqlQuery>

#include <optional>

namespace countersign::audit {

/// Every SQL statement on the audit_tree table, prepared once: a proof or root reads O(log n)
/// nodes, so the statements stay parsed for the connection's life.
class AuditTreeStore final {
public:
    explicit AuditTreeStore(QSqlDatabase db);

    /// How many leaves (level 0 nodes) are stored.
    [[nodiscard]] Result<quint64> leafCount() const;
    /// The hash at \a level and \a index, if stored.
    [[nodiscard]] Result<std::optional<QByteArray>> node(int level, quint64 index) const;
    [[nodiscard]] Result<void> insert(int level, quint64 index, const QByteArray& hash);

private:
    void prepare() const;

    QSqlDatabase m_db;
    mutable QSqlQuery m_select{m_db};
    mutable QSqlQuery m_insert{m_db};
    mutable bool m_prepared = false;
    storage::SessionWatch m_session;
};

} // namespace countersign::audit
