#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <array>
#include <cstdint>

namespace countersign::crypto {

/// A SHA-256 digest held by value (no allocation).
using Digest = std::array<unsigned char, 32>;

/// Incremental SHA-256 over OpenSSL's block function (SHA extensions where the CPU has them).
/// The state lives inside the object and copies with it, so a prefix can be hashed once and
/// reused (HMAC's keyed pads), and hashing many short messages allocates nothing.
class Sha256 final {
public:
    Sha256();
    Sha256& update(QByteArrayView data);
    Sha256& update(char byte) { return update(QByteArrayView(&byte, 1)); }
    /// The digest of everything updated so far; the object must be reset before reuse.
    void finish(Digest& out);
    [[nodiscard]] Digest finish();
    void reset();
    /// Overwrites the state with zeros (for keyed states); reset() before reuse.
    void wipe();

    [[nodiscard]] static Digest of(QByteArrayView data);

private:
    // Opaque storage for OpenSSL's SHA256_CTX (112 bytes on every platform OpenSSL supports).
    alignas(8) std::array<unsigned char, 112> m_state{};
};

[[nodiscard]] inline QByteArrayView view(const Digest& digest)
{
    return {reinterpret_cast<const char*>(digest.data()), static_cast<qsizetype>(digest.size())};
}

[[nodiscard]] inline QByteArray toByteArray(const Digest& digest)
{
    return view(digest).toByteArray();
}

} // namespace countersign::crypto
