#include "audittree.h"

#include <QSqlError>

namespace countersign::audit {

AuditTree::AuditTree(QSqlDatabase db)
    : m_db(std::move(db))
    , m_select(m_db)
    , m_insert(m_db)
{
    m_select.setForwardOnly(true);
    m_select.prepare(QStringLiteral("SELECT hash FROM audit_tree WHERE level = ? AND idx = ?"));
    m_insert.prepare(QStringLiteral("INSERT INTO audit_tree (level, idx, hash) VALUES (?, ?, ?)"));
}

Result<quint64> AuditTree::size() const
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT coalesce(max(idx) + 1, 0) FROM audit_tree WHERE level = 0")) ||
        !query.next())
        return fail(ErrorCode::Storage, query.lastError().text());
    return static_cast<quint64>(query.value(0).toLongLong());
}

Result<QByteArray> AuditTree::node(int level, quint64 index) const
{
    m_select.bindValue(0, level);
    m_select.bindValue(1, static_cast<qint64>(index));
    if (!m_select.exec())
        return fail(ErrorCode::Storage, m_select.lastError().text());
    if (!m_select.next()) {
        m_select.finish();
        return fail(ErrorCode::Integrity,
                    QStringLiteral("the audit tree has no node %1 at level %2").arg(index).arg(level));
    }
    QByteArray hash = m_select.value(0).toByteArray();
    m_select.finish();
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
    m_insert.bindValue(0, level);
    m_insert.bindValue(1, static_cast<qint64>(index));
    m_insert.bindValue(2, hash);
    if (!m_insert.exec())
        return fail(ErrorCode::Storage, m_insert.lastError().text());
    return {};
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
