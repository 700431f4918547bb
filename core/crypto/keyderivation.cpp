#include "keyderivation.h"

#include "crypto.h"
#include "securebuffer.h"

#include <QJsonValue>

#include <sodium.h>

namespace countersign::crypto {

namespace {
constexpr std::size_t KEY_SIZE = 32;
// Bounds accepted from a header file, so that a tampered header cannot make unlock hang or
// exhaust memory, nor silently weaken the derivation.
constexpr quint64 MIN_OPS = 1;
constexpr quint64 MAX_OPS = 20;
constexpr std::size_t MIN_MEM = std::size_t{8} << 20;
constexpr std::size_t MAX_MEM = std::size_t{1} << 30;
} // namespace

KdfParams KdfParams::defaults()
{
    return KdfParams{randomBytes(crypto_pwhash_SALTBYTES), 3, std::size_t{128} << 20};
}

KdfParams KdfParams::fast()
{
    return KdfParams{randomBytes(crypto_pwhash_SALTBYTES), 1, MIN_MEM};
}

QJsonObject KdfParams::toJson() const
{
    return QJsonObject{
        {QStringLiteral("algorithm"), QStringLiteral("argon2id13")},
        {QStringLiteral("salt"), QString::fromLatin1(salt.toBase64())},
        {QStringLiteral("ops_limit"), static_cast<qint64>(opsLimit)},
        {QStringLiteral("mem_limit"), static_cast<qint64>(memLimit)},
    };
}

Result<KdfParams> KdfParams::fromJson(const QJsonObject& json)
{
    if (json.value(QStringLiteral("algorithm")).toString() != QStringLiteral("argon2id13"))
        return fail(ErrorCode::UnsupportedSchema, QStringLiteral("unknown key derivation algorithm"));
    KdfParams params;
    params.salt = QByteArray::fromBase64(json.value(QStringLiteral("salt")).toString().toLatin1());
    const qint64 ops = json.value(QStringLiteral("ops_limit")).toInteger(-1);
    const qint64 mem = json.value(QStringLiteral("mem_limit")).toInteger(-1);
    if (params.salt.size() != crypto_pwhash_SALTBYTES || ops < static_cast<qint64>(MIN_OPS) ||
        ops > static_cast<qint64>(MAX_OPS) || mem < static_cast<qint64>(MIN_MEM) || mem > static_cast<qint64>(MAX_MEM))
        return fail(ErrorCode::Integrity, QStringLiteral("the key derivation parameters are damaged or out of range"));
    params.opsLimit = static_cast<quint64>(ops);
    params.memLimit = static_cast<std::size_t>(mem);
    return params;
}

Result<SecureBuffer> deriveKey(const SecureBuffer& passphrase, const KdfParams& params)
{
    if (params.salt.size() != crypto_pwhash_SALTBYTES)
        return fail(ErrorCode::InvalidArgument, QStringLiteral("bad salt length"));
    SecureBuffer key(KEY_SIZE);
    const auto* pass = reinterpret_cast<const char*>(passphrase.data());
    if (crypto_pwhash(key.data(), key.size(), pass ? pass : "", passphrase.size(),
                      reinterpret_cast<const unsigned char*>(params.salt.constData()), params.opsLimit, params.memLimit,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return fail(ErrorCode::Crypto, QStringLiteral("not enough memory to derive the vault key"));
    return key;
}

} // namespace countersign::crypto

namespace countersign::crypto {

QByteArray keyCheckValue(const SecureBuffer& key)
{
    static constexpr char LABEL[] = "countersign vault key check v1";
    QByteArray check(32, Qt::Uninitialized);
    crypto_generichash(reinterpret_cast<unsigned char*>(check.data()), static_cast<std::size_t>(check.size()),
                       reinterpret_cast<const unsigned char*>(LABEL), sizeof LABEL - 1, key.data(), key.size());
    return check;
}

} // namespace countersign::crypto
