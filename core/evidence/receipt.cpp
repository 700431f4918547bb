#include "receipt.h"

#include "actor.h"
#include "auditentry.h"
#include "crypto/signingkey.h"
#include "decisionstatement.h"
#include "json/canonicaljson.h"
#include "json/jsonstructure.h"
#include "merkle.h"

#include <QJsonArray>
#include <QJsonDocument>

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

Result<QJsonObject> Receipt::parse(QByteArrayView json)
{
    if (auto structure = json::checkStructure(json); !structure)
        return fail(ErrorCode::Integrity,
                    QStringLiteral("the receipt is ambiguous: %1").arg(structure.error().message));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return fail(ErrorCode::Integrity, QStringLiteral("the receipt is not a JSON object"));
    QJsonObject object = document.object();
    if (object.value(QStringLiteral("receipt")).isObject())
        object = object.value(QStringLiteral("receipt")).toObject();
    return object;
}

QByteArray Receipt::signedBytes(const QJsonObject& receipt)
{
    QJsonObject unsignedReceipt = receipt;
    unsignedReceipt.remove(QStringLiteral("signature"));
    return json::canonicalJson(unsignedReceipt);
}

QByteArray Receipt::keyOf(const AuditEntry& entry)
{
    if (!KEY_ACTIONS.contains(entry.action))
        return {};
    const QJsonObject details = QJsonDocument::fromJson(entry.details).object();
    auto decoded = QByteArray::fromBase64Encoding(details.value(QStringLiteral("public_key")).toString().toLatin1(),
                                                  QByteArray::AbortOnBase64DecodingErrors);
    return decoded && decoded.decoded.size() == 32 ? decoded.decoded : QByteArray();
}

namespace {

Result<QList<QByteArray>> proofField(const QJsonObject& object, const QString& key)
{
    QList<QByteArray> proof;
    const QJsonArray path = object.value(key).toArray();
    for (const QJsonValue& hash : path) {
        auto decoded =
            QByteArray::fromBase64Encoding(hash.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!hash.isString() || !decoded)
            return fail(ErrorCode::Integrity, QStringLiteral("the receipt's %1 is not base64").arg(key));
        proof.append(decoded.decoded);
    }
    return proof;
}

/// The entry encoded (base64) in \a object's \a key, and that it is in \a checkpoint's tree.
Result<AuditEntry> provenEntry(const QJsonObject& object, const QString& key, const QString& proofKey,
                               const Checkpoint& checkpoint)
{
    auto encoded = base64Field(object, key);
    COUNTERSIGN_TRY(encoded);
    const std::optional<AuditEntry> entry = AuditEntry::fromCanonicalEncoding(*encoded);
    if (!entry || entry->seq < 1)
        return fail(ErrorCode::Integrity, QStringLiteral("the receipt's %1 is malformed").arg(key));
    auto proof = proofField(object, proofKey);
    COUNTERSIGN_TRY(proof);
    if (!merkle::verifyInclusion(static_cast<quint64>(entry->seq - 1), checkpoint.size, merkle::leafHash(*encoded),
                                 *proof, checkpoint.root))
        return fail(ErrorCode::Integrity,
                    QStringLiteral("the inclusion proof does not place entry %1 in the checkpoint of %2 entries")
                        .arg(entry->seq)
                        .arg(checkpoint.size));
    return *entry;
}

} // namespace

