#include "audit/auditlog.h"
#include "crypto/columncipher.h"
#include "crypto/crypto.h"
#include "crypto/securebuffer.h"
#include "members/memberauthorizer.h"
#include "pgcluster.h"
#include "policy/policystore.h"
#include "storage/execute.h"
#include "storage/groupcommit.h"
#include "storage/migrations.h"
#include "storage/pgconnection.h"
#include "storage/pgconnectionconfig.h"
#include "storage/transaction.h"
#include "testsupport.h"
#include "vault/vault.h"

#include <QMap>
#include <QMutex>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>
#include <vector>

using namespace countersign;
using storage::Migration;
using storage::Migrations;
using test::PgCluster;

namespace {

/// A connection to one database of the cluster, closed and forgotten when it goes.
class Connection final {
public:
    Connection(const PgCluster& cluster, const QString& database, const QString& name)
        : m_name(name)
    {
        auto opened =
            storage::PgConnection::open(cluster.connectionConfig(QStringLiteral("localhost"), database), name);
        if (!opened)
            qWarning("%s", qPrintable(opened.error().message));
        else
            m_db = *opened;
    }
    ~Connection()
    {
        m_db = QSqlDatabase();
        if (QSqlDatabase::contains(m_name)) {
            QSqlDatabase::database(m_name, false).close();
            QSqlDatabase::removeDatabase(m_name);
        }
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    [[nodiscard]] bool isOpen() const { return m_db.isOpen(); }
    QSqlDatabase& db() { return m_db; }

private:
    QString m_name;
    QSqlDatabase m_db;
};

[[nodiscard]] qint64 single(QSqlDatabase& db, const QString& sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql) || !query.next()) {
        qWarning("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
        return -1;
    }
    return query.value(0).toLongLong();
}

/// A statement's outcome without its rows.
Result<void> ran(const Result<QSqlQuery>& statement)
{
    if (!statement)
        return std::unexpected(statement.error());
    return {};
}

/// Steps of a schema for these tests: the second counts how often it ran.
QList<Migration> countedSteps()
{
    return {
        Migration{1, QStringLiteral("a table"),
                  QStringLiteral("CREATE TABLE items (id BIGINT PRIMARY KEY, note TEXT)")},
        Migration{2, QStringLiteral("a counted step"),
                  QStringLiteral("CREATE TABLE step_runs (n INTEGER); INSERT INTO step_runs VALUES (1); "
                                 "SELECT pg_sleep(0.2)")},
    };
}

} // namespace

