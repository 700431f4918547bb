#pragma once

#include "audittreestore.h"
#include "error.h"
#include "evidence/merkle.h"

#include <QHash>
#include <QPair>
#include <QSqlDatabase>

namespace countersign::audit {

/// The audit chain's Merkle tree as stored in the vault: every perfect aligned subtree's hash
/// (table audit_tree), written in the same transaction as the entries, so that the root of any
/// size and any proof take O(log n) reads and no recomputation.
class AuditTree final {
public:
    explicit AuditTree(QSqlDatabase db);

    /// How many leaves the tree holds.
    [[nodiscard]] Result<quint64> size() const;
    /// Adds the leaf at \a index, which must be the next one, and completes its parents.
    [[nodiscard]] Result<void> appendLeaf(quint64 index, const QByteArray& leafHash);
    [[nodiscard]] merkle::ProofBuilder proofs() const;
    [[nodiscard]] Result<QByteArray> node(int level, quint64 index) const;
    /// Starts a run of appends inside one write transaction: nodes written during it are
    /// remembered, so completing a parent does not read back the sibling just written. Call
    /// again (or endAppends()) before the next transaction; nothing outlives it.
    void beginAppends();
    void endAppends();

private:
    [[nodiscard]] Result<void> insert(int level, quint64 index, const QByteArray& hash);

    AuditTreeStore m_store;
    QHash<QPair<int, quint64>, QByteArray> m_written; // during a run of appends only
    bool m_appending = false;
};

} // namespace countersign::audit
