#pragma once

#include "error.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace countersign::crypto {
class HmacSha256;
}

namespace countersign::approvals {

/// What an approver is shown of a payload, and what their decision signs. Each value under a
/// secret-looking key (SecretMasking::looksSecret) is replaced by a salted commitment to it:
/// COMMITMENT_PREFIX + hex SHA-256(salt || canonical JSON of the value). The salt, 32 bytes, is
/// HMAC-SHA-256 under a key only the instance holds, over the request id and the value's JSON
/// Pointer (RFC 6901), so each request and each field has its own, and nothing a member or a
/// runtime can read lets them test guesses of a masked value (an unsalted digest of a 4-digit
/// PIN falls to 10,000 guesses). The view's digest is SHA-256 of its canonical JSON: a member's
/// client computes it from the view it displays and signs it, and the instance accepts the
/// decision only if it equals the digest of the view it computes from the stored payload.
struct PayloadView final {
    /// Marks a masked value. A payload may not hold a string starting with it (validate()), so
    /// a commitment is never a value a runtime chose.
    inline static const QString COMMITMENT_PREFIX = QStringLiteral("countersign-masked:sha256:");

    QJsonValue view;
    int masked = 0; // how many values are commitments
    QString sha256; // lower-case hex SHA-256 of canonicalJson(view)

    /// The view of \a payload for request \a requestId, salts from \a saltKey.
    [[nodiscard]] static PayloadView of(const QJsonValue& payload, const crypto::HmacSha256& saltKey,
                                        const QString& requestId);
    /// A member's client's check of a request as the instance showed it (its "payload" view,
    /// "view_sha256", "masked_fields"): every value under a secret-looking key is a commitment
    /// and only those are, their count is the one claimed, and the claimed digest is that of
    /// exactly this view. Returns the digest the member's client computed, to sign; Integrity
    /// when anything differs (the instance shows one thing and would have another signed).
    [[nodiscard]] static Result<QString> digestToSign(const QJsonObject& shown);
    /// InvalidArgument if \a payload holds a string that starts with COMMITMENT_PREFIX.
    [[nodiscard]] static Result<void> validate(const QJsonValue& payload);
};

} // namespace countersign::approvals
