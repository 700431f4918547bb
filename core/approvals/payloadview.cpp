#include "payloadview.h"

#include "secretmasking.h"

#include "crypto/crypto.h"
#include "crypto/hmacsha256.h"
#include "json/canonicaljson.h"
#include "json/fields.h"

#include <QJsonArray>
#include <QJsonObject>

namespace countersign::approvals {

namespace {

constexpr qsizetype COMMITMENT_HEX_CHARS = 64;

/// RFC 6901 section 3: '~' is written "~0" and '/' "~1" in a reference token.
QString pointerToken(const QString& key)
{
    QString token = key;
    token.replace(u'~', QStringLiteral("~0"));
    token.replace(u'/', QStringLiteral("~1"));
    return token;
}

QJsonValue commit(const QJsonValue& value, const QString& pointer, const crypto::HmacSha256& saltKey,
                  const QString& requestId, int& masked)
{
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        QJsonObject view;
        // By iteration, never by lookup (see json::Fields).
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            const QString child = pointer + u'/' + pointerToken(it.key());
            if (SecretMasking::looksSecret(it.key())) {
                // The salt is domain-separated from the audit chain's MACs by its text.
                const QByteArray label =
                    QByteArrayLiteral("countersign-view-salt/1\n") + requestId.toUtf8() + '\n' + child.toUtf8();
                QByteArray salt = saltKey.mac(label);
                QByteArray committed = salt + json::canonicalJson(it.value());
                const QByteArray commitment = crypto::sha256(committed);
                crypto::wipe(committed); // the secret value itself
                crypto::wipe(salt);
                view.insert(it.key(),
                            QString(PayloadView::COMMITMENT_PREFIX + QString::fromLatin1(commitment.toHex())));
                ++masked;
            } else {
                view.insert(it.key(), commit(it.value(), child, saltKey, requestId, masked));
            }
        }
        return view;
    }
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        QJsonArray view;
        for (qsizetype i = 0; i < array.size(); ++i)
            view.append(commit(array.at(i), pointer + u'/' + QString::number(i), saltKey, requestId, masked));
        return view;
    }
    return value;
}

bool isCommitment(const QJsonValue& value)
{
    if (!value.isString())
        return false;
    const QString text = value.toString();
    if (!text.startsWith(PayloadView::COMMITMENT_PREFIX) ||
        text.size() != PayloadView::COMMITMENT_PREFIX.size() + COMMITMENT_HEX_CHARS)
        return false;
    for (qsizetype i = PayloadView::COMMITMENT_PREFIX.size(); i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f')))
            return false;
    }
    return true;
}

/// Every value under a secret-looking key is a commitment, and no other string starts like one;
/// counts the commitments in \a masked.
Result<void> checkShown(const QJsonValue& value, int& masked)
{
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            if (SecretMasking::looksSecret(it.key())) {
                if (!isCommitment(it.value()))
                    return fail(ErrorCode::Integrity,
                                QStringLiteral("the view shows the secret-looking field '%1' without masking it")
                                    .arg(it.key().left(64)));
                ++masked;
            } else if (auto valid = checkShown(it.value(), masked); !valid) {
                return valid;
            }
        }
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (const QJsonValue& element : array) {
            COUNTERSIGN_TRY(checkShown(element, masked));
        }
    } else if (value.isString() && value.toString().startsWith(PayloadView::COMMITMENT_PREFIX)) {
        return fail(ErrorCode::Integrity, QStringLiteral("the view holds a masked value where nothing is masked"));
    }
    return {};
}

} // namespace

PayloadView PayloadView::of(const QJsonValue& payload, const crypto::HmacSha256& saltKey, const QString& requestId)
{
    PayloadView result;
    result.view = commit(payload, QString(), saltKey, requestId, result.masked);
    result.sha256 = QString::fromLatin1(crypto::sha256(json::canonicalJson(result.view)).toHex());
    return result;
}

Result<QString> PayloadView::digestToSign(const QJsonObject& shown)
{
    const json::Fields fields(shown);
    const QJsonValue view = fields.value(QStringLiteral("payload"));
    int masked = 0;
    COUNTERSIGN_TRY(checkShown(view, masked));
    if (fields.value(QStringLiteral("masked_fields")).toInteger(-1) != masked)
        return fail(ErrorCode::Integrity, QStringLiteral("the view does not mask the fields it says it masks"));
    const QString digest = QString::fromLatin1(crypto::sha256(json::canonicalJson(view)).toHex());
    if (fields.value(QStringLiteral("view_sha256")).toString() != digest)
        return fail(
            ErrorCode::Integrity,
            QStringLiteral("the digest the instance gives is not that of the payload it shows: refusing to sign"));
    return digest;
}

Result<void> PayloadView::validate(const QJsonValue& payload)
{
    if (payload.isObject()) {
        const QJsonObject object = payload.toObject();
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            COUNTERSIGN_TRY(validate(it.value()));
        }
    } else if (payload.isArray()) {
        const QJsonArray array = payload.toArray();
        for (const QJsonValue& element : array) {
            COUNTERSIGN_TRY(validate(element));
        }
    } else if (payload.isString() && payload.toString().startsWith(COMMITMENT_PREFIX)) {
        return fail(
            ErrorCode::InvalidArgument,
            QStringLiteral("a payload string may not start with '%1': it marks masked values").arg(COMMITMENT_PREFIX));
    }
    return {};
}

} // namespace countersign::approvals
