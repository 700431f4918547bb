#include "audittree.h"

namespace countersign::audit {

AuditTree::AuditTree(QSqlDatabase db)
    : m_store(std::move(db))
{
}

Result<quint64> AuditTree::size() const
{
    return m_store.leafCount();
}

Result<QByteArray> AuditTree::node(int level, quint64 index) const
{
    auto stored = m_store.node(level, index);
    COUNTERSIGN_TRY(stored);
    if (!*stored)
        return fail(ErrorCode::Integrity,
                    QStringLiteral("the audit tree has no node %1 at level %2").arg(index).arg(level));
    QByteArray hash = std::move(**stored);
    if (hash.size() != merkle::HASH_SIZE)
        return fail(ErrorCode::Integrity,
                    QStringLiteral("the audit tree's node %1/%2 is malformed").arg(level).arg(index));
    return hash;
}

void AuditTree::beginAppends()
{
    m_written.clear();
    m_appending = true;
}

void AuditTree::endAppends()
{
    m_written.clear();
    m_appending = false;
}

Result<void> AuditTree::insert(int level, quint64 index, const QByteArray& hash)
{
    if (m_appending)
        m_written.insert({level, index}, hash);
    return m_store.insert(level, index, hash);
}

Result<void> AuditTree::appendLeaf(quint64 index, const QByteArray& leafHash)
{
    COUNTERSIGN_TRY(insert(0, index, leafHash));
    QByteArray hash = leafHash;
    int level = 0;
    // A right child completes its parent; climb while that keeps happening.
    while ((index & 1) != 0) {
        const auto written = m_written.constFind({level, index - 1});
        Result<QByteArray> sibling =
            written != m_written.cend() ? Result<QByteArray>(*written) : node(level, index - 1);
        COUNTERSIGN_TRY(sibling);
        hash = merkle::nodeHash(*sibling, hash);
        ++level;
        index >>= 1;
        COUNTERSIGN_TRY(insert(level, index, hash));
    }
    return {};
}

merkle::ProofBuilder AuditTree::proofs() const
{
    return merkle::ProofBuilder([this](int level, quint64 index) { return node(level, index); });
}

} // namespace countersign::audit
