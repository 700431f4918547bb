#pragma once

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace countersign::storage {

/// The pieces of SQL that differ between the databases a vault can live in: SQLCipher (SQLite)
/// today, PostgreSQL for a team server next. Stores build the statements that differ from these
/// pieces, so a second database is a second case here rather than a search through every store.
class SqlDialect final {
public:
    enum class Kind { SqlCipher, PostgreSql };

    explicit SqlDialect(Kind kind = Kind::SqlCipher)
        : m_kind(kind)
    {
    }
    /// The dialect of \a db's driver; SQLCipher for anything not PostgreSQL.
    [[nodiscard]] static SqlDialect of(const QSqlDatabase& db);

    [[nodiscard]] Kind kind() const { return m_kind; }
    /// The column type for raw bytes.
    [[nodiscard]] QString blobType() const;
    /// The UTF-8 bytes of text \a column, as the hash of an audit entry covers them.
    [[nodiscard]] QString textBytes(const QString& column) const;
    /// The current time in milliseconds since the epoch, as an SQL expression.
    [[nodiscard]] QString nowMs() const;
    /// The largest of the non-NULL \a expressions (integers; at least one must be non-NULL), as
    /// PostgreSQL's GREATEST. SQLite's multi-argument max() is NULL as soon as one argument is, so
    /// there each argument is taken as the smallest integer when it is NULL.
    [[nodiscard]] QString greatest(const QStringList& expressions) const;
    /// INSERT INTO \a table (\a columns) VALUES (?, ...) that does nothing when a unique key is taken.
    [[nodiscard]] QString insertOrIgnore(const QString& table, const QStringList& columns) const;
    /// INSERT INTO \a table (\a columns) VALUES (?, ...) that updates \a updated columns instead
    /// when the row with the same \a key columns exists (SQLCipher: replaces that row whole, so
    /// \a columns should name every column the row keeps).
    [[nodiscard]] QString upsert(const QString& table, const QStringList& columns, const QStringList& key,
                                 const QStringList& updated) const;
    /// Whether an INSERT or UPDATE can answer columns of the rows it wrote (not before SQLite 3.35).
    [[nodiscard]] bool supportsReturning() const;
    /// The clause answering \a column of the rows written; empty where unsupported (read it back).
    [[nodiscard]] QString returning(const QString& column) const;
    /// The clause that makes a read inside a write transaction lock the rows it reads of table
    /// alias \a alias until the transaction ends: PostgreSQL's FOR UPDATE OF. Empty on SQLite,
    /// where a write transaction already holds the whole database.
    [[nodiscard]] QString lockingRead(const QString& alias) const;
    /// A case-insensitive LIKE condition on \a column with one placeholder for a likePattern().
    [[nodiscard]] QString contains(const QString& column) const;
    /// The pattern for contains(): \a text anywhere, its own % _ and \ taken literally.
    [[nodiscard]] static QString likePattern(const QString& text);

private:
    Kind m_kind;
};

} // namespace countersign::storage
