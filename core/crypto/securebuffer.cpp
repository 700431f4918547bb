#include "securebuffer.h"

#include <sodium.h>

#include <cstring>
#include <new>
#include <utility>

namespace countersign::crypto {

SecureBuffer::SecureBuffer(std::size_t size)
    : m_size(size)
{
    if (size == 0)
        return;
    // sodium_malloc needs the library initialised; sodium_init is idempotent and thread-safe.
    if (sodium_init() < 0)
        throw std::bad_alloc();
    m_data = static_cast<unsigned char*>(sodium_malloc(size));
    if (!m_data)
        throw std::bad_alloc(); // out of locked memory is not recoverable here
    sodium_memzero(m_data, size);
}

SecureBuffer SecureBuffer::copyOf(QByteArrayView bytes)
{
    SecureBuffer buffer(static_cast<std::size_t>(bytes.size()));
    if (!bytes.isEmpty())
        std::memcpy(buffer.m_data, bytes.data(), buffer.m_size);
    return buffer;
}

SecureBuffer SecureBuffer::takeFrom(QByteArray& bytes)
{
    SecureBuffer buffer = copyOf(bytes);
    if (!bytes.isEmpty())
        sodium_memzero(bytes.data(), static_cast<std::size_t>(bytes.size()));
    bytes.clear();
    return buffer;
}

SecureBuffer::SecureBuffer(SecureBuffer&& other) noexcept
    : m_data(std::exchange(other.m_data, nullptr))
    , m_size(std::exchange(other.m_size, 0))
{
}

SecureBuffer& SecureBuffer::operator=(SecureBuffer&& other) noexcept
{
    if (this != &other) {
        clear();
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
    }
    return *this;
}

SecureBuffer::~SecureBuffer()
{
    clear();
}

QByteArrayView SecureBuffer::view() const
{
    return {reinterpret_cast<const char*>(m_data), static_cast<qsizetype>(m_size)};
}

SecureBuffer SecureBuffer::toHex() const
{
    SecureBuffer hex(m_size * 2 + 1);
    sodium_bin2hex(reinterpret_cast<char*>(hex.m_data), hex.m_size, m_data, m_size);
    hex.m_size = m_size * 2; // drop the terminator from the visible size; sodium_free wipes all
    return hex;
}

void SecureBuffer::clear()
{
    if (m_data)
        sodium_free(m_data); // sodium_free wipes before releasing
    m_data = nullptr;
    m_size = 0;
}

} // namespace countersign::crypto
