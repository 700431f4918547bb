#include "memberkeyfile.h"

#include "crypto/passphrasepolicy.h"

#include "crypto/securebuffer.h"
#include "storage/durablefile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>

#include <sodium.h>

namespace countersign::members {

namespace {

constexpr int VERSION = 1;

Result<QJsonObject> readObject(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(ErrorCode::NotFound, QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    const QJsonObject object = QJsonDocument::fromJson(file.read(qint64{64} * 1024)).object();
    if (object.value(QStringLiteral("format")).toString() != MemberKeyFile::FORMAT ||
        object.value(QStringLiteral("version")).toInt() != VERSION)
        return fail(ErrorCode::InvalidArgument, QStringLiteral("%1 is not a Countersign member key file").arg(path));
    return object;
}

Result<void> writeObject(const QString& path, const QJsonObject& object)
{
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return fail(ErrorCode::Io, QStringLiteral("cannot create the folder of %1").arg(path));
    COUNTERSIGN_TRY(storage::writeFileAtomically(path, QJsonDocument(object).toJson()));
    if (!QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner))
        return fail(ErrorCode::Io, QStringLiteral("cannot make %1 private").arg(path));
    return {};
}

void putMetadata(const MemberKeyFile& file, QJsonObject& object)
{
    object.insert(QStringLiteral("format"), MemberKeyFile::FORMAT);
    object.insert(QStringLiteral("version"), VERSION);
    object.insert(QStringLiteral("server"), QJsonObject{{QStringLiteral("host"), file.host},
                                                        {QStringLiteral("port"), file.port},
                                                        {QStringLiteral("certificate_sha256"),
                                                         QString::fromLatin1(file.certificateSha256.toHex())}});
    object.insert(QStringLiteral("member"), QJsonObject{{QStringLiteral("id"), file.memberId},
                                                        {QStringLiteral("display_name"), file.displayName},
                                                        {QStringLiteral("role"), file.role}});
    object.insert(QStringLiteral("public_key"), QString::fromLatin1(file.publicKey.toBase64()));
}

} // namespace

QString MemberKeyFile::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           QStringLiteral("/countersign/member.json");
}

Result<void> MemberKeyFile::save(const QString& path, const crypto::SigningKey& key,
                                 const crypto::SecureBuffer& passphrase, const crypto::KdfParams& kdf) const
{
    // The file is all a thief of the laptop needs to approve as this member: its passphrase is
    // held to the vault's rule, with the member's own name counted as a guess.
    const crypto::PassphraseAssessment strength = crypto::assessPassphrase(
        QString::fromUtf8(reinterpret_cast<const char*>(passphrase.data()), static_cast<qsizetype>(passphrase.size())),
        {displayName});
    if (!strength.acceptable)
        return fail(ErrorCode::WeakPassphrase,
                    QStringLiteral("member key passphrase refused: %1").arg(strength.reason));
    auto sealingKey = crypto::deriveKey(passphrase, kdf);
    COUNTERSIGN_TRY(sealingKey);
    const crypto::SecureBuffer seed = key.seed();
    QByteArray nonce(crypto_secretbox_NONCEBYTES, Qt::Uninitialized);
    randombytes_buf(nonce.data(), static_cast<std::size_t>(nonce.size()));
    QByteArray sealed(static_cast<qsizetype>(seed.size() + crypto_secretbox_MACBYTES), Qt::Uninitialized);
    if (crypto_secretbox_easy(reinterpret_cast<unsigned char*>(sealed.data()), seed.data(), seed.size(),
                              reinterpret_cast<const unsigned char*>(nonce.constData()), sealingKey->data()) != 0)
        return fail(ErrorCode::Crypto, QStringLiteral("cannot seal the member key"));
    QJsonObject object;
    putMetadata(*this, object);
    object.insert(QStringLiteral("kdf"), kdf.toJson());
    object.insert(QStringLiteral("nonce"), QString::fromLatin1(nonce.toBase64()));
    object.insert(QStringLiteral("sealed_key"), QString::fromLatin1(sealed.toBase64()));
    return writeObject(path, object);
}

Result<void> MemberKeyFile::update(const QString& path) const
{
    auto object = readObject(path);
    COUNTERSIGN_TRY(object);
    putMetadata(*this, *object);
    return writeObject(path, *object);
}

Result<MemberKeyFile> MemberKeyFile::read(const QString& path)
{
    auto object = readObject(path);
    COUNTERSIGN_TRY(object);
    const QJsonObject server = object->value(QStringLiteral("server")).toObject();
    const QJsonObject member = object->value(QStringLiteral("member")).toObject();
    MemberKeyFile file;
    file.host = server.value(QStringLiteral("host")).toString();
    file.port = static_cast<quint16>(server.value(QStringLiteral("port")).toInt());
    file.certificateSha256 =
        QByteArray::fromHex(server.value(QStringLiteral("certificate_sha256")).toString().toLatin1());
    file.memberId = member.value(QStringLiteral("id")).toString();
    file.displayName = member.value(QStringLiteral("display_name")).toString();
    file.role = member.value(QStringLiteral("role")).toString();
    file.publicKey = QByteArray::fromBase64(object->value(QStringLiteral("public_key")).toString().toLatin1());
    if (file.host.isEmpty() || file.port == 0 || file.certificateSha256.size() != 32 ||
        file.publicKey.size() != crypto::SigningKey::PUBLIC_KEY_SIZE)
        return fail(ErrorCode::Integrity, QStringLiteral("%1 is damaged").arg(path));
    return file;
}

Result<crypto::SigningKey> MemberKeyFile::unseal(const QString& path, const crypto::SecureBuffer& passphrase)
{
    auto object = readObject(path);
    COUNTERSIGN_TRY(object);
    auto kdf = crypto::KdfParams::fromJson(object->value(QStringLiteral("kdf")).toObject());
    COUNTERSIGN_TRY(kdf);
    const QByteArray nonce = QByteArray::fromBase64(object->value(QStringLiteral("nonce")).toString().toLatin1());
    const QByteArray sealed = QByteArray::fromBase64(object->value(QStringLiteral("sealed_key")).toString().toLatin1());
    if (nonce.size() != crypto_secretbox_NONCEBYTES ||
        sealed.size() != crypto::SigningKey::SEED_SIZE + static_cast<qsizetype>(crypto_secretbox_MACBYTES))
        return fail(ErrorCode::Integrity, QStringLiteral("%1 is damaged").arg(path));
    auto sealingKey = crypto::deriveKey(passphrase, *kdf);
    COUNTERSIGN_TRY(sealingKey);
    QByteArray seed(crypto::SigningKey::SEED_SIZE, Qt::Uninitialized);
    const bool opened =
        crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(seed.data()),
                                   reinterpret_cast<const unsigned char*>(sealed.constData()),
                                   static_cast<unsigned long long>(sealed.size()),
                                   reinterpret_cast<const unsigned char*>(nonce.constData()), sealingKey->data()) == 0;
    crypto::SecureBuffer secret = crypto::SecureBuffer::takeFrom(seed);
    if (!opened)
        return fail(ErrorCode::WrongPassphrase, QStringLiteral("the passphrase does not open the member key"));
    auto key = crypto::SigningKey::fromSeed(secret);
    COUNTERSIGN_TRY(key);
    auto metadata = read(path);
    COUNTERSIGN_TRY(metadata);
    if (key->publicKey() != metadata->publicKey)
        return fail(ErrorCode::Integrity,
                    QStringLiteral("%1 holds a key that does not match its public key").arg(path));
    return key;
}

} // namespace countersign::members
