#include "merkle.h"

#include "crypto/crypto.h"

#include <algorithm>
#include <bit>

namespace countersign::audit::merkle {

namespace {

bool isPowerOfTwo(quint64 n)
{
    return n != 0 && (n & (n - 1)) == 0;
}

/// RFC 9162 2.1.3.2 / 2.1.4.2: after hashing in a left sibling at the tree's right edge,
/// right-shift both indices until fn's lowest bit is set or fn is 0 (the levels where the
/// path has no sibling).
void skipRightEdge(quint64& fn, quint64& sn)
{
    while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
    }
}

} // namespace

QByteArray leafHash(QByteArrayView entry)
{
    return crypto::toByteArray(leafDigest(entry));
}

crypto::Digest leafDigest(QByteArrayView entry)
{
    return crypto::Sha256().update('\0').update(entry).finish();
}

crypto::Digest nodeDigest(const crypto::Digest& left, const crypto::Digest& right)
{
    return crypto::Sha256().update('\1').update(crypto::view(left)).update(crypto::view(right)).finish();
}

QByteArray nodeHash(QByteArrayView left, QByteArrayView right)
{
    return crypto::toByteArray(crypto::Sha256().update('\1').update(left).update(right).finish());
}

QByteArray emptyRoot()
{
    return crypto::sha256(QByteArray());
}

quint64 splitPoint(quint64 n)
{
    return n < 2 ? 0 : std::bit_floor(n - 1);
}

ProofBuilder::ProofBuilder(NodeSource nodes)
    : m_nodes(std::move(nodes))
{
}

Result<QByteArray> ProofBuilder::rangeHash(quint64 begin, quint64 end) const
{
    const quint64 n = end - begin;
    if (n == 0)
        return emptyRoot();
    // A perfect subtree aligned on its size is stored as it is.
    if (isPowerOfTwo(n) && begin % n == 0)
        return m_nodes(std::countr_zero(n), begin / n);
    const quint64 k = splitPoint(n);
    auto left = rangeHash(begin, begin + k);
    if (!left)
        return left;
    auto right = rangeHash(begin + k, end);
    if (!right)
        return right;
    return nodeHash(*left, *right);
}

Result<QByteArray> ProofBuilder::root(quint64 size) const
{
    return rangeHash(0, size);
}

Result<void> ProofBuilder::path(quint64 index, quint64 begin, quint64 end, QList<QByteArray>& out) const
{
    const quint64 n = end - begin;
    if (n <= 1)
        return {};
    const quint64 k = splitPoint(n);
    const bool left = index < k;
    auto inner = left ? path(index, begin, begin + k, out) : path(index - k, begin + k, end, out);
    if (!inner)
        return inner;
    auto sibling = left ? rangeHash(begin + k, end) : rangeHash(begin, begin + k);
    COUNTERSIGN_TRY(sibling);
    out.append(*sibling);
    return {};
}

Result<QList<QByteArray>> ProofBuilder::inclusionProof(quint64 index, quint64 size) const
{
    if (index >= size)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("leaf %1 is not in a tree of %2 entries").arg(index).arg(size));
    QList<QByteArray> proof;
    COUNTERSIGN_TRY(path(index, 0, size, proof));
    return proof;
}

Result<void> ProofBuilder::subproof(quint64 from, quint64 begin, quint64 end, bool whole, QList<QByteArray>& out) const
{
    const quint64 n = end - begin;
    if (from == n) {
        if (whole)
            return {};
        auto hash = rangeHash(begin, end);
        COUNTERSIGN_TRY(hash);
        out.append(*hash);
        return {};
    }
    const quint64 k = splitPoint(n);
    const bool left = from <= k;
    auto inner = left ? subproof(from, begin, begin + k, whole, out) : subproof(from - k, begin + k, end, false, out);
    if (!inner)
        return inner;
    auto sibling = left ? rangeHash(begin + k, end) : rangeHash(begin, begin + k);
    COUNTERSIGN_TRY(sibling);
    out.append(*sibling);
    return {};
}

Result<QList<QByteArray>> ProofBuilder::consistencyProof(quint64 from, quint64 to) const
{
    if (from > to)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("a tree of %1 entries cannot extend one of %2").arg(to).arg(from));
    QList<QByteArray> proof;
    if (from == 0 || from == to)
        return proof; // nothing to prove: the empty tree, or the same tree
    COUNTERSIGN_TRY(subproof(from, 0, to, true, proof));
    return proof;
}

