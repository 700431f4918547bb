// Vault and audit chain throughput, encrypted against plain SQLite in the same run.
//
//   countersign-bench-vault [--quick]
//
// Prints one line per figure. The plain database is the same SQLCipher library without a key,
// with the same pragmas (WAL, synchronous=FULL), so the ratio isolates the cost of encryption.
#include "audit/auditlog.h"
#include "crypto/crypto.h"
#include "crypto/keyderivation.h"
#include "storage/sqlcipherdriver.h"
#include "vault/vault.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>

#include <cstdio>

using namespace countersign;

namespace {

struct Workload {
    int bulkRows = 100000;
    int durableRows = 5000;
    int auditDurable = 2000;
    int auditBatched = 100000;
};

QSqlDatabase openDatabase(const QString& path, const QString& name, bool encrypted)
{
    auto* driver = new storage::SqlCipherDriver();
    if (encrypted) {
        QByteArray key = crypto::randomBytes(32);
        driver->setKey(crypto::SecureBuffer::takeFrom(key));
    }
    QSqlDatabase db = QSqlDatabase::addDatabase(driver, name);
    db.setDatabaseName(path);
    if (!db.open())
        qFatal("cannot open %s", qPrintable(db.lastError().text()));
    (void)driver->executeScript(QStringLiteral("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                               "CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT NOT NULL, v BLOB);"));
    return db;
}

double perSecond(qint64 count, qint64 nanoseconds)
{
    return nanoseconds > 0 ? static_cast<double>(count) * 1e9 / static_cast<double>(nanoseconds) : 0.0;
}

struct Figures {
    double bulk = 0, durable = 0, scan = 0;
};

Figures runStorage(QSqlDatabase db, const Workload& w)
{
    Figures f;
    const QByteArray blob(64, 'v');
    QElapsedTimer timer;

    QSqlQuery insert(db);
    insert.prepare(QStringLiteral("INSERT INTO t (k, v) VALUES (?, ?)"));
    timer.start();
    db.transaction();
    for (int i = 0; i < w.bulkRows; ++i) {
        insert.bindValue(0, QStringLiteral("key-%1").arg(i));
        insert.bindValue(1, blob);
        if (!insert.exec())
            qFatal("insert: %s", qPrintable(insert.lastError().text()));
    }
    db.commit();
    f.bulk = perSecond(w.bulkRows, timer.nsecsElapsed());

    timer.restart();
    for (int i = 0; i < w.durableRows; ++i) {
        insert.bindValue(0, QStringLiteral("durable-%1").arg(i));
        insert.bindValue(1, blob);
        if (!insert.exec()) // autocommit: one fsynced transaction per row
            qFatal("insert: %s", qPrintable(insert.lastError().text()));
    }
    f.durable = perSecond(w.durableRows, timer.nsecsElapsed());

    QSqlQuery scan(db);
    scan.setForwardOnly(true);
    timer.restart();
    scan.exec(QStringLiteral("SELECT id, k, v FROM t LIMIT %1").arg(w.bulkRows));
    qint64 rows = 0, bytes = 0;
    while (scan.next()) {
        bytes += scan.value(1).toString().size() + scan.value(2).toByteArray().size();
        ++rows;
    }
    f.scan = perSecond(rows, timer.nsecsElapsed());
    if (rows != w.bulkRows || bytes == 0)
        qFatal("scan read %lld rows", static_cast<long long>(rows));
    return f;
}

void line(const char* name, double encrypted, double plain, const char* unit)
{
    std::printf("%-36s %12.0f %s  plain %12.0f %s  encrypted/plain %.2f\n", name, encrypted, unit, plain, unit,
                plain > 0 ? encrypted / plain : 0.0);
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("countersign.*=false"));
    if (!crypto::initialize())
        return 1;
    Workload w;
    if (app.arguments().contains(QStringLiteral("--quick")))
        w = Workload{20000, 500, 300, 20000};

    QTemporaryDir dir;
    std::printf("Countersign vault benchmark (%s)\n\n", qPrintable(dir.path()));

    Figures encrypted, plain;
    {
        encrypted = runStorage(openDatabase(dir.filePath(QStringLiteral("enc.db")), QStringLiteral("enc"), true), w);
        plain = runStorage(openDatabase(dir.filePath(QStringLiteral("plain.db")), QStringLiteral("plain"), false), w);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("enc"));
    QSqlDatabase::removeDatabase(QStringLiteral("plain"));
    std::printf("Storage (rows/s)\n");
    line(qPrintable(QStringLiteral("%1 inserts, one transaction").arg(w.bulkRows)), encrypted.bulk, plain.bulk,
         "rows/s");
    line(qPrintable(QStringLiteral("%1 durable 1-row transactions").arg(w.durableRows)), encrypted.durable,
         plain.durable, "rows/s");
    line(qPrintable(QStringLiteral("%1-row scan").arg(w.bulkRows)), encrypted.scan, plain.scan, "rows/s");

    // Unlock cost with the product's default Argon2id limits.
    const QString vaultDir = dir.filePath(QStringLiteral("vault"));
    QByteArray pass("correct horse battery staple 42");
    const crypto::SecureBuffer passphrase = crypto::SecureBuffer::takeFrom(pass);
    QElapsedTimer timer;
    timer.start();
    auto created = vault::Vault::create(vaultDir, QStringLiteral("Bench"), passphrase);
    if (!created)
        qFatal("%s", qPrintable(created.error().message));
    const qint64 createMs = timer.elapsed();
    created->reset();
    timer.restart();
    auto vault = vault::Vault::open(vaultDir, passphrase);
    if (!vault)
        qFatal("%s", qPrintable(vault.error().message));
    std::printf("\nVault (default Argon2id: 3 passes, 128 MiB)\n");
    std::printf("%-36s %12lld ms\n", "create", static_cast<long long>(createMs));
    std::printf("%-36s %12lld ms\n", "unlock", static_cast<long long>(timer.elapsed()));

    audit::AuditLog& log = (*vault)->audit();
    timer.restart();
    for (int i = 0; i < w.auditDurable; ++i) {
        if (!log.append({QStringLiteral("runtime:bench"), QStringLiteral("bench.durable"), QString::number(i),
                         QJsonObject{{QStringLiteral("i"), i}}}))
            qFatal("append failed");
    }
    const double durableRate = perSecond(w.auditDurable, timer.nsecsElapsed());
    constexpr int BATCH = 1000;
    timer.restart();
    for (int done = 0; done < w.auditBatched; done += BATCH) {
        QList<audit::AuditRecord> batch;
        batch.reserve(BATCH);
        for (int i = 0; i < BATCH; ++i)
            batch.append({QStringLiteral("runtime:bench"), QStringLiteral("bench.batched"), QString::number(done + i),
                          QJsonObject{{QStringLiteral("i"), done + i}}});
        if (!log.appendAll(batch))
            qFatal("batch append failed");
    }
    const double batchedRate = perSecond(w.auditBatched, timer.nsecsElapsed());
    timer.restart();
    const audit::VerifyResult verified = log.verify();
    const double verifyRate = perSecond(verified.checked, timer.nsecsElapsed());
    if (!verified.ok())
        qFatal("verify failed: %s", qPrintable(verified.message));

    // Raw SHA-256 of entry-sized inputs, for scale: verify hashes each entry once and MACs it.
    const QByteArray sample(160, 'x');
    timer.restart();
    constexpr int HASHES = 1000000;
    QByteArray digest;
    for (int i = 0; i < HASHES; ++i)
        digest = crypto::sha256(sample);
    const double hashRate = perSecond(HASHES, timer.nsecsElapsed());

    std::printf("\nAudit chain\n");
    std::printf("%-36s %12.0f entries/s\n", "append, durable, 1 per transaction", durableRate);
    std::printf("%-36s %12.0f entries/s\n", "append, batched 1000 per transaction", batchedRate);
    std::printf("%-36s %12.0f entries/s  (%lld entries)\n", "verify()", verifyRate,
                static_cast<long long>(verified.checked));
    std::printf("%-36s %12.0f hashes/s   (160-byte inputs, for reference)\n", "SHA-256 (OpenSSL)", hashRate);
    return 0;
}
