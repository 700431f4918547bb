#include "chainverifier.h"

#include <QLocale>

#include <algorithm>

namespace countersign::audit {

QString VerifyResult::problemName(Problem problem)
{
    switch (problem) {
    case Problem::None:
        return QStringLiteral("ok");
    case Problem::Hash:
        return QStringLiteral("hash");
    case Problem::Mac:
        return QStringLiteral("mac");
    case Problem::Link:
        return QStringLiteral("link");
    case Problem::Gap:
        return QStringLiteral("gap");
    case Problem::Order:
        return QStringLiteral("order");
    case Problem::Storage:
        return QStringLiteral("storage");
    case Problem::Cancelled:
        return QStringLiteral("cancelled");
    case Problem::Checkpoint:
        return QStringLiteral("checkpoint");
    case Problem::Truncated:
        return QStringLiteral("truncated");
    }
    return {};
}

ChainVerifier::ChainVerifier(QList<Checkpoint> checkpoints)
    : m_checkpoints(std::move(checkpoints))
{
    std::sort(m_checkpoints.begin(), m_checkpoints.end(),
              [](const Checkpoint& a, const Checkpoint& b) { return a.size < b.size; });
    while (m_nextCheckpoint < m_checkpoints.size() && m_checkpoints.at(m_nextCheckpoint).size == 0)
        ++m_nextCheckpoint;
    m_leavesNeeded = m_checkpoints.isEmpty() ? 0 : m_checkpoints.constLast().size;
}

bool ChainVerifier::broken(VerifyResult::Problem problem, qint64 seq, const QString& message)
{
    m_result.problem = problem;
    m_result.brokenSeq = seq;
    m_result.message = message;
    return false;
}

bool ChainVerifier::add(const Entry& entry)
{
    const qint64 expected = m_expectedSeq;
    if (entry.seq < expected)
        return broken(VerifyResult::Problem::Order, expected,
                      QStringLiteral("entry %1: out of order: entry %2 follows").arg(expected).arg(entry.seq));
    if (entry.seq > expected && entry.expectedHeldLater)
        return broken(VerifyResult::Problem::Order, expected,
                      QStringLiteral("entry %1: out of order: it comes after entry %2: the log was reordered")
                          .arg(expected)
                          .arg(entry.seq));
    if (entry.seq > expected)
        return broken(
            VerifyResult::Problem::Gap, expected,
            QStringLiteral("entry %1: missing: the log skips to entry %2 (it was cut)").arg(expected).arg(entry.seq));
    if (!entry.hashMatches)
        return broken(VerifyResult::Problem::Hash, entry.seq,
                      QStringLiteral("entry %1: altered: its content does not match its hash").arg(entry.seq));
    if (!entry.macMatches)
        return broken(
            VerifyResult::Problem::Mac, entry.seq,
            QStringLiteral("entry %1: invalid MAC: it was not written with this vault's audit key").arg(entry.seq));
    if (entry.prevHash != crypto::view(m_previousHash))
        return broken(VerifyResult::Problem::Link, entry.seq,
                      QStringLiteral("entry %1: does not link to the entry before it").arg(entry.seq));
    if (entry.timestampMs < m_previousTimestamp)
        return broken(VerifyResult::Problem::Order, entry.seq,
                      QStringLiteral("entry %1: dated before the entry preceding it").arg(entry.seq));
    // A hash that matched its content has the digest's size; bounded all the same.
    std::copy_n(entry.entryHash.cbegin(), std::min<qsizetype>(entry.entryHash.size(), qsizetype(m_previousHash.size())),
                m_previousHash.begin());
    m_previousTimestamp = entry.timestampMs;
    ++m_expectedSeq;
    ++m_result.checked;
    if (m_nextCheckpoint == m_checkpoints.size())
        return true;
    // Against what was signed: the root of the first N entries must be each checkpoint's for N.
    Q_ASSERT(entry.leaf); // up to leavesNeeded()
    m_range.append(*entry.leaf);
    while (m_nextCheckpoint < m_checkpoints.size() && m_checkpoints.at(m_nextCheckpoint).size == m_range.size()) {
        const Checkpoint& checkpoint = m_checkpoints.at(m_nextCheckpoint);
        if (m_range.root() != checkpoint.root)
            return broken(VerifyResult::Problem::Checkpoint, entry.seq,
                          QStringLiteral("entry %1: the first %1 entries do not match the checkpoint signed for "
                                         "them: the log was rewritten")
                              .arg(entry.seq));
        ++m_nextCheckpoint;
    }
    return true;
}

bool ChainVerifier::finish()
{
    if (!m_result.ok())
        return false;
    if (m_leavesNeeded > static_cast<quint64>(m_result.checked))
        return broken(VerifyResult::Problem::Truncated, m_result.checked + 1,
                      QStringLiteral("the log has %1 entries but a checkpoint for %2 was signed: it was truncated or "
                                     "an older copy was restored")
                          .arg(QLocale::c().toString(m_result.checked),
                               QLocale::c().toString(static_cast<qint64>(m_leavesNeeded))));
    return true;
}

void ChainVerifier::cancel()
{
    m_result.problem = VerifyResult::Problem::Cancelled;
    m_result.message = QStringLiteral("verification cancelled");
}

void ChainVerifier::unreadable(const QString& message)
{
    broken(VerifyResult::Problem::Storage, m_expectedSeq, message);
}

} // namespace countersign::audit
