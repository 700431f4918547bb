#include "crypto.h"

#include <openssl/evp.h>

#include <memory>
#include <sodium.h>

namespace countersign::crypto {

bool initialize()
{
    return sodium_init() >= 0;
}

QByteArray randomBytes(qsizetype count)
{
    QByteArray bytes(count, Qt::Uninitialized);
    randombytes_buf(bytes.data(), static_cast<std::size_t>(count));
    return bytes;
}

QByteArray sha256(QByteArrayView data)
{
    // The algorithm is fetched once and each thread reuses one context: OpenSSL 3 would
    // otherwise look the implementation up on every call, which costs more than hashing a
    // short audit entry.
    static EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                                       &EVP_MD_CTX_free);
    QByteArray digest(SHA256_SIZE, Qt::Uninitialized);
    unsigned int length = 0;
    if (!algorithm || !context || EVP_DigestInit_ex2(context.get(), algorithm, nullptr) != 1 ||
        EVP_DigestUpdate(context.get(), data.data(), static_cast<std::size_t>(data.size())) != 1 ||
        EVP_DigestFinal_ex(context.get(), reinterpret_cast<unsigned char*>(digest.data()), &length) != 1) {
        EVP_Digest(data.data(), static_cast<std::size_t>(data.size()), reinterpret_cast<unsigned char*>(digest.data()),
                   &length, EVP_sha256(), nullptr);
    }
    return digest;
}

bool constantTimeEqual(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    if (a.isEmpty())
        return true;
    return sodium_memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size())) == 0;
}

void wipe(QByteArray& bytes)
{
    if (!bytes.isEmpty())
        sodium_memzero(bytes.data(), static_cast<std::size_t>(bytes.size()));
    bytes.clear();
}

} // namespace countersign::crypto
