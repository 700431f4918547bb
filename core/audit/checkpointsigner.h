#pragma once

#include "error.h"
#include "evidence/checkpoint.h"

#include <QJsonObject>
#include <QSqlDatabase>

#include <QVariantList>
#include <memory>

#include <optional>
#include <utility>

namespace countersign::crypto {
class SigningKey;
}

namespace countersign::audit {

class CheckpointStore;

class AuditLog;
class AuditTree;

/// Signs checkpoints of the audit tree with the instance key and lets them leave the vault:
/// each is stored in the vault and appended (fsynced) to the checkpoint file beside it. A new
/// checkpoint is signed only if the tree is consistent with the newest one already signed,
/// whichever of the vault and the file holds it, so a truncated, restored or rewritten log
/// is refused rather than signed over.
class CheckpointSigner final {
public:
    static constexpr quint64 DEFAULT_INTERVAL = 1000;
    inline static const QString FILE_NAME = QStringLiteral("checkpoints");

    CheckpointSigner(QSqlDatabase db, AuditLog& audit, const crypto::SigningKey& key, QString filePath);
    ~CheckpointSigner();

    /// Signs a checkpoint of the whole tree as it stands (committed entries only: call it
    /// outside a write transaction). Returns the newest checkpoint if nothing was added since.
    [[nodiscard]] Result<Checkpoint> sign();
    /// A checkpoint that includes entry \a seq: the newest this signer signed when it does, else
    /// sign()'s. Every receipt of a group commit is made after the commit (so the first one signs
    /// over the whole batch) and the others take the same checkpoint instead of signing again.
    [[nodiscard]] Result<Checkpoint> covering(qint64 seq);
    /// Signs only when at least \a interval entries were added since the newest checkpoint.
    [[nodiscard]] Result<std::optional<Checkpoint>> signIfDue(quint64 interval = DEFAULT_INTERVAL);
    /// The newest checkpoint stored in the vault.
    [[nodiscard]] Result<std::optional<Checkpoint>> latest() const;
    [[nodiscard]] QString filePath() const { return m_filePath; }
    /// Every checkpoint in the file beside the vault (none if there is no file yet).
    [[nodiscard]] static Result<QList<Checkpoint>> readFile(const QString& path, const QByteArray& publicKey);
    /// Every checkpoint that left the vault (the file beside it), what a verification checks the
    /// chain against. Integrity when the vault holds a checkpoint larger than the file's newest:
    /// a file deleted or replaced with an older copy hides a restored vault, so it is a failure,
    /// never "no checkpoints".
    [[nodiscard]] Result<QList<Checkpoint>> witnessed() const;
    /// What a process checks before serving, cheap however long the log: the checkpoint file
    /// keeps up with the vault (witnessed()), and the stored tree still has the newest witnessed
    /// checkpoint's root at its size (not truncated, not rewritten). Integrity otherwise.
    [[nodiscard]] Result<void> checkBeforeServing() const;
    [[nodiscard]] QByteArray publicKey() const;
    /// The instance's signature over a receipt (Receipt::signedBytes).
    [[nodiscard]] QByteArray signReceipt(const QJsonObject& receipt) const;

private:
    [[nodiscard]] Result<std::optional<Checkpoint>> newestInFile() const;
    [[nodiscard]] Result<void> appendToFile(const Checkpoint& checkpoint) const;
    /// The vault's audit tree and its size (UnsupportedSchema on vaults without one).
    [[nodiscard]] Result<std::pair<AuditTree*, quint64>> storedTree() const;
    /// The Integrity error for a log shorter than a checkpoint signed for it.
    [[nodiscard]] static std::unexpected<Error> cutOrRestored(quint64 logSize, quint64 signedSize);
    /// Integrity when the vault holds a checkpoint the file lacks (\a inFile: the file's newest).
    [[nodiscard]] Result<void> checkFileKeepsUp(const std::optional<Checkpoint>& inVault,
                                                const std::optional<Checkpoint>& inFile) const;

    std::unique_ptr<CheckpointStore> m_store;
    /// What sign() last returned: signed over committed entries, so it stays true of them.
    std::optional<Checkpoint> m_newest;
    AuditLog& m_audit;
    const crypto::SigningKey& m_key;
    QString m_filePath;
    /// A team's database, which several nodes sign into (each keeps its own file).
    bool m_shared = false;
};

} // namespace countersign::audit
