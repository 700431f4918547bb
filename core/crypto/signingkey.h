#pragma once

#include "error.h"
#include "securebuffer.h"

#include <QByteArray>
#include <QByteArrayView>

namespace countersign::crypto {

/// An Ed25519 key pair (libsodium). The secret part lives in secure memory.
class SigningKey final {
public:
    static constexpr qsizetype PUBLIC_KEY_SIZE = 32;
    static constexpr qsizetype SEED_SIZE = 32;
    static constexpr qsizetype SIGNATURE_SIZE = 64;

    [[nodiscard]] static SigningKey generate();
    [[nodiscard]] static Result<SigningKey> fromSeed(const SecureBuffer& seed);

    [[nodiscard]] QByteArray publicKey() const { return m_publicKey; }
    /// The 32-byte seed from which the key pair is derived; what the vault stores.
    [[nodiscard]] SecureBuffer seed() const;
    [[nodiscard]] QByteArray sign(QByteArrayView message) const;
    [[nodiscard]] static bool verify(QByteArrayView publicKey, QByteArrayView message, QByteArrayView signature);

private:
    SigningKey() = default;
    SecureBuffer m_secretKey; // libsodium's 64-byte form: seed || public key
    QByteArray m_publicKey;
};

} // namespace countersign::crypto
