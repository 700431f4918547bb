#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace countersign::audit {

/// One entry of the audit chain, as stored. See docs/audit-format.md for the encoding.
struct AuditEntry final {
    qint64 seq = 0;
    qint64 timestampMs = 0; // milliseconds since the Unix epoch, UTC
    QString actor;          // "system", "member:<id>", "runtime:<name>"
    QString action;         // dotted, e.g. "vault.created"
    QString subject;
    QByteArray details;   // canonical JSON object text, secrets already masked
    QByteArray prevHash;  // entry hash of seq - 1; 32 zero bytes for the first entry
    QByteArray entryHash; // SHA-256 of canonicalEncoding()
    QByteArray mac;       // HMAC-SHA-256 of entryHash under the vault's audit key

    /// The exact bytes that are hashed: magic "CSA1", seq and time as big-endian 64-bit
    /// integers, then actor, action, subject and details each as a big-endian 32-bit length
    /// followed by UTF-8, then the 32-byte previous hash.
    [[nodiscard]] QByteArray canonicalEncoding() const;
    [[nodiscard]] QByteArray computeHash() const;
    /// Writes the canonical encoding of the given fields (text as UTF-8) into \a out, reusing
    /// its capacity: the allocation-free form for verifying many entries.
    static void encode(QByteArray& out, qint64 seq, qint64 timestampMs, QByteArrayView actor, QByteArrayView action,
                       QByteArrayView subject, QByteArrayView details, QByteArrayView prevHash);
    /// The entry (without its MAC) from its canonical encoding; empty on malformed input.
    [[nodiscard]] static std::optional<AuditEntry> fromCanonicalEncoding(QByteArrayView bytes);
};

inline constexpr qsizetype AUDIT_HASH_SIZE = 32;

} // namespace countersign::audit
