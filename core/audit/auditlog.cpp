#include "auditlog.h"

#include "auditstore.h"
#include "audittree.h"
#include "checkpoint.h"
#include "merkle.h"

#include "crypto/crypto.h"
#include "crypto/hmacsha256.h"
#include "crypto/securebuffer.h"
#include "crypto/sha256.h"
#include "json/canonicaljson.h"
#include "storage/transaction.h"

#include <QDateTime>
#include <QLocale>
#include <QLoggingCategory>
#include <QThread>

#include <algorithm>
#include <array>
#include <future>
#include <vector>

Q_LOGGING_CATEGORY(lcAudit, "countersign.audit")

namespace countersign::audit {

namespace {

QString describe(VerifyResult::Problem problem, qint64 seq)
{
    switch (problem) {
    case VerifyResult::Problem::Hash:
        return QStringLiteral("entry %1 was altered: its content does not match its hash").arg(seq);
    case VerifyResult::Problem::Mac:
        return QStringLiteral("entry %1 has an invalid MAC: it was not written with this vault's audit key").arg(seq);
    case VerifyResult::Problem::Link:
        return QStringLiteral("entry %1 does not link to the entry before it").arg(seq);
    default:
        return {};
    }
}

} // namespace

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

AuditLog::AuditLog(QSqlDatabase db, const crypto::SecureBuffer& macKey)
    : m_db(std::move(db))
    , m_hmac(std::make_unique<crypto::HmacSha256>(macKey))
    , m_store(std::make_unique<AuditStore>(m_db))
{
}

AuditLog::~AuditLog() = default;

Result<qint64> AuditLog::append(const AuditRecord& record)
{
    return appendAll({record});
}

Result<qint64> AuditLog::appendAll(const QList<AuditRecord>& records)
{
    qint64 seq = 0;
    auto done = storage::transact(m_db, [&] { return appendRecords(records, seq); });
    COUNTERSIGN_TRY(done);
    return seq;
}

Result<AuditLog::Tail> AuditLog::readTail() const
{
    // The tail is read inside the write transaction every time, so that several processes
    // (the app and countersign-cli) can append to one vault without forking the chain.
    auto last = m_store->tail();
    COUNTERSIGN_TRY(last);
    if (!*last)
        return Tail{0, 0, QByteArray(AUDIT_HASH_SIZE, '\0')};
    return Tail{(*last)->seq, (*last)->timestampMs, (*last)->entryHash};
}

AuditTree* AuditLog::tree()
{
    if (!m_tree && m_db.tables().contains(QStringLiteral("audit_tree")))
        m_tree = std::make_unique<AuditTree>(m_db);
    return m_tree.get();
}

Result<qint64> AuditLog::syncTree()
{
    qint64 added = 0;
    auto done = storage::transact(m_db, [&]() -> Result<void> {
        AuditTree* merkleTree = tree();
        if (!merkleTree)
            return {};
        merkleTree->beginAppends();
        auto size = merkleTree->size();
        COUNTERSIGN_TRY(size);
        constexpr int BATCH = 4096;
        for (auto next = static_cast<qint64>(*size) + 1;; next += BATCH) {
            auto batch = entries(next, BATCH);
            COUNTERSIGN_TRY(batch);
            for (const AuditEntry& entry : std::as_const(*batch)) {
                if (entry.seq != static_cast<qint64>(*size) + added + 1)
                    return fail(ErrorCode::Integrity,
                                QStringLiteral("the audit log has a gap before entry %1").arg(entry.seq));
                auto leaf = merkleTree->appendLeaf(static_cast<quint64>(entry.seq - 1),
                                                   merkle::leafHash(entry.canonicalEncoding()));
                if (!leaf)
                    return leaf;
                ++added;
            }
            if (batch->size() < BATCH)
                return {};
        }
    });
    COUNTERSIGN_TRY(done);
    return added;
}

Result<void> AuditLog::appendRecords(const QList<AuditRecord>& records, qint64& lastSeq)
{
    auto tail = readTail();
    COUNTERSIGN_TRY(tail);
    AuditTree* merkleTree = tree();
    if (merkleTree) {
        merkleTree->beginAppends(); // this transaction's nodes, not read back
        auto size = merkleTree->size();
        COUNTERSIGN_TRY(size);
        if (static_cast<qint64>(*size) != tail->seq) {
            auto synced = syncTree(); // joins this transaction
            COUNTERSIGN_TRY(synced);
        }
    }
    AuditEntry entry;
    for (const AuditRecord& record : records) {
        entry.seq = tail->seq + 1;
        // Time never runs backwards inside the chain, even if the wall clock does.
        entry.timestampMs = std::max(QDateTime::currentMSecsSinceEpoch(), tail->timestampMs);
        entry.actor = record.actor;
        entry.action = record.action;
        entry.subject = record.subject;
        entry.details = json::canonicalJson(record.details);
        entry.prevHash = tail->entryHash;
        entry.entryHash = entry.computeHash();
        entry.mac = m_hmac->mac(entry.entryHash);

        auto inserted = m_store->insert(entry);
        COUNTERSIGN_TRY(inserted);
        if (merkleTree) {
            auto leaf = merkleTree->appendLeaf(static_cast<quint64>(entry.seq - 1),
                                               merkle::leafHash(entry.canonicalEncoding()));
            if (!leaf)
                return leaf;
        }
        qCDebug(lcAudit) << "appended" << entry.seq << entry.action;
        *tail = Tail{entry.seq, entry.timestampMs, entry.entryHash};
    }
    lastSeq = tail->seq;
    if (merkleTree)
        merkleTree->endAppends();
    return {};
}

Result<qint64> AuditLog::count() const
{
    return m_store->count();
}

Result<qint64> AuditLog::lastSeq() const
{
    return m_store->lastSeq();
}

Result<QList<AuditEntry>> AuditLog::entries(qint64 fromSeq, int limit) const
{
    return m_store->entries(fromSeq, limit);
}

Result<std::optional<AuditEntry>> AuditLog::firstOf(const QString& action, const QString& subject) const
{
    auto first = m_store->firstSeqOf(action, subject);
    COUNTERSIGN_TRY(first);
    if (!*first)
        return std::optional<AuditEntry>();
    const qint64 seq = **first;
    auto found = entries(seq, 1);
    COUNTERSIGN_TRY(found);
    if (found->isEmpty() || found->first().seq != seq)
        return fail(ErrorCode::Storage, QStringLiteral("audit entry %1 cannot be read").arg(seq));
    return std::optional<AuditEntry>(found->first());
}

namespace {

/// One stored entry as read for verification: the text columns as their stored UTF-8 bytes.
struct StoredEntry : AuditStore::StoredRow {
    bool hashMatches = false;
    bool macMatches = false;
    crypto::Digest leaf{};
};

/// Reads up to \a limit rows of \a walk into \a into (reusing its buffers); how many it read.
qsizetype readBatch(AuditStore::Walk& walk, QList<StoredEntry>& into, qsizetype limit)
{
    into.resize(limit);
    qsizetype count = 0;
    while (count < limit && walk.next(into[count]))
        ++count;
    into.resize(count);
    return count;
}

} // namespace

VerifyResult AuditLog::verify(const std::function<bool(qint64)>& progress, QList<Checkpoint> checkpoints) const
{
    VerifyResult result;
    std::sort(checkpoints.begin(), checkpoints.end(),
              [](const Checkpoint& a, const Checkpoint& b) { return a.size < b.size; });
    qsizetype nextCheckpoint = 0;
    while (nextCheckpoint < checkpoints.size() && checkpoints.at(nextCheckpoint).size == 0)
        ++nextCheckpoint;
    const quint64 leavesNeeded = checkpoints.isEmpty() ? 0 : checkpoints.constLast().size;
    merkle::CompactRange range;
    auto walk = m_store->walk();
    if (!walk) {
        result.problem = VerifyResult::Problem::Storage;
        result.message = walk.error().message;
        return result;
    }
    AuditStore::Walk& stored = *walk;
    QByteArray previousHash(AUDIT_HASH_SIZE, '\0');
    qint64 previousTimestamp = 0;
    qint64 expectedSeq = 1;
    auto broken = [&](VerifyResult::Problem problem, qint64 seq, const QString& message) {
        result.problem = problem;
        result.brokenSeq = seq;
        result.message = message;
        return result;
    };
    // Hashes and MACs are computed on every core while this thread reads the next batch from
    // the vault; the order, links and checkpoints are checked here, in sequence.
    const int workers = std::clamp(QThread::idealThreadCount(), 1, 8);
    const crypto::HmacSha256& hmac = *m_hmac;
    auto hashRange = [&hmac, leavesNeeded](StoredEntry* rows, qsizetype begin, qsizetype end) {
        thread_local QByteArray encoding;
        crypto::Digest digest;
        for (qsizetype i = begin; i < end; ++i) {
            StoredEntry& row = rows[i];
            AuditEntry::encode(encoding, row.seq, row.timestampMs, row.text[0], row.text[1], row.text[2], row.text[3],
                               row.prevHash);
            digest = crypto::Sha256::of(encoding);
            row.hashMatches = crypto::view(digest) == QByteArrayView(row.entryHash);
            hmac.mac(row.entryHash, digest);
            row.macMatches = crypto::constantTimeEqual(crypto::view(digest), row.mac);
            if (static_cast<quint64>(row.seq) <= leavesNeeded)
                row.leaf = merkle::leafDigest(encoding);
        }
    };
    auto hashBatch = [&](QList<StoredEntry>& rows) {
        const qsizetype share = (rows.size() + workers - 1) / workers;
        StoredEntry* data = rows.data(); // detached once, here, not from the workers
        std::vector<std::future<void>> parts;
        for (qsizetype begin = 0; begin < rows.size(); begin += share)
            parts.push_back(
                std::async(std::launch::async, hashRange, data, begin, std::min(rows.size(), begin + share)));
        return parts;
    };
    constexpr qsizetype BATCH = 8192;
    QList<StoredEntry> current;
    QList<StoredEntry> next;
    readBatch(stored, current, BATCH);
    while (!current.isEmpty()) {
        std::vector<std::future<void>> hashing = hashBatch(current);
        readBatch(stored, next, BATCH);
        for (auto& part : hashing)
            part.get();
        for (const StoredEntry& entry : std::as_const(current)) {
            if (entry.seq != expectedSeq) {
                if (entry.seq < expectedSeq)
                    return broken(VerifyResult::Problem::Order, entry.seq,
                                  QStringLiteral("entry %1 appears after entry %2: the log was reordered")
                                      .arg(entry.seq)
                                      .arg(expectedSeq - 1));
                // A later row holding the expected number means rows were swapped, not removed.
                if (m_store->heldLater(expectedSeq, entry.id))
                    return broken(VerifyResult::Problem::Order, expectedSeq,
                                  QStringLiteral("entry %1 appears after entry %2: the log was reordered")
                                      .arg(expectedSeq)
                                      .arg(entry.seq));
                return broken(VerifyResult::Problem::Gap, expectedSeq,
                              expectedSeq + 1 == entry.seq
                                  ? QStringLiteral("entry %1 is missing: the log was cut").arg(expectedSeq)
                                  : QStringLiteral("entries %1 to %2 are missing: the log was cut")
                                        .arg(expectedSeq)
                                        .arg(entry.seq - 1));
            }
            if (!entry.hashMatches)
                return broken(VerifyResult::Problem::Hash, entry.seq, describe(VerifyResult::Problem::Hash, entry.seq));
            if (!entry.macMatches)
                return broken(VerifyResult::Problem::Mac, entry.seq, describe(VerifyResult::Problem::Mac, entry.seq));
            if (entry.prevHash != previousHash)
                return broken(VerifyResult::Problem::Link, entry.seq, describe(VerifyResult::Problem::Link, entry.seq));
            if (entry.timestampMs < previousTimestamp)
                return broken(VerifyResult::Problem::Order, entry.seq,
                              QStringLiteral("entry %1 is dated before the entry preceding it").arg(entry.seq));

            previousHash = entry.entryHash;
            previousTimestamp = entry.timestampMs;
            ++expectedSeq;
            ++result.checked;
            if (nextCheckpoint < checkpoints.size()) {
                // Against what was signed: the root of the first N entries must be the checkpoint's.
                range.append(entry.leaf);
                const Checkpoint& checkpoint = checkpoints.at(nextCheckpoint);
                if (range.size() == checkpoint.size) {
                    if (range.root() != checkpoint.root)
                        return broken(
                            VerifyResult::Problem::Checkpoint, entry.seq,
                            QStringLiteral("the first %1 entries do not match the checkpoint signed for them: the "
                                           "log was rewritten")
                                .arg(checkpoint.size));
                    ++nextCheckpoint;
                }
            }
        }
        if (progress && !progress(result.checked)) {
            result.problem = VerifyResult::Problem::Cancelled;
            result.message = QStringLiteral("verification cancelled");
            return result;
        }
        std::swap(current, next);
    }
    if (const QString failed = stored.error(); !failed.isEmpty())
        return broken(VerifyResult::Problem::Storage, expectedSeq, failed);
    if (!checkpoints.isEmpty() && checkpoints.constLast().size > static_cast<quint64>(result.checked))
        return broken(VerifyResult::Problem::Truncated, result.checked + 1,
                      QStringLiteral("the log has %1 entries but a checkpoint for %2 was signed: it was truncated or "
                                     "an older copy was restored")
                          .arg(QLocale::c().toString(result.checked),
                               QLocale::c().toString(static_cast<qint64>(checkpoints.constLast().size))));
    if (progress)
        progress(result.checked);
    return result;
}

} // namespace countersign::audit
