#include "checkpointsigner.h"

#include "auditlog.h"
#include "audittree.h"
#include "checkpointstore.h"
#include "crypto/signingkey.h"
#include "evidence/receipt.h"
#include "storage/durablefile.h"
#include "storage/sqldialect.h"
#include "storage/transaction.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QLocale>

#include <algorithm>

namespace countersign::audit {

CheckpointSigner::CheckpointSigner(QSqlDatabase db, AuditLog& audit, const crypto::SigningKey& key, QString filePath)
    : m_store(std::make_unique<CheckpointStore>(std::move(db)))
    , m_audit(audit)
    , m_key(key)
    , m_filePath(std::move(filePath))
    , m_shared(storage::SqlDialect::of(m_store->database()).kind() == storage::SqlDialect::Kind::PostgreSql)
{
}

CheckpointSigner::~CheckpointSigner() = default;

QByteArray CheckpointSigner::publicKey() const
{
    return m_key.publicKey();
}

QByteArray CheckpointSigner::signReceipt(const QJsonObject& receipt) const
{
    return m_key.sign(Receipt::signedBytes(receipt));
}

Result<std::optional<Checkpoint>> CheckpointSigner::latest() const
{
    auto note = m_store->newestNote();
    COUNTERSIGN_TRY(note);
    if (!*note)
        return std::optional<Checkpoint>();
    auto parsed = Checkpoint::parse(**note, m_key.publicKey());
    COUNTERSIGN_TRY(parsed);
    return std::optional<Checkpoint>(*parsed);
}

Result<QList<Checkpoint>> CheckpointSigner::readFile(const QString& path, const QByteArray& publicKey)
{
    QFile file(path);
    if (!file.exists())
        return QList<Checkpoint>();
    if (!file.open(QIODevice::ReadOnly))
        return fail(ErrorCode::Io, QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    return Checkpoint::parseFile(file.readAll(), publicKey);
}

Result<void> CheckpointSigner::checkFileKeepsUp(const std::optional<Checkpoint>& inVault,
                                                const std::optional<Checkpoint>& inFile) const
{
    // A checkpoint reaches the file before the transaction storing it in the vault commits, so
    // the vault never holds one the file lacks, unless the file was deleted or put back older.
    // A team's database is shared: the other nodes sign checkpoints into their own files, so this
    // node's file is what it witnessed, and a newer one in the database is no sign of anything.
    if (m_shared || !inVault || (inFile && inFile->size >= inVault->size))
        return {};
    return fail(
        ErrorCode::Integrity,
        QStringLiteral("the vault holds a checkpoint for %1 entries but the checkpoint file %2 %3: it was "
                       "deleted or replaced with an older copy, which hides a restored or rewritten vault")
            .arg(QLocale::c().toString(static_cast<qint64>(inVault->size)), m_filePath,
                 inFile ? QStringLiteral("ends at %1").arg(QLocale::c().toString(static_cast<qint64>(inFile->size)))
                        : QStringLiteral("holds none")));
}

Result<QList<Checkpoint>> CheckpointSigner::witnessed() const
{
    auto file = readFile(m_filePath, m_key.publicKey());
    COUNTERSIGN_TRY(file);
    auto inVault = latest();
    COUNTERSIGN_TRY(inVault);
    std::optional<Checkpoint> newest;
    for (const Checkpoint& checkpoint : std::as_const(*file)) {
        if (!newest || checkpoint.size > newest->size)
            newest = checkpoint;
    }
    COUNTERSIGN_TRY(checkFileKeepsUp(*inVault, newest));
    return *file;
}

Result<std::pair<AuditTree*, quint64>> CheckpointSigner::storedTree() const
{
    AuditTree* tree = m_audit.tree();
    if (!tree)
        return fail(ErrorCode::UnsupportedSchema, QStringLiteral("this vault's schema has no audit tree"));
    auto size = tree->size();
    COUNTERSIGN_TRY(size);
    return std::pair(tree, *size);
}

std::unexpected<Error> CheckpointSigner::cutOrRestored(quint64 logSize, quint64 signedSize)
{
    return fail(ErrorCode::Integrity,
                QStringLiteral("the log has %1 entries but a checkpoint for %2 was signed: it was truncated or an "
                               "older copy was restored")
                    .arg(QLocale::c().toString(static_cast<qint64>(logSize)),
                         QLocale::c().toString(static_cast<qint64>(signedSize))));
}

Result<void> CheckpointSigner::checkBeforeServing() const
{
    auto file = witnessed();
    COUNTERSIGN_TRY(file);
    if (file->isEmpty())
        return {};
    const Checkpoint& newest = *std::max_element(
        file->cbegin(), file->cend(), [](const Checkpoint& a, const Checkpoint& b) { return a.size < b.size; });
    auto stored = storedTree();
    COUNTERSIGN_TRY(stored);
    const auto [tree, size] = *stored;
    if (newest.size > size)
        return cutOrRestored(size, newest.size);
    auto root = tree->proofs().root(newest.size);
    COUNTERSIGN_TRY(root);
    if (*root != newest.root)
        return fail(ErrorCode::Integrity,
                    QStringLiteral("the first %1 entries do not match the checkpoint signed for them: the log was "
                                   "rewritten")
                        .arg(newest.size));
    return {};
}

Result<std::optional<Checkpoint>> CheckpointSigner::newestInFile() const
{
    QFile file(m_filePath);
    if (!file.exists())
        return std::optional<Checkpoint>();
    if (!file.open(QIODevice::ReadOnly))
        return fail(ErrorCode::Io, QStringLiteral("cannot read %1: %2").arg(m_filePath, file.errorString()));
    // Checkpoints are appended in increasing size: the newest is the last note, so only the
    // file's tail is read, however long the file has grown.
    constexpr qint64 TAIL_BYTES = 8192;
    const qint64 from = std::max<qint64>(0, file.size() - TAIL_BYTES);
    if (!file.seek(from))
        return fail(ErrorCode::Io, QStringLiteral("cannot read %1: %2").arg(m_filePath, file.errorString()));
    const QByteArray tail = file.readAll();
    if (tail.isEmpty())
        return std::optional<Checkpoint>();
    // A note holds one blank line (before its signatures); one empty line separates notes.
    const qsizetype signatures = tail.lastIndexOf("\n\n");
    const qsizetype previous = signatures > 0 ? tail.lastIndexOf("\n\n", signatures - 1) : -1;
    if (signatures < 0 || (previous < 0 && from > 0))
        return fail(ErrorCode::Integrity, QStringLiteral("the last checkpoint in %1 is incomplete").arg(m_filePath));
    auto parsed = Checkpoint::parse(tail.mid(previous < 0 ? 0 : previous + 2), m_key.publicKey());
    if (!parsed)
        return fail(parsed.error().code,
                    QStringLiteral("the last checkpoint in %1: %2").arg(m_filePath, parsed.error().message));
    return std::optional<Checkpoint>(*parsed);
}

Result<void> CheckpointSigner::appendToFile(const Checkpoint& checkpoint) const
{
    QFile file(m_filePath);
    const bool existed = file.exists();
    // Created private (signed notes name the instance and its history), and made so if older.
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append, QFile::ReadOwner | QFile::WriteOwner))
        return fail(ErrorCode::Io, QStringLiteral("cannot append to %1: %2").arg(m_filePath, file.errorString()));
    if (existed)
        file.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    const QByteArray record = (existed && file.size() > 0 ? QByteArrayLiteral("\n") : QByteArray()) + checkpoint.note;
    if (file.write(record) != record.size() || !file.flush())
        return fail(ErrorCode::Io, QStringLiteral("cannot append to %1: %2").arg(m_filePath, file.errorString()));
    file.close();
    COUNTERSIGN_TRY(storage::syncFile(m_filePath));
    if (!existed)
        return storage::syncDirectory(QFileInfo(m_filePath).absolutePath());
    return {};
}

