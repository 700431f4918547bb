#include "checkpoint.h"

#include "crypto/crypto.h"
#include "crypto/signingkey.h"

#include <algorithm>

namespace countersign::audit {

namespace {

const QByteArray EM_DASH_SPACE = QByteArrayLiteral("\xE2\x80\x94 ");
constexpr char ED25519_TYPE = 0x01;
constexpr qsizetype KEY_ID_SIZE = 4;

Result<quint64> parseSize(const QByteArray& text)
{
    const bool digitsOnly =
        !text.isEmpty() && std::all_of(text.cbegin(), text.cend(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digitsOnly || (text.size() > 1 && text.startsWith('0')) || text.size() > 19)
        return fail(ErrorCode::Integrity, QStringLiteral("the checkpoint size is not a plain decimal number"));
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < 0)
        return fail(ErrorCode::Integrity, QStringLiteral("the checkpoint size is out of range"));
    return static_cast<quint64>(value);
}

} // namespace

QString Checkpoint::originFor(const QByteArray& publicKey)
{
    return QStringLiteral("countersign/") + QString::fromLatin1(crypto::sha256(publicKey).left(8).toHex());
}

QByteArray Checkpoint::keyId(const QString& keyName, const QByteArray& publicKey)
{
    QByteArray input = keyName.toUtf8();
    input.append('\n');
    input.append(ED25519_TYPE);
    input.append(publicKey);
    return crypto::sha256(input).left(KEY_ID_SIZE);
}

QByteArray Checkpoint::body(const QString& origin, quint64 size, const QByteArray& root)
{
    return origin.toUtf8() + '\n' + QByteArray::number(size) + '\n' + root.toBase64() + '\n';
}

Checkpoint Checkpoint::sign(quint64 size, const QByteArray& root, const crypto::SigningKey& key)
{
    const QString origin = originFor(key.publicKey());
    const QByteArray text = body(origin, size, root);
    const QByteArray signature = keyId(origin, key.publicKey()) + key.sign(text);
    return Checkpoint{origin, size, root,
                      text + '\n' + EM_DASH_SPACE + origin.toUtf8() + ' ' + signature.toBase64() + '\n'};
}

Result<Checkpoint> Checkpoint::parse(const QByteArray& note, const QByteArray& publicKey)
{
    if (!note.endsWith('\n'))
        return fail(ErrorCode::Integrity, QStringLiteral("a signed note ends with a newline"));
    const qsizetype separator = note.indexOf("\n\n");
    if (separator < 0)
        return fail(ErrorCode::Integrity, QStringLiteral("the signed note has no blank line before its signatures"));
    const QByteArray text = note.left(separator + 1);
    QList<QByteArray> lines = text.split('\n');
    lines.removeLast(); // after the final newline
    if (lines.size() < 3)
        return fail(ErrorCode::Integrity, QStringLiteral("a checkpoint has an origin, a size and a root hash line"));
    for (const QByteArray& line : std::as_const(lines)) {
        if (line.isEmpty() || line.contains('\r'))
            return fail(ErrorCode::Integrity, QStringLiteral("the checkpoint has an empty or malformed line"));
    }
    Checkpoint checkpoint;
    checkpoint.origin = QString::fromUtf8(lines.at(0));
    auto size = parseSize(lines.at(1));
    COUNTERSIGN_TRY(size);
    checkpoint.size = *size;
    auto root = QByteArray::fromBase64Encoding(lines.at(2), QByteArray::AbortOnBase64DecodingErrors);
    if (!root || root.decoded.size() != 32 || root.decoded.toBase64() != lines.at(2))
        return fail(ErrorCode::Integrity, QStringLiteral("the checkpoint root is not 32 bytes of base64"));
    checkpoint.root = root.decoded;
    if (checkpoint.origin != originFor(publicKey))
        return fail(ErrorCode::Integrity, QStringLiteral("the checkpoint is for origin '%1', not this instance's key")
                                              .arg(checkpoint.origin.left(100)));

    const QByteArray expectedId = keyId(checkpoint.origin, publicKey);
    QList<QByteArray> signatures = note.mid(separator + 2).split('\n');
    signatures.removeLast();
    if (signatures.isEmpty())
        return fail(ErrorCode::Integrity, QStringLiteral("the signed note has no signature"));
    bool verified = false;
    for (const QByteArray& line : std::as_const(signatures)) {
        if (!line.startsWith(EM_DASH_SPACE))
            return fail(ErrorCode::Integrity, QStringLiteral("a signature line starts with an em dash and a space"));
        const QList<QByteArray> parts = line.mid(EM_DASH_SPACE.size()).split(' ');
        if (parts.size() != 2 || parts.at(0).isEmpty())
            return fail(ErrorCode::Integrity, QStringLiteral("a signature line holds a key name and a signature"));
        auto decoded = QByteArray::fromBase64Encoding(parts.at(1), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || decoded.decoded.size() <= KEY_ID_SIZE)
            return fail(ErrorCode::Integrity, QStringLiteral("a signature is not valid base64"));
        if (QString::fromUtf8(parts.at(0)) != checkpoint.origin || decoded.decoded.left(KEY_ID_SIZE) != expectedId)
            continue; // another key's signature: not ours to check
        if (!crypto::SigningKey::verify(publicKey, text, decoded.decoded.mid(KEY_ID_SIZE)))
            return fail(ErrorCode::Integrity,
                        QStringLiteral("the checkpoint signature for size %1 does not verify").arg(checkpoint.size));
        verified = true;
    }
    if (!verified)
        return fail(ErrorCode::Integrity, QStringLiteral("the checkpoint is not signed by this instance's key"));
    checkpoint.note = note;
    return checkpoint;
}

Result<QList<Checkpoint>> Checkpoint::parseFile(const QByteArray& contents, const QByteArray& publicKey)
{
    QList<Checkpoint> checkpoints;
    qsizetype at = 0;
    while (at < contents.size()) {
        // A note is its text, a blank line, signature lines; the next note follows one empty line.
        const qsizetype signaturesAt = contents.indexOf("\n\n", at);
        if (signaturesAt < 0)
            return fail(ErrorCode::Integrity,
                        QStringLiteral("checkpoint %1 of the file is incomplete").arg(checkpoints.size() + 1));
        const qsizetype end = contents.indexOf("\n\n", signaturesAt + 2);
        const qsizetype noteEnd = end < 0 ? contents.size() : end + 1;
        auto parsed = parse(contents.mid(at, noteEnd - at), publicKey);
        if (!parsed)
            return fail(parsed.error().code, QStringLiteral("checkpoint %1 of the file: %2")
                                                 .arg(checkpoints.size() + 1)
                                                 .arg(parsed.error().message));
        checkpoints.append(*parsed);
        at = noteEnd + 1;
    }
    return checkpoints;
}

} // namespace countersign::audit
