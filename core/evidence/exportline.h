#pragma once

#include "auditentry.h"

#include "crypto/sha256.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace countersign::audit {

/// A strict reader of the entry lines of an audit export (docs/audit-format.md): one JSON
/// object with exactly the keys action, actor, details, entry_hash, mac, prev_hash, seq,
/// subject and ts, in any order and each once; strings valid UTF-8 (escapes decoded, lone
/// surrogates refused), hashes 64 lower-case hex digits, seq and ts non-negative integers
/// without leading zeros. Made for speed: no allocation per line once its buffers have grown,
/// so one reader per thread. JSON whitespace between tokens is allowed.
class ExportLineReader final {
public:
    struct Entry {
        qint64 seq = 0;
        qint64 timestampMs = 0;
        crypto::Digest prevHash{};
        crypto::Digest entryHash{}; // as claimed by the line
        crypto::Digest mac{};
        /// The canonical encoding (AuditEntry::canonicalEncoding) rebuilt from the fields;
        /// valid until the next read().
        QByteArrayView encoding;
    };

    /// Reads \a line (without its newline) into \a out; on failure returns false and sets
    /// error() to what is wrong with it.
    [[nodiscard]] bool read(QByteArrayView line, Entry& out);
    [[nodiscard]] const QString& error() const { return m_error; }

private:
    bool fail(const QString& message);
    bool readString(QByteArray& out);
    bool readInteger(qint64& out);
    bool readDigest(crypto::Digest& out);
    void skipSpace();

    QByteArrayView m_line;
    qsizetype m_at = 0;
    QString m_error;
    QByteArray m_text[4]; // actor, action, subject, details
    QByteArray m_scratch;
    QByteArray m_encoding;
};

} // namespace countersign::audit
