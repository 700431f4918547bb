#pragma once

#include "checkpoint.h"
#include "error.h"

#include <QJsonObject>
#include <QStringList>

namespace countersign::audit {

struct AuditEntry;

/// Receipts: what a runtime gets when it consumes an approval, verifiable offline with the
/// instance's public key alone (docs/audit-format.md).
class Receipt final {
public:
    /// 2: each decision carries the log entry that registered its key, with its inclusion proof.
    static constexpr int VERSION = 2;
    /// The audit actions that register a member's key (the owner's with the vault, others on joining).
    inline static const QStringList KEY_ACTIONS{QStringLiteral("member.added"), QStringLiteral("member.key_created")};
    /// The key an entry of KEY_ACTIONS registers (its details' public_key); empty otherwise.
    [[nodiscard]] static QByteArray keyOf(const AuditEntry& entry);

    /// A receipt from its JSON text: the receipt itself or what consume answered
    /// ({"receipt": {...}, "state": ...}). Integrity for anything else, and for text naming a key
    /// twice: parsers disagree on which of the two counts, so the signer and a verifier could
    /// read different receipts from the same bytes.
    [[nodiscard]] static Result<QJsonObject> parse(QByteArrayView json);
    /// The bytes a receipt's signature covers: its canonical JSON without "signature".
    [[nodiscard]] static QByteArray signedBytes(const QJsonObject& receipt);
    /// Checks everything a receipt claims: its Ed25519 signature by \a publicKey, the signed
    /// checkpoint it carries, the inclusion proof of its consume entry in that checkpoint's
    /// tree, that the entry is the consume of this request by this runtime of this capability and
    /// digest, and for each decision: the entry that registered the approver's key, its inclusion
    /// in the same tree, and the decision's signature by that key. Returns the checkpoint.
    [[nodiscard]] static Result<Checkpoint> verify(const QJsonObject& receipt, const QByteArray& publicKey);
};

} // namespace countersign::audit
