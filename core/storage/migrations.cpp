#include "migrations.h"

#include "execute.h"
#include "sqlcipherdriver.h"
#include "sqldialect.h"
#include "transaction.h"

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
        Migration{3, QStringLiteral("runtimes, policies, requests and decisions"), QStringLiteral(R"sql(
CREATE TABLE runtimes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    allowed TEXT NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,
    member_id TEXT REFERENCES members (id),
    created_at INTEGER NOT NULL,
    revoked_at INTEGER,
    last_seen_at INTEGER
);
CREATE TABLE policy_rules (
    id INTEGER PRIMARY KEY,
    position INTEGER NOT NULL,
    capability_glob TEXT NOT NULL,
    min_risk TEXT CHECK (min_risk IN ('low', 'medium', 'high', 'critical')),
    outcome TEXT NOT NULL CHECK (outcome IN ('require', 'allow', 'deny')),
    approvals INTEGER NOT NULL DEFAULT 1 CHECK (approvals BETWEEN 1 AND 10),
    timeout_seconds INTEGER NOT NULL DEFAULT 900 CHECK (timeout_seconds > 0),
    validity_seconds INTEGER NOT NULL DEFAULT 600 CHECK (validity_seconds > 0)
);
CREATE TABLE requests (
    id TEXT PRIMARY KEY,
    runtime_id INTEGER NOT NULL REFERENCES runtimes (id),
    capability TEXT NOT NULL,
    summary TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '',
    payload TEXT NOT NULL,
    payload_sha256 TEXT NOT NULL,
    risk TEXT NOT NULL CHECK (risk IN ('low', 'medium', 'high', 'critical')),
    context TEXT NOT NULL DEFAULT '{}',
    idempotency_key TEXT,
    body_sha256 TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'denied', 'expired', 'cancelled', 'consumed')),
    required_approvals INTEGER NOT NULL,
    policy_rule TEXT NOT NULL,
    validity_seconds INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    decided_at INTEGER,
    approval_expires_at INTEGER,
    consumed_at INTEGER,
    UNIQUE (runtime_id, idempotency_key)
);
CREATE INDEX requests_runtime ON requests (runtime_id, created_at);
CREATE INDEX requests_state ON requests (state, expires_at);
CREATE TABLE decisions (
    request_id TEXT NOT NULL REFERENCES requests (id),
    member_id TEXT NOT NULL REFERENCES members (id),
    verdict TEXT NOT NULL CHECK (verdict IN ('approve', 'deny')),
    reason TEXT NOT NULL DEFAULT '',
    decided_at INTEGER NOT NULL,
    signature BLOB,
    PRIMARY KEY (request_id, member_id)
);
)sql")},
        Migration{4, QStringLiteral("the audit chain as a Merkle tree, and its signed checkpoints"),
                  QStringLiteral(R"sql(
CREATE TABLE audit_tree (
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TRIGGER audit_tree_no_update BEFORE UPDATE ON audit_tree
BEGIN
    SELECT RAISE(ABORT, 'the audit tree is append-only');
END;
CREATE TRIGGER audit_tree_no_delete BEFORE DELETE ON audit_tree
BEGIN
    SELECT RAISE(ABORT, 'the audit tree is append-only');
END;
CREATE TABLE checkpoints (
    size INTEGER PRIMARY KEY,
    root BLOB NOT NULL,
    note TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
)sql")},
        Migration{5, QStringLiteral("invitations, member sessions and removed members"), QStringLiteral(R"sql(
ALTER TABLE members ADD COLUMN removed_at INTEGER;
CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'approver', 'viewer')),
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL REFERENCES members (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'redeemed', 'revoked')),
    member_id TEXT REFERENCES members (id),
    closed_at INTEGER
);
CREATE TABLE member_sessions (
    token_hash BLOB PRIMARY KEY,
    member_id TEXT NOT NULL REFERENCES members (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX member_sessions_member ON member_sessions (member_id);
CREATE TABLE session_challenges (
    nonce BLOB PRIMARY KEY,
    member_id TEXT NOT NULL REFERENCES members (id),
    expires_at INTEGER NOT NULL
);
)sql")},
        // A runtime declares a request's risk; a rule's floor raises it, never the other way.
        Migration{6, QStringLiteral("risk floors on policy rules, and the risk a runtime asked for"),
                  QStringLiteral(R"sql(
ALTER TABLE policy_rules ADD COLUMN risk_floor TEXT CHECK (risk_floor IN ('low', 'medium', 'high', 'critical'));
ALTER TABLE requests ADD COLUMN requested_risk TEXT CHECK (requested_risk IN ('low', 'medium', 'high', 'critical'));
)sql")},
        // The expiry scheduler asks for the next deadline after every write: each kind of deadline
        // is then the first entry of an index instead of a walk over every open request.
        Migration{7, QStringLiteral("an index on when approvals run out"), QStringLiteral(R"sql(
CREATE INDEX requests_approval_expiry ON requests (state, approval_expires_at);
)sql")},
    };
}

QList<Migration> Migrations::team()
{
    // The vault's schema at its step 7 in PostgreSQL's types, for a team database. What a request
    // or decision says is stored sealed (BYTEA column envelopes, docs/team-server.md, "What is
    // encrypted where"); what the database must compare, order and index is in clear. The audit
    // chain's head is one row that every append locks, so the nodes' appends form one chain.
    return {
        Migration{1, QStringLiteral("the team schema: the vault's at its step 7, sealed where it speaks"),
                  QStringLiteral(R"sql(
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);
CREATE TABLE data_keys (
    version INTEGER PRIMARY KEY,
    wrapped TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE audit_log (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    seq BIGINT NOT NULL UNIQUE,
    ts BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    details BYTEA NOT NULL,
    prev_hash BYTEA NOT NULL,
    entry_hash BYTEA NOT NULL,
    mac BYTEA NOT NULL
);
CREATE INDEX audit_log_action ON audit_log (action);
CREATE TABLE audit_head (
    only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    seq BIGINT NOT NULL,
    entry_hash BYTEA
);
INSERT INTO audit_head (seq) VALUES (0);
CREATE FUNCTION countersign_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the % is append-only', TG_ARGV[0];
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION countersign_append_only('audit log');
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION countersign_append_only('audit log');
CREATE TABLE members (
    id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'approver', 'viewer')),
    public_key BYTEA,
    state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'removed')),
    created_at BIGINT NOT NULL,
    removed_at BIGINT
);
CREATE TABLE runtimes (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    allowed TEXT NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,
    member_id TEXT REFERENCES members (id),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    last_seen_at BIGINT
);
CREATE TABLE policy_rules (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    position INTEGER NOT NULL,
    capability_glob TEXT NOT NULL,
    min_risk TEXT CHECK (min_risk IN ('low', 'medium', 'high', 'critical')),
    outcome TEXT NOT NULL CHECK (outcome IN ('require', 'allow', 'deny')),
    approvals INTEGER NOT NULL DEFAULT 1 CHECK (approvals BETWEEN 1 AND 10),
    timeout_seconds INTEGER NOT NULL DEFAULT 900 CHECK (timeout_seconds > 0),
    validity_seconds INTEGER NOT NULL DEFAULT 600 CHECK (validity_seconds > 0),
    risk_floor TEXT CHECK (risk_floor IN ('low', 'medium', 'high', 'critical'))
);
CREATE TABLE requests (
    id TEXT PRIMARY KEY,
    runtime_id BIGINT NOT NULL REFERENCES runtimes (id),
    capability TEXT NOT NULL,
    summary BYTEA NOT NULL,
    details BYTEA NOT NULL,
    payload BYTEA NOT NULL,
    payload_sha256 TEXT NOT NULL,
    risk TEXT NOT NULL CHECK (risk IN ('low', 'medium', 'high', 'critical')),
    context BYTEA NOT NULL,
    idempotency_key TEXT,
    body_sha256 TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'denied', 'expired', 'cancelled', 'consumed')),
    required_approvals INTEGER NOT NULL,
    policy_rule TEXT NOT NULL,
    validity_seconds INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    decided_at BIGINT,
    approval_expires_at BIGINT,
    consumed_at BIGINT,
    requested_risk TEXT CHECK (requested_risk IN ('low', 'medium', 'high', 'critical')),
    UNIQUE (runtime_id, idempotency_key)
);
CREATE INDEX requests_runtime ON requests (runtime_id, created_at);
CREATE INDEX requests_state ON requests (state, expires_at);
CREATE INDEX requests_approval_expiry ON requests (state, approval_expires_at);
CREATE TABLE decisions (
    request_id TEXT NOT NULL REFERENCES requests (id),
    member_id TEXT NOT NULL REFERENCES members (id),
    verdict TEXT NOT NULL CHECK (verdict IN ('approve', 'deny')),
    reason BYTEA NOT NULL,
    decided_at BIGINT NOT NULL,
    signature BYTEA,
    PRIMARY KEY (request_id, member_id)
);
CREATE TABLE audit_tree (
    level INTEGER NOT NULL,
    idx BIGINT NOT NULL,
    hash BYTEA NOT NULL,
    PRIMARY KEY (level, idx)
);
CREATE TRIGGER audit_tree_append_only BEFORE UPDATE OR DELETE ON audit_tree
    FOR EACH ROW EXECUTE FUNCTION countersign_append_only('audit tree');
