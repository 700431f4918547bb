#pragma once

#include "checkpoint.h"
#include "merkle.h"

#include "crypto/sha256.h"

#include <QByteArrayView>
#include <QList>
#include <QString>

namespace countersign::audit {

/// The outcome of walking the chain: either every entry holds, or the first broken one and why.
struct VerifyResult final {
    enum class Problem { None, Hash, Mac, Link, Gap, Order, Storage, Cancelled, Checkpoint, Truncated };
    Problem problem = Problem::None;
    qint64 checked = 0;    // entries that verified before the first problem
    qint64 brokenSeq = -1; // sequence number of the first broken entry
    QString message;

    [[nodiscard]] bool ok() const { return problem == Problem::None; }
    [[nodiscard]] static QString problemName(Problem problem);
};

/// The checks of an audit chain walked in order, whoever reads it (docs/audit-format.md): sequence
/// numbers from 1 without a gap, each entry's hash over its content, its link to the entry before
/// it, time never running backwards, the RFC 6962 Merkle root of the first N entries equal to that
/// of every checkpoint signed for N, and at the end a log that reaches the largest checkpoint.
/// Its feeders read and hash the entries (on every core); the verifier takes them one by one, in
/// order: AuditLog::verify from the vault's rows (with their MACs), AuditExport::verify from the
/// lines of an export.
class ChainVerifier final {
public:
    /// One entry as its feeder read it: what it claims, and what hashing its content found.
    struct Entry {
        qint64 seq = 0;
        qint64 timestampMs = 0;
        QByteArrayView prevHash;
        QByteArrayView entryHash;
        bool hashMatches = false; // the SHA-256 of its canonical encoding is entryHash
        bool macMatches = true;   // where the audit key is at hand (the vault): its MAC holds
        /// Where the feeder can tell: a later entry holds expectedSeq() (swapped, not removed).
        bool expectedHeldLater = false;
        /// Its RFC 6962 leaf hash; needed for entries up to leavesNeeded() only.
        const crypto::Digest* leaf = nullptr;
    };

    /// Verifies against \a checkpoints (in any order; those for no entries are ignored).
    explicit ChainVerifier(QList<Checkpoint> checkpoints = {});

    /// The size of the largest checkpoint: entries past it need no leaf hash.
    [[nodiscard]] quint64 leavesNeeded() const { return m_leavesNeeded; }
    /// The sequence number the next entry must have.
    [[nodiscard]] qint64 expectedSeq() const { return m_expectedSeq; }
    /// Checks the next entry; false when the chain breaks there (result() says where and why).
    [[nodiscard]] bool add(const Entry& entry);
    /// After the last entry: false when a checkpoint was signed for more entries than were added.
    [[nodiscard]] bool finish();
    /// The walk stopped before its end because the feeder was asked to.
    void cancel();
    /// The walk stopped before its end because the entries could not be read (\a message).
    void unreadable(const QString& message);
    /// The verdict so far: ok, or the first problem with the entries checked before it.
    [[nodiscard]] const VerifyResult& result() const { return m_result; }
    /// The checkpoints verified against, smallest first.
    [[nodiscard]] const QList<Checkpoint>& checkpoints() const { return m_checkpoints; }

private:
    bool broken(VerifyResult::Problem problem, qint64 seq, const QString& message);

    QList<Checkpoint> m_checkpoints;
    qsizetype m_nextCheckpoint = 0;
    quint64 m_leavesNeeded = 0;
    merkle::CompactRange m_range;
    crypto::Digest m_previousHash{};
    qint64 m_previousTimestamp = 0;
    qint64 m_expectedSeq = 1;
    VerifyResult m_result;
};

} // namespace countersign::audit
