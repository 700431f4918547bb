#include "testsupport.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTest>

namespace countersign::test {

crypto::SecureBuffer secure(const QString& text)
{
    QByteArray bytes = text.toUtf8();
    return crypto::SecureBuffer::takeFrom(bytes);
}

std::unique_ptr<vault::Vault> createVault(const QString& dir, const QString& owner)
{
    vault::Vault::CreateOptions options;
    options.kdf = crypto::KdfParams::fast();
    auto created = vault::Vault::create(dir, owner, secure(PASSPHRASE), options);
    if (!created) {
        qWarning("createVault: %s", qPrintable(created.error().message));
        return nullptr;
    }
    return std::move(*created);
}

std::unique_ptr<vault::Vault> openVault(const QString& dir, const QString& passphrase)
{
    auto opened = vault::Vault::open(dir, secure(passphrase));
    if (!opened) {
        qWarning("openVault: %s", qPrintable(opened.error().message));
        return nullptr;
    }
    return std::move(*opened);
}

QByteArray fileDigest(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return hash.result();
}

void writeTextFile(const QString& path, const QString& text)
{
    QFile file(path);
    if (file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        file.write(text.toUtf8() + '\n');
}

} // namespace countersign::test
