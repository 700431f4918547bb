#include "audittreestore.h"

#include "storage/execute.h"

#include <QSqlError>

namespace countersign::audit {

AuditTreeStore::AuditTreeStore(QSqlDatabase db)
    : m_db(std::move(db))
    , m_select(m_db)
    , m_insert(m_db)
{
    m_select.setForwardOnly(true);
    m_select.prepare(QStringLiteral("SELECT hash FROM audit_tree WHERE level = ? AND idx = ?"));
    m_insert.prepare(QStringLiteral("INSERT INTO audit_tree (level, idx, hash) VALUES (?, ?, ?)"));
}

Result<quint64> AuditTreeStore::leafCount() const
{
    auto row =
        storage::execute(m_db, QStringLiteral("SELECT coalesce(max(idx) + 1, 0) FROM audit_tree WHERE level = 0"));
    COUNTERSIGN_TRY(row);
    if (!row->next())
        return std::unexpected(storage::storageError(row->lastError()));
    return static_cast<quint64>(row->value(0).toLongLong());
}

Result<std::optional<QByteArray>> AuditTreeStore::node(int level, quint64 index) const
{
    m_select.bindValue(0, level);
    m_select.bindValue(1, static_cast<qint64>(index));
    if (!m_select.exec())
        return std::unexpected(storage::storageError(m_select.lastError()));
    std::optional<QByteArray> hash;
    if (m_select.next())
        hash = m_select.value(0).toByteArray();
    m_select.finish();
    return hash;
}

Result<void> AuditTreeStore::insert(int level, quint64 index, const QByteArray& hash)
{
    m_insert.bindValue(0, level);
    m_insert.bindValue(1, static_cast<qint64>(index));
    m_insert.bindValue(2, hash);
    if (!m_insert.exec())
        return std::unexpected(storage::storageError(m_insert.lastError()));
    return {};
}

} // namespace countersign::audit
