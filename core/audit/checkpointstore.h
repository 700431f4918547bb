#pragma once

#include "error.h"

#include <QByteArray>
#include <QSqlDatabase>

#include <optional>

namespace countersign::audit {

struct Checkpoint;

/// The SQL on the checkpoints table: the signed notes the vault keeps of its own log.
class CheckpointStore final {
public:
    explicit CheckpointStore(QSqlDatabase db);

    [[nodiscard]] QSqlDatabase& database() { return m_db; }
    /// The note of the checkpoint for the most entries, if any.
    [[nodiscard]] Result<std::optional<QByteArray>> newestNote() const;
    /// The size of the checkpoint for the most entries (0 without one): one index lookup.
    [[nodiscard]] Result<quint64> largestSize() const;
    /// Stores \a checkpoint; with \a keepExisting, a checkpoint of the same size already stored wins.
    [[nodiscard]] Result<void> insert(const Checkpoint& checkpoint, qint64 createdAt, bool keepExisting = false);

private:
    QSqlDatabase m_db;
};

} // namespace countersign::audit
