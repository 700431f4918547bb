#include "output.h"

#include <QCommandLineParser>

#include "exitcode.h"

#include <QJsonDocument>

#include <cstdio>

namespace countersign::cli {

void printResult(bool json, const QString& text, const QJsonObject& object)
{
    const QByteArray bytes = json ? QJsonDocument(object).toJson(QJsonDocument::Compact) : text.toUtf8();
    std::fwrite(bytes.constData(), 1, static_cast<std::size_t>(bytes.size()), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

int printError(bool json, const Error& error)
{
    const QByteArray bytes =
        json ? QJsonDocument(QJsonObject{{QStringLiteral("error"),
                                          QJsonObject{{QStringLiteral("code"), errorCodeName(error.code)},
                                                      {QStringLiteral("message"), error.message}}}})
                   .toJson(QJsonDocument::Compact)
             : (QStringLiteral("countersign-cli: ") + error.message).toUtf8();
    std::fwrite(bytes.constData(), 1, static_cast<std::size_t>(bytes.size()), stderr);
    std::fputc('\n', stderr);
    return exitCodeFor(error.code);
}

int printResponseError(bool json, const HttpClient::Response& response)
{
    QByteArray bytes;
    if (json)
        bytes = QJsonDocument(response.body).toJson(QJsonDocument::Compact);
    else if (response.status == 0)
        bytes = (QStringLiteral("countersign-cli: ") + response.errorMessage()).toUtf8();
    else
        bytes =
            QStringLiteral("countersign-cli: %1 (%2, HTTP %3)")
                .arg(response.errorMessage().isEmpty() ? QStringLiteral("the server refused") : response.errorMessage(),
                     response.errorCode().isEmpty() ? QStringLiteral("no error code") : response.errorCode())
                .arg(response.status)
                .toUtf8();
    std::fwrite(bytes.constData(), 1, static_cast<std::size_t>(bytes.size()), stderr);
    std::fputc('\n', stderr);
    return exitCodeForStatus(response.status);
}

Result<quint16> portOption(const QCommandLineParser& parser, quint16 fallback)
{
    if (!parser.isSet(QStringLiteral("port")))
        return fallback;
    bool ok = false;
    const quint16 port = parser.value(QStringLiteral("port")).toUShort(&ok);
    if (!ok || port == 0)
        return fail(ErrorCode::InvalidArgument, QStringLiteral("usage: --port takes a number from 1 to 65535"));
    return port;
}

} // namespace countersign::cli