Result<Checkpoint> CheckpointSigner::sign()
{
    // A checkpoint goes to the file at once; signed inside an open transaction it could vouch
    // for entries a crash then takes back, and the chain would no longer reach its checkpoints.
    if (storage::inTransaction(m_store->database()))
        return fail(ErrorCode::Conflict, QStringLiteral("a checkpoint signs committed entries only"));
    // One write transaction: checkpoints from several connections and processes are serialised.
    auto signedNow = storage::transact(m_store->database(), [&]() -> Result<Checkpoint> {
        // On a team database the other nodes append meanwhile: hold the chain's head, so that the
        // tree and the log are read at one size.
        if (m_shared)
            COUNTERSIGN_TRY(m_audit.lockHead());
        auto stored = storedTree();
        COUNTERSIGN_TRY(stored);
        AuditTree* tree = stored->first;
        const quint64 size = stored->second;
        auto last = m_audit.lastSeq();
        COUNTERSIGN_TRY(last);
        if (size != static_cast<quint64>(*last))
            return fail(ErrorCode::Integrity,
                        QStringLiteral("the audit tree holds %1 entries but the log %2").arg(size).arg(*last));
        merkle::ProofBuilder proofs = tree->proofs();
        auto root = proofs.root(size);
        COUNTERSIGN_TRY(root);
        // The newest checkpoint anywhere: the vault's own, or the file's (which outlives a
        // restored vault).
        auto inVault = latest();
        COUNTERSIGN_TRY(inVault);
        auto inFile = newestInFile();
        COUNTERSIGN_TRY(inFile);
        COUNTERSIGN_TRY(checkFileKeepsUp(*inVault, *inFile));
        std::optional<Checkpoint> previous = *inVault;
        if (*inFile && (!previous || (*inFile)->size > previous->size))
            previous = *inFile;
        if (previous) {
            if (previous->size > size)
                return cutOrRestored(size, previous->size);
            auto proof = proofs.consistencyProof(previous->size, size);
            COUNTERSIGN_TRY(proof);
            if (!merkle::verifyConsistency(previous->size, size, *proof, previous->root, *root))
                return fail(ErrorCode::Integrity,
                            QStringLiteral("the log is not an extension of the checkpoint for %1 entries: it was "
                                           "rewritten")
                                .arg(previous->size));
            if (previous->size == size) {
                // The file has it but the vault does not (a failed commit): store it again.
                if (!*inVault || (*inVault)->size != size)
                    COUNTERSIGN_TRY(m_store->insert(*previous, QDateTime::currentMSecsSinceEpoch(), true));
                return *previous;
            }
        }
        Checkpoint checkpoint = Checkpoint::sign(size, *root, m_key);
        // Two nodes may sign the same size; Ed25519 signs it alike, so the first row stands.
        COUNTERSIGN_TRY(m_store->insert(checkpoint, QDateTime::currentMSecsSinceEpoch(), m_shared));
        // Leaves the vault before the transaction commits: the entries it covers are committed.
        COUNTERSIGN_TRY(appendToFile(checkpoint));
        return checkpoint;
    });
    COUNTERSIGN_TRY(signedNow);
    m_newest = *signedNow;
    return signedNow;
}

Result<Checkpoint> CheckpointSigner::covering(qint64 seq)
{
    // The log only grows (sign() refuses one that was cut or rewritten), so a checkpoint of its
    // first m_newest->size entries proves entry seq as well as one signed now would.
    if (m_newest && seq >= 1 && static_cast<quint64>(seq) <= m_newest->size)
        return *m_newest;
    return sign();
}

Result<std::optional<Checkpoint>> CheckpointSigner::signIfDue(quint64 interval)
{
    // Runs after every request change: two index lookups, no note parsed or verified.
    auto largest = m_store->largestSize();
    COUNTERSIGN_TRY(largest);
    const quint64 signedSize = *largest;
    auto last = m_audit.lastSeq();
    COUNTERSIGN_TRY(last);
    if (static_cast<quint64>(*last) < signedSize + interval)
        return std::optional<Checkpoint>();
    auto signedNow = sign();
    COUNTERSIGN_TRY(signedNow);
    return std::optional<Checkpoint>(*signedNow);
}

} // namespace countersign::audit
