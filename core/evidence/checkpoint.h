#pragma once

#include "error.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace countersign::crypto {
class SigningKey;
}

namespace countersign::audit {

/// A signed statement of the audit tree's size and root: a C2SP tlog-checkpoint inside a C2SP
/// signed note (docs/audit-format.md):
///
///     countersign/<16 hex digits of SHA-256(public key)>
///     <size in decimal>
///     <base64 root hash>
///
///     — <key name> <base64(4-byte key id || 64-byte Ed25519 signature)>
///
/// The key name is the origin; the key id is the first four bytes of
/// SHA-256(key name || "\n" || 0x01 || public key), as the signed-note spec defines for Ed25519.
struct Checkpoint final {
    QString origin;
    quint64 size = 0;
    QByteArray root; // 32 bytes
    QByteArray note; // the whole signed note, as signed and stored

    /// The origin (and key name) of the instance whose Ed25519 public key is \a publicKey.
    [[nodiscard]] static QString originFor(const QByteArray& publicKey);
    [[nodiscard]] static QByteArray keyId(const QString& keyName, const QByteArray& publicKey);
    /// The checkpoint body: origin, size and root lines, each ending in a newline.
    [[nodiscard]] static QByteArray body(const QString& origin, quint64 size, const QByteArray& root);
    /// Signs body(origin, size, root) with \a key, whose name is the origin.
    [[nodiscard]] static Checkpoint sign(quint64 size, const QByteArray& root, const crypto::SigningKey& key);
    /// Parses a signed note strictly and verifies its signature by \a publicKey: lines end in
    /// "\n", the size has no sign, space or leading zero, the root is 32 bytes of standard
    /// base64, a blank line precedes the signatures, and one of them is this key's and valid.
    [[nodiscard]] static Result<Checkpoint> parse(const QByteArray& note, const QByteArray& publicKey);
    /// Splits a checkpoint file (notes separated by one empty line) and parses every note.
    [[nodiscard]] static Result<QList<Checkpoint>> parseFile(const QByteArray& contents, const QByteArray& publicKey);
};

} // namespace countersign::audit
