#pragma once

#include "crypto/securebuffer.h"
#include "error.h"
#include "keptstatements.h"

#include <QSqlDriver>
#include <QSqlError>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace countersign::storage {

/// A QSqlDriver over the SQLCipher C API, so the encrypted vault is used through QSqlDatabase
/// and QSqlQuery like any Qt database. Named placeholders are rewritten to positional ones by
/// QSqlResult itself (the driver reports positional placeholders only).
///
/// Connect options (QSqlDatabase::setConnectOptions, separated by ';'):
///   READONLY            open read-only
///   NO_CREATE           fail if the file does not exist
///   BUSY_TIMEOUT=<ms>   how long to wait for another connection's lock (default 5000)
class SqlCipherDriver final : public QSqlDriver {
    Q_OBJECT
public:
    explicit SqlCipherDriver(QObject* parent = nullptr);
    ~SqlCipherDriver() override;

    /// The raw 256-bit key used by the next open(); wiped as soon as the connection is keyed.
    /// Without a key the file is an ordinary, unencrypted SQLite database.
    void setKey(crypto::SecureBuffer key);

    bool hasFeature(DriverFeature feature) const override;
    bool open(const QString& db, const QString& user, const QString& password, const QString& host, int port,
              const QString& connectOptions) override;
    void close() override;
    QSqlResult* createResult() const override;
    bool beginTransaction() override;
    bool commitTransaction() override;
    bool rollbackTransaction() override;
    QStringList tables(QSql::TableType type) const override;
    QSqlRecord record(const QString& tableName) const override;
    QString escapeIdentifier(const QString& identifier, IdentifierType type) const override;
    QVariant handle() const override;

    [[nodiscard]] sqlite3* nativeHandle() const { return m_db; }
    /// True while an explicit transaction is open on this connection.
    [[nodiscard]] bool inTransaction() const;
    /// Runs a script of one or more statements without results (schema migrations).
    [[nodiscard]] Result<void> executeScript(const QString& sql);
    /// The linked library's `PRAGMA cipher_version`; empty when it is not SQLCipher.
    [[nodiscard]] QString cipherVersion() const;
    /// Writes a copy of the open database, encrypted with \a key, to \a path (sqlcipher_export).
    [[nodiscard]] Result<void> exportTo(const QString& path, const crypto::SecureBuffer& key);
    /// Fails (Unavailable) once the path this connection opened names another file, or none:
    /// the database was replaced or removed behind this process, and whatever it wrote from
    /// now on would be lost with the unlinked file. Transactions are refused from then on.
    [[nodiscard]] Result<void> checkFileIdentity() const;

    /// Runs \a action once the open transaction commits, or now when none is open; dropped when
    /// the transaction, or the savepoint it was queued under, rolls back.
    void afterCommit(std::function<void()> action);
    /// Opens a savepoint inside the open transaction: a nested unit of work that can fail alone.
    [[nodiscard]] bool beginSavepoint();
    /// Releases the innermost savepoint, keeping its writes (\a keep) or rolling them back first.
    [[nodiscard]] bool endSavepoint(bool keep);
    /// While on, savepoints are only marked: a unit that succeeds (nearly every one) costs no
    /// SAVEPOINT and no sub-journal, whose every page SQLCipher encrypts. A unit that fails after
    /// it changed a row cannot be undone alone then; deferredUnitFailed() says so, and the owner
    /// of the transaction rolls it all back and runs the units again with real savepoints.
    void deferSavepoints(bool on);
    [[nodiscard]] bool deferredUnitFailed() const { return m_deferredUnitFailed; }

    /// An idle statement of this connection prepared earlier from exactly \a sql, or null
    /// (KeptStatements): a result done with its statement hands it back instead of finalizing it.
    [[nodiscard]] sqlite3_stmt* takeStatement(const QByteArray& sql) const;
    /// Takes back \a statement, prepared from \a sql (KeptStatements::give).
    void returnStatement(const QByteArray& sql, sqlite3_stmt* statement) const;
    static constexpr int KEPT_STATEMENTS = KeptStatements::CAPACITY;

private:
    struct FileIdentity {
        quint64 device = 0;
        quint64 inode = 0;
    };
    [[nodiscard]] static std::optional<FileIdentity> fileIdentity(const QString& path);

    bool execSimple(const char* sql, QSqlError::ErrorType type);
    void setErrorFromDb(const QString& text, QSqlError::ErrorType type);

    sqlite3* m_db = nullptr;
    crypto::SecureBuffer m_key;
    QString m_path;
    std::optional<FileIdentity> m_identity; // of the file at m_path when it was opened
    // Statements are kept and handed out from const members (QSqlDriver::createResult is const).
    std::unique_ptr<KeptStatements> m_kept = std::make_unique<KeptStatements>();
    std::vector<std::function<void()>> m_afterCommit;
    struct SavepointMark {
        std::size_t afterCommit = 0; // m_afterCommit's size when the savepoint began
        qint64 changes = 0;          // rows changed on the connection by then (deferred ones)
        bool deferred = false;
    };
    std::vector<SavepointMark> m_savepointMarks;
    bool m_deferSavepoints = false;
    bool m_deferredUnitFailed = false;
};

} // namespace countersign::storage
