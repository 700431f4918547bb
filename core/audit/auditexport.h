#pragma once

#include "auditlog.h"
#include "error.h"
#include "evidence/checkpoint.h"

#include <QIODevice>

#include <functional>

namespace countersign::audit {

/// The export of an audit chain as JSON Lines (docs/audit-format.md): a header line, one line
/// per entry in order, then one line per signed checkpoint. Everything needed to check it
/// without the vault, except the MACs (their key never leaves the vault).
class AuditExport final {
public:
    inline static const QString FORMAT = QStringLiteral("countersign-audit-export");
    static constexpr int VERSION = 1;

    /// One entry's line, with its newline (keys sorted; details as its canonical JSON text).
    [[nodiscard]] static QByteArray entryLine(const AuditEntry& entry);

    /// Writes the whole chain of \a log with \a checkpoints and the instance's \a publicKey.
    /// \a progress gets the entries written so far; returning false cancels.
    [[nodiscard]] static Result<qint64> write(const AuditLog& log, const QList<Checkpoint>& checkpoints,
                                              const QByteArray& publicKey, QIODevice& out,
                                              const std::function<bool(qint64)>& progress = {});

    /// What an offline verification found.
    struct Report {
        qint64 entries = 0;
        int checkpoints = 0;
        QByteArray publicKey;
    };
    /// Checks an export: every entry's hash and link, sequence and time order, every checkpoint's
    /// signature by \a publicKey (or the key the export names, when empty), the Merkle root of
    /// each checkpoint's prefix, and that the log reaches the largest checkpoint. \a extra holds
    /// checkpoints kept elsewhere (a checkpoint file, a receipt's). The error names the first
    /// failure and its sequence number.
    [[nodiscard]] static Result<Report> verify(QIODevice& in, const QByteArray& publicKey,
                                               const QList<QByteArray>& extraNotes = {},
                                               const std::function<bool(qint64)>& progress = {});
};

} // namespace countersign::audit
