#include "receipt.h"

#include "approvals/decisionstatement.h"
#include "auditentry.h"
#include "crypto/signingkey.h"
#include "json/canonicaljson.h"
#include "merkle.h"

#include <QJsonArray>

namespace countersign::audit {

namespace {

Result<QByteArray> base64Field(const QJsonObject& object, const QString& key)
{
    const QByteArray text = object.value(key).toString().toLatin1();
    auto decoded = QByteArray::fromBase64Encoding(text, QByteArray::AbortOnBase64DecodingErrors);
    if (text.isEmpty() || !decoded)
        return fail(ErrorCode::Integrity, QStringLiteral("the receipt's %1 is missing or not base64").arg(key));
    return decoded.decoded;
}

} // namespace

QByteArray Receipt::signedBytes(const QJsonObject& receipt)
{
    QJsonObject unsignedReceipt = receipt;
    unsignedReceipt.remove(QStringLiteral("signature"));
    return json::canonicalJson(unsignedReceipt);
}

Result<Checkpoint> Receipt::verify(const QJsonObject& receipt, const QByteArray& publicKey)
{
    auto signature = base64Field(receipt, QStringLiteral("signature"));
    if (!signature)
        return std::unexpected(signature.error());
    if (!crypto::SigningKey::verify(publicKey, signedBytes(receipt), *signature))
        return fail(ErrorCode::Integrity, QStringLiteral("the receipt's signature does not verify with this key"));
    // Each decision is the approver's own signed statement about this request and payload: a
    // receipt the server signed over an altered decision does not hold.
    const QJsonArray decisions = receipt.value(QStringLiteral("decisions")).toArray();
    for (const QJsonValue& value : decisions) {
        const QJsonObject decision = value.toObject();
        const QString member = decision.value(QStringLiteral("member")).toString();
        auto memberKey = base64Field(decision, QStringLiteral("public_key"));
        auto memberSignature = base64Field(decision, QStringLiteral("signature"));
        if (!memberKey || !memberSignature)
            return fail(ErrorCode::Integrity, QStringLiteral("the decision by %1 is not signed").arg(member));
        const approvals::DecisionStatement statement{receipt.value(QStringLiteral("request_id")).toString(),
                                                     member,
                                                     receipt.value(QStringLiteral("payload_sha256")).toString(),
                                                     decision.value(QStringLiteral("verdict")).toString() == u"approve",
                                                     decision.value(QStringLiteral("reason")).toString(),
                                                     decision.value(QStringLiteral("decided_at_ms")).toInteger(-1)};
        if (!statement.verify(*memberKey, *memberSignature))
            return fail(
                ErrorCode::Integrity,
                QStringLiteral("the decision by %1 does not verify with their key: it was altered").arg(member));
    }
    auto checkpoint = Checkpoint::parse(receipt.value(QStringLiteral("checkpoint")).toString().toUtf8(), publicKey);
    if (!checkpoint)
        return fail(ErrorCode::Integrity,
                    QStringLiteral("the receipt's checkpoint: %1").arg(checkpoint.error().message));
    auto encoded = base64Field(receipt, QStringLiteral("audit_entry"));
    if (!encoded)
        return std::unexpected(encoded.error());
    const std::optional<AuditEntry> entry = AuditEntry::fromCanonicalEncoding(*encoded);
    if (!entry)
        return fail(ErrorCode::Integrity, QStringLiteral("the receipt's audit entry is malformed"));
    const qint64 seq = receipt.value(QStringLiteral("audit_seq")).toInteger(-1);
    const QString requestId = receipt.value(QStringLiteral("request_id")).toString();
    if (entry->seq != seq || seq < 1)
        return fail(ErrorCode::Integrity, QStringLiteral("the receipt's audit entry is not entry %1").arg(seq));
    if (entry->action != u"request.consumed" || entry->subject != QStringLiteral("request:") + requestId)
        return fail(ErrorCode::Integrity,
                    QStringLiteral("the receipt's audit entry is not the consume of request %1").arg(requestId));
    QList<QByteArray> proof;
    const QJsonArray path = receipt.value(QStringLiteral("inclusion_proof")).toArray();
    for (const QJsonValue& hash : path) {
        auto decoded =
            QByteArray::fromBase64Encoding(hash.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return fail(ErrorCode::Integrity, QStringLiteral("the receipt's inclusion proof is not base64"));
        proof.append(decoded.decoded);
    }
    if (!merkle::verifyInclusion(static_cast<quint64>(seq - 1), checkpoint->size, merkle::leafHash(*encoded), proof,
                                 checkpoint->root))
        return fail(ErrorCode::Integrity,
                    QStringLiteral("the inclusion proof does not place entry %1 in the checkpoint of %2 entries")
                        .arg(seq)
                        .arg(checkpoint->size));
    return *checkpoint;
}

} // namespace countersign::audit