CREATE TRIGGER audit_tree_no_truncate BEFORE TRUNCATE ON audit_tree
    FOR EACH STATEMENT EXECUTE FUNCTION countersign_append_only('audit tree');
CREATE TABLE checkpoints (
    size BIGINT PRIMARY KEY,
    root BYTEA NOT NULL,
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    token_hash BYTEA NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'approver', 'viewer')),
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL REFERENCES members (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'redeemed', 'revoked')),
    member_id TEXT REFERENCES members (id),
    closed_at BIGINT
);
CREATE TABLE member_sessions (
    token_hash BYTEA PRIMARY KEY,
    member_id TEXT NOT NULL REFERENCES members (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX member_sessions_member ON member_sessions (member_id);
CREATE TABLE session_challenges (
    nonce BYTEA PRIMARY KEY,
    member_id TEXT NOT NULL REFERENCES members (id),
    expires_at BIGINT NOT NULL
);
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
    if (SqlDialect::of(db).kind() == SqlDialect::Kind::PostgreSql) {
        if (!query.exec(QStringLiteral("SELECT to_regclass('schema_version') IS NOT NULL")) || !query.next())
            return std::unexpected(storageError(db, query.lastError()));
        if (!query.value(0).toBool())
            return 0;
        if (!query.exec(QStringLiteral("SELECT coalesce(max(version), 0) FROM schema_version")) || !query.next())
            return std::unexpected(storageError(db, query.lastError()));
        return query.value(0).toInt();
    }
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
    if (SqlDialect::of(db).kind() == SqlDialect::Kind::PostgreSql)
        return migrateTeamDatabase(db, target);
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

Result<int> Migrations::migrateTeamDatabase(QSqlDatabase& db, int target) const
{
    const int latest = latestVersion();
    // Every node of a team may start at once: the steps run in one transaction under a lock that
    // the others wait for, and they find the schema migrated when they get it.
    return transact(db, [&]() -> Result<int> {
        auto locked = execute(db, QStringLiteral("SELECT pg_advisory_xact_lock(?)"), {TEAM_MIGRATION_LOCK});
        COUNTERSIGN_TRY(locked);
        auto table = execute(db, QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version ("
                                                "version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
                                                "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"));
        COUNTERSIGN_TRY(table);
        auto current = currentVersion(db);
        COUNTERSIGN_TRY(current);
        if (*current > latest)
            return fail(ErrorCode::UnsupportedSchema,
                        QStringLiteral("the team database uses schema version %1 but this build knows only up to "
                                       "%2; upgrade this node to the Countersign release the other nodes run")
                            .arg(*current)
                            .arg(latest));
        for (const Migration& step : m_steps) {
            if (step.version <= *current || step.version > target)
                continue;
            QSqlQuery script(db);
            if (!script.exec(step.sql))
                return fail(ErrorCode::Storage, QStringLiteral("schema step %1 (%2) failed: %3")
                                                    .arg(step.version)
                                                    .arg(step.description, script.lastError().text()));
            auto recorded =
                execute(db, QStringLiteral("INSERT INTO schema_version (version, description) VALUES (?, ?)"),
                        {step.version, step.description});
            COUNTERSIGN_TRY(recorded);
            *current = step.version;
        }
        return *current;
    });
}

} // namespace countersign::storage
