#pragma once

#include "error.h"

#include <QByteArray>
#include <QString>

namespace countersign::storage {

/// Replaces \a path with \a contents so that after a crash either the old or the new file is
/// there, complete: write a temporary file, fsync it, rename it over \a path, fsync the directory.
[[nodiscard]] Result<void> writeFileAtomically(const QString& path, const QByteArray& contents);

/// Flushes a file's data to stable storage.
[[nodiscard]] Result<void> syncFile(const QString& path);

/// Flushes a directory entry change (a create, rename or unlink) to stable storage.
[[nodiscard]] Result<void> syncDirectory(const QString& path);

} // namespace countersign::storage
