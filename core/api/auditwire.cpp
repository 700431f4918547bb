#include "auditwire.h"

namespace countersign::api {

QJsonObject AuditWire::checkpoint(const audit::AuditProofs::SignedCheckpoint& signedCheckpoint)
{
    const audit::Checkpoint& newest = signedCheckpoint.checkpoint;
    return QJsonObject{{QStringLiteral("checkpoint"), QString::fromUtf8(newest.note)},
                       {QStringLiteral("size"), static_cast<qint64>(newest.size)},
                       {QStringLiteral("root"), QString::fromLatin1(newest.root.toBase64())},
                       {QStringLiteral("public_key"), QString::fromLatin1(signedCheckpoint.publicKey.toBase64())}};
}

QJsonObject AuditWire::inclusion(const audit::AuditProofs::Inclusion& proof)
{
    QJsonObject answer{{QStringLiteral("seq"), proof.seq},
                       {QStringLiteral("leaf_index"), proof.seq - 1},
                       {QStringLiteral("tree_size"), proof.treeSize},
                       {QStringLiteral("leaf_hash"), QString::fromLatin1(proof.leafHash.toBase64())},
                       {QStringLiteral("proof"), audit::AuditProofs::encodePath(proof.path)}};
    if (!proof.entry.isEmpty())
        answer.insert(QStringLiteral("entry"), QString::fromLatin1(proof.entry.toBase64()));
    return answer;
}

QJsonObject AuditWire::consistency(const audit::AuditProofs::Consistency& proof)
{
    return QJsonObject{{QStringLiteral("from"), proof.from},
                       {QStringLiteral("to"), proof.to},
                       {QStringLiteral("proof"), audit::AuditProofs::encodePath(proof.path)}};
}

} // namespace countersign::api
