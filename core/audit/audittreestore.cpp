#include "audittreestore.h"

#include "storage/execute.h"

#include <QSqlError>

namespace countersign::audit {

AuditTreeStore::AuditTreeStore(QSqlDatabase db)
    : m_db(std::move(db))
    , m_session(m_db, [this] {
        // A replaced session knows no statement of the old one.
        m_select = QSqlQuery(m_db);
        m_insert = QSqlQuery(m_db);
        m_prepared = false;
    })
{
    prepare();
}

void AuditTreeStore::prepare() const
{
    // Once per session: a replaced PostgreSQL session knows no statement of the old one.
    // One that could not be prepared (no session, an aborted transaction) is prepared next time.
    m_select.setForwardOnly(true);
    m_prepared = m_select.prepare(QStringLiteral("SELECT hash FROM audit_tree WHERE level = ? AND idx = ?")) &&
                 m_insert.prepare(QStringLiteral("INSERT INTO audit_tree (level, idx, hash) VALUES (?, ?, ?)"));
}

Result<quint64> AuditTreeStore::leafCount() const
{
    auto row =
        storage::execute(m_db, QStringLiteral("SELECT coalesce(max(idx) + 1, 0) FROM audit_tree WHERE level = 0"));
    COUNTERSIGN_TRY(row);
    if (!row->next())
        return std::unexpected(storage::queryError(*row));
    return static_cast<quint64>(row->value(0).toLongLong());
}

Result<std::optional<QByteArray>> AuditTreeStore::node(int level, quint64 index) const
{
    if (!m_prepared)
        prepare();
    m_select.bindValue(0, level);
    m_select.bindValue(1, static_cast<qint64>(index));
    if (!m_select.exec())
        return std::unexpected(storage::queryError(m_select));
    std::optional<QByteArray> hash;
    if (m_select.next())
        hash = m_select.value(0).toByteArray();
    m_select.finish();
    return hash;
}

Result<void> AuditTreeStore::insert(int level, quint64 index, const QByteArray& hash)
{
    if (!m_prepared)
        prepare();
    m_insert.bindValue(0, level);
    m_insert.bindValue(1, static_cast<qint64>(index));
    m_insert.bindValue(2, hash);
    if (!m_insert.exec())
        return std::unexpected(storage::queryError(m_insert));
    return {};
}

} // namespace countersign::audit
