#include "hmacsha256.h"

#include "crypto.h"
#include "securebuffer.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <array>

namespace countersign::crypto {

namespace {
constexpr std::size_t BLOCK_SIZE = 64;
}

void HmacSha256::CtxDeleter::operator()(evp_md_ctx_st* ctx) const
{
    EVP_MD_CTX_free(ctx);
}

HmacSha256::HmacSha256(const SecureBuffer& key)
    : m_inner(EVP_MD_CTX_new())
    , m_outer(EVP_MD_CTX_new())
    , m_work(EVP_MD_CTX_new())
{
    // RFC 2104 section 2: keys longer than the block are hashed first, then padded with zeros.
    std::array<unsigned char, BLOCK_SIZE> block{};
    if (key.size() > BLOCK_SIZE) {
        const QByteArray hashed = sha256(key.view());
        std::copy(hashed.begin(), hashed.end(), block.begin());
    } else if (!key.isEmpty()) {
        std::copy(key.data(), key.data() + key.size(), block.begin());
    }
    std::array<unsigned char, BLOCK_SIZE> pad{};
    for (std::size_t i = 0; i < BLOCK_SIZE; ++i)
        pad[i] = block[i] ^ 0x36U;
    EVP_DigestInit_ex(m_inner.get(), EVP_sha256(), nullptr);
    EVP_DigestUpdate(m_inner.get(), pad.data(), pad.size());
    for (std::size_t i = 0; i < BLOCK_SIZE; ++i)
        pad[i] = block[i] ^ 0x5cU;
    EVP_DigestInit_ex(m_outer.get(), EVP_sha256(), nullptr);
    EVP_DigestUpdate(m_outer.get(), pad.data(), pad.size());
    sodium_memzero(pad.data(), pad.size());
    sodium_memzero(block.data(), block.size());
}

HmacSha256::~HmacSha256() = default;

QByteArray HmacSha256::mac(QByteArrayView message) const
{
    std::array<unsigned char, EVP_MAX_MD_SIZE> inner{};
    unsigned int length = 0;
    EVP_MD_CTX_copy_ex(m_work.get(), m_inner.get());
    EVP_DigestUpdate(m_work.get(), message.data(), static_cast<std::size_t>(message.size()));
    EVP_DigestFinal_ex(m_work.get(), inner.data(), &length);

    QByteArray result(SHA256_SIZE, Qt::Uninitialized);
    EVP_MD_CTX_copy_ex(m_work.get(), m_outer.get());
    EVP_DigestUpdate(m_work.get(), inner.data(), length);
    EVP_DigestFinal_ex(m_work.get(), reinterpret_cast<unsigned char*>(result.data()), &length);
    return result;
}

} // namespace countersign::crypto
