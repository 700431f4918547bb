#include "checkpointstore.h"

#include "evidence/checkpoint.h"
#include "storage/execute.h"
#include "storage/sqldialect.h"

#include <QSqlError>
#include <QSqlQuery>

namespace countersign::audit {

CheckpointStore::CheckpointStore(QSqlDatabase db)
    : m_db(std::move(db))
{
}

Result<std::optional<QByteArray>> CheckpointStore::newestNote() const
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1")))
        return std::unexpected(storage::queryError(query));
    if (!query.next())
        return std::optional<QByteArray>();
    return std::optional<QByteArray>(query.value(0).toString().toUtf8());
}

Result<quint64> CheckpointStore::largestSize() const
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT coalesce(max(size), 0) FROM checkpoints")) || !query.next())
        return std::unexpected(storage::queryError(query));
    return static_cast<quint64>(query.value(0).toLongLong());
}

Result<void> CheckpointStore::insert(const Checkpoint& checkpoint, qint64 createdAt, bool keepExisting)
{
    const QStringList columns{QStringLiteral("size"), QStringLiteral("root"), QStringLiteral("note"),
                              QStringLiteral("created_at")};
    QSqlQuery insert(m_db);
    insert.prepare(keepExisting
                       ? storage::SqlDialect::of(m_db).insertOrIgnore(QStringLiteral("checkpoints"), columns)
                       : QStringLiteral("INSERT INTO checkpoints (size, root, note, created_at) VALUES (?, ?, ?, ?)"));
    insert.addBindValue(static_cast<qint64>(checkpoint.size));
    insert.addBindValue(checkpoint.root);
    insert.addBindValue(QString::fromUtf8(checkpoint.note));
    insert.addBindValue(createdAt);
    if (!insert.exec())
        return std::unexpected(storage::queryError(insert));
    return {};
}

} // namespace countersign::audit
