#include "audit/auditlog.h"
#include "storage/migrations.h"
#include "storage/sqlcipherdriver.h"
#include "testsupport.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

class TestMigrations final : public QObject {
    Q_OBJECT
private:
    QSqlDatabase scratchDatabase(const QString& path, const QString& name)
    {
        auto* driver = new storage::SqlCipherDriver();
        driver->setKey(crypto::SecureBuffer::copyOf(QByteArray(32, 'm')));
        QSqlDatabase db = QSqlDatabase::addDatabase(driver, name);
        db.setDatabaseName(path);
        [&] {
            QVERIFY(db.open());
        }();
        return db;
    }

private Q_SLOTS:
    void freshDatabaseReachesLatest()
    {
        QTemporaryDir dir;
        {
            QSqlDatabase db = scratchDatabase(dir.filePath(QStringLiteral("a.db")), QStringLiteral("fresh"));
            const storage::Migrations migrations;
            auto version = migrations.migrate(db);
            QVERIFY2(version, qPrintable(version ? QString() : version.error().message));
            QCOMPARE(*version, migrations.latestVersion());
            QCOMPARE(*storage::Migrations::currentVersion(db), migrations.latestVersion());
            const QStringList tables = db.tables();
            for (const char* table : {"meta", "secrets", "audit_log", "members"})
                QVERIFY2(tables.contains(QString::fromLatin1(table)), table);
            // Running again is a no-op.
            QCOMPARE(*migrations.migrate(db), migrations.latestVersion());
        }
        QSqlDatabase::removeDatabase(QStringLiteral("fresh"));
    }

    void failingStepRollsBackCompletely()
    {
        QTemporaryDir dir;
        {
            QSqlDatabase db = scratchDatabase(dir.filePath(QStringLiteral("b.db")), QStringLiteral("failing"));
            const storage::Migrations migrations({
                {1, QStringLiteral("one"), QStringLiteral("CREATE TABLE t1 (x INTEGER);")},
                {2, QStringLiteral("two"),
                 QStringLiteral("CREATE TABLE t2 (y INTEGER); INSERT INTO t1 VALUES (1); THIS IS NOT SQL;")},
            });
            auto version = migrations.migrate(db);
            QVERIFY(!version);
            QVERIFY2(version.error().message.contains(QStringLiteral("schema step 2")),
                     qPrintable(version.error().message));
            QCOMPARE(*storage::Migrations::currentVersion(db), 1);
            QVERIFY(db.tables().contains(QStringLiteral("t1")));
            QVERIFY(!db.tables().contains(QStringLiteral("t2")));
            QSqlQuery count(db);
            QVERIFY(count.exec(QStringLiteral("SELECT count(*) FROM t1")) && count.next());
            QCOMPARE(count.value(0).toInt(), 0);
        }
        QSqlDatabase::removeDatabase(QStringLiteral("failing"));
    }

    void newerSchemaIsRefused()
    {
        QTemporaryDir dir;
        {
            QSqlDatabase db = scratchDatabase(dir.filePath(QStringLiteral("c.db")), QStringLiteral("newer"));
            QSqlQuery(db).exec(QStringLiteral("PRAGMA user_version = 999"));
            auto version = storage::Migrations().migrate(db);
            QVERIFY(!version);
            QCOMPARE(test::errorCode(version), ErrorCode::UnsupportedSchema);
            QCOMPARE(*storage::Migrations::currentVersion(db), 999);
        }
        QSqlDatabase::removeDatabase(QStringLiteral("newer"));
    }

    void vaultWithNewerSchemaIsRefused()
    {
        QTemporaryDir dir;
        {
            auto vault = test::createVault(dir.path());
            QVERIFY(vault);
            QSqlQuery(vault->database()).exec(QStringLiteral("PRAGMA user_version = 999"));
        }
        auto opened = vault::Vault::open(dir.path(), test::secure(test::PASSPHRASE));
        QVERIFY(!opened);
        QCOMPARE(test::errorCode(opened), ErrorCode::UnsupportedSchema);
        QVERIFY(opened.error().message.contains(QStringLiteral("newer Countersign")));
    }

    void upgradesFromEveryEarlierVersion_data()
    {
        QTest::addColumn<int>("fromVersion");
        const int latest = storage::Migrations().latestVersion();
        QVERIFY(latest >= 2);
        for (int version = 1; version < latest; ++version)
            QTest::addRow("from %d", version) << version;
    }
    void upgradesFromEveryEarlierVersion()
    {
        QFETCH(int, fromVersion);
        QTemporaryDir dir;
        QByteArray publicKey;
        {
            vault::Vault::CreateOptions options;
            options.kdf = crypto::KdfParams::fast();
            options.schemaVersion = fromVersion;
            auto created =
                vault::Vault::create(dir.path(), QStringLiteral("Grace"), test::secure(test::PASSPHRASE), options);
            QVERIFY2(created, qPrintable(created ? QString() : created.error().message));
            QCOMPARE((*created)->schemaVersion(), fromVersion);
            QVERIFY((*created)->audit().append(
                {QStringLiteral("system"), QStringLiteral("test.before_upgrade"), QStringLiteral("x"), {}}));
            publicKey = (*created)->instancePublicKey();
        }
        auto vault = test::openVault(dir.path());
        QVERIFY(vault);
        const storage::Migrations migrations;
        QCOMPARE(vault->schemaVersion(), migrations.latestVersion());
        QCOMPARE(vault->ownerName(), QStringLiteral("Grace"));
        QCOMPARE(vault->instancePublicKey(), publicKey);

        // Schema 2 turned the owner into a member holding an Ed25519 key.
        QSqlQuery owner(vault->database());
        QVERIFY(owner.exec(QStringLiteral("SELECT display_name, role, length(public_key) FROM members "
                                          "WHERE id = 'owner'")));
        QVERIFY(owner.next());
        QCOMPARE(owner.value(0).toString(), QStringLiteral("Grace"));
        QCOMPARE(owner.value(1).toString(), QStringLiteral("owner"));
        QCOMPARE(owner.value(2).toInt(), 32);

        QSqlQuery upgraded(vault->database());
        QVERIFY(upgraded.exec(QStringLiteral("SELECT details FROM audit_log WHERE action = 'vault.schema_upgraded'")));
        QVERIFY(upgraded.next());
        QCOMPARE(upgraded.value(0).toString(),
                 QStringLiteral("{\"from\":%1,\"to\":%2}").arg(fromVersion).arg(migrations.latestVersion()));
        QSqlQuery before(vault->database());
        QVERIFY(before.exec(QStringLiteral("SELECT count(*) FROM audit_log WHERE action = 'test.before_upgrade'")));
        QVERIFY(before.next());
        QCOMPARE(before.value(0).toInt(), 1);
        const audit::VerifyResult verified = vault->audit().verify();
        QVERIFY2(verified.ok(), qPrintable(verified.message));
    }
};

QTEST_GUILESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
