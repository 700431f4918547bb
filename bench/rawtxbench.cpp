// The floor under durable writes: one-row transactions on a SQLCipher vault with the vault's own
// settings (WAL, synchronous=FULL), each committed and synced before the next begins.
//
//   countersign-bench-rawtx DIRECTORY [SECONDS]
//
// DIRECTORY is where the vault is made (use the directory the endpoint's vault lives in, so both
// figures come from the same disk). Prints "<n> transactions/s".
#include "crypto/crypto.h"
#include "crypto/keyderivation.h"
#include "crypto/securebuffer.h"
#include "vault/vault.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>

#include <cstdio>

using namespace countersign;

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("countersign.*=false"));
    const QStringList arguments = app.arguments();
    if (arguments.size() < 2 || !crypto::initialize()) {
        std::fprintf(stderr, "usage: countersign-bench-rawtx DIRECTORY [SECONDS]\n");
        return 2;
    }
    const qint64 seconds = arguments.size() > 2 ? arguments.at(2).toLongLong() : 5;
    const QString dir = QDir(arguments.at(1)).filePath(QStringLiteral("rawtx-vault"));
    QByteArray passphrase = QByteArrayLiteral("correct horse battery staple 42");
    vault::Vault::CreateOptions options;
    options.kdf = crypto::KdfParams::fast(); // the key derivation is not what is measured
    auto created =
        vault::Vault::create(dir, QStringLiteral("Bench"), crypto::SecureBuffer::takeFrom(passphrase), options);
    if (!created) {
        std::fprintf(stderr, "vault: %s\n", qPrintable(created.error().message));
        return 1;
    }
    QSqlDatabase db = (*created)->database();
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("CREATE TABLE bench_rawtx (id INTEGER PRIMARY KEY, v BLOB)"))) {
        std::fprintf(stderr, "table: %s\n", qPrintable(query.lastError().text()));
        return 1;
    }
    QSqlQuery insert(db);
    insert.prepare(QStringLiteral("INSERT INTO bench_rawtx (v) VALUES (?)"));
    const QByteArray row(200, 'r'); // about one stored request's size
    QElapsedTimer timer;
    timer.start();
    qint64 done = 0;
    while (timer.elapsed() < seconds * 1000) {
        if (!db.transaction()) {
            std::fprintf(stderr, "begin: %s\n", qPrintable(db.lastError().text()));
            return 1;
        }
        insert.bindValue(0, row);
        if (!insert.exec() || !db.commit()) {
            std::fprintf(stderr, "insert: %s\n", qPrintable(db.lastError().text()));
            return 1;
        }
        ++done;
    }
    std::printf("%.0f transactions/s\n", static_cast<double>(done) * 1e9 / static_cast<double>(timer.nsecsElapsed()));
    return 0;
}
