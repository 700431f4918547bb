#include "datakeywrap.h"

#include "columncipher.h"
#include "secretfile.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <sodium.h>

#include <utility>

namespace countersign::crypto {

namespace {

const QString FORMAT = QStringLiteral("countersign-data-key");
const QString KIND_PASSPHRASE = QStringLiteral("passphrase-argon2id");
const QString KIND_KEY = QStringLiteral("raw-key");
constexpr int FORMAT_VERSION = 1;

/// The sealed key is a cell of its own: its address names how it was wrapped and with which
/// derivation parameters, so that changing the stored parameters (a cheaper derivation, another
/// salt) makes the key fail to open instead of being derived differently.
CellAddress wrapAddress(const QString& kind, const QJsonObject& kdf)
{
    return CellAddress{FORMAT, kind, QString::fromUtf8(QJsonDocument(kdf).toJson(QJsonDocument::Compact))};
}

Result<QByteArray> seal(const SecureBuffer& dataKey, const SecureBuffer& wrappingKey, const QString& kind,
                        const QJsonObject& kdf)
{
    if (dataKey.size() != static_cast<std::size_t>(ColumnCipher::KEY_SIZE))
        return fail(ErrorCode::InvalidArgument, QStringLiteral("a data key has %1 bytes").arg(ColumnCipher::KEY_SIZE));
    auto cipher = ColumnCipher::fromKey(wrappingKey.clone());
    COUNTERSIGN_TRY(cipher);
    QJsonObject document{{QStringLiteral("format"), FORMAT},
                         {QStringLiteral("version"), FORMAT_VERSION},
                         {QStringLiteral("wrapping"), kind},
                         {QStringLiteral("sealed"),
                          QString::fromLatin1(cipher->seal(dataKey.view(), wrapAddress(kind, kdf)).toBase64())}};
    if (!kdf.isEmpty())
        document.insert(QStringLiteral("kdf"), kdf);
    return QJsonDocument(document).toJson(QJsonDocument::Compact);
}

struct Parsed final {
    QString kind;
    QJsonObject kdf;
    QByteArray sealed;
};

Result<Parsed> parse(QByteArrayView wrapped)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(wrapped.toByteArray(), &error);
    const QJsonObject object = document.object();
    if (error.error != QJsonParseError::NoError || !document.isObject() ||
        object.value(QStringLiteral("format")).toString() != FORMAT)
        return fail(ErrorCode::Integrity, QStringLiteral("the stored data key is not a Countersign wrapped key"));
    if (object.value(QStringLiteral("version")).toInt() != FORMAT_VERSION)
        return fail(ErrorCode::UnsupportedSchema,
                    QStringLiteral("the stored data key has format version %1; this version reads version %2")
                        .arg(object.value(QStringLiteral("version")).toInt())
                        .arg(FORMAT_VERSION));
    Parsed parsed{object.value(QStringLiteral("wrapping")).toString(), object.value(QStringLiteral("kdf")).toObject(),
                  QByteArray::fromBase64(object.value(QStringLiteral("sealed")).toString().toLatin1())};
    return parsed;
}

Result<SecureBuffer> open(const Parsed& parsed, const SecureBuffer& wrappingKey, const QString& what)
{
    auto cipher = ColumnCipher::fromKey(wrappingKey.clone());
    COUNTERSIGN_TRY(cipher);
    auto opened = cipher->open(parsed.sealed, wrapAddress(parsed.kind, parsed.kdf));
    if (!opened) {
        if (opened.error().code == ErrorCode::Integrity)
            return fail(
                ErrorCode::WrongPassphrase,
                QStringLiteral("the %1 does not open the team's data key (or the stored key was altered)").arg(what));
        return std::unexpected(opened.error());
    }
    if (opened->size() != ColumnCipher::KEY_SIZE)
        return fail(ErrorCode::Integrity, QStringLiteral("the stored data key has the wrong length"));
    return SecureBuffer::takeFrom(*opened);
}

} // namespace

KdfParams DataKeyWrap::passphraseParams()
{
    KdfParams params = KdfParams::defaults();
    params.opsLimit = crypto_pwhash_OPSLIMIT_MODERATE;
    params.memLimit = crypto_pwhash_MEMLIMIT_MODERATE;
    return params;
}

Result<QByteArray> DataKeyWrap::wrapWithPassphrase(const SecureBuffer& dataKey, const SecureBuffer& passphrase,
                                                   const KdfParams& params)
{
    auto wrappingKey = deriveKey(passphrase, params);
    COUNTERSIGN_TRY(wrappingKey);
    return seal(dataKey, *wrappingKey, KIND_PASSPHRASE, params.toJson());
}

Result<QByteArray> DataKeyWrap::wrapWithKey(const SecureBuffer& dataKey, const SecureBuffer& wrappingKey)
{
    if (wrappingKey.size() != static_cast<std::size_t>(WRAPPING_KEY_SIZE))
        return fail(
            ErrorCode::InvalidArgument,
            QStringLiteral("a wrapping key has %1 bytes, not %2").arg(WRAPPING_KEY_SIZE).arg(wrappingKey.size()));
    return seal(dataKey, wrappingKey, KIND_KEY, {});
}

Result<SecureBuffer> DataKeyWrap::unwrapWithPassphrase(QByteArrayView wrapped, const SecureBuffer& passphrase)
{
    auto parsed = parse(wrapped);
    COUNTERSIGN_TRY(parsed);
    if (parsed->kind != KIND_PASSPHRASE)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("the team's data key is wrapped with a key from a credential, not a passphrase"));
    // fromJson bounds the parameters, so a tampered document cannot make the derivation hang or
    // exhaust memory before the seal check rejects it.
    auto params = KdfParams::fromJson(parsed->kdf);
    COUNTERSIGN_TRY(params);
    auto wrappingKey = deriveKey(passphrase, *params);
    COUNTERSIGN_TRY(wrappingKey);
    return open(*parsed, *wrappingKey, QStringLiteral("team passphrase"));
}

Result<SecureBuffer> DataKeyWrap::unwrapWithKey(QByteArrayView wrapped, const SecureBuffer& wrappingKey)
{
    auto parsed = parse(wrapped);
    COUNTERSIGN_TRY(parsed);
    if (parsed->kind != KIND_KEY)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("the team's data key is wrapped with the team passphrase, not a raw key"));
    if (wrappingKey.size() != static_cast<std::size_t>(WRAPPING_KEY_SIZE))
        return fail(
            ErrorCode::InvalidArgument,
            QStringLiteral("a wrapping key has %1 bytes, not %2").arg(WRAPPING_KEY_SIZE).arg(wrappingKey.size()));
    return open(*parsed, wrappingKey, QStringLiteral("wrapping key"));
}

Result<SecureBuffer> DataKeyWrap::readWrappingKeyCredential(const QString& name)
{
    auto path = SecretFile::credentialPath(name);
    COUNTERSIGN_TRY(path);
    auto key = SecretFile::read(*path, WRAPPING_KEY_SIZE);
    COUNTERSIGN_TRY(key);
    if (key->size() != static_cast<std::size_t>(WRAPPING_KEY_SIZE))
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("credential %1 holds %2 bytes; a wrapping key is exactly %3 raw bytes "
                                   "(head -c 32 /dev/urandom)")
                        .arg(name)
                        .arg(key->size())
                        .arg(WRAPPING_KEY_SIZE));
    return key;
}

} // namespace countersign::crypto
