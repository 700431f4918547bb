#pragma once

#include "checkpoint.h"
#include "error.h"

#include <QJsonObject>

namespace countersign::audit {

/// Receipts: what a runtime gets when it consumes an approval, verifiable offline with the
/// instance's public key alone (docs/audit-format.md).
class Receipt final {
public:
    /// The bytes a receipt's signature covers: its canonical JSON without "signature".
    [[nodiscard]] static QByteArray signedBytes(const QJsonObject& receipt);
    /// Checks everything a receipt claims: its Ed25519 signature by \a publicKey, the signed
    /// checkpoint it carries, the inclusion proof of its consume entry in that checkpoint's
    /// tree, and that the entry is the consume of this request. Returns the checkpoint.
    [[nodiscard]] static Result<Checkpoint> verify(const QJsonObject& receipt, const QByteArray& publicKey);
};

} // namespace countersign::audit
