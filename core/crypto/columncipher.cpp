#include "columncipher.h"

#include "crypto.h"

#include <QtEndian>

#include <sodium.h>

#include <utility>

namespace countersign::crypto {

namespace {

static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == ColumnCipher::KEY_SIZE);
static_assert(ColumnCipher::OVERHEAD ==
              1 + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES);
constexpr qsizetype NONCE_SIZE = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;

void appendPart(QByteArray& out, const QByteArray& part)
{
    const quint32 length = qToBigEndian(static_cast<quint32>(part.size()));
    out.append(reinterpret_cast<const char*>(&length), sizeof length);
    out.append(part);
}

} // namespace

QByteArray cellAssociatedData(const CellAddress& address)
{
    QByteArray data("countersign cell");
    data.append(ColumnCipher::VERSION);
    appendPart(data, address.table.toUtf8());
    appendPart(data, address.column.toUtf8());
    appendPart(data, address.rowId.toUtf8());
    return data;
}

ColumnCipher::ColumnCipher(SecureBuffer key)
    : m_key(std::move(key))
{
}

Result<ColumnCipher> ColumnCipher::fromKey(SecureBuffer dataKey)
{
    if (dataKey.size() != static_cast<std::size_t>(KEY_SIZE))
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("a data key has %1 bytes, not %2").arg(KEY_SIZE).arg(dataKey.size()));
    return ColumnCipher(std::move(dataKey));
}

ColumnCipher ColumnCipher::generate()
{
    SecureBuffer key(static_cast<std::size_t>(KEY_SIZE));
    crypto_aead_xchacha20poly1305_ietf_keygen(key.data());
    return ColumnCipher(std::move(key));
}

QByteArray ColumnCipher::seal(QByteArrayView plaintext, const CellAddress& address) const
{
    const QByteArray associated = cellAssociatedData(address);
    QByteArray envelope(OVERHEAD + plaintext.size(), Qt::Uninitialized);
    auto* out = reinterpret_cast<unsigned char*>(envelope.data());
    out[0] = static_cast<unsigned char>(VERSION);
    randombytes_buf(out + 1, NONCE_SIZE);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        out + 1 + NONCE_SIZE, &written, reinterpret_cast<const unsigned char*>(plaintext.data()),
        static_cast<unsigned long long>(plaintext.size()),
        reinterpret_cast<const unsigned char*>(associated.constData()),
        static_cast<unsigned long long>(associated.size()), nullptr, out + 1, m_key.data());
    envelope.truncate(1 + NONCE_SIZE + static_cast<qsizetype>(written));
    return envelope;
}

Result<QByteArray> ColumnCipher::open(QByteArrayView envelope, const CellAddress& address) const
{
    const QString where = QStringLiteral("%1.%2 of row %3").arg(address.table, address.column, address.rowId);
    if (envelope.size() < OVERHEAD)
        return fail(ErrorCode::Integrity, QStringLiteral("the encrypted value in %1 is truncated").arg(where));
    if (envelope.front() != VERSION)
        return fail(ErrorCode::UnsupportedSchema,
                    QStringLiteral("the encrypted value in %1 has envelope version %2; this version reads version %3")
                        .arg(where)
                        .arg(static_cast<unsigned char>(envelope.front()))
                        .arg(static_cast<int>(VERSION)));
    const QByteArray associated = cellAssociatedData(address);
    const auto* in = reinterpret_cast<const unsigned char*>(envelope.data());
    QByteArray plaintext(envelope.size() - OVERHEAD, Qt::Uninitialized);
    unsigned long long written = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            reinterpret_cast<unsigned char*>(plaintext.data()), &written, nullptr, in + 1 + NONCE_SIZE,
            static_cast<unsigned long long>(envelope.size() - 1 - NONCE_SIZE),
            reinterpret_cast<const unsigned char*>(associated.constData()),
            static_cast<unsigned long long>(associated.size()), in + 1, m_key.data()) != 0)
        return fail(ErrorCode::Integrity,
                    QStringLiteral("the encrypted value in %1 does not open: it was altered, sealed for another row or "
                                   "column, or under another data key")
                        .arg(where));
    plaintext.truncate(static_cast<qsizetype>(written));
    return plaintext;
}

} // namespace countersign::crypto