bool verifyInclusion(quint64 index, quint64 size, QByteArrayView leaf, const QList<QByteArray>& proof,
                     QByteArrayView root)
{
    if (index >= size || leaf.size() != HASH_SIZE || root.size() != HASH_SIZE || proof.size() > MAX_PROOF_LENGTH)
        return false;
    quint64 fn = index;
    quint64 sn = size - 1;
    QByteArray r = leaf.toByteArray();
    for (const QByteArray& p : proof) {
        if (sn == 0 || p.size() != HASH_SIZE)
            return false;
        if ((fn & 1) != 0 || fn == sn) {
            r = nodeHash(p, r);
            skipRightEdge(fn, sn);
        } else {
            r = nodeHash(r, p);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && crypto::constantTimeEqual(r, root.toByteArray());
}

bool verifyConsistency(quint64 size1, quint64 size2, const QList<QByteArray>& proof, QByteArrayView root1,
                       QByteArrayView root2)
{
    if (root1.size() != HASH_SIZE || root2.size() != HASH_SIZE || size1 > size2 || proof.size() > MAX_PROOF_LENGTH)
        return false;
    if (size1 == size2)
        return proof.isEmpty() && crypto::constantTimeEqual(root1.toByteArray(), root2.toByteArray());
    if (size1 == 0)
        return proof.isEmpty(); // the empty tree is a prefix of every tree
    if (proof.isEmpty())
        return false;
    QList<QByteArray> path = proof;
    if (isPowerOfTwo(size1))
        path.prepend(root1.toByteArray());
    quint64 fn = size1 - 1;
    quint64 sn = size2 - 1;
    while ((fn & 1) != 0) {
        fn >>= 1;
        sn >>= 1;
    }
    if (path.first().size() != HASH_SIZE)
        return false;
    QByteArray fr = path.first();
    QByteArray sr = path.first();
    for (qsizetype i = 1; i < path.size(); ++i) {
        const QByteArray& c = path.at(i);
        if (sn == 0 || c.size() != HASH_SIZE)
            return false;
        if ((fn & 1) != 0 || fn == sn) {
            fr = nodeHash(c, fr);
            sr = nodeHash(c, sr);
            skipRightEdge(fn, sn);
        } else {
            sr = nodeHash(sr, c);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && crypto::constantTimeEqual(fr, root1.toByteArray()) &&
           crypto::constantTimeEqual(sr, root2.toByteArray());
}

void CompactRange::append(const QByteArray& leafHash)
{
    crypto::Digest leaf{};
    std::copy_n(leafHash.cbegin(), std::min<qsizetype>(leafHash.size(), HASH_SIZE), leaf.begin());
    append(leaf);
}

void CompactRange::append(const crypto::Digest& leafHash)
{
    m_subtrees.append(leafHash);
    for (quint64 n = m_size; (n & 1) != 0; n >>= 1) {
        const crypto::Digest right = m_subtrees.takeLast();
        m_subtrees.last() = nodeDigest(m_subtrees.last(), right);
    }
    ++m_size;
}

QByteArray CompactRange::root() const
{
    if (m_subtrees.isEmpty())
        return emptyRoot();
    crypto::Digest hash = m_subtrees.last();
    for (qsizetype i = m_subtrees.size() - 2; i >= 0; --i)
        hash = nodeDigest(m_subtrees.at(i), hash);
    return crypto::toByteArray(hash);
}

void MemoryTree::append(const QByteArray& leafHash)
{
    if (m_levels.isEmpty())
        m_levels.append(QList<QByteArray>());
    m_levels[0].append(leafHash);
    // Complete every perfect subtree this leaf closes.
    for (int level = 0; m_levels[level].size() % 2 == 0; ++level) {
        if (m_levels.size() == level + 1)
            m_levels.append(QList<QByteArray>());
        const QList<QByteArray>& below = m_levels[level];
        m_levels[level + 1].append(nodeHash(below.at(below.size() - 2), below.last()));
    }
}

NodeSource MemoryTree::source() const
{
    return [this](int level, quint64 index) -> Result<QByteArray> {
        if (level >= m_levels.size() || index >= static_cast<quint64>(m_levels[level].size()))
            return fail(ErrorCode::NotFound, QStringLiteral("no subtree %1/%2").arg(level).arg(index));
        return m_levels[level][static_cast<qsizetype>(index)];
    };
}

QByteArray MemoryTree::root() const
{
    return ProofBuilder(source()).root(size()).value_or(QByteArray());
}

} // namespace countersign::audit::merkle
