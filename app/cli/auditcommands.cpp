#include "auditcommands.h"

#include "application/auditservice.h"
#include "audit/auditexport.h"
#include "evidence/receipt.h"
#include "exitcode.h"
#include "output.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

#include <unistd.h>

namespace countersign::cli {

namespace {

/// A public key given as base64 on the command line, or as a file holding it.
Result<QByteArray> parseKey(const QString& text)
{
    QByteArray value = text.toLatin1().trimmed();
    QFile file(text);
    if (file.exists() && file.open(QIODevice::ReadOnly))
        value = file.readAll().trimmed();
    auto decoded = QByteArray::fromBase64Encoding(value, QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() != 32)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("--key takes the instance's Ed25519 public key in base64 (or a file holding it)"));
    return decoded.decoded;
}

Result<QByteArray> readFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(ErrorCode::Io, QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    return file.readAll();
}

} // namespace

AuditCommands::AuditCommands(AdminTarget target, bool json)
    : m_target(std::move(target))
    , m_json(json)
{
}

int AuditCommands::audit(const QStringList& args, const QCommandLineParser& parser)
{
    const QString command = args.value(0);
    if (command == u"export" && args.size() == 2)
        return exportTo(args.at(1));
    if (command == u"verify" && args.size() == 2)
        return verifyExport(args.at(1), parser);
    if (command == u"key" && args.size() == 1)
        return printKey();
    return printError(m_json, Error{ErrorCode::InvalidArgument,
                                    QStringLiteral("usage: audit export FILE | audit verify EXPORT [--checkpoint "
                                                   "FILE] [--key KEY] | audit key")});
}

int AuditCommands::printKey()
{
    auto session = AdminSession::open(m_target);
    if (!session)
        return printError(m_json, session.error());
    const QByteArray publicKey = (*session)->instancePublicKey();
    const QString key = QString::fromLatin1(publicKey.toBase64());
    printResult(m_json, key,
                QJsonObject{{QStringLiteral("public_key"), key},
                            {QStringLiteral("origin"), audit::Checkpoint::originFor(publicKey)}});
    return EXIT_OK;
}

int AuditCommands::exportTo(const QString& path)
{
    auto session = AdminSession::open(m_target);
    if (!session)
        return printError(m_json, session.error());
    auto service = (*session)->auditService();
    if (!service)
        return printError(m_json, service.error());
    const bool tty = !m_json && isatty(fileno(stderr));
    auto exported = (*service)->exportTo(path, [tty](qint64 done) {
        if (tty)
            std::fprintf(stderr, "\rexported %lld entries", static_cast<long long>(done));
        return true;
    });
    if (tty)
        std::fputc('\n', stderr);
    if (!exported)
        return printError(m_json, exported.error());
    printResult(m_json,
                QStringLiteral("exported %1 entries and %2 checkpoints to %3")
                    .arg(exported->entries)
                    .arg(exported->checkpoints)
                    .arg(path),
                QJsonObject{{QStringLiteral("entries"), exported->entries},
                            {QStringLiteral("checkpoints"), exported->checkpoints},
                            {QStringLiteral("file"), path}});
    return EXIT_OK;
}

