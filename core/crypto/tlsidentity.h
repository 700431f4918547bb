#pragma once

#include "error.h"
#include "securebuffer.h"

#include <QByteArray>
#include <QString>

namespace countersign::crypto {

/// The team listener's TLS identity: a self-signed certificate over a P-256 key, made with
/// the vault and kept in it. Members do not trust it through a CA: their invitation link
/// carries its SHA-256 fingerprint and their client pins it.
struct TlsIdentity final {
    QByteArray certificatePem;
    SecureBuffer privateKeyPem;

    /// A new key and certificate (OpenSSL), valid from an hour ago for \a validDays.
    [[nodiscard]] static Result<TlsIdentity> generate(const QString& commonName, int validDays = 3650);
    /// SHA-256 of the certificate's DER encoding: what links pin.
    [[nodiscard]] static Result<QByteArray> fingerprint(const QByteArray& certificatePem);
};

} // namespace countersign::crypto
