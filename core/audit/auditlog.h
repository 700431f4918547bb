#pragma once

#include "error.h"
#include "evidence/actor.h"
#include "evidence/auditentry.h"
#include "evidence/chainverifier.h"
#include "evidence/checkpoint.h"

#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>

#include <functional>
#include <memory>
#include <optional>

namespace countersign::crypto {
class HmacSha256;
class ColumnCipher;
class SecureBuffer;
} // namespace countersign::crypto

namespace countersign::audit {

class AuditStore;
class AuditTree;

/// What to append; sequence, time and hashes are filled in by the log.
struct AuditRecord final {
    QString actor;
    QString action;
    QString subject;
    QJsonObject details;
};

/// The append-only audit chain inside the vault (docs/audit-format.md). Each entry's hash covers the
/// previous entry's hash; each hash is authenticated with a MAC under the vault's audit key.
/// There is deliberately no update or delete path, and the schema's triggers refuse both.
class AuditLog final {
public:
    inline static const QString SYSTEM_ACTOR = Actor::system().toString();

    /// \a db must stay open for the life of the log and be used from this thread only.
    /// On \a db; a team database also needs the team's \a cipher (AuditStore).
    AuditLog(QSqlDatabase db, const crypto::SecureBuffer& macKey,
             std::shared_ptr<const crypto::ColumnCipher> cipher = {});
    ~AuditLog();
    AuditLog(const AuditLog&) = delete;
    AuditLog& operator=(const AuditLog&) = delete;

    /// Appends one entry; joins the caller's open transaction or commits its own. Returns the seq.
    [[nodiscard]] Result<qint64> append(const AuditRecord& record);
    /// Appends several entries in one transaction. Returns the last seq.
    [[nodiscard]] Result<qint64> appendAll(const QList<AuditRecord>& records);

    /// The key that salts the commitments to masked payload values, derived from the audit key
    /// \a auditKey: a key of its own for another purpose (HMAC as a PRF, with a label that keeps it
    /// apart from the chain's MACs over 32-byte entry hashes). The same for a vault and a team.
    [[nodiscard]] static crypto::SecureBuffer viewSaltKey(const crypto::SecureBuffer& auditKey);

    /// Holds the chain's head for the caller's open transaction: appends from other connections
    /// wait until it ends (PostgreSQL; a vault's write transaction holds the whole file already).
    [[nodiscard]] Result<void> lockHead();

    [[nodiscard]] Result<qint64> count() const;
    /// The newest entry's sequence number (0 for an empty log): one index lookup, where count()
    /// walks the table. Equal to count() for an intact chain.
    [[nodiscard]] Result<qint64> lastSeq() const;
    /// The first entry recording \a action on \a subject, if any.
    [[nodiscard]] Result<std::optional<AuditEntry>> firstOf(const QString& action, const QString& subject) const;
    /// Up to \a limit entries with seq >= \a fromSeq, in order.
    [[nodiscard]] Result<QList<AuditEntry>> entries(qint64 fromSeq, int limit) const;

    /// Walks the whole chain in storage order. \a progress is called now and then with the
    /// number of entries checked; returning false cancels. With \a checkpoints (signed ones,
    /// from the checkpoint file or receipts), the Merkle root of the first N entries must match
    /// each checkpoint of size N, and the log must reach the largest: this is what catches a
    /// truncation, a restored older copy or a rewrite with the vault key.
    [[nodiscard]] VerifyResult verify(const std::function<bool(qint64)>& progress = {},
                                      QList<Checkpoint> checkpoints = {}) const;

    /// The Merkle tree over the entries (schema 4 and later); null on older schemas.
    [[nodiscard]] AuditTree* tree();
    /// Adds to the tree the entries it does not hold yet (after an upgrade). Returns how many.
    [[nodiscard]] Result<qint64> syncTree();

private:
    struct Tail {
        qint64 seq;
        qint64 timestampMs;
        QByteArray entryHash;
    };
    [[nodiscard]] Result<Tail> readTail() const;
    [[nodiscard]] Result<void> appendRecords(const QList<AuditRecord>& records, qint64& lastSeq);

    QSqlDatabase m_db;
    std::unique_ptr<crypto::HmacSha256> m_hmac;
    std::unique_ptr<AuditTree> m_tree;
    std::unique_ptr<AuditStore> m_store;
};

} // namespace countersign::audit
