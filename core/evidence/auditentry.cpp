#include "auditentry.h"

#include "crypto/crypto.h"

#include <QtEndian>

namespace countersign::audit {

namespace {

void appendU64(QByteArray& out, quint64 value)
{
    char bytes[8];
    qToBigEndian(value, bytes);
    out.append(bytes, sizeof bytes);
}

void appendField(QByteArray& out, QByteArrayView field)
{
    char bytes[4];
    qToBigEndian(static_cast<quint32>(field.size()), bytes);
    out.append(bytes, sizeof bytes);
    out.append(field);
}

} // namespace

void AuditEntry::encode(QByteArray& out, qint64 seq, qint64 timestampMs, QByteArrayView actor, QByteArrayView action,
                        QByteArrayView subject, QByteArrayView details, QByteArrayView prevHash)
{
    out.resize(0); // keeps the capacity
    out.reserve(4 + 16 + 16 + actor.size() + action.size() + subject.size() + details.size() + prevHash.size());
    out.append("CSA1");
    appendU64(out, static_cast<quint64>(seq));
    appendU64(out, static_cast<quint64>(timestampMs));
    appendField(out, actor);
    appendField(out, action);
    appendField(out, subject);
    appendField(out, details);
    out.append(prevHash);
}

QByteArray AuditEntry::canonicalEncoding() const
{
    QByteArray out;
    encode(out, seq, timestampMs, actor.toUtf8(), action.toUtf8(), subject.toUtf8(), details, prevHash);
    return out;
}

QByteArray AuditEntry::computeHash() const
{
    return crypto::sha256(canonicalEncoding());
}

std::optional<AuditEntry> AuditEntry::fromCanonicalEncoding(QByteArrayView bytes)
{
    qsizetype at = 0;
    auto take = [&](qsizetype count) -> std::optional<QByteArrayView> {
        if (count < 0 || bytes.size() - at < count)
            return std::nullopt;
        const QByteArrayView part = bytes.sliced(at, count);
        at += count;
        return part;
    };
    auto field = [&]() -> std::optional<QByteArray> {
        auto length = take(4);
        if (!length)
            return std::nullopt;
        auto value = take(static_cast<qsizetype>(qFromBigEndian<quint32>(length->data())));
        if (!value)
            return std::nullopt;
        return value->toByteArray();
    };
    auto magic = take(4);
    if (!magic || *magic != QByteArrayView("CSA1"))
        return std::nullopt;
    auto seq = take(8);
    auto time = take(8);
    if (!seq || !time)
        return std::nullopt;
    AuditEntry entry;
    entry.seq = static_cast<qint64>(qFromBigEndian<quint64>(seq->data()));
    entry.timestampMs = static_cast<qint64>(qFromBigEndian<quint64>(time->data()));
    auto actor = field();
    auto action = field();
    auto subject = field();
    auto details = field();
    auto prev = take(AUDIT_HASH_SIZE);
    if (!actor || !action || !subject || !details || !prev || at != bytes.size())
        return std::nullopt;
    entry.actor = QString::fromUtf8(*actor);
    entry.action = QString::fromUtf8(*action);
    entry.subject = QString::fromUtf8(*subject);
    entry.details = *details;
    entry.prevHash = prev->toByteArray();
    entry.entryHash = entry.computeHash();
    // Only a faithful round trip counts (no over-long or non-UTF-8 text).
    if (entry.canonicalEncoding() != bytes)
        return std::nullopt;
    return entry;
}

} // namespace countersign::audit
