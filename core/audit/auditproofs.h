#pragma once

#include "error.h"
#include "evidence/checkpoint.h"

#include <QByteArray>
#include <QJsonArray>
#include <QList>

namespace countersign::audit {

class AuditLog;
class CheckpointSigner;

/// The log's answers to anyone checking it from outside (RFC 6962 2.1.1 and 2.1.2): the newest
/// signed checkpoint, an entry's inclusion in a tree, and one tree's consistency with a later one.
class AuditProofs final {
public:
    /// The newest checkpoint with the public key that signed it.
    struct SignedCheckpoint final {
        Checkpoint checkpoint;
        QByteArray publicKey;
    };
    /// Entry \a seq's inclusion in the tree of \a treeSize entries (RFC 6962 2.1.1).
    struct Inclusion final {
        qint64 seq = 0;
        qint64 treeSize = 0;
        QByteArray leafHash;
        QList<QByteArray> path;
        QByteArray entry; // its canonical encoding; empty unless asked for
    };
    /// The tree of \a from entries as a prefix of the one of \a to (RFC 6962 2.1.2).
    struct Consistency final {
        qint64 from = 0;
        qint64 to = 0;
        QList<QByteArray> path;
    };

    /// \a signer may be null (no checkpoints: checkpoint() is Unavailable).
    AuditProofs(AuditLog& log, CheckpointSigner* signer);
    void setSigner(CheckpointSigner* signer) { m_signer = signer; }

    /// The newest signed checkpoint, signing one when there is none yet.
    [[nodiscard]] Result<SignedCheckpoint> checkpoint();
    /// The inclusion proof of entry \a seq in the tree of \a size entries with its leaf hash, and
    /// the entry itself only \a withEntry.
    [[nodiscard]] Result<Inclusion> inclusion(qint64 seq, qint64 size, bool withEntry);
    /// The consistency proof from the tree of \a from entries to the one of \a to.
    [[nodiscard]] Result<Consistency> consistency(qint64 from, qint64 to);

    /// A proof's hashes as the JSON list of their base64 forms.
    [[nodiscard]] static QJsonArray encodePath(const QList<QByteArray>& hashes);

private:
    AuditLog& m_log;
    CheckpointSigner* m_signer;
};

} // namespace countersign::audit
