#include "requestcommands.h"

#include "crypto/crypto.h"
#include "exitcode.h"
#include "json/canonicaljson.h"
#include "output.h"
#include "witness.h"

#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QThread>
#include <QUrl>

#include <cstdio>

namespace countersign::cli {

namespace {

constexpr int MAX_POLL_SECONDS = 60;

Result<QJsonValue> readPayload(const QString& source)
{
    QFile file;
    const bool fromStdin = source == u"-";
    if (fromStdin ? !file.open(stdin, QIODevice::ReadOnly)
                  : (file.setFileName(source), !file.open(QIODevice::ReadOnly)))
        return fail(ErrorCode::InvalidArgument, QStringLiteral("cannot read the payload %1").arg(source));
    const QByteArray bytes = file.read(64 * 1024 + 1);
    if (bytes.size() > 64 * 1024)
        return fail(ErrorCode::InvalidArgument, QStringLiteral("the payload is larger than 64 KiB"));
    // Any JSON value: wrap it so that scalars parse too.
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson('[' + bytes + ']', &error);
    if (error.error != QJsonParseError::NoError || document.array().size() != 1)
        return fail(ErrorCode::InvalidArgument, QStringLiteral("the payload is not one JSON value"));
    return document.array().at(0);
}

QString digestOf(const QJsonValue& payload)
{
    return QString::fromLatin1(crypto::sha256(json::canonicalJson(payload)).toHex());
}

} // namespace

RequestCommands::RequestCommands(HttpClient client, bool json)
    : m_client(std::move(client))
    , m_json(json)
{
}

int RequestCommands::run(const QString& command, const QStringList& args, const QCommandLineParser& parser)
{
    // Before anything else: the instance still holds the log this client saw before.
    const Witness witness(Witness::defaultStateFile());
    if (auto witnessed = witness.check([this](const QString& path) {
            const HttpClient::Response response = m_client.get(path);
            return std::pair{response.status, response.body};
        });
        !witnessed)
        return reportWitnessFailure(m_json, witnessed.error());
    if (command == u"request")
        return request(parser);
    if (command == u"exec")
        return exec(args, parser);
    if (args.size() != 1)
        return printError(m_json, Error{ErrorCode::InvalidArgument, QStringLiteral("usage: %1 ID").arg(command)});
    const QString id = args.at(0);
    if (command == u"status")
        return status(id);
    if (command == u"wait")
        return wait(id, parser.isSet(QStringLiteral("timeout")) ? parser.value(QStringLiteral("timeout")).toInt() : -1);
    if (command == u"consume")
        return consume(id, parser);
    return cancel(id);
}

int RequestCommands::reportState(const QJsonObject& request)
{
    const QString state = request.value(QStringLiteral("state")).toString();
    printResult(m_json,
                QStringLiteral("%1 %2 (%3, approvals %4/%5)")
                    .arg(request.value(QStringLiteral("id")).toString(), state,
                         request.value(QStringLiteral("capability")).toString())
                    .arg(request.value(QStringLiteral("approvals")).toInt())
                    .arg(request.value(QStringLiteral("required_approvals")).toInt()),
                request);
    if (state == u"denied")
        return EXIT_DENIED;
    if (state == u"expired")
        return EXIT_EXPIRED;
    if (state == u"cancelled")
        return EXIT_CANCELLED;
    return EXIT_OK;
}

Result<QJsonObject> RequestCommands::waitFor(const QString& id, int timeoutSeconds)
{
    QElapsedTimer timer;
    timer.start();
    const QString path = QStringLiteral("/v1/requests/") + QString::fromLatin1(QUrl::toPercentEncoding(id));
    for (;;) {
        int wait = MAX_POLL_SECONDS;
        if (timeoutSeconds >= 0)
            wait = static_cast<int>(std::clamp<qint64>(timeoutSeconds - timer.elapsed() / 1000, 0, MAX_POLL_SECONDS));
        const HttpClient::Response response =
            m_client.get(path + QStringLiteral("?wait=%1").arg(wait), (wait + 15) * 1000);
        if (response.status == 429) {
            QThread::sleep(std::max(1, response.retryAfter.toInt()));
            continue;
        }
        if (response.status != 200)
            return fail(ErrorCode::Unavailable, QString::number(printResponseError(m_json, response)));
        if (response.body.value(QStringLiteral("state")).toString() != u"pending")
            return response.body;
        if (timeoutSeconds >= 0 && timer.elapsed() >= qint64{timeoutSeconds} * 1000)
            return response.body;
    }
}

int RequestCommands::request(const QCommandLineParser& parser)
{
    if (!parser.isSet(QStringLiteral("capability")) || !parser.isSet(QStringLiteral("summary")))
        return printError(
            m_json, Error{ErrorCode::InvalidArgument, QStringLiteral("request needs --capability C and --summary S")});
    QJsonObject body{{QStringLiteral("capability"), parser.value(QStringLiteral("capability"))},
                     {QStringLiteral("summary"), parser.value(QStringLiteral("summary"))}};
    if (parser.isSet(QStringLiteral("risk")))
        body.insert(QStringLiteral("risk"), parser.value(QStringLiteral("risk")));
    if (parser.isSet(QStringLiteral("details")))
        body.insert(QStringLiteral("details"), parser.value(QStringLiteral("details")));
    if (parser.isSet(QStringLiteral("payload"))) {
        auto payload = readPayload(parser.value(QStringLiteral("payload")));
        if (!payload)
            return printError(m_json, payload.error());
        body.insert(QStringLiteral("payload"), *payload);
    }
    const HttpClient::Response created =
        m_client.post(QStringLiteral("/v1/requests"), body, parser.value(QStringLiteral("idempotency-key")).toUtf8());
    if (created.status != 201 && created.status != 200)
        return printResponseError(m_json, created);
    if (!parser.isSet(QStringLiteral("wait")))
        return reportState(created.body);
    const int timeout =
        parser.value(QStringLiteral("wait")).isEmpty() ? -1 : parser.value(QStringLiteral("wait")).toInt();
    auto decided = waitFor(created.body.value(QStringLiteral("id")).toString(), timeout);
    if (!decided)
        return decided.error().message.toInt();
    const int code = reportState(*decided);
    return decided->value(QStringLiteral("state")).toString() == u"pending" ? EXIT_EXPIRED : code;
}

int RequestCommands::status(const QString& id)
{
    const HttpClient::Response response =
        m_client.get(QStringLiteral("/v1/requests/") + QString::fromLatin1(QUrl::toPercentEncoding(id)));
    if (response.status != 200)
        return printResponseError(m_json, response);
    return reportState(response.body);
}

int RequestCommands::wait(const QString& id, int timeoutSeconds)
{
    auto decided = waitFor(id, timeoutSeconds);
    if (!decided)
        return decided.error().message.toInt();
    const int code = reportState(*decided);
    return decided->value(QStringLiteral("state")).toString() == u"pending" ? EXIT_EXPIRED : code;
}

int RequestCommands::consume(const QString& id, const QCommandLineParser& parser)
{
    if (!parser.isSet(QStringLiteral("payload")))
        return printError(m_json,
                          Error{ErrorCode::InvalidArgument,
                                QStringLiteral("consume needs --payload FILE|- (the payload you will act on)")});
    auto payload = readPayload(parser.value(QStringLiteral("payload")));
    if (!payload)
        return printError(m_json, payload.error());
    const HttpClient::Response response = consumeOnce(id, digestOf(*payload));
    if (response.status != 200)
        return printResponseError(m_json, response);
    printResult(m_json, QStringLiteral("consumed %1").arg(id), response.body);
    return EXIT_OK;
}

HttpClient::Response RequestCommands::consumeOnce(const QString& id, const QString& payloadSha256)
{
    constexpr int ATTEMPTS = 4;
    const QByteArray key = "consume-" + crypto::randomBytes(18).toBase64(QByteArray::Base64UrlEncoding);
    const QString path =
        QStringLiteral("/v1/requests/%1/consume").arg(QString::fromLatin1(QUrl::toPercentEncoding(id)));
    HttpClient::Response response;
    for (int attempt = 1; attempt <= ATTEMPTS; ++attempt) {
        response = m_client.post(path, QJsonObject{{QStringLiteral("payload_sha256"), payloadSha256}}, key);
        if (response.status != 0 && response.status < 500)
            break;
        if (attempt < ATTEMPTS)
            QThread::sleep(attempt);
    }
    return response;
}

int RequestCommands::cancel(const QString& id)
{
    const HttpClient::Response response = m_client.post(
        QStringLiteral("/v1/requests/%1/cancel").arg(QString::fromLatin1(QUrl::toPercentEncoding(id))), QJsonObject{});
    if (response.status != 200)
        return printResponseError(m_json, response);
    printResult(m_json, QStringLiteral("cancelled %1").arg(id), response.body);
    return EXIT_OK;
}

int RequestCommands::exec(const QStringList& command, const QCommandLineParser& parser)
{
    if (command.isEmpty() || !parser.isSet(QStringLiteral("capability")))
        return printError(m_json, Error{ErrorCode::InvalidArgument,
                                        QStringLiteral("usage: exec --capability C [--summary S] -- COMMAND ARGS...")});
    // The approval binds the exact command line and working directory.
    const QJsonValue payload = QJsonObject{{QStringLiteral("argv"), QJsonArray::fromStringList(command)},
                                           {QStringLiteral("cwd"), QDir::currentPath()}};
    QJsonObject body{{QStringLiteral("capability"), parser.value(QStringLiteral("capability"))},
                     {QStringLiteral("summary"), parser.isSet(QStringLiteral("summary"))
                                                     ? parser.value(QStringLiteral("summary"))
                                                     : QStringLiteral("Run: %1").arg(command.join(u' ')).left(200)},
                     {QStringLiteral("payload"), payload}};
    if (parser.isSet(QStringLiteral("risk")))
        body.insert(QStringLiteral("risk"), parser.value(QStringLiteral("risk")));
    const HttpClient::Response created = m_client.post(QStringLiteral("/v1/requests"), body);
    if (created.status != 201 && created.status != 200)
        return printResponseError(m_json, created);
    const QString id = created.body.value(QStringLiteral("id")).toString();
    std::fprintf(stderr, "countersign: waiting for approval of %s (%s)\n", qPrintable(id),
                 qPrintable(body.value(QStringLiteral("summary")).toString()));
    const int timeout = parser.isSet(QStringLiteral("timeout")) ? parser.value(QStringLiteral("timeout")).toInt() : -1;
    auto decided = waitFor(id, timeout);
    if (!decided)
        return decided.error().message.toInt();
    const QString state = decided->value(QStringLiteral("state")).toString();
    if (state != u"approved") {
        std::fprintf(stderr, "countersign: %s is %s; not running the command\n", qPrintable(id), qPrintable(state));
        return state == u"denied" ? EXIT_DENIED : state == u"cancelled" ? EXIT_CANCELLED : EXIT_EXPIRED;
    }
    const HttpClient::Response consumed = consumeOnce(id, digestOf(payload));
    if (consumed.status != 200)
        return printResponseError(m_json, consumed);
    QProcess process;
    // The approval is for this command, not a grant of the runtime's credential: the command
    // does not inherit the token (nor where to read it).
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("COUNTERSIGN_TOKEN"));
    environment.remove(QStringLiteral("COUNTERSIGN_TOKEN_FILE"));
    process.setProcessEnvironment(environment);
    process.setProcessChannelMode(QProcess::ForwardedChannels);
    process.setInputChannelMode(QProcess::ForwardedInputChannel);
    process.start(command.first(), command.mid(1));
    if (!process.waitForStarted(-1)) {
        std::fprintf(stderr, "countersign: cannot start %s: %s\n", qPrintable(command.first()),
                     qPrintable(process.errorString()));
        return 127;
    }
    process.waitForFinished(-1);
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : 128 + 9;
}

} // namespace countersign::cli
