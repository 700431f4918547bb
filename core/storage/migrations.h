#pragma once

#include "error.h"

#include <QList>
#include <QString>

class QSqlDatabase;

namespace countersign::storage {

/// One numbered step of the vault schema. Steps only ever move forward.
struct Migration final {
    int version = 0;
    QString description;
    QString sql; // one or more statements
};

/// Numbered, transactional, forward-only schema migrations. In a vault the schema version is
/// SQLite's `PRAGMA user_version`; in a team's PostgreSQL database it is the largest version in
/// the `schema_version` table, and the steps run under a transaction-level advisory lock, so nodes
/// starting together migrate once. Either way the version is updated in the same transaction as
/// the step it records, so a step either applies completely or not at all.
class Migrations final {
public:
    /// \a steps must be numbered 1, 2, 3... in order.
    explicit Migrations(QList<Migration> steps = standard());

    /// The product's schema history. Append only: never edit a published step.
    [[nodiscard]] static QList<Migration> standard();
    /// The team database's schema history on PostgreSQL (docs/team-server.md). Not published
    /// yet: until the first release with team mode, its first step may still change.
    [[nodiscard]] static QList<Migration> team();
    [[nodiscard]] int latestVersion() const;

    [[nodiscard]] static Result<int> currentVersion(const QSqlDatabase& db);
    /// Applies every step above the current version up to \a target (default: the latest).
    /// Refuses a database whose version is newer than this build knows.
    [[nodiscard]] Result<int> migrate(QSqlDatabase& db, int target = -1) const;

    /// The advisory lock key the team database's migrations hold ("CSMIGRAT" in ASCII).
    static constexpr qint64 TEAM_MIGRATION_LOCK = 0x43534d4947524154;

private:
    [[nodiscard]] Result<int> migrateTeamDatabase(QSqlDatabase& db, int target) const;

    QList<Migration> m_steps;
};

} // namespace countersign::storage
