#pragma once

#include "error.h"
#include "securebuffer.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace countersign::crypto {

/// Where a sealed value lives: its table, its column and the id of its row. Sealing binds the
/// ciphertext to this place, so a value copied into another row or column does not open.
struct CellAddress final {
    QString table;
    QString column;
    QString rowId;
};

/// Application-level encryption of column values for a team database that must not see
/// plaintext: XChaCha20-Poly1305-IETF (libsodium crypto_aead_xchacha20poly1305_ietf) under the
/// team's 32-byte data key, with the cell's address as associated data.
///
/// Envelope, version 1: one version byte (0x01), a 24-byte random nonce, then the ciphertext
/// with its 16-byte Poly1305 tag. The 192-bit nonce is drawn at random for every value, which
/// is safe for any number of values under one key (a collision is negligible at 2^96 values).
class ColumnCipher final {
public:
    static constexpr qsizetype KEY_SIZE = 32;
    static constexpr char VERSION = 1;
    /// Version byte, nonce and tag: what an envelope adds to the plaintext.
    static constexpr qsizetype OVERHEAD = 1 + 24 + 16;

    /// A cipher under \a dataKey, which must hold KEY_SIZE bytes.
    [[nodiscard]] static Result<ColumnCipher> fromKey(SecureBuffer dataKey);
    /// A cipher under a fresh random data key (a new team).
    [[nodiscard]] static ColumnCipher generate();

    /// Seals \a plaintext for the cell at \a address.
    [[nodiscard]] QByteArray seal(QByteArrayView plaintext, const CellAddress& address) const;
    /// Opens an envelope sealed for \a address. Fails (Integrity) when the envelope was changed,
    /// was sealed for another cell, or under another key; (UnsupportedSchema) for an unknown version.
    [[nodiscard]] Result<QByteArray> open(QByteArrayView envelope, const CellAddress& address) const;

    /// The data key itself, to be wrapped (DataKeyWrap) and stored.
    [[nodiscard]] const SecureBuffer& key() const { return m_key; }

private:
    explicit ColumnCipher(SecureBuffer key);
    SecureBuffer m_key;
};

/// The associated data for \a address: a label, the version byte and each part with its length
/// in front (4 bytes, big-endian), so that no two addresses share an encoding ("ab","c" vs "a","bc").
[[nodiscard]] QByteArray cellAssociatedData(const CellAddress& address);

} // namespace countersign::crypto
