#pragma once

#include "crypto/sha256.h"
#include "error.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <functional>

namespace countersign::audit {

/// RFC 6962 / RFC 9162 section 2.1 Merkle tree hashing over the audit entries: a leaf is
/// SHA-256(0x00 || entry), an inner node SHA-256(0x01 || left || right), the empty tree
/// SHA-256(""). Hashes are 32 raw bytes.
namespace merkle {

inline constexpr qsizetype HASH_SIZE = 32;
/// Proofs longer than this cannot belong to a tree of at most 2^63 leaves.
inline constexpr qsizetype MAX_PROOF_LENGTH = 64;

[[nodiscard]] QByteArray leafHash(QByteArrayView entry);
[[nodiscard]] QByteArray nodeHash(QByteArrayView left, QByteArrayView right);
[[nodiscard]] QByteArray emptyRoot();
/// The same hashes by value, for hot loops (no allocation).
[[nodiscard]] crypto::Digest leafDigest(QByteArrayView entry);
[[nodiscard]] crypto::Digest nodeDigest(const crypto::Digest& left, const crypto::Digest& right);
/// The largest power of two strictly below \a n (n >= 2).
[[nodiscard]] quint64 splitPoint(quint64 n);

/// Where proofs read hashes from: the hash of the perfect subtree of 2^level leaves starting
/// at leaf index << level (level 0 are the leaf hashes). Fails if the store cannot answer.
using NodeSource = std::function<Result<QByteArray>(int level, quint64 index)>;

/// Computes roots and proofs of any tree size up to the stored one, reading only perfect
/// aligned subtrees: O(log n) reads per root, O(log^2 n) at worst per proof.
class ProofBuilder final {
public:
    explicit ProofBuilder(NodeSource nodes);

    /// MTH(D[0:size]).
    [[nodiscard]] Result<QByteArray> root(quint64 size) const;
    /// PATH(index, D[0:size]) of RFC 6962 section 2.1.1, from the leaf upwards.
    [[nodiscard]] Result<QList<QByteArray>> inclusionProof(quint64 index, quint64 size) const;
    /// PROOF(from, D[0:to]) of RFC 6962 section 2.1.2.
    [[nodiscard]] Result<QList<QByteArray>> consistencyProof(quint64 from, quint64 to) const;

private:
    /// MTH(D[begin:end]) for a range the RFC's recursion produces.
    [[nodiscard]] Result<QByteArray> rangeHash(quint64 begin, quint64 end) const;
    [[nodiscard]] Result<void> path(quint64 index, quint64 begin, quint64 end, QList<QByteArray>& out) const;
    [[nodiscard]] Result<void> subproof(quint64 from, quint64 begin, quint64 end, bool whole,
                                        QList<QByteArray>& out) const;

    NodeSource m_nodes;
};

/// RFC 9162 section 2.1.3.2: does \a proof show leaf \a leaf at \a index in the tree of
/// \a size leaves whose root is \a root?
[[nodiscard]] bool verifyInclusion(quint64 index, quint64 size, QByteArrayView leaf, const QList<QByteArray>& proof,
                                   QByteArrayView root);
/// RFC 9162 section 2.1.4.2: is the tree of \a size2 leaves with \a root2 an append-only
/// extension of the tree of \a size1 leaves with \a root1?
[[nodiscard]] bool verifyConsistency(quint64 size1, quint64 size2, const QList<QByteArray>& proof, QByteArrayView root1,
                                     QByteArrayView root2);

/// The root of a growing tree in O(log n) memory: the hashes of its perfect subtrees, left to
/// right (what streaming verification needs).
class CompactRange final {
public:
    void append(const QByteArray& leafHash);
    void append(const crypto::Digest& leafHash);
    [[nodiscard]] quint64 size() const { return m_size; }
    [[nodiscard]] QByteArray root() const;

private:
    QList<crypto::Digest> m_subtrees;
    quint64 m_size = 0;
};

/// An in-memory tree over leaf hashes (tests, exports, offline verification).
class MemoryTree final {
public:
    void append(const QByteArray& leafHash);
    [[nodiscard]] quint64 size() const { return static_cast<quint64>(m_levels.isEmpty() ? 0 : m_levels[0].size()); }
    [[nodiscard]] NodeSource source() const;
    [[nodiscard]] QByteArray root() const;

private:
    QList<QList<QByteArray>> m_levels; // m_levels[l][i]: perfect subtree hashes
};

} // namespace merkle
} // namespace countersign::audit
