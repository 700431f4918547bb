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

QByteArray AuditEntry::canonicalEncoding() const
{
    const QByteArray actorUtf8 = actor.toUtf8();
    const QByteArray actionUtf8 = action.toUtf8();
    const QByteArray subjectUtf8 = subject.toUtf8();
    QByteArray out;
    out.reserve(4 + 16 + 16 + actorUtf8.size() + actionUtf8.size() + subjectUtf8.size() + details.size() +
                AUDIT_HASH_SIZE);
    out.append("CSA1");
    appendU64(out, static_cast<quint64>(seq));
    appendU64(out, static_cast<quint64>(timestampMs));
    appendField(out, actorUtf8);
    appendField(out, actionUtf8);
    appendField(out, subjectUtf8);
    appendField(out, details);
    out.append(prevHash);
    return out;
}

QByteArray AuditEntry::computeHash() const
{
    return crypto::sha256(canonicalEncoding());
}

} // namespace countersign::audit
