#pragma once

#include <QList>
#include <QString>

namespace countersign::audit {
struct AuditRecord;
}

namespace countersign::vault {

/// Failed unlocks, noted in a file beside the vault (the vault itself must stay byte-for-byte
/// untouched by a wrong passphrase) and audited at the next successful unlock.
class UnlockFailures final {
public:
    inline static const QString FILE_NAME = QStringLiteral("unlock-failures");

    /// Notes a failed unlock of the vault in \a dataDir, now.
    static void record(const QString& dataDir);
    /// The audit records for the failures noted so far: the first ones each with their time,
    /// every one beyond counted into a single summary, so that none goes unaudited and the file
    /// (outside the vault, its size not to be trusted) cannot make the chain grow without bound.
    [[nodiscard]] static QList<audit::AuditRecord> pending(const QString& dataDir);
    /// Forgets the failures noted (once they are audited).
    static void clear(const QString& dataDir);
};

} // namespace countersign::vault
