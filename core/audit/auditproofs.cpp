#include "auditproofs.h"

#include "auditlog.h"
#include "audittree.h"
#include "checkpointsigner.h"
#include "evidence/merkle.h"

namespace countersign::audit {

namespace {

/// The vault's audit tree and how many leaves it holds (Unavailable on older schemas).
Result<std::pair<AuditTree*, quint64>> storedTree(AuditLog& log)
{
    AuditTree* tree = log.tree();
    if (!tree)
        return fail(ErrorCode::Unavailable, QStringLiteral("this vault has no audit tree"));
    auto size = tree->size();
    COUNTERSIGN_TRY(size);
    return std::pair(tree, *size);
}

} // namespace

AuditProofs::AuditProofs(AuditLog& log, CheckpointSigner* signer)
    : m_log(log)
    , m_signer(signer)
{
}

QJsonArray AuditProofs::encodePath(const QList<QByteArray>& hashes)
{
    QJsonArray list;
    for (const QByteArray& hash : hashes)
        list.append(QString::fromLatin1(hash.toBase64()));
    return list;
}

Result<AuditProofs::SignedCheckpoint> AuditProofs::checkpoint()
{
    if (!m_signer)
        return fail(ErrorCode::Unavailable, QStringLiteral("checkpoints are not available"));
    auto latest = m_signer->latest();
    COUNTERSIGN_TRY(latest);
    std::optional<Checkpoint> newest = std::move(*latest);
    if (!newest) {
        auto signedNow = m_signer->sign();
        COUNTERSIGN_TRY(signedNow);
        newest = std::move(*signedNow);
    }
    return SignedCheckpoint{std::move(*newest), m_signer->publicKey()};
}

Result<AuditProofs::Inclusion> AuditProofs::inclusion(qint64 seq, qint64 size, bool withEntry)
{
    auto stored = storedTree(m_log);
    COUNTERSIGN_TRY(stored);
    const auto [tree, storedSize] = *stored;
    if (size <= 0 || seq < 1 || seq > size || static_cast<quint64>(size) > storedSize)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("seq is 1 to size, and size at most %1").arg(storedSize));
    auto proof = tree->proofs().inclusionProof(static_cast<quint64>(seq - 1), static_cast<quint64>(size));
    COUNTERSIGN_TRY(proof);
    auto entry = m_log.entries(seq, 1);
    if (!entry || entry->isEmpty())
        return fail(ErrorCode::Storage, QStringLiteral("entry %1 cannot be read").arg(seq));
    const QByteArray encoding = entry->first().canonicalEncoding();
    return Inclusion{seq, size, merkle::leafHash(encoding), std::move(*proof), withEntry ? encoding : QByteArray()};
}

Result<AuditProofs::Consistency> AuditProofs::consistency(qint64 from, qint64 to)
{
    auto stored = storedTree(m_log);
    COUNTERSIGN_TRY(stored);
    const auto [tree, storedSize] = *stored;
    if (from < 1 || from > to || static_cast<quint64>(to) > storedSize)
        return fail(ErrorCode::InvalidArgument, QStringLiteral("from is 1 to to, and to at most %1").arg(storedSize));
    auto proof = tree->proofs().consistencyProof(static_cast<quint64>(from), static_cast<quint64>(to));
    COUNTERSIGN_TRY(proof);
    return Consistency{from, to, std::move(*proof)};
}

} // namespace countersign::audit
