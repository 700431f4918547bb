#include "databasefiles.h"

#include <QDir>
#include <QFile>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcVault)

namespace countersign::vault {

namespace {

const QByteArray SQLITE_PLAINTEXT_MAGIC = QByteArrayLiteral("SQLite format 3\0");

} // namespace

DatabaseFiles::DatabaseFiles(QString dataDir)
    : m_dataDir(std::move(dataDir))
{
}

QString DatabaseFiles::path(const QString& file) const
{
    return QDir(m_dataDir).filePath(file);
}

QString DatabaseFiles::next(const QString& current)
{
    QString digits = current;
    digits.remove(QStringLiteral("vault-")).remove(QStringLiteral(".db"));
    bool ok = false;
    const qint64 generation = digits.toLongLong(&ok);
    return QStringLiteral("vault-%1.db").arg(ok ? generation + 1 : 1);
}

void DatabaseFiles::remove(const QString& file) const
{
    for (const QString& suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
        QFile::remove(path(file + suffix));
}

void DatabaseFiles::removeAllBut(const QString& current) const
{
    const QDir dir(m_dataDir);
    const QStringList files = dir.entryList({QStringLiteral("vault-*.db*")}, QDir::Files);
    for (const QString& name : files) {
        if (name == current || name == current + QStringLiteral("-wal") || name == current + QStringLiteral("-shm") ||
            name == current + QStringLiteral("-journal"))
            continue;
        qCInfo(lcVault) << "removing stale database file" << name;
        QFile::remove(dir.filePath(name));
    }
}

bool DatabaseFiles::isPlaintextSqlite(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    return file.read(SQLITE_PLAINTEXT_MAGIC.size()) == SQLITE_PLAINTEXT_MAGIC;
}

} // namespace countersign::vault
