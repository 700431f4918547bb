#include "auditexport.h"

#include "crypto/crypto.h"
#include "evidence/chainverifier.h"
#include "evidence/exportline.h"
#include "evidence/merkle.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

#include <algorithm>
#include <future>
#include <vector>

namespace countersign::audit {

namespace {

constexpr int PAGE = 8192;
constexpr qint64 BLOCK_SIZE = qint64{2} * 1024 * 1024;
const QByteArray CHECKPOINT_MARKER = QByteArrayLiteral("{\"checkpoint\"");

/// The notes of the checkpoint lines that end the export, read backwards from its end in blocks
/// (the entries before them are not read).
QList<QByteArray> trailingCheckpoints(QIODevice& in, qint64 entriesStart)
{
    constexpr qint64 BLOCK = qint64{64} * 1024;
    QByteArray tail;
    for (qint64 end = in.size();;) {
        const qint64 start = std::max(entriesStart, end - BLOCK);
        if (!in.seek(start))
            return {};
        tail.prepend(in.read(end - start));
        end = start;
        // Whole lines only, unless the block reached the entries' start.
        const qsizetype firstLine = start == entriesStart ? 0 : tail.indexOf('\n') + 1;
        QList<QByteArray> lines = tail.mid(firstLine).split('\n');
        const bool reachedEntries = std::any_of(lines.cbegin(), lines.cend(), [&](const QByteArray& line) {
            return !line.isEmpty() && !line.startsWith(CHECKPOINT_MARKER);
        });
        if (!reachedEntries && start > entriesStart)
            continue;
        QList<QByteArray> notes;
        for (const QByteArray& line : std::as_const(lines)) {
            if (line.startsWith(CHECKPOINT_MARKER))
                notes.append(
                    QJsonDocument::fromJson(line).object().value(QStringLiteral("checkpoint")).toString().toUtf8());
        }
        return notes;
    }
}

Error at(qint64 seq, const QString& message)
{
    return Error{ErrorCode::Integrity, QStringLiteral("entry %1: %2").arg(seq).arg(message)};
}

} // namespace

QByteArray AuditExport::entryLine(const AuditEntry& entry)
{
    // Keys sorted (as QJsonDocument writes them); details is the entry's canonical JSON text.
    QJsonObject object{{QStringLiteral("seq"), entry.seq},
                       {QStringLiteral("ts"), entry.timestampMs},
                       {QStringLiteral("actor"), entry.actor},
                       {QStringLiteral("action"), entry.action},
                       {QStringLiteral("subject"), entry.subject},
                       {QStringLiteral("details"), QString::fromUtf8(entry.details)},
                       {QStringLiteral("prev_hash"), QString::fromLatin1(entry.prevHash.toHex())},
                       {QStringLiteral("entry_hash"), QString::fromLatin1(entry.entryHash.toHex())},
                       {QStringLiteral("mac"), QString::fromLatin1(entry.mac.toHex())}};
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}

Result<qint64> AuditExport::write(const AuditLog& log, const QList<Checkpoint>& checkpoints,
                                  const QByteArray& publicKey, QIODevice& out,
                                  const std::function<bool(qint64)>& progress)
{
    auto count = log.count();
    COUNTERSIGN_TRY(count);
    // The log as signed: entries appended after the newest checkpoint (by a process serving
    // meanwhile) would be covered by no signature, so they wait for the next export.
    qint64 signedSize = 0;
    for (const Checkpoint& checkpoint : checkpoints)
        signedSize = std::max(signedSize, static_cast<qint64>(checkpoint.size));
    const qint64 total = checkpoints.isEmpty() ? *count : std::min(*count, signedSize);
    const QJsonObject header{
        {QStringLiteral("format"), FORMAT},
        {QStringLiteral("version"), VERSION},
        {QStringLiteral("origin"), Checkpoint::originFor(publicKey)},
        {QStringLiteral("public_key"), QString::fromLatin1(publicKey.toBase64())},
        {QStringLiteral("entries"), total},
        {QStringLiteral("exported_at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)}};
    if (out.write(QJsonDocument(header).toJson(QJsonDocument::Compact) + '\n') < 0)
        return fail(ErrorCode::Io, out.errorString());
    qint64 written = 0;
    for (qint64 from = 1; from <= total; from += PAGE) {
        auto page = log.entries(from, static_cast<int>(std::min<qint64>(PAGE, total - from + 1)));
        COUNTERSIGN_TRY(page);
        QByteArray chunk;
        for (const AuditEntry& entry : std::as_const(*page))
            chunk += entryLine(entry);
        if (out.write(chunk) != chunk.size())
            return fail(ErrorCode::Io, out.errorString());
        written += page->size();
        if (progress && !progress(written))
            return fail(ErrorCode::Conflict, QStringLiteral("export cancelled"));
        if (page->size() < PAGE)
            break;
    }
    for (const Checkpoint& checkpoint : checkpoints) {
        const QByteArray line =
            QJsonDocument(QJsonObject{{QStringLiteral("checkpoint"), QString::fromUtf8(checkpoint.note)}})
                .toJson(QJsonDocument::Compact) +
            '\n';
        if (out.write(line) != line.size())
            return fail(ErrorCode::Io, out.errorString());
    }
    return written;
}

Result<AuditExport::Report> AuditExport::verify(QIODevice& in, const QByteArray& publicKey,
                                                const QList<QByteArray>& extraNotes,
                                                const std::function<bool(qint64)>& progress)
{
    Report report;
    if (in.isSequential())
        return fail(ErrorCode::InvalidArgument, QStringLiteral("the export must be a file, not a pipe"));
    const QByteArray headerLine = in.readLine();
    const QJsonObject header = QJsonDocument::fromJson(headerLine).object();
    if (header.value(QStringLiteral("format")).toString() != FORMAT ||
        header.value(QStringLiteral("version")).toInt() != VERSION)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("not a Countersign audit export (version %1)").arg(VERSION));
    const QByteArray named = QByteArray::fromBase64(header.value(QStringLiteral("public_key")).toString().toLatin1());
    if (!publicKey.isEmpty() && !named.isEmpty() && named != publicKey)
        return fail(ErrorCode::Integrity, QStringLiteral("the export names another instance's key than the one given"));
    report.publicKey = publicKey.isEmpty() ? named : publicKey;
    if (report.publicKey.size() != 32)
        return fail(ErrorCode::InvalidArgument, QStringLiteral("no valid Ed25519 public key to check signatures with"));

    // The checkpoints close the export, yet the walk over the entries checks each against the
    // root of its prefix: read them from the end of the file first.
    QList<QByteArray> notes = extraNotes;
    const qint64 entriesStart = in.pos();
    notes += trailingCheckpoints(in, entriesStart);
    if (!in.seek(entriesStart))
        return fail(ErrorCode::Io, in.errorString());
    QList<Checkpoint> checkpoints;
    for (const QByteArray& note : std::as_const(notes)) {
        auto parsed = Checkpoint::parse(note, report.publicKey);
        if (!parsed)
            return fail(ErrorCode::Integrity,
                        QStringLiteral("checkpoint %1: %2").arg(checkpoints.size() + 1).arg(parsed.error().message));
        checkpoints.append(*parsed);
    }
    ChainVerifier verifier(checkpoints);
    auto broken = [&verifier] {
        return fail(ErrorCode::Integrity, verifier.result().message);
    };

    // The lines are read in blocks; each block's lines are parsed and hashed on every core,
    // then handed to the verifier in order.
    struct Parsed {
        ExportLineReader::Entry entry;
        crypto::Digest computed{};
        crypto::Digest leaf{};
        QString error;
        bool checkpoint = false;
    };
    const int workers = std::clamp(QThread::idealThreadCount(), 1, 8);
    auto parse = [leavesNeeded = verifier.leavesNeeded()](const QList<QByteArrayView>& lines, qsizetype begin,
                                                          qsizetype end, Parsed* out) {
        thread_local ExportLineReader reader;
        for (qsizetype i = begin; i < end; ++i) {
            Parsed& parsed = out[i];
            if (lines.at(i).startsWith(CHECKPOINT_MARKER)) {
                parsed.checkpoint = true;
                return; // the checkpoints follow the entries
            }
            if (!reader.read(lines.at(i), parsed.entry)) {
                parsed.error = reader.error();
                continue;
            }
            parsed.computed = crypto::Sha256::of(parsed.entry.encoding);
            if (static_cast<quint64>(parsed.entry.seq) <= leavesNeeded)
                parsed.leaf = merkle::leafDigest(parsed.entry.encoding);
        }
    };
    QByteArray buffer;
    QList<QByteArrayView> lines;
    QList<Parsed> parsed;
    bool entriesEnded = false;
    while (!entriesEnded) {
        const QByteArray block = in.read(BLOCK_SIZE);
        const bool atEnd = block.isEmpty();
        buffer.append(block);
        const qsizetype complete = atEnd ? buffer.size() : buffer.lastIndexOf('\n') + 1;
        if (complete == 0 && !atEnd)
            continue; // a line longer than a block: read on
        lines.clear();
        for (qsizetype start = 0; start < complete;) {
            qsizetype end = buffer.indexOf('\n', start);
            if (end < 0 || end > complete)
                end = complete;
            lines.append(QByteArrayView(buffer).sliced(start, end - start));
            start = end + 1;
        }
        parsed.resize(lines.size());
        for (Parsed& line : parsed) {
            line.error.clear();
            line.checkpoint = false;
        }
        const qsizetype share = (lines.size() + workers - 1) / workers;
        Parsed* const out = parsed.data(); // detached once, here, not from the workers
        std::vector<std::future<void>> running;
        for (int w = 1; w < workers && w * share < lines.size(); ++w)
            running.push_back(std::async(std::launch::async, parse, std::cref(lines), w * share,
                                         std::min(lines.size(), (w + 1) * share), out));
        parse(lines, 0, std::min(lines.size(), share), out);
        for (auto& worker : running)
            worker.get();

        for (const Parsed& line : std::as_const(parsed)) {
            if (line.checkpoint) {
                entriesEnded = true;
                break;
            }
            if (!line.error.isEmpty())
                return std::unexpected(at(verifier.expectedSeq(), line.error));
            const ExportLineReader::Entry& entry = line.entry;
            if (!verifier.add({entry.seq, entry.timestampMs, crypto::view(entry.prevHash),
                               crypto::view(entry.entryHash), line.computed == entry.entryHash, true, false,
                               &line.leaf}))
                return broken();
        }
        buffer.remove(0, complete);
        if (atEnd)
            break;
        if (progress && !progress(verifier.result().checked))
            return fail(ErrorCode::Conflict, QStringLiteral("verification cancelled"));
    }
    report.entries = verifier.result().checked;
    const qint64 declared = header.value(QStringLiteral("entries")).toInteger(-1);
    if (declared >= 0 && declared != report.entries)
        return fail(ErrorCode::Integrity, QStringLiteral("the export declares %1 entries but holds %2: it was cut")
                                              .arg(declared)
                                              .arg(report.entries));
    if (!verifier.finish())
        return broken();
    // Entries past the last signed checkpoint carry nothing but hashes anyone can compute: a
    // fabricated or extended log. The instance signs a checkpoint at every export.
    const quint64 covered = verifier.leavesNeeded();
    if (covered < static_cast<quint64>(report.entries))
        return fail(ErrorCode::Integrity,
                    covered == 0 ? QStringLiteral("entry 1: no signed checkpoint covers the log: nothing shows that "
                                                  "the instance wrote these entries")
                                 : QStringLiteral("entry %1: entries %1 to %2 come after the last signed checkpoint "
                                                  "(for %3): nothing shows that the instance wrote them")
                                       .arg(covered + 1)
                                       .arg(report.entries)
                                       .arg(covered));
    // Every checkpoint matches a prefix of one log, so each is consistent with the others.
    report.checkpoints = static_cast<int>(checkpoints.size());
    if (progress)
        progress(report.entries);
    return report;
}

} // namespace countersign::audit
