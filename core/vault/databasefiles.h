#pragma once

#include <QString>

namespace countersign::vault {

/// The vault's database files in its data directory: `vault-<n>.db`, a new generation for each
/// re-key, with SQLite's `-wal` and `-shm` beside each. The header names the current one.
class DatabaseFiles final {
public:
    explicit DatabaseFiles(QString dataDir);

    [[nodiscard]] QString path(const QString& file) const;
    /// vault-<n>.db -> vault-<n+1>.db
    [[nodiscard]] static QString next(const QString& current);
    /// Removes \a file and its -wal and -shm.
    void remove(const QString& file) const;
    /// Removes every database file but \a current and its companions (debris of an interrupted
    /// re-key). Only under the exclusive lock, with \a current re-read from the header.
    void removeAllBut(const QString& current) const;
    /// An unencrypted SQLite database (its magic in the clear) is never accepted as a vault.
    [[nodiscard]] static bool isPlaintextSqlite(const QString& path);

private:
    QString m_dataDir;
};

} // namespace countersign::vault
