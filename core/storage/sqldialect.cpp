#include "sqldialect.h"

#include <QSqlDriver>

namespace countersign::storage {

namespace {

QString placeholders(qsizetype count)
{
    QStringList marks;
    marks.fill(QStringLiteral("?"), count);
    return marks.join(QStringLiteral(", "));
}

} // namespace

SqlDialect SqlDialect::of(const QSqlDatabase& db)
{
    const QSqlDriver* driver = db.driver();
    return SqlDialect(driver && driver->dbmsType() == QSqlDriver::PostgreSQL ? Kind::PostgreSql : Kind::SqlCipher);
}

QString SqlDialect::blobType() const
{
    return m_kind == Kind::PostgreSql ? QStringLiteral("BYTEA") : QStringLiteral("BLOB");
}

QString SqlDialect::nowMs() const
{
    return m_kind == Kind::PostgreSql ? QStringLiteral("CAST(extract(epoch FROM clock_timestamp()) * 1000 AS BIGINT)")
                                      : QStringLiteral("CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)");
}

QString SqlDialect::textBytes(const QString& column) const
{
    // PostgreSQL's text-to-bytea cast reads backslashes as escapes; convert_to takes the bytes.
    if (m_kind == Kind::PostgreSql)
        return QStringLiteral("convert_to(%1, 'UTF8')").arg(column);
    return QStringLiteral("CAST(%1 AS BLOB)").arg(column);
}

QString SqlDialect::greatest(const QStringList& expressions) const
{
    if (m_kind == Kind::PostgreSql)
        return u"GREATEST(" + expressions.join(QStringLiteral(", ")) + u')';
    QStringList skippingNull;
    for (const QString& expression : expressions)
        skippingNull.append(QStringLiteral("coalesce(%1, -9223372036854775808)").arg(expression));
    return u"max(" + skippingNull.join(QStringLiteral(", ")) + u')';
}

QString SqlDialect::insertOrIgnore(const QString& table, const QStringList& columns) const
{
    // The SQLCipher this builds on (3.x, SQLite before 3.24) has no ON CONFLICT clause; its
    // INSERT OR IGNORE also skips rows failing NOT NULL or CHECK, so callers bind valid rows.
    if (m_kind == Kind::SqlCipher)
        return QStringLiteral("INSERT OR IGNORE INTO %1 (%2) VALUES (%3)")
            .arg(table, columns.join(QStringLiteral(", ")), placeholders(columns.size()));
    return QStringLiteral("INSERT INTO %1 (%2) VALUES (%3) ON CONFLICT DO NOTHING")
        .arg(table, columns.join(QStringLiteral(", ")), placeholders(columns.size()));
}

QString SqlDialect::upsert(const QString& table, const QStringList& columns, const QStringList& key,
                           const QStringList& updated) const
{
    if (m_kind == Kind::SqlCipher) {
        // No ON CONFLICT before SQLite 3.24: REPLACE deletes the row holding the key and inserts
        // this one, so every column not given takes its default.
        return QStringLiteral("INSERT OR REPLACE INTO %1 (%2) VALUES (%3)")
            .arg(table, columns.join(QStringLiteral(", ")), placeholders(columns.size()));
    }
    QStringList assignments;
    for (const QString& column : updated)
        assignments.append(column + QStringLiteral(" = excluded.") + column);
    return QStringLiteral("INSERT INTO %1 (%2) VALUES (%3) ON CONFLICT (%4) DO UPDATE SET %5")
        .arg(table, columns.join(QStringLiteral(", ")), placeholders(columns.size()), key.join(QStringLiteral(", ")),
             assignments.join(QStringLiteral(", ")));
}

bool SqlDialect::supportsReturning() const
{
    return m_kind == Kind::PostgreSql;
}

QString SqlDialect::returning(const QString& column) const
{
    return supportsReturning() ? QStringLiteral(" RETURNING ") + column : QString();
}

QString SqlDialect::lockingRead(const QString& alias) const
{
    return m_kind == Kind::PostgreSql ? QStringLiteral(" FOR UPDATE OF ") + alias : QString();
}

QString SqlDialect::contains(const QString& column) const
{
    // SQLite's LIKE ignores ASCII case; PostgreSQL's does not, ILIKE does.
    const QString like = m_kind == Kind::PostgreSql ? QStringLiteral(" ILIKE") : QStringLiteral(" LIKE");
    return column + like + QStringLiteral(" ? ESCAPE '\\'");
}

QString SqlDialect::likePattern(const QString& text)
{
    QString pattern = text;
    pattern.replace(u'\\', QStringLiteral("\\\\"))
        .replace(u'%', QStringLiteral("\\%"))
        .replace(u'_', QStringLiteral("\\_"));
    return u'%' + pattern + u'%';
}

} // namespace countersign::storage
