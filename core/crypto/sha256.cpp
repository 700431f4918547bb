#include "sha256.h"

// OpenSSL 3 marks the SHA256_* functions deprecated in favour of EVP, but they are the same
// hardware-accelerated code without the provider dispatch, which costs more than hashing an
// audit entry: on short messages they are about a third faster.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <sodium.h>

namespace countersign::crypto {

namespace {

static_assert(sizeof(SHA256_CTX) <= 112 && alignof(SHA256_CTX) <= 8);

SHA256_CTX* context(std::array<unsigned char, 112>& state)
{
    return reinterpret_cast<SHA256_CTX*>(state.data());
}

} // namespace

Sha256::Sha256()
{
    reset();
}

void Sha256::reset()
{
    SHA256_Init(context(m_state));
}

void Sha256::wipe()
{
    sodium_memzero(m_state.data(), m_state.size());
}

Sha256& Sha256::update(QByteArrayView data)
{
    SHA256_Update(context(m_state), data.data(), static_cast<std::size_t>(data.size()));
    return *this;
}

void Sha256::finish(Digest& out)
{
    SHA256_Final(out.data(), context(m_state));
}

Digest Sha256::finish()
{
    Digest out;
    finish(out);
    return out;
}

Digest Sha256::of(QByteArrayView data)
{
    Sha256 hash;
    hash.update(data);
    return hash.finish();
}

} // namespace countersign::crypto
