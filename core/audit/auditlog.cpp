#include "auditlog.h"

#include "auditstore.h"
#include "audittree.h"
#include "evidence/chainverifier.h"
#include "evidence/checkpoint.h"
#include "evidence/merkle.h"

#include "crypto/crypto.h"
#include "crypto/hmacsha256.h"
#include "crypto/securebuffer.h"
#include "crypto/sha256.h"
#include "json/canonicaljson.h"
#include "storage/transaction.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QThread>

#include <algorithm>
#include <future>
#include <vector>

Q_LOGGING_CATEGORY(lcAudit, "countersign.audit")

namespace countersign::audit {

AuditLog::AuditLog(QSqlDatabase db, const crypto::SecureBuffer& macKey,
                   std::shared_ptr<const crypto::ColumnCipher> cipher)
    : m_db(std::move(db))
    , m_hmac(std::make_unique<crypto::HmacSha256>(macKey))
    , m_store(std::make_unique<AuditStore>(m_db, std::move(cipher)))
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

crypto::SecureBuffer AuditLog::viewSaltKey(const crypto::SecureBuffer& auditKey)
{
    QByteArray derived = crypto::HmacSha256(auditKey).mac("countersign payload view salt key/1");
    return crypto::SecureBuffer::takeFrom(derived);
}

Result<void> AuditLog::lockHead()
{
    return m_store->lockHead();
}

Result<void> AuditLog::appendRecords(const QList<AuditRecord>& records, qint64& lastSeq)
{
    auto head = m_store->lockHead();
    COUNTERSIGN_TRY(head);
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
    ChainVerifier verifier(std::move(checkpoints));
    auto walk = m_store->walk();
    if (!walk) {
        verifier.unreadable(walk.error().message);
        return verifier.result();
    }
    AuditStore::Walk& stored = *walk;
    // Hashes and MACs are computed on every core while this thread reads the next batch from
    // the vault; the verifier checks the order, links and checkpoints here, in sequence.
    const int workers = std::clamp(QThread::idealThreadCount(), 1, 8);
    const crypto::HmacSha256& hmac = *m_hmac;
    auto hashRange = [&hmac, leavesNeeded = verifier.leavesNeeded()](StoredEntry* rows, qsizetype begin,
                                                                     qsizetype end) {
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
        for (const StoredEntry& row : std::as_const(current)) {
            const qint64 expected = verifier.expectedSeq();
            ChainVerifier::Entry entry{row.seq,         row.timestampMs, row.prevHash, row.entryHash,
                                       row.hashMatches, row.macMatches,  false,        &row.leaf};
            // A later row holding the expected number means rows were swapped, not removed.
            entry.expectedHeldLater = row.seq > expected && m_store->heldLater(expected, row.id);
            if (!verifier.add(entry))
                return verifier.result();
        }
        if (progress && !progress(verifier.result().checked)) {
            verifier.cancel();
            return verifier.result();
        }
        std::swap(current, next);
    }
    if (const QString failed = stored.error(); !failed.isEmpty()) {
        verifier.unreadable(failed);
        return verifier.result();
    }
    if (verifier.finish() && progress)
        progress(verifier.result().checked);
    return verifier.result();
}

} // namespace countersign::audit
