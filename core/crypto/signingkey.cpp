#include "signingkey.h"

#include <sodium.h>

namespace countersign::crypto {

SigningKey SigningKey::generate()
{
    SecureBuffer seed(SEED_SIZE);
    randombytes_buf(seed.data(), seed.size());
    return *fromSeed(seed);
}

Result<SigningKey> SigningKey::fromSeed(const SecureBuffer& seed)
{
    if (seed.size() != SEED_SIZE)
        return fail(ErrorCode::Crypto, QStringLiteral("an Ed25519 seed has 32 bytes"));
    SigningKey key;
    key.m_secretKey = SecureBuffer(crypto_sign_SECRETKEYBYTES);
    key.m_publicKey = QByteArray(PUBLIC_KEY_SIZE, Qt::Uninitialized);
    crypto_sign_seed_keypair(reinterpret_cast<unsigned char*>(key.m_publicKey.data()), key.m_secretKey.data(),
                             seed.data());
    return key;
}

SecureBuffer SigningKey::seed() const
{
    SecureBuffer seed(SEED_SIZE);
    crypto_sign_ed25519_sk_to_seed(seed.data(), m_secretKey.data());
    return seed;
}

QByteArray SigningKey::sign(QByteArrayView message) const
{
    QByteArray signature(SIGNATURE_SIZE, Qt::Uninitialized);
    crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr,
                         reinterpret_cast<const unsigned char*>(message.data()),
                         static_cast<unsigned long long>(message.size()), m_secretKey.data());
    return signature;
}

bool SigningKey::verify(QByteArrayView publicKey, QByteArrayView message, QByteArrayView signature)
{
    if (publicKey.size() != PUBLIC_KEY_SIZE || signature.size() != SIGNATURE_SIZE)
        return false;
    return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                       reinterpret_cast<const unsigned char*>(message.data()),
                                       static_cast<unsigned long long>(message.size()),
                                       reinterpret_cast<const unsigned char*>(publicKey.data())) == 0;
}

} // namespace countersign::crypto
