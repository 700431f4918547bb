#include "migrations.h"

#include "sqlcipherdriver.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

namespace countersign::storage {

Migrations::Migrations(QList<Migration> steps)
    : m_steps(std::move(steps))
{
}

QList<Migration> Migrations::standard()
{
    return {
        Migration{1, QStringLiteral("vault metadata, secrets and the audit chain"), QStringLiteral(R"sql(
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
-- id is the physical append order; seq is the entry's number inside its hashed encoding.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    ts INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash BLOB NOT NULL,
    entry_hash BLOB NOT NULL,
    mac BLOB NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
)sql")},
        Migration{2, QStringLiteral("members, starting with the owner"), QStringLiteral(R"sql(
CREATE TABLE members (
    id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'approver', 'viewer')),
    public_key BLOB,
    state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'removed')),
    created_at INTEGER NOT NULL
);
INSERT INTO members (id, display_name, role, created_at)
    SELECT 'owner', value, 'owner', CAST(strftime('%s', 'now') AS INTEGER) * 1000
    FROM meta WHERE key = 'owner_name';
CREATE INDEX audit_log_action ON audit_log (action);
)sql")},
    };
}

int Migrations::latestVersion() const
{
    return m_steps.isEmpty() ? 0 : m_steps.constLast().version;
}

Result<int> Migrations::currentVersion(const QSqlDatabase& db)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next())
        return fail(ErrorCode::Storage, query.lastError().text());
    return query.value(0).toInt();
}

Result<int> Migrations::migrate(QSqlDatabase& db, int target) const
{
    const int latest = latestVersion();
    if (target < 0)
        target = latest;
    if (target > latest)
        return fail(ErrorCode::InvalidArgument, QStringLiteral("no schema version %1").arg(target));
    auto current = currentVersion(db);
    if (!current)
        return current;
    if (*current > latest)
        return fail(ErrorCode::UnsupportedSchema,
                    QStringLiteral("the vault uses schema version %1 but this build knows only up to %2; "
                                   "use a newer Countersign")
                        .arg(*current)
                        .arg(latest));
    auto* driver = qobject_cast<SqlCipherDriver*>(db.driver());
    if (!driver)
        return fail(ErrorCode::Storage, QStringLiteral("migrations need the SQLCipher driver"));

    for (const Migration& step : m_steps) {
        if (step.version <= *current || step.version > target)
            continue;
        if (!db.transaction())
            return fail(ErrorCode::Storage, db.lastError().text());
        auto applied = driver->executeScript(step.sql);
        if (applied)
            applied = driver->executeScript(QStringLiteral("PRAGMA user_version = %1").arg(step.version));
        if (!applied) {
            db.rollback();
            return fail(ErrorCode::Storage, QStringLiteral("schema step %1 (%2) failed: %3")
                                                .arg(step.version)
                                                .arg(step.description, applied.error().message));
        }
        if (!db.commit())
            return fail(ErrorCode::Storage, db.lastError().text());
        *current = step.version;
    }
    return *current;
}

} // namespace countersign::storage
