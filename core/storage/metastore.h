#pragma once

#include "error.h"

#include <QHash>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace countersign::storage {

/// Every SQL statement on the meta table: the vault's own settings as text by key.
class MetaStore final {
public:
    explicit MetaStore(QSqlDatabase db);

    /// The values stored under \a keys; keys without a value are absent from the answer.
    [[nodiscard]] Result<QHash<QString, QString>> values(const QStringList& keys) const;
    /// Stores every pair of \a values, replacing what the keys held.
    [[nodiscard]] Result<void> set(const QHash<QString, QString>& values);
    [[nodiscard]] Result<void> remove(const QStringList& keys);

private:
    QSqlDatabase m_db;
};

} // namespace countersign::storage