/// The storage layer on PostgreSQL: transactions, savepoints and what waits for a commit, errors
/// by SQLSTATE, and migrations that several nodes starting together run once. Each function has
/// a database of its own on one throwaway cluster.
class TestPgStorage final : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<PgCluster> m_cluster;
    QString m_database;
    int m_databases = 0;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(crypto::initialize());
        m_cluster = std::make_unique<PgCluster>();
        QVERIFY(m_cluster->start());
    }
    void cleanupTestCase() { m_cluster.reset(); }

    void init()
    {
        m_database = QStringLiteral("storage_%1").arg(++m_databases);
        QVERIFY(m_cluster->createDatabase(m_database));
    }

    void aTransactionCommitsAndOnlyThenRunsWhatWaitsForIt()
    {
        Connection a(*m_cluster, m_database, QStringLiteral("a"));
        Connection b(*m_cluster, m_database, QStringLiteral("b"));
        QVERIFY(a.isOpen() && b.isOpen());
        VERIFY_RESULT(storage::execute(a.db(), QStringLiteral("CREATE TABLE t (v INTEGER)")));
        QStringList events;
        auto written = storage::transact(a.db(), [&]() -> Result<void> {
            auto inserted = storage::execute(a.db(), QStringLiteral("INSERT INTO t VALUES (?)"), {1});
            COUNTERSIGN_TRY(inserted);
            storage::afterCommit(a.db(), [&] {
                // Another connection sees the row by the time the action runs.
                events.append(QStringLiteral("after commit, others see %1")
                                  .arg(single(b.db(), QStringLiteral("SELECT count(*) FROM t"))));
            });
            events.append(
                QStringLiteral("inside, others see %1").arg(single(b.db(), QStringLiteral("SELECT count(*) FROM t"))));
            events.append(storage::inTransaction(a.db()) ? QStringLiteral("in a transaction") : QStringLiteral("not"));
            return {};
        });
        VERIFY_RESULT(written);
        QVERIFY(!storage::inTransaction(a.db()));
        QCOMPARE(events, (QStringList{QStringLiteral("inside, others see 0"), QStringLiteral("in a transaction"),
                                      QStringLiteral("after commit, others see 1")}));
    }

    void aFailedUnitUndoesOnlyItsOwnWritesAndItsActions()
    {
        Connection a(*m_cluster, m_database, QStringLiteral("a"));
        QVERIFY(a.isOpen());
        VERIFY_RESULT(storage::execute(a.db(), QStringLiteral("CREATE TABLE t (v INTEGER UNIQUE)")));
        QStringList actions;
        auto outer = storage::transact(a.db(), [&]() -> Result<void> {
            auto first = storage::execute(a.db(), QStringLiteral("INSERT INTO t VALUES (1)"));
            COUNTERSIGN_TRY(first);
            storage::afterCommit(a.db(), [&] { actions.append(QStringLiteral("outer")); });
            // A unit whose statement fails (a taken key) and one that fails after writing: each is
            // undone alone, and the transaction goes on (PostgreSQL would otherwise refuse every
            // statement after the failed one).
            auto taken = storage::transact(a.db(), [&]() -> Result<void> {
                storage::afterCommit(a.db(), [&] { actions.append(QStringLiteral("taken")); });
                return ran(storage::execute(a.db(), QStringLiteral("INSERT INTO t VALUES (1)")));
            });
            if (taken || taken.error().code != ErrorCode::Conflict)
                return fail(ErrorCode::Storage, QStringLiteral("a taken key is a Conflict"));
            auto refused = storage::transact(a.db(), [&]() -> Result<void> {
                auto inserted = storage::execute(a.db(), QStringLiteral("INSERT INTO t VALUES (2)"));
                COUNTERSIGN_TRY(inserted);
                storage::afterCommit(a.db(), [&] { actions.append(QStringLiteral("refused")); });
                return fail(ErrorCode::Conflict, QStringLiteral("refused after writing"));
            });
            if (refused)
                return fail(ErrorCode::Storage, QStringLiteral("the unit should have failed"));
            return ran(storage::execute(a.db(), QStringLiteral("INSERT INTO t VALUES (3)")));
        });
        VERIFY_RESULT(outer);
        QSqlQuery rows(a.db());
        QVERIFY(rows.exec(QStringLiteral("SELECT string_agg(v::text, ',' ORDER BY v) FROM t")) && rows.next());
        QCOMPARE(rows.value(0).toString(), QStringLiteral("1,3"));
        QCOMPARE(actions, QStringList{QStringLiteral("outer")});
    }

    void aGroupCommitOnPostgresCommitsTheBatchOnce()
    {
        Connection a(*m_cluster, m_database, QStringLiteral("a"));
        QVERIFY(a.isOpen());
        VERIFY_RESULT(storage::execute(a.db(), QStringLiteral("CREATE TABLE t (v INTEGER UNIQUE)")));
        storage::GroupCommit writes(a.db());
        QList<bool> succeeded(3, false);
        int done = 0;
        const QList<int> values{1, 1, 2};
        for (int i = 0; i < 3; ++i) {
            writes.submit(
                [&, i] {
                    succeeded[i] = storage::transact(a.db(), [&]() -> Result<void> {
                                       return ran(storage::execute(a.db(), QStringLiteral("INSERT INTO t VALUES (?)"),
                                                                   {values.at(i)}));
                                   }).has_value();
                },
                [&](const Result<void>& committed) {
                    QVERIFY(committed);
                    ++done;
                });
        }
        QTRY_COMPARE(done, 3);
        QCOMPARE(succeeded, (QList<bool>{true, false, true}));
        QCOMPARE(writes.commits(), quint64{1});
        QCOMPARE(single(a.db(), QStringLiteral("SELECT sum(v) FROM t")), 3);
    }

    void aDeadlockIsATransientFailure()
    {
        // Two connections lock two rows in opposite orders at once: PostgreSQL ends one of the
        // transactions (40P01), which is reported as Unavailable, to be tried again.
        Connection setup(*m_cluster, m_database, QStringLiteral("setup"));
        QVERIFY(setup.isOpen());
        VERIFY_RESULT(storage::execute(setup.db(), QStringLiteral("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER); "
                                                                  "INSERT INTO t VALUES (1, 0), (2, 0)")));
        std::atomic<int> ready{0};
        QList<Error> errors(2);
        QList<bool> failed(2, false);
        std::vector<std::unique_ptr<QThread>> threads;
        for (int i = 0; i < 2; ++i) {
            threads.push_back(std::unique_ptr<QThread>(QThread::create([&, i] {
                Connection own(*m_cluster, m_database, QStringLiteral("deadlock-%1").arg(i));
                if (!own.isOpen())
                    return;
                const int first = i == 0 ? 1 : 2;
                const int second = i == 0 ? 2 : 1;
                auto outcome = storage::transact(own.db(), [&]() -> Result<void> {
                    auto one =
                        storage::execute(own.db(), QStringLiteral("UPDATE t SET v = v + 1 WHERE id = ?"), {first});
                    COUNTERSIGN_TRY(one);
                    ready.fetch_add(1);
                    while (ready.load() < 2)
                        QThread::msleep(5);
                    return ran(
                        storage::execute(own.db(), QStringLiteral("UPDATE t SET v = v + 1 WHERE id = ?"), {second}));
                });
                if (!outcome) {
                    failed[i] = true;
                    errors[i] = outcome.error();
                }
            })));
        }
        for (auto& thread : threads)
            thread->start();
        for (auto& thread : threads)
            QVERIFY(thread->wait(60000));
        QCOMPARE(failed.count(true), 1);
        const Error& error = failed.at(0) ? errors.at(0) : errors.at(1);
        QCOMPARE(error.code, ErrorCode::Unavailable);
        QVERIFY2(error.message.contains(u"40P01"), qPrintable(error.message));
        // The survivor committed both of its updates; the victim none.
        QCOMPARE(single(setup.db(), QStringLiteral("SELECT sum(v) FROM t")), 2);
    }

    void aServerThatWentAwayIsUnavailable()
    {
        Connection a(*m_cluster, m_database, QStringLiteral("a"));
        QVERIFY(a.isOpen());
        VERIFY_RESULT(storage::execute(a.db(), QStringLiteral("SELECT 1")));
        // The administrator ends this session (57P01, as in a server shutdown).
        QVERIFY(m_cluster->execute(QStringLiteral("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                                  "WHERE datname = '%1' AND pid <> pg_backend_pid()")
                                       .arg(m_database)));
        auto after = storage::execute(a.db(), QStringLiteral("SELECT 1"));
        QVERIFY(!after);
        QCOMPARE(after.error().code, ErrorCode::Unavailable);
    }

    void migratesAFreshDatabaseAndRecordsEachStep()
    {
        Connection a(*m_cluster, m_database, QStringLiteral("a"));
        QVERIFY(a.isOpen());
        auto before = Migrations::currentVersion(a.db());
        VERIFY_RESULT(before);
        QCOMPARE(*before, 0);
        const Migrations migrations(countedSteps());
        auto first = migrations.migrate(a.db(), 1);
        VERIFY_RESULT(first);
        QCOMPARE(*first, 1);
        auto migrated = migrations.migrate(a.db());
        VERIFY_RESULT(migrated);
        QCOMPARE(*migrated, 2);
        QCOMPARE(single(a.db(), QStringLiteral("SELECT count(*) FROM schema_version")), 2);
        QCOMPARE(single(a.db(), QStringLiteral("SELECT count(*) FROM step_runs")), 1);
        auto again = migrations.migrate(a.db());
        VERIFY_RESULT(again);
        QCOMPARE(single(a.db(), QStringLiteral("SELECT count(*) FROM step_runs")), 1);
    }

    void aFailedStepLeavesTheSchemaAsItWas()
    {
        Connection a(*m_cluster, m_database, QStringLiteral("a"));
        QVERIFY(a.isOpen());
        QList<Migration> steps = countedSteps();
        steps.append(Migration{3, QStringLiteral("a broken step"), QStringLiteral("CREATE TABLE broken (; ")});
        auto migrated = Migrations(steps).migrate(a.db());
        QVERIFY(!migrated);
        QVERIFY2(migrated.error().message.contains(u"schema step 3 (a broken step)"),
                 qPrintable(migrated.error().message));
        auto version = Migrations::currentVersion(a.db());
        VERIFY_RESULT(version);
        QCOMPARE(*version, 0); // all steps of one run are one transaction
    }

    void aNewerSchemaIsRefusedWithWhatToDo()
    {
        Connection a(*m_cluster, m_database, QStringLiteral("a"));
        QVERIFY(a.isOpen());
        QList<Migration> newer = countedSteps();
        newer.append(Migration{3, QStringLiteral("from a later release"), QStringLiteral("SELECT 1")});
        VERIFY_RESULT(Migrations(newer).migrate(a.db()));
        auto refused = Migrations(countedSteps()).migrate(a.db());
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, ErrorCode::UnsupportedSchema);
        QVERIFY2(refused.error().message.contains(u"schema version 3") && refused.error().message.contains(u"up to 2"),
                 qPrintable(refused.error().message));
    }

    void theTeamSchemaHoldsTheVaultsTablesAndSealsWhatRequestsSay()
    {
        // The vault's schema, from a new vault of this build.
        QTemporaryDir dir;
        auto vault = test::createVault(dir.filePath(QStringLiteral("v")));
        QVERIFY(vault);
        QMap<QString, QString> vaultColumns; // "table.column" -> declared type
        {
            QSqlQuery tables(vault->database());
            QVERIFY(tables.exec(
                QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")));
            QStringList names;
            while (tables.next())
                names.append(tables.value(0).toString());
            for (const QString& table : std::as_const(names)) {
                QSqlQuery columns(vault->database());
                QVERIFY(columns.exec(QStringLiteral("PRAGMA table_info(%1)").arg(table)));
                while (columns.next())
                    vaultColumns.insert(table + u'.' + columns.value(1).toString(), columns.value(2).toString());
            }
        }
        QVERIFY(vaultColumns.size() > 50);

        Connection a(*m_cluster, m_database, QStringLiteral("a"));
        QVERIFY(a.isOpen());
        auto migrated = Migrations(Migrations::team()).migrate(a.db());
        VERIFY_RESULT(migrated);
        QMap<QString, QString> teamColumns;
        QSqlQuery columns(a.db());
        QVERIFY(columns.exec(QStringLiteral("SELECT table_name, column_name, data_type FROM information_schema.columns "
                                            "WHERE table_schema = 'public'")));
        while (columns.next())
            teamColumns.insert(columns.value(0).toString() + u'.' + columns.value(1).toString(),
                               columns.value(2).toString());

        const QStringList sealed{QStringLiteral("requests.summary"), QStringLiteral("requests.details"),
                                 QStringLiteral("requests.payload"), QStringLiteral("requests.context"),
                                 QStringLiteral("decisions.reason"), QStringLiteral("audit_log.details"),
                                 QStringLiteral("secrets.value")};
        for (auto it = vaultColumns.cbegin(); it != vaultColumns.cend(); ++it) {
            QVERIFY2(teamColumns.contains(it.key()), qPrintable(it.key() + QStringLiteral(" is missing")));
            const QString type = teamColumns.value(it.key());
            if (sealed.contains(it.key()) || it.value().compare(u"BLOB", Qt::CaseInsensitive) == 0)
                QVERIFY2(type == u"bytea", qPrintable(it.key() + u' ' + type));
            else if (it.value().compare(u"INTEGER", Qt::CaseInsensitive) == 0)
                QVERIFY2(type == u"bigint" || type == u"integer", qPrintable(it.key() + u' ' + type));
            else
                QVERIFY2(type == u"text", qPrintable(it.key() + u' ' + type));
        }
        QStringList teamOnly;
        for (auto it = teamColumns.cbegin(); it != teamColumns.cend(); ++it)
            if (!vaultColumns.contains(it.key()))
                teamOnly.append(it.key().section(u'.', 0, 0));
        teamOnly.removeDuplicates();
        teamOnly.sort();
        QCOMPARE(teamOnly, (QStringList{QStringLiteral("audit_head"), QStringLiteral("data_keys"),
                                        QStringLiteral("schema_version")}));
    }

    void theTeamsAuditChainIsAppendOnly()
    {
        Connection a(*m_cluster, m_database, QStringLiteral("a"));
        QVERIFY(a.isOpen());
        VERIFY_RESULT(Migrations(Migrations::team()).migrate(a.db()));
        VERIFY_RESULT(
            storage::execute(a.db(), QStringLiteral("INSERT INTO audit_log (seq, ts, actor, action, subject, details, "
                                                    "prev_hash, entry_hash, mac) VALUES (1, 0, 'system', "
                                                    "'vault.created', '', '\\x00', '\\x00', '\\x01', '\\x02')")));
        VERIFY_RESULT(storage::execute(
            a.db(), QStringLiteral("INSERT INTO audit_tree (level, idx, hash) VALUES (0, 0, '\\x01')")));
        for (const QString& change :
             {QStringLiteral("UPDATE audit_log SET actor = 'someone else'"), QStringLiteral("DELETE FROM audit_log"),
              QStringLiteral("TRUNCATE audit_log"), QStringLiteral("UPDATE audit_tree SET hash = '\\x02'"),
              QStringLiteral("DELETE FROM audit_tree"), QStringLiteral("TRUNCATE audit_tree")}) {
            auto refused = storage::execute(a.db(), change);
            QVERIFY2(!refused, qPrintable(change));
            QVERIFY2(refused.error().message.contains(u"append-only"), qPrintable(refused.error().message));
        }
        QCOMPARE(single(a.db(), QStringLiteral("SELECT count(*) FROM audit_log")), 1);
        QCOMPARE(single(a.db(), QStringLiteral("SELECT count(*) FROM audit_head")), 1);
    }

    void aPolicyRuleAddedOnPostgresGetsItsId()
    {
        // PolicyStore over a team database: a new rule's id (QPSQL asks lastval(), which the
        // identity column's sequence sets in this session), the order of the rules, and the
        // owner's changes audited in the sealed chain.
        Connection a(*m_cluster, m_database, QStringLiteral("a"));
        QVERIFY(a.isOpen());
        VERIFY_RESULT(Migrations(Migrations::team()).migrate(a.db()));
        VERIFY_RESULT(
            storage::execute(a.db(), QStringLiteral("INSERT INTO members (id, display_name, role, created_at) "
                                                    "VALUES ('owner', 'Owner', 'owner', 0)")));
        const auto cipher = std::make_shared<const crypto::ColumnCipher>(crypto::ColumnCipher::generate());
        audit::AuditLog log(a.db(), crypto::SecureBuffer::copyOf(QByteArray(32, 'm')), cipher);
        const members::MemberAuthorizer authorizer(a.db());
        policy::PolicyStore policies(a.db(), log, authorizer);
        policy::PolicyRule first;
        first.capabilityGlob = QStringLiteral("deploy.*");
        first.approvals = 2;
        auto firstId = policies.add(first, QStringLiteral("member:owner"));
        VERIFY_RESULT(firstId);
        policy::PolicyRule second;
        second.capabilityGlob = QStringLiteral("backup.*");
        second.outcome = policy::PolicyRule::Outcome::Allow;
        auto secondId = policies.add(second, QStringLiteral("member:owner"), 0);
        VERIFY_RESULT(secondId);
        QVERIFY(*firstId > 0 && *secondId > *firstId);
        auto rules = policies.rules();
        VERIFY_RESULT(rules);
        QCOMPARE(rules->size(), 2);
        QCOMPARE(rules->at(0).id, *secondId);
        QCOMPARE(rules->at(1).id, *firstId);
        QCOMPARE(rules->at(1).approvals, 2);
        auto audited = log.count();
        VERIFY_RESULT(audited);
        QCOMPARE(*audited, 2);
        const audit::VerifyResult verified = log.verify();
        QVERIFY2(verified.ok(), qPrintable(verified.message));
    }

    void nodesStartingTogetherMigrateOnce()
    {
        // Several nodes (here: connections on threads of their own, released at once) migrate
        // the same empty database; each ends at the latest version and the steps ran once.
        constexpr int NODES = 6;
        std::atomic<int> waiting{NODES};
        QList<int> versions(NODES, -1);
        QStringList failures;
        QMutex failuresMutex;
        std::vector<std::unique_ptr<QThread>> threads;
        for (int i = 0; i < NODES; ++i) {
            threads.push_back(std::unique_ptr<QThread>(QThread::create([&, i] {
                Connection own(*m_cluster, m_database, QStringLiteral("node-%1").arg(i));
                waiting.fetch_sub(1);
                while (waiting.load() > 0)
                    QThread::msleep(1);
                if (!own.isOpen())
                    return;
                auto migrated = Migrations(countedSteps()).migrate(own.db());
                if (migrated) {
                    versions[i] = *migrated;
                } else {
                    const QMutexLocker lock(&failuresMutex);
                    failures.append(migrated.error().message);
                }
            })));
        }
        for (auto& thread : threads)
            thread->start();
        for (auto& thread : threads)
            QVERIFY(thread->wait(120000));
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(u'\n')));
        QCOMPARE(versions, QList<int>(NODES, 2));
        Connection check(*m_cluster, m_database, QStringLiteral("check"));
        QVERIFY(check.isOpen());
        QCOMPARE(single(check.db(), QStringLiteral("SELECT count(*) FROM step_runs")), 1);
        QCOMPARE(single(check.db(), QStringLiteral("SELECT count(*) FROM schema_version")), 2);
    }
};

QTEST_GUILESS_MAIN(TestPgStorage)
#include "tst_pgstorage.moc"
