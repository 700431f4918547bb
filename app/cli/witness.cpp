#include "witness.h"

#include "evidence/checkpoint.h"
#include "evidence/merkle.h"
#include "exitcode.h"
#include "output.h"
#include "storage/durablefile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QLockFile>
#include <QSaveFile>

#include <cstdio>

namespace countersign::cli {

namespace {

constexpr int LOCK_TIMEOUT_MS = 60000;

QString count(quint64 size)
{
    return QLocale::c().toString(static_cast<qint64>(size));
}

QString errorOf(const QJsonObject& body)
{
    return body.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
}

Result<QJsonObject> readState(const QString& path)
{
    QFile file(path);
    if (!file.exists())
        return QJsonObject();
    if (!file.open(QIODevice::ReadOnly))
        return fail(ErrorCode::Io, QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return fail(ErrorCode::Io,
                    QStringLiteral("%1 is damaged: it no longer says which checkpoints this client has seen; move it "
                                   "aside to start witnessing afresh")
                        .arg(path));
    return document.object();
}

Result<void> writeState(const QString& path, const QJsonObject& state)
{
    const QString directory = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(directory))
        return fail(ErrorCode::Io, QStringLiteral("cannot create %1").arg(directory));
    QFile::setPermissions(directory, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(ErrorCode::Io, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    const QByteArray bytes = QJsonDocument(state).toJson(QJsonDocument::Indented);
    if (file.write(bytes) != bytes.size() || !file.commit())
        return fail(ErrorCode::Io, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    if (auto synced = storage::syncFile(path); !synced)
        return synced;
    return storage::syncDirectory(directory);
}

Result<QList<QByteArray>> base64List(const QJsonValue& value)
{
    QList<QByteArray> out;
    for (const QJsonValue& item : value.toArray()) {
        auto decoded =
            QByteArray::fromBase64Encoding(item.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!item.isString() || !decoded)
            return fail(ErrorCode::Unavailable, QStringLiteral("the consistency proof is not base64"));
        out.append(decoded.decoded);
    }
    return out;
}

} // namespace

Witness::Witness(QString stateFile)
    : m_stateFile(std::move(stateFile))
{
}

QString Witness::defaultStateFile()
{
    const QString explicitFile = qEnvironmentVariable("COUNTERSIGN_WITNESS_FILE");
    if (!explicitFile.isEmpty())
        return explicitFile;
    // XDG Base Directory Specification: state data goes to $XDG_STATE_HOME, ~/.local/state by default.
    QString base = qEnvironmentVariable("XDG_STATE_HOME");
    if (base.isEmpty() || QDir::isRelativePath(base))
        base = QDir::home().filePath(QStringLiteral(".local/state"));
    return QDir(base).filePath(QStringLiteral("countersign/witness.json"));
}

Result<QString> Witness::check(const Get& get) const
{
    const auto [status, body] = get(QStringLiteral("/v1/audit/checkpoint"));
    if (status == 0) // no exchange: no connection, or a certificate other than the pinned one
        return fail(ErrorCode::Unavailable, errorOf(body));
    if (status != 200)
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("the instance shows no checkpoint of its log (HTTP %1%2), so this client cannot "
                                   "check it was not rolled back")
                        .arg(status)
                        .arg(errorOf(body).isEmpty() ? QString() : QStringLiteral(": ") + errorOf(body)));
    auto publicKey = QByteArray::fromBase64Encoding(body.value(QStringLiteral("public_key")).toString().toLatin1(),
                                                    QByteArray::AbortOnBase64DecodingErrors);
    if (!publicKey || publicKey.decoded.size() != 32)
        return fail(ErrorCode::Unavailable, QStringLiteral("the instance's checkpoint names no public key"));
    auto current =
        audit::Checkpoint::parse(body.value(QStringLiteral("checkpoint")).toString().toUtf8(), publicKey.decoded);
    if (!current)
        return fail(ErrorCode::Integrity,
                    QStringLiteral("the instance's checkpoint does not verify: %1").arg(current.error().message));

    // One client process at a time reads, checks and updates what was seen.
    QDir().mkpath(QFileInfo(m_stateFile).absolutePath());
    QLockFile lock(m_stateFile + QStringLiteral(".lock"));
    lock.setStaleLockTime(0);
    if (!lock.tryLock(LOCK_TIMEOUT_MS))
        return fail(ErrorCode::Io, QStringLiteral("cannot lock %1").arg(m_stateFile));
    auto state = readState(m_stateFile);
    if (!state)
        return std::unexpected(state.error());
    QJsonObject instances = state->value(QStringLiteral("instances")).toObject();
    const QJsonObject remembered = instances.value(current->origin).toObject();
    if (!remembered.isEmpty()) {
        auto seen = audit::Checkpoint::parse(remembered.value(QStringLiteral("checkpoint")).toString().toUtf8(),
                                             publicKey.decoded);
        if (!seen)
            return fail(ErrorCode::Io, QStringLiteral("%1: the checkpoint remembered for %2 does not verify: %3")
                                           .arg(m_stateFile, current->origin, seen.error().message));
        const QString said = QStringLiteral("instance %1 was rolled back or rewritten: it showed this client a signed "
                                            "checkpoint for %2 entries")
                                 .arg(current->origin, count(seen->size));
        if (current->size < seen->size)
            return fail(ErrorCode::Integrity,
                        QStringLiteral("%1, and now shows one for %2 (an older copy of its vault was restored); "
                                       "refusing to use it")
                            .arg(said, count(current->size)));
        if (current->size == seen->size && current->root != seen->root)
            return fail(ErrorCode::Integrity,
                        QStringLiteral("%1, and now shows another tree of that size; refusing to use it").arg(said));
        if (current->size > seen->size) {
            const auto [proofStatus, proofBody] =
                get(QStringLiteral("/v1/audit/consistency?from=%1&to=%2").arg(seen->size).arg(current->size));
            if (proofStatus != 200)
                return fail(
                    ErrorCode::Integrity,
                    QStringLiteral("%1, and cannot prove that its log of %2 entries extends it (HTTP %3%4); "
                                   "refusing to use it")
                        .arg(said, count(current->size))
                        .arg(proofStatus)
                        .arg(errorOf(proofBody).isEmpty() ? QString() : QStringLiteral(": ") + errorOf(proofBody)));
            auto proof = base64List(proofBody.value(QStringLiteral("proof")));
            if (!proof)
                return std::unexpected(proof.error());
            // RFC 9162 section 2.1.4.2: the proof must lead from the remembered root to the current one.
            if (!audit::merkle::verifyConsistency(seen->size, current->size, *proof, seen->root, current->root))
                return fail(ErrorCode::Integrity,
                            QStringLiteral("%1, and its log of %2 entries does not extend that one; refusing to use "
                                           "it")
                                .arg(said, count(current->size)));
        }
        if (current->size == seen->size)
            return current->origin;
    }
    instances.insert(current->origin,
                     QJsonObject{{QStringLiteral("public_key"), QString::fromLatin1(publicKey.decoded.toBase64())},
                                 {QStringLiteral("size"), static_cast<qint64>(current->size)},
                                 {QStringLiteral("checkpoint"), QString::fromUtf8(current->note)}});
    state->insert(QStringLiteral("version"), 1);
    state->insert(QStringLiteral("instances"), instances);
    if (auto written = writeState(m_stateFile, *state); !written)
        return std::unexpected(written.error());
    return current->origin;
}

int reportWitnessFailure(bool json, const Error& error)
{
    (void)printError(json, error);
    // docs/runtime-guide.md: an instance that fails its witness check exits 3, as for a server
    // that fails to authenticate; only a state file that cannot be written is the CLI's own failure.
    return error.code == ErrorCode::Io ? EXIT_FAILED : EXIT_AUTH;
}

} // namespace countersign::cli
