#include "receiptissuer.h"

#include "auditlog.h"
#include "auditproofs.h"
#include "audittree.h"
#include "checkpointsigner.h"
#include "evidence/actor.h"
#include "evidence/receipt.h"

#include <QJsonArray>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcAudit)

namespace countersign::audit {

ReceiptIssuer::ReceiptIssuer(AuditLog& log, CheckpointSigner* signer)
    : m_log(log)
    , m_signer(signer)
{
}

Result<std::optional<AuditEntry>> ReceiptIssuer::keyEntry(const Approver& approver) const
{
    // The entry that put this key in the members table: the owner's key is made with the vault,
    // every other member's is added when they join.
    for (const QString& action : Receipt::KEY_ACTIONS) {
        auto found = m_log.firstOf(action, Actor::member(approver.memberId).toString());
        COUNTERSIGN_TRY(found);
        if (*found && Receipt::keyOf(**found) == approver.key)
            return found;
    }
    return std::optional<AuditEntry>();
}

Result<QJsonObject> ReceiptIssuer::issue(QJsonObject claims, qint64 auditSeq, const QList<Approver>& approvers)
{
    if (!m_signer)
        return claims;
    // The consume entry, a checkpoint that includes it, and the proof that it does.
    auto entry = m_log.entries(auditSeq, 1);
    if (!entry || entry->isEmpty())
        return fail(ErrorCode::Storage, QStringLiteral("the consume entry %1 cannot be read").arg(auditSeq));
    auto signedNow = m_signer->covering(auditSeq);
    COUNTERSIGN_TRY(signedNow);
    AuditTree* tree = m_log.tree();
    if (!tree)
        return fail(ErrorCode::UnsupportedSchema, QStringLiteral("this vault's schema has no audit tree"));
    auto proof = tree->proofs().inclusionProof(static_cast<quint64>(auditSeq - 1), signedNow->size);
    COUNTERSIGN_TRY(proof);
    // Each approver's key, proven by the log: the entry that registered it and its inclusion in
    // the same checkpoint. A receipt cannot name a key the instance's log never held.
    QJsonArray decisions = claims.value(QStringLiteral("decisions")).toArray();
    for (qsizetype i = 0; i < approvers.size() && i < decisions.size(); ++i) {
        auto registered = keyEntry(approvers.at(i));
        COUNTERSIGN_TRY(registered);
        if (!*registered) {
            // Not made up here: the receipt says nothing of this key, and does not verify.
            qCWarning(lcAudit) << "the log holds no entry registering the key of" << approvers.at(i).memberId;
            continue;
        }
        auto keyProof = tree->proofs().inclusionProof(static_cast<quint64>((*registered)->seq - 1), signedNow->size);
        COUNTERSIGN_TRY(keyProof);
        QJsonObject decision = decisions.at(i).toObject();
        decision.insert(QStringLiteral("key_entry"),
                        QString::fromLatin1((*registered)->canonicalEncoding().toBase64()));
        decision.insert(QStringLiteral("key_inclusion_proof"), AuditProofs::encodePath(*keyProof));
        decisions.replace(i, decision);
    }
    claims.insert(QStringLiteral("decisions"), decisions);
    claims.insert(QStringLiteral("audit_entry"), QString::fromLatin1(entry->first().canonicalEncoding().toBase64()));
    claims.insert(QStringLiteral("checkpoint"), QString::fromUtf8(signedNow->note));
    claims.insert(QStringLiteral("inclusion_proof"), AuditProofs::encodePath(*proof));
    claims.insert(QStringLiteral("public_key"), QString::fromLatin1(m_signer->publicKey().toBase64()));
    claims.insert(QStringLiteral("signature"), QString::fromLatin1(m_signer->signReceipt(claims).toBase64()));
    return claims;
}

} // namespace countersign::audit
