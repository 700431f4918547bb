#include "benchsupport.h"

#include "application/instance.h"
#include "audit/auditlog.h"
#include "crypto/crypto.h"
#include "crypto/securebuffer.h"

#include <QFile>
#include <QJsonObject>
#include <QLoggingCategory>

#include <cstdlib>

namespace countersign::bench {

void initialize()
{
    QLoggingCategory::setFilterRules(QStringLiteral("countersign.*=false"));
    if (!crypto::initialize())
        qFatal("libsodium cannot be initialised");
}

std::unique_ptr<vault::Vault> scratchVault(const QTemporaryDir& dir)
{
    vault::Vault::CreateOptions options;
    options.kdf = crypto::KdfParams::fast();
    QByteArray pass("correct horse battery staple 42");
    auto vault = vault::Vault::create(dir.filePath(QStringLiteral("v")), QStringLiteral("Bench"),
                                      crypto::SecureBuffer::takeFrom(pass), options);
    if (!vault)
        qFatal("%s", qPrintable(vault.error().message));
    return std::move(*vault);
}

std::unique_ptr<application::Instance> scratchInstance(const QTemporaryDir& dir, const http::EndpointSettings& settings)
{
    auto instance = application::Instance::open(scratchVault(dir), settings);
    if (!instance)
        qFatal("%s", qPrintable(instance.error().message));
    return std::move(*instance);
}

void fillAuditLog(vault::Vault& vault, qint64 count)
{
    constexpr qint64 BATCH = 10'000;
    QList<audit::AuditRecord> batch;
    for (qint64 done = *vault.audit().count(); done < count;) {
        batch.clear();
        for (qint64 i = 0; i < BATCH && done + i < count; ++i)
            batch.append({QStringLiteral("runtime:bench"), QStringLiteral("request.created"),
                          QStringLiteral("request:%1").arg(done + i),
                          QJsonObject{{QStringLiteral("capability"), QStringLiteral("deploy.web")},
                                      {QStringLiteral("n"), done + i}}});
        if (auto appended = vault.audit().appendAll(batch); !appended)
            qFatal("%s", qPrintable(appended.error().message));
        done += batch.size();
    }
}

double residentMiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    }
    return -1;
}

} // namespace countersign::bench
