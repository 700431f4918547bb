#pragma once

#include "error.h"
#include "evidence/auditentry.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace countersign::audit {

class AuditLog;
class CheckpointSigner;

/// Makes the receipt a runtime gets for a consume verifiable offline (Receipt::verify): the
/// consume entry, a checkpoint that includes it, the inclusion proofs of that entry and of the
/// entries registering each approver's key, and the instance's signature over it all.
class ReceiptIssuer final {
public:
    /// The approver of one of the receipt's decisions, whose key the log must prove.
    struct Approver final {
        QString memberId;
        QByteArray key;
    };

    /// \a signer may be null: receipts are then left unsigned and without proofs.
    ReceiptIssuer(AuditLog& log, CheckpointSigner* signer);
    void setSigner(CheckpointSigner* signer) { m_signer = signer; }

    /// \a claims is what the receipt says of the consume (Receipt::VERSION, request, runtime,
    /// capability, digests, "decisions", policy rule, time, "audit_seq"); \a approvers names the
    /// member and key of each of its decisions, in order. Returns it completed and signed.
    [[nodiscard]] Result<QJsonObject> issue(QJsonObject claims, qint64 auditSeq, const QList<Approver>& approvers);

private:
    /// The audit entry that registered \a key for member \a memberId, if the log holds one.
    [[nodiscard]] Result<std::optional<AuditEntry>> keyEntry(const Approver& approver) const;

    AuditLog& m_log;
    CheckpointSigner* m_signer;
};

} // namespace countersign::audit