int AuditCommands::verifyExport(const QString& path, const QCommandLineParser& parser)
{
    QByteArray key;
    if (parser.isSet(QStringLiteral("key"))) {
        auto parsed = parseKey(parser.value(QStringLiteral("key")));
        if (!parsed)
            return printError(m_json, parsed.error());
        key = *parsed;
    }
    QList<QByteArray> extra;
    for (const QString& checkpointFile : parser.values(QStringLiteral("checkpoint"))) {
        auto contents = readFile(checkpointFile);
        if (!contents)
            return printError(m_json, contents.error());
        // A checkpoint file (notes separated by empty lines), a receipt holding one, or what
        // consume answered ({"receipt": {...}, "state": ...}, as `consume --json` prints it).
        QJsonObject receipt = QJsonDocument::fromJson(*contents).object();
        if (receipt.value(QStringLiteral("receipt")).isObject())
            receipt = receipt.value(QStringLiteral("receipt")).toObject();
        if (receipt.contains(QStringLiteral("checkpoint"))) {
            extra.append(receipt.value(QStringLiteral("checkpoint")).toString().toUtf8());
            continue;
        }
        qsizetype at = 0;
        while (at < contents->size()) {
            const qsizetype signatures = contents->indexOf("\n\n", at);
            const qsizetype end = signatures < 0 ? -1 : contents->indexOf("\n\n", signatures + 2);
            const qsizetype noteEnd = end < 0 ? contents->size() : end + 1;
            extra.append(contents->mid(at, noteEnd - at));
            at = noteEnd + 1;
        }
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return printError(m_json,
                          Error{ErrorCode::Io, QStringLiteral("cannot read %1: %2").arg(path, file.errorString())});
    auto report = audit::AuditExport::verify(file, key, extra);
    if (!report && report.error().code != ErrorCode::Integrity)
        return printError(m_json, report.error()); // not an export, unreadable, no key: not a verdict
    if (!report) {
        printResult(m_json, QStringLiteral("audit export does NOT verify: %1").arg(report.error().message),
                    QJsonObject{{QStringLiteral("ok"), false}, {QStringLiteral("message"), report.error().message}});
        return EXIT_FAILED;
    }
    const QString publicKey = QString::fromLatin1(report->publicKey.toBase64());
    if (key.isEmpty()) {
        // Signed by the key the file itself names: anyone can make such a file. Consistent, but
        // nothing says it comes from the instance.
        printResult(
            m_json,
            QStringLiteral("audit export NOT verified: its %1 entries and %2 checkpoints hold together, but they "
                           "are signed by the key the file names (%3), which nothing vouches for; give the "
                           "instance's key with --key (countersign-cli audit key)")
                .arg(report->entries)
                .arg(report->checkpoints)
                .arg(publicKey),
            QJsonObject{{QStringLiteral("ok"), false},
                        {QStringLiteral("signer_verified"), false},
                        {QStringLiteral("entries"), report->entries},
                        {QStringLiteral("checkpoints"), report->checkpoints},
                        {QStringLiteral("public_key"), publicKey}});
        return EXIT_FAILED;
    }
    printResult(m_json,
                QStringLiteral("audit export OK: %1 entries, every hash and link holds, %2 signed checkpoints match, "
                               "the last covering every entry")
                    .arg(report->entries)
                    .arg(report->checkpoints),
                QJsonObject{{QStringLiteral("ok"), true},
                            {QStringLiteral("signer_verified"), true},
                            {QStringLiteral("entries"), report->entries},
                            {QStringLiteral("checkpoints"), report->checkpoints},
                            {QStringLiteral("public_key"), publicKey}});
    return EXIT_OK;
}

int AuditCommands::receipt(const QStringList& args, const QCommandLineParser& parser)
{
    if (args.size() != 2 || args.at(0) != u"verify" || !parser.isSet(QStringLiteral("key")))
        return printError(m_json,
                          Error{ErrorCode::InvalidArgument, QStringLiteral("usage: receipt verify FILE --key KEY")});
    auto key = parseKey(parser.value(QStringLiteral("key")));
    if (!key)
        return printError(m_json, key.error());
    auto contents = readFile(args.at(1));
    if (!contents)
        return printError(m_json, contents.error());
    // What consume answered ({"receipt": {...}, "state": ...}) or the receipt itself.
    auto parsed = audit::Receipt::parse(*contents);
    const QJsonObject object = parsed.value_or(QJsonObject());
    auto checkpoint =
        parsed ? audit::Receipt::verify(object, *key) : Result<audit::Checkpoint>(std::unexpected(parsed.error()));
    if (!checkpoint) {
        printResult(
            m_json, QStringLiteral("receipt does NOT verify: %1").arg(checkpoint.error().message),
            QJsonObject{{QStringLiteral("ok"), false}, {QStringLiteral("message"), checkpoint.error().message}});
        return EXIT_FAILED;
    }
    printResult(m_json,
                QStringLiteral("receipt OK: request %1 (%2) consumed as audit entry %3, included in the checkpoint of "
                               "%4 entries signed by %5")
                    .arg(object.value(QStringLiteral("request_id")).toString(),
                         object.value(QStringLiteral("capability")).toString())
                    .arg(object.value(QStringLiteral("audit_seq")).toInteger())
                    .arg(checkpoint->size)
                    .arg(checkpoint->origin),
                QJsonObject{{QStringLiteral("ok"), true},
                            {QStringLiteral("request_id"), object.value(QStringLiteral("request_id"))},
                            {QStringLiteral("audit_seq"), object.value(QStringLiteral("audit_seq"))},
                            {QStringLiteral("checkpoint_size"), static_cast<qint64>(checkpoint->size)}});
    return EXIT_OK;
}

} // namespace countersign::cli
