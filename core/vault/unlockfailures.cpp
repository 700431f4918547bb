#include "unlockfailures.h"

#include "audit/auditlog.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonObject>

#include <optional>

namespace countersign::vault {

namespace {

constexpr int MAX_ITEMIZED = 1000;

QString pathIn(const QString& dataDir)
{
    return QDir(dataDir).filePath(UnlockFailures::FILE_NAME);
}

} // namespace

void UnlockFailures::record(const QString& dataDir)
{
    QFile file(pathIn(dataDir));
    if (file.open(QIODevice::Append | QIODevice::WriteOnly)) {
        file.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
        file.write(QByteArray::number(QDateTime::currentMSecsSinceEpoch()) + '\n');
    }
}

QList<audit::AuditRecord> UnlockFailures::pending(const QString& dataDir)
{
    QList<audit::AuditRecord> records;
    QFile file(pathIn(dataDir));
    if (!file.open(QIODevice::ReadOnly))
        return records;
    qint64 summarized = 0;
    std::optional<qint64> firstSummarized;
    std::optional<qint64> lastSummarized;
    while (!file.atEnd()) {
        bool ok = false;
        const QByteArray line = file.readLine(64);
        const qint64 when = line.trimmed().toLongLong(&ok);
        if (line.trimmed().isEmpty())
            continue;
        if (records.size() < MAX_ITEMIZED) {
            records.append({audit::AuditLog::SYSTEM_ACTOR, QStringLiteral("vault.unlock_failed"),
                            QStringLiteral("vault"),
                            QJsonObject{{QStringLiteral("reason"), QStringLiteral("wrong passphrase")},
                                        {QStringLiteral("attempted_at"), ok ? QJsonValue(when) : QJsonValue()}}});
            continue;
        }
        ++summarized;
        if (ok) {
            firstSummarized = firstSummarized ? std::min(*firstSummarized, when) : when;
            lastSummarized = lastSummarized ? std::max(*lastSummarized, when) : when;
        }
    }
    if (summarized > 0)
        records.append(
            {audit::AuditLog::SYSTEM_ACTOR, QStringLiteral("vault.unlock_failures"), QStringLiteral("vault"),
             QJsonObject{
                 {QStringLiteral("reason"), QStringLiteral("wrong passphrase")},
                 {QStringLiteral("count"), summarized},
                 {QStringLiteral("first_attempted_at"), firstSummarized ? QJsonValue(*firstSummarized) : QJsonValue()},
                 {QStringLiteral("last_attempted_at"), lastSummarized ? QJsonValue(*lastSummarized) : QJsonValue()}}});
    return records;
}

void UnlockFailures::clear(const QString& dataDir)
{
    QFile::remove(pathIn(dataDir));
}

} // namespace countersign::vault
