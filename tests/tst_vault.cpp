#include "audit/auditlog.h"
#include "storage/sqlcipherdriver.h"
#include "testsupport.h"
#include "vault/passphrasereader.h"
#include "vault/vaultheader.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace countersign;

namespace {

QMap<QString, QByteArray> digestsOf(const QString& dir)
{
    QMap<QString, QByteArray> digests;
    const QStringList files = QDir(dir).entryList(QDir::Files);
    for (const QString& name : files)
        digests.insert(name, test::fileDigest(QDir(dir).filePath(name)));
    return digests;
}

QByteArray allBytesUnder(const QString& dir)
{
    QByteArray bytes;
    QDirIterator it(dir, QDir::Files);
    while (it.hasNext()) {
        QFile file(it.next());
        if (file.open(QIODevice::ReadOnly))
            bytes += file.readAll();
    }
    return bytes;
}

int countActions(vault::Vault& vault, const QString& action)
{
    QSqlQuery query(vault.database());
    query.prepare(QStringLiteral("SELECT count(*) FROM audit_log WHERE action = ?"));
    query.addBindValue(action);
    if (!query.exec() || !query.next())
        return -1;
    return query.value(0).toInt();
}

} // namespace

class TestVault final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void createsAndUnlocks()
    {
        QTemporaryDir dir;
        QByteArray publicKey;
        {
            auto vault = test::createVault(dir.path(), QStringLiteral("Ada Lovelace"));
            QVERIFY(vault);
            QCOMPARE(vault->ownerName(), QStringLiteral("Ada Lovelace"));
            QVERIFY(!vault->cipherVersion().isEmpty());
            publicKey = vault->instancePublicKey();
            QCOMPARE(publicKey.size(), 32);
            QCOMPARE(countActions(*vault, QStringLiteral("vault.created")), 1);
        }
        QVERIFY(vault::Vault::exists(dir.path()));
        auto vault = test::openVault(dir.path());
        QVERIFY(vault);
        QCOMPARE(vault->ownerName(), QStringLiteral("Ada Lovelace"));
        QCOMPARE(vault->instancePublicKey(), publicKey);
        QCOMPARE(countActions(*vault, QStringLiteral("vault.unlocked")), 1);
        QVERIFY(vault->audit().verify().ok());
    }

    void refusesWeakPassphraseAndSecondVault()
    {
        QTemporaryDir dir;
        vault::Vault::CreateOptions options;
        options.kdf = crypto::KdfParams::fast();
        auto weak =
            vault::Vault::create(dir.path(), QStringLiteral("Ada"), test::secure(QStringLiteral("password1")), options);
        QVERIFY(!weak);
        QCOMPARE(test::errorCode(weak), ErrorCode::WeakPassphrase);
        QVERIFY(!vault::Vault::exists(dir.path()));
        QVERIFY(test::createVault(dir.path()));
        auto second = vault::Vault::create(dir.path(), QStringLiteral("Eve"), test::secure(test::PASSPHRASE), options);
        QVERIFY(!second);
        QCOMPARE(test::errorCode(second), ErrorCode::AlreadyExists);
    }

    void wrongPassphraseLeavesFilesUntouched()
    {
        QTemporaryDir dir;
        QVERIFY(test::createVault(dir.path()));
        const QMap<QString, QByteArray> before = digestsOf(dir.path());
        QVERIFY(!before.isEmpty());

        auto opened = vault::Vault::open(dir.path(), test::secure(QStringLiteral("not the passphrase at all")));
        QVERIFY(!opened);
        QCOMPARE(test::errorCode(opened), ErrorCode::WrongPassphrase);
        QCOMPARE(opened.error().message, QStringLiteral("wrong passphrase"));

        QMap<QString, QByteArray> after = digestsOf(dir.path());
        after.remove(vault::Vault::FAILED_UNLOCKS_FILE); // the note of the failure lives outside the vault
        QCOMPARE(after, before);

        // The failure is audited at the next successful unlock, and the note is consumed.
        auto vault = test::openVault(dir.path());
        QVERIFY(vault);
        QCOMPARE(countActions(*vault, QStringLiteral("vault.unlock_failed")), 1);
        QVERIFY(!QFile::exists(QDir(dir.path()).filePath(vault::Vault::FAILED_UNLOCKS_FILE)));
    }

    void vaultFileIsEncrypted()
    {
        QTemporaryDir dir;
        const QString marker = QStringLiteral("Zebulon-Marker-7781");
        QString databasePath;
        {
            auto vault = test::createVault(dir.path(), marker);
            QVERIFY(vault);
            QVERIFY(vault->audit().append({QStringLiteral("system"), QStringLiteral("test.marker"), marker,
                                           QJsonObject{{QStringLiteral("note"), marker}}}));
            databasePath = vault->databasePath();
        }
        const QByteArray everything = allBytesUnder(dir.path());
        QVERIFY(everything.size() > 4096);
        QVERIFY(!everything.contains(marker.toUtf8()));
        QVERIFY(!everything.contains("SQLite format 3"));
        QVERIFY(!everything.contains(test::PASSPHRASE.toUtf8()));

        const QString sqlite3 = QStandardPaths::findExecutable(QStringLiteral("sqlite3"));
        QVERIFY2(!sqlite3.isEmpty(), "the sqlite3 tool is installed by scripts/install-deps.sh");
        QProcess tool;
        tool.start(sqlite3, {databasePath, QStringLiteral("SELECT * FROM sqlite_master;")});
        QVERIFY(tool.waitForFinished(30000));
        QVERIFY(tool.exitCode() != 0);
        QVERIFY2(tool.readAllStandardError().contains("not a database"), "sqlite3 must fail to read the vault");

        // Control: the same tool reads an unencrypted database made by the same driver.
        const QString plainPath = dir.filePath(QStringLiteral("plain.db"));
        {
            QSqlDatabase plain = QSqlDatabase::addDatabase(new storage::SqlCipherDriver(), QStringLiteral("plain"));
            plain.setDatabaseName(plainPath);
            QVERIFY(plain.open());
            QSqlQuery query(plain);
            QVERIFY(query.exec(QStringLiteral("CREATE TABLE t (v TEXT)")));
            query.prepare(QStringLiteral("INSERT INTO t VALUES (?)"));
            query.addBindValue(marker);
            QVERIFY(query.exec());
            plain.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("plain"));
        tool.start(sqlite3, {plainPath, QStringLiteral("SELECT v FROM t;")});
        QVERIFY(tool.waitForFinished(30000));
        QCOMPARE(tool.exitCode(), 0);
        QCOMPARE(tool.readAllStandardOutput().trimmed(), marker.toUtf8());
    }

    void plaintextDatabaseIsRefused()
    {
        QTemporaryDir dir;
        QString databasePath;
        {
            auto vault = test::createVault(dir.path());
            QVERIFY(vault);
            databasePath = vault->databasePath();
        }
        for (const QString& suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
            QFile::remove(databasePath + suffix);
        {
            QSqlDatabase plain = QSqlDatabase::addDatabase(new storage::SqlCipherDriver(), QStringLiteral("swap"));
            plain.setDatabaseName(databasePath);
            QVERIFY(plain.open());
            QVERIFY(QSqlQuery(plain).exec(QStringLiteral("CREATE TABLE meta (key TEXT, value TEXT)")));
            plain.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("swap"));
        const QByteArray digest = test::fileDigest(databasePath);
        auto opened = vault::Vault::open(dir.path(), test::secure(test::PASSPHRASE));
        QVERIFY(!opened);
        QCOMPARE(test::errorCode(opened), ErrorCode::NotEncrypted);
        QVERIFY(opened.error().message.contains(QStringLiteral("plaintext")));
        QCOMPARE(test::fileDigest(databasePath), digest);
    }

    void requiresSqlCipher()
    {
        QVERIFY(!vault::Vault::requireCipher(QString()));
        QCOMPARE(test::errorCode(vault::Vault::requireCipher(QString())), ErrorCode::NotEncrypted);
        QVERIFY(vault::Vault::requireCipher(QStringLiteral("3.4.1")));
        auto* driver = new storage::SqlCipherDriver();
        QSqlDatabase db = QSqlDatabase::addDatabase(driver, QStringLiteral("cipher"));
        db.setDatabaseName(QStringLiteral(":memory:"));
        QVERIFY(db.open());
        QVERIFY(vault::Vault::requireCipher(driver->cipherVersion()));
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("cipher"));
    }

    void durableJournalSettings()
    {
        QTemporaryDir dir;
        auto vault = test::createVault(dir.path());
        QVERIFY(vault);
        QSqlQuery query(vault->database());
        QVERIFY(query.exec(QStringLiteral("PRAGMA journal_mode")) && query.next());
        QCOMPARE(query.value(0).toString(), QStringLiteral("wal"));
        QVERIFY(query.exec(QStringLiteral("PRAGMA synchronous")) && query.next());
        QVERIFY(query.value(0).toInt() >= 2); // FULL (2) or EXTRA (3)
    }

    void damagedOrReplacedKeyMaterialIsDetected()
    {
        QTemporaryDir dir;
        QVERIFY(test::createVault(dir.path()));
        const QString headerPath = QDir(dir.path()).filePath(vault::Vault::HEADER_FILE);
        QFile file(headerPath);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QJsonObject header = QJsonDocument::fromJson(file.readAll()).object();
        file.close();
        // Another salt derives another key: the passphrase no longer opens the vault.
        QJsonObject kdf = header.value(QStringLiteral("kdf")).toObject();
        kdf.insert(QStringLiteral("salt"), QString::fromLatin1(QByteArray(16, 'x').toBase64()));
        header.insert(QStringLiteral("kdf"), kdf);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(QJsonDocument(header).toJson());
        file.close();
        auto opened = vault::Vault::open(dir.path(), test::secure(test::PASSPHRASE));
        QVERIFY(!opened);
        QCOMPARE(test::errorCode(opened), ErrorCode::WrongPassphrase);

        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write("{ not json");
        file.close();
        opened = vault::Vault::open(dir.path(), test::secure(test::PASSPHRASE));
        QVERIFY(!opened);
        QCOMPARE(test::errorCode(opened), ErrorCode::Integrity);
    }

    void passphrasesComeFromTheNamedFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("pass"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("first line only\r\nsecond line\n");
        file.close();
        qputenv("COUNTERSIGN_TEST_PASSPHRASE_FILE", path.toLocal8Bit());
        auto read = vault::PassphraseReader::read("COUNTERSIGN_TEST_PASSPHRASE_FILE", QStringLiteral("unused: "));
        QVERIFY(read);
        QCOMPARE(read->view(), QByteArrayView("first line only"));
        auto fresh = vault::PassphraseReader::readNew("COUNTERSIGN_TEST_PASSPHRASE_FILE", QStringLiteral("unused: "));
        QVERIFY(fresh);
        QCOMPARE(fresh->view(), QByteArrayView("first line only"));
        qputenv("COUNTERSIGN_TEST_PASSPHRASE_FILE", dir.filePath(QStringLiteral("missing")).toLocal8Bit());
        auto missing = vault::PassphraseReader::read("COUNTERSIGN_TEST_PASSPHRASE_FILE", QStringLiteral("unused: "));
        QVERIFY(!missing);
        QCOMPARE(test::errorCode(missing), ErrorCode::Io);
        QVERIFY(missing.error().message.contains(QStringLiteral("passphrase file")));
        qunsetenv("COUNTERSIGN_TEST_PASSPHRASE_FILE");
    }

    void missingVaultIsNotFound()
    {
        QTemporaryDir dir;
        auto opened = vault::Vault::open(dir.filePath(QStringLiteral("nothing")), test::secure(test::PASSPHRASE));
        QVERIFY(!opened);
        QCOMPARE(test::errorCode(opened), ErrorCode::NotFound);
    }

    void changesPassphrase()
    {
        QTemporaryDir dir;
        QString oldDatabase;
        {
            auto vault = test::createVault(dir.path());
            QVERIFY(vault);
            QVERIFY(vault->audit().append(
                {QStringLiteral("system"), QStringLiteral("test.keep"), QStringLiteral("x"), {}}));
            oldDatabase = vault->databasePath();
            auto changed = vault->changePassphrase(test::secure(test::OTHER_PASSPHRASE), crypto::KdfParams::fast());
            QVERIFY2(changed, qPrintable(changed ? QString() : changed.error().message));
            QVERIFY(vault->databasePath() != oldDatabase);
            // The same object keeps working on the re-keyed database.
            QVERIFY(vault->audit().append(
                {QStringLiteral("system"), QStringLiteral("test.after"), QStringLiteral("y"), {}}));
            QVERIFY(!vault->changePassphrase(test::secure(QStringLiteral("short")), crypto::KdfParams::fast()));
        }
        QVERIFY(!QFile::exists(oldDatabase));
        auto old = vault::Vault::open(dir.path(), test::secure(test::PASSPHRASE));
        QVERIFY(!old);
        QCOMPARE(test::errorCode(old), ErrorCode::WrongPassphrase);
        auto vault = test::openVault(dir.path(), test::OTHER_PASSPHRASE);
        QVERIFY(vault);
        QCOMPARE(countActions(*vault, QStringLiteral("test.keep")), 1);
        QCOMPARE(countActions(*vault, QStringLiteral("test.after")), 1);
        QCOMPARE(countActions(*vault, QStringLiteral("vault.passphrase_changed")), 1);
        // The append-only triggers came along with the copy.
        QSqlQuery tamper(vault->database());
        QVERIFY(!tamper.exec(QStringLiteral("DELETE FROM audit_log")));
        QVERIFY(vault->audit().verify().ok());
    }

    void rekeyWaitsForOtherConnections()
    {
        QTemporaryDir dir;
        auto vault = test::createVault(dir.path());
        QVERIFY(vault);
        {
            auto other = vault->openConnection(QStringLiteral("other-thread"));
            QVERIFY(other);
            QSqlQuery query(*other);
            QVERIFY(query.exec(QStringLiteral("SELECT count(*) FROM audit_log")) && query.next());
            QVERIFY(query.value(0).toInt() > 0);
            auto refused = vault->changePassphrase(test::secure(test::OTHER_PASSPHRASE), crypto::KdfParams::fast());
            QVERIFY(!refused);
            QCOMPARE(test::errorCode(refused), ErrorCode::Conflict);
        }
        QSqlDatabase::removeDatabase(QStringLiteral("other-thread"));
        QVERIFY(vault->changePassphrase(test::secure(test::OTHER_PASSPHRASE), crypto::KdfParams::fast()));
    }

    void everyFailedUnlockIsCounted()
    {
        QTemporaryDir dir;
        QVERIFY(test::createVault(dir.path()));
        // More failures than get an entry each, as a long guessing run leaves them.
        constexpr int FAILURES = 1500;
        {
            QFile failures(dir.filePath(vault::Vault::FAILED_UNLOCKS_FILE));
            QVERIFY(failures.open(QIODevice::WriteOnly));
            for (int i = 0; i < FAILURES; ++i)
                failures.write(QByteArray::number(qint64{1700000000000} + i) + '\n');
        }
        auto vault = test::openVault(dir.path());
        QVERIFY(vault);
        const int itemized = countActions(*vault, QStringLiteral("vault.unlock_failed"));
        QSqlQuery summary(vault->database());
        QVERIFY(summary.exec(QStringLiteral("SELECT details FROM audit_log WHERE action = 'vault.unlock_failures'")));
        qint64 summarized = 0;
        while (summary.next()) {
            const QJsonObject details = QJsonDocument::fromJson(summary.value(0).toByteArray()).object();
            summarized += details.value(QStringLiteral("count")).toInteger();
            QCOMPARE(details.value(QStringLiteral("last_attempted_at")).toInteger(),
                     qint64{1700000000000} + FAILURES - 1);
        }
        QCOMPARE(itemized + summarized, qint64{FAILURES});
        QVERIFY(!QFile::exists(dir.filePath(vault::Vault::FAILED_UNLOCKS_FILE)));
    }

    void rekeyIsRefusedWhileAnotherVaultObjectHasItOpen()
    {
        QTemporaryDir dir;
        auto vault = test::createVault(dir.path());
        QVERIFY(vault);
        {
            auto other = test::openVault(dir.path()); // a second holder, as another process would be
            QVERIFY(other);
            auto refused = vault->changePassphrase(test::secure(test::OTHER_PASSPHRASE), crypto::KdfParams::fast());
            QVERIFY(!refused);
            QCOMPARE(test::errorCode(refused), ErrorCode::Conflict);
            QVERIFY2(refused.error().message.contains(QStringLiteral("pid %1").arg(::getpid())),
                     qPrintable(refused.error().message));
            auto exclusive =
                vault::Vault::open(dir.path(), test::secure(test::PASSPHRASE), vault::VaultLock::Mode::Exclusive);
            QVERIFY(!exclusive);
            QCOMPARE(test::errorCode(exclusive), ErrorCode::Conflict);
            // The refused attempt kept the shared lock: the other holder still cannot re-key either.
            QVERIFY(!other->changePassphrase(test::secure(test::OTHER_PASSPHRASE), crypto::KdfParams::fast()));
        }
        QVERIFY(vault->changePassphrase(test::secure(test::OTHER_PASSPHRASE), crypto::KdfParams::fast()));
        QVERIFY(vault->audit().append({QStringLiteral("system"), QStringLiteral("test.after"), {}, {}}));
    }

    void staleFilesWaitUntilTheVaultIsNotSharedAnyMore()
    {
        QTemporaryDir dir;
        auto vault = test::createVault(dir.path());
        QVERIFY(vault);
        const QString debris = dir.filePath(QStringLiteral("vault-7.db"));
        test::writeTextFile(debris, QStringLiteral("left by an interrupted change"));
        {
            auto second = test::openVault(dir.path());
            QVERIFY(second);
            QVERIFY(QFile::exists(debris)); // the first holder may still be using what it named
        }
        vault.reset();
        QVERIFY(test::openVault(dir.path()));
        QVERIFY(!QFile::exists(debris));
    }

    void leftoverFromInterruptedRekeyIsIgnoredAndRemoved()
    {
        QTemporaryDir dir;
        QString current;
        {
            auto vault = test::createVault(dir.path());
            QVERIFY(vault);
            current = vault->databasePath();
        }
        // As if a passphrase change died after copying but before switching the header.
        const QString stray = QDir(dir.path()).filePath(QStringLiteral("vault-2.db"));
        QVERIFY(QFile::copy(current, stray));
        auto vault = test::openVault(dir.path());
        QVERIFY(vault);
        QCOMPARE(vault->databasePath(), current);
        QVERIFY(!QFile::exists(stray));
    }
};

QTEST_GUILESS_MAIN(TestVault)
#include "tst_vault.moc"
