#pragma once

#include "crypto/securebuffer.h"
#include "vault/vault.h"

#include <QByteArray>
#include <QString>

#include <memory>

namespace countersign::test {

/// A passphrase the policy accepts.
inline const QString PASSPHRASE = QStringLiteral("correct horse battery staple 42");
inline const QString OTHER_PASSPHRASE = QStringLiteral("violet tangerine saxophone 1987");

[[nodiscard]] crypto::SecureBuffer secure(const QString& text);
/// A vault in \a dir with the fast KDF; fails the current test (returns null) on error.
[[nodiscard]] std::unique_ptr<vault::Vault> createVault(const QString& dir,
                                                        const QString& owner = QStringLiteral("Ada"));
[[nodiscard]] std::unique_ptr<vault::Vault> openVault(const QString& dir, const QString& passphrase = PASSPHRASE);
/// SHA-256 of a file's bytes, or empty if it cannot be read.
[[nodiscard]] QByteArray fileDigest(const QString& path);
/// Writes \a text plus a newline to \a path (passphrase files for child processes).
void writeTextFile(const QString& path, const QString& text);

} // namespace countersign::test
