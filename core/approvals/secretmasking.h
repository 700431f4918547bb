#pragma once

#include <QJsonValue>
#include <QString>
#include <QStringList>

namespace countersign::approvals {

/// Payload fields whose names look secret (password, secret, token, key, authorization,
/// cookie... case-insensitive, at any depth) are hidden until someone with the right to see
/// them reveals them; revealing is audited (docs/concepts.md, "Masked values").
class SecretMasking final {
public:
    inline static const QString MASK = QStringLiteral("••••••");

    /// True for a key such as "password", "apiKey", "X-Auth-Token", "session_cookie".
    [[nodiscard]] static bool looksSecret(const QString& key);
    /// A copy of \a value with every secret-looking field's value replaced by MASK, at any depth.
    [[nodiscard]] static QJsonValue mask(const QJsonValue& value);
    /// mask(), except the fields at \a shown (JSON Pointers, as secretFields() names them).
    [[nodiscard]] static QJsonValue mask(const QJsonValue& value, const QStringList& shown);
    /// How many fields mask() would hide.
    [[nodiscard]] static int countSecrets(const QJsonValue& value);
    /// The fields mask() hides, each as its JSON Pointer (RFC 6901: "/connection/password"),
    /// in document order; a masked field holds no masked field of its own.
    [[nodiscard]] static QStringList secretFields(const QJsonValue& value);
};

} // namespace countersign::approvals
