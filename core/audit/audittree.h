#pragma once

#include "error.h"
#include "merkle.h"

#include <QSqlDatabase>
#include <QSqlQuery>

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

private:
    [[nodiscard]] Result<void> insert(int level, quint64 index, const QByteArray& hash);

    QSqlDatabase m_db;
    mutable QSqlQuery m_select;
    QSqlQuery m_insert;
};

} // namespace countersign::audit
