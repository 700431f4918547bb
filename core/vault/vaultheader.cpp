#include "vaultheader.h"

#include "storage/durablefile.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

namespace countersign::vault {

Result<VaultHeader> VaultHeader::load(const QString& path)
{
    QFile file(path);
    if (!file.exists())
        return fail(ErrorCode::NotFound, QStringLiteral("no vault here (%1 does not exist)").arg(path));
    if (!file.open(QIODevice::ReadOnly))
        return fail(ErrorCode::Io, QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    constexpr qint64 MAX_HEADER_SIZE = qint64{64} * 1024;
    const QByteArray bytes = file.read(MAX_HEADER_SIZE);
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return fail(ErrorCode::Integrity, QStringLiteral("%1 is damaged: %2").arg(path, parseError.errorString()));
    const QJsonObject json = document.object();
    if (json.value(QStringLiteral("format")).toString() != QStringLiteral("countersign-vault"))
        return fail(ErrorCode::Integrity, QStringLiteral("%1 is not a Countersign vault header").arg(path));
    if (json.value(QStringLiteral("version")).toInt() != FORMAT_VERSION)
        return fail(ErrorCode::UnsupportedSchema,
                    QStringLiteral("%1 has an unknown header version; use a newer Countersign").arg(path));
    VaultHeader header;
    header.databaseFile = json.value(QStringLiteral("database")).toString();
    if (header.databaseFile.isEmpty() || header.databaseFile.contains(u'/') || header.databaseFile.startsWith(u'.'))
        return fail(ErrorCode::Integrity, QStringLiteral("%1 names no valid database file").arg(path));
    auto kdf = crypto::KdfParams::fromJson(json.value(QStringLiteral("kdf")).toObject());
    if (!kdf)
        return std::unexpected(kdf.error());
    header.kdf = *kdf;
    header.keyCheck = QByteArray::fromBase64(json.value(QStringLiteral("key_check")).toString().toLatin1());
    if (header.keyCheck.size() != 32)
        return fail(ErrorCode::Integrity, QStringLiteral("%1 has a damaged key check value").arg(path));
    return header;
}

Result<void> VaultHeader::save(const QString& path) const
{
    const QJsonObject json{
        {QStringLiteral("format"), QStringLiteral("countersign-vault")},
        {QStringLiteral("version"), FORMAT_VERSION},
        {QStringLiteral("database"), databaseFile},
        {QStringLiteral("kdf"), kdf.toJson()},
        {QStringLiteral("key_check"), QString::fromLatin1(keyCheck.toBase64())},
    };
    return storage::writeFileAtomically(path, QJsonDocument(json).toJson(QJsonDocument::Indented));
}

} // namespace countersign::vault