Result<Checkpoint> Receipt::verify(const QJsonObject& receipt, const QByteArray& publicKey)
{
    auto signature = base64Field(receipt, QStringLiteral("signature"));
    COUNTERSIGN_TRY(signature);
    if (!crypto::SigningKey::verify(publicKey, signedBytes(receipt), *signature))
        return fail(ErrorCode::Integrity, QStringLiteral("the receipt's signature does not verify with this key"));
    if (receipt.value(QStringLiteral("version")).toInteger() != VERSION)
        return fail(ErrorCode::Integrity,
                    QStringLiteral("this is a version %1 receipt; version %2 proves its approvers' keys, earlier ones "
                                   "do not")
                        .arg(receipt.value(QStringLiteral("version")).toInteger())
                        .arg(VERSION));
    auto checkpoint = Checkpoint::parse(receipt.value(QStringLiteral("checkpoint")).toString().toUtf8(), publicKey);
    if (!checkpoint)
        return fail(ErrorCode::Integrity,
                    QStringLiteral("the receipt's checkpoint: %1").arg(checkpoint.error().message));
    auto entry = provenEntry(receipt, QStringLiteral("audit_entry"), QStringLiteral("inclusion_proof"), *checkpoint);
    COUNTERSIGN_TRY(entry);
    const qint64 seq = receipt.value(QStringLiteral("audit_seq")).toInteger(-1);
    const QString requestId = receipt.value(QStringLiteral("request_id")).toString();
    if (entry->seq != seq)
        return fail(ErrorCode::Integrity, QStringLiteral("the receipt's audit entry is not entry %1").arg(seq));
    if (entry->action != u"request.consumed" || entry->subject != QStringLiteral("request:") + requestId)
        return fail(ErrorCode::Integrity,
                    QStringLiteral("the receipt's audit entry is not the consume of request %1").arg(requestId));
    // What the receipt says was consumed is what the log recorded, field by field.
    const QJsonObject consumed = QJsonDocument::fromJson(entry->details).object();
    const QString runtime = receipt.value(QStringLiteral("runtime")).toString();
    // The log names a masked payload by its view's digest (the payload view a member signs), never by one
    // a member could test guesses against.
    const QString digestField = consumed.contains(QStringLiteral("view_sha256")) ? QStringLiteral("view_sha256")
                                                                                 : QStringLiteral("payload_sha256");
    for (const QString& field : {QStringLiteral("capability"), QStringLiteral("runtime"), digestField}) {
        const QJsonValue claimed = receipt.value(field);
        if (!claimed.isString() || claimed != consumed.value(field))
            return fail(ErrorCode::Integrity,
                        QStringLiteral("the receipt's %1 is not the one its consume entry records").arg(field));
    }
    if (entry->actor != Actor::runtime(runtime).toString())
        return fail(ErrorCode::Integrity,
                    QStringLiteral("the consume entry was not written for runtime %1").arg(runtime));
    // Each decision is the approver's own signed statement about this request and payload, by a
    // key the log registered for that member before the consume.
    const QJsonArray decisions = receipt.value(QStringLiteral("decisions")).toArray();
    for (const QJsonValue& value : decisions) {
        const QJsonObject decision = value.toObject();
        const QString member = decision.value(QStringLiteral("member")).toString();
        auto memberKey = base64Field(decision, QStringLiteral("public_key"));
        auto memberSignature = base64Field(decision, QStringLiteral("signature"));
        if (!memberKey || !memberSignature)
            return fail(ErrorCode::Integrity, QStringLiteral("the decision by %1 is not signed").arg(member));
        auto registered =
            provenEntry(decision, QStringLiteral("key_entry"), QStringLiteral("key_inclusion_proof"), *checkpoint);
        if (!registered)
            return fail(
                ErrorCode::Integrity,
                QStringLiteral("the key of %1 is not proven by the log: %2").arg(member, registered.error().message));
        if (registered->subject != Actor::member(member).toString() || registered->seq >= seq ||
            keyOf(*registered) != *memberKey)
            return fail(ErrorCode::Integrity,
                        QStringLiteral("the decision by %1 is signed with a key the log never registered for them")
                            .arg(member));
        // Signed over the payload digest (nothing masked) or over the view's, which is the payload
        // digest itself when nothing is masked.
        DecisionStatement statement{requestId,
                                    member,
                                    receipt.value(QStringLiteral("payload_sha256")).toString(),
                                    decision.value(QStringLiteral("verdict")).toString() == u"approve",
                                    decision.value(QStringLiteral("reason")).toString(),
                                    decision.value(QStringLiteral("decided_at_ms")).toInteger(-1),
                                    Checkpoint::originFor(publicKey)};
        bool verified = digestField == u"payload_sha256" && statement.verify(*memberKey, *memberSignature);
        statement.viewSha256 = receipt.value(digestField).toString();
        verified = verified || statement.verify(*memberKey, *memberSignature);
        if (!verified)
            return fail(
                ErrorCode::Integrity,
                QStringLiteral("the decision by %1 does not verify with their key: it was altered").arg(member));
    }
    return *checkpoint;
}

} // namespace countersign::audit
