#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <cstddef>

namespace countersign::crypto {

/// Bytes that hold secret material (keys, passphrases). Allocated with libsodium's guarded
/// allocator, kept out of swap where the system allows, and wiped when released.
/// Move-only so that a secret is never silently duplicated.
class SecureBuffer final {
public:
    SecureBuffer() = default;
    explicit SecureBuffer(std::size_t size);
    /// Copies \a bytes; the caller remains responsible for wiping its own copy.
    [[nodiscard]] static SecureBuffer copyOf(QByteArrayView bytes);
    /// Takes \a bytes and wipes the source array.
    [[nodiscard]] static SecureBuffer takeFrom(QByteArray& bytes);

    SecureBuffer(SecureBuffer&& other) noexcept;
    SecureBuffer& operator=(SecureBuffer&& other) noexcept;
    SecureBuffer(const SecureBuffer&) = delete;
    SecureBuffer& operator=(const SecureBuffer&) = delete;
    ~SecureBuffer();

    [[nodiscard]] unsigned char* data() { return m_data; }
    [[nodiscard]] const unsigned char* data() const { return m_data; }
    [[nodiscard]] std::size_t size() const { return m_size; }
    [[nodiscard]] bool isEmpty() const { return m_size == 0; }
    [[nodiscard]] QByteArrayView view() const;
    /// Lower-case hex of the contents, itself kept in secure memory.
    [[nodiscard]] SecureBuffer toHex() const;
    [[nodiscard]] SecureBuffer clone() const { return copyOf(view()); }
    void clear();

private:
    unsigned char* m_data = nullptr;
    std::size_t m_size = 0;
};

} // namespace countersign::crypto
