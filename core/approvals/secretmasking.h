#pragma once

#include <QJsonValue>
#include <QString>

namespace countersign::approvals {

/// Payload fields whose names look secret (password, secret, token, key, authorization,
/// cookie... case-insensitive, at any depth) are hidden until someone with the right to see
/// them reveals them; revealing is audited (SPEC section 6).
class SecretMasking final {
public:
    inline static const QString MASK = QStringLiteral("••••••");

    /// True for a key such as "password", "apiKey", "X-Auth-Token", "session_cookie".
    [[nodiscard]] static bool looksSecret(const QString& key);
    /// A copy of \a value with every secret-looking field's value replaced by MASK, at any depth.
    [[nodiscard]] static QJsonValue mask(const QJsonValue& value);
    /// How many fields mask() would hide.
    [[nodiscard]] static int countSecrets(const QJsonValue& value);
};

} // namespace countersign::approvals
