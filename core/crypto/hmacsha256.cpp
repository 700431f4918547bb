#include "hmacsha256.h"

#include "securebuffer.h"

#include <sodium.h>

#include <algorithm>
#include <array>

namespace countersign::crypto {

namespace {
constexpr std::size_t BLOCK_SIZE = 64;
}

HmacSha256::HmacSha256(const SecureBuffer& key)
{
    // RFC 2104 section 2: keys longer than the block are hashed first, then padded with zeros.
    std::array<unsigned char, BLOCK_SIZE> block{};
    if (key.size() > BLOCK_SIZE) {
        Digest hashed = Sha256::of(key.view());
        std::copy(hashed.begin(), hashed.end(), block.begin());
        sodium_memzero(hashed.data(), hashed.size());
    } else if (!key.isEmpty()) {
        std::copy(key.data(), key.data() + key.size(), block.begin());
    }
    std::array<unsigned char, BLOCK_SIZE> pad{};
    const auto padView = [&] {
        return QByteArrayView(reinterpret_cast<const char*>(pad.data()), BLOCK_SIZE);
    };
    for (std::size_t i = 0; i < BLOCK_SIZE; ++i)
        pad[i] = block[i] ^ 0x36U;
    m_inner.update(padView());
    for (std::size_t i = 0; i < BLOCK_SIZE; ++i)
        pad[i] = block[i] ^ 0x5cU;
    m_outer.update(padView());
    sodium_memzero(pad.data(), pad.size());
    sodium_memzero(block.data(), block.size());
}

HmacSha256::~HmacSha256()
{
    // The keyed states are as good as the key.
    m_inner.wipe();
    m_outer.wipe();
}

void HmacSha256::mac(QByteArrayView message, Digest& out) const
{
    Digest inner;
    Sha256 work = m_inner;
    work.update(message).finish(inner);
    work = m_outer;
    work.update(view(inner)).finish(out);
    sodium_memzero(inner.data(), inner.size());
}

QByteArray HmacSha256::mac(QByteArrayView message) const
{
    Digest out;
    mac(message, out);
    return toByteArray(out);
}

} // namespace countersign::crypto
