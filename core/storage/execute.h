#pragma once

#include "error.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariantList>

class QSqlError;

namespace countersign::storage {

/// A database failure as an Error: the one place a driver's error becomes one of ours, so a
/// store never words it itself.
[[nodiscard]] Error storageError(const QSqlError& error);

/// Prepares \a sql on \a db, binds \a values to its placeholders in order and runs it,
/// forward-only. The query is returned to be read (next(), value()) or asked how many rows it
/// changed; a failure to prepare or run it is a Storage error.
[[nodiscard]] Result<QSqlQuery> execute(const QSqlDatabase& db, const QString& sql, const QVariantList& values = {});

} // namespace countersign::storage
