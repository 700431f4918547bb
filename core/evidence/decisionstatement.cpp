#include "decisionstatement.h"

#include "crypto/signingkey.h"
#include "json/canonicaljson.h"

namespace countersign::audit {

QJsonObject DecisionStatement::toJson() const
{
    if (!viewSha256.isEmpty())
        return QJsonObject{{QStringLiteral("type"), TYPE_VIEW},
                           {QStringLiteral("request_id"), requestId},
                           {QStringLiteral("member"), memberId},
                           {QStringLiteral("view_sha256"), viewSha256},
                           {QStringLiteral("verdict"), approve ? QStringLiteral("approve") : QStringLiteral("deny")},
                           {QStringLiteral("reason"), reason},
                           {QStringLiteral("decided_at_ms"), decidedAtMs},
                           {QStringLiteral("instance"), instance}};
    return QJsonObject{{QStringLiteral("type"), TYPE},
                       {QStringLiteral("request_id"), requestId},
                       {QStringLiteral("member"), memberId},
                       {QStringLiteral("payload_sha256"), payloadSha256},
                       {QStringLiteral("verdict"), approve ? QStringLiteral("approve") : QStringLiteral("deny")},
                       {QStringLiteral("reason"), reason},
                       {QStringLiteral("decided_at_ms"), decidedAtMs},
                       {QStringLiteral("instance"), instance}};
}

QByteArray DecisionStatement::signedBytes() const
{
    return json::canonicalJson(toJson());
}

QByteArray DecisionStatement::sign(const crypto::SigningKey& key) const
{
    return key.sign(signedBytes());
}

bool DecisionStatement::verify(const QByteArray& publicKey, const QByteArray& signature) const
{
    return crypto::SigningKey::verify(publicKey, signedBytes(), signature);
}

} // namespace countersign::audit
