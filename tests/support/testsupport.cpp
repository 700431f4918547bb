#include "testsupport.h"

#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonObject>
#include <QSqlQuery>
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

approvals::RuntimeIdentity registerRuntime(approvals::Services& services, const QString& name, const QStringList& globs)
{
    auto token = services.runtimes().registerRuntime(name, globs, QStringLiteral("member:owner"));
    if (!token)
        return {};
    return services.requests().authenticate(token->toLatin1()).value_or(approvals::RuntimeIdentity{});
}

std::shared_ptr<const crypto::SigningKey> addMember(approvals::Services& services, const QString& id,
                                                    const QString& displayName, const QString& role)
{
    auto key = std::make_shared<const crypto::SigningKey>(crypto::SigningKey::generate());
    QSqlQuery insert(services.database());
    insert.prepare(
        QStringLiteral("INSERT INTO members (id, display_name, role, public_key, created_at) VALUES (?, ?, ?, ?, 0)"));
    insert.addBindValue(id);
    insert.addBindValue(displayName);
    insert.addBindValue(role);
    insert.addBindValue(key->publicKey());
    if (!insert.exec())
        return nullptr;
    services.requests().setLocalSigningKey(id, key);
    return key;
}

QString createRequest(approvals::RequestService& requests, const approvals::RuntimeIdentity& runtime,
                      const QString& summary, const QString& risk, const QJsonValue& payload)
{
    QJsonObject body{{QStringLiteral("capability"), QStringLiteral("deploy.web")},
                     {QStringLiteral("summary"), summary},
                     {QStringLiteral("risk"), risk}};
    if (!payload.isUndefined())
        body.insert(QStringLiteral("payload"), payload);
    bool created = false;
    auto result = requests.createRequest(runtime, body, {}, created);
    if (!result) {
        qWarning("createRequest: %s", qPrintable(result.error().message));
        return {};
    }
    return result->value(QStringLiteral("id")).toString();
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
