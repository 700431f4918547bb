#include "output.h"

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
    int code = EXIT_FAILED;
    switch (error.code) {
    case ErrorCode::InvalidArgument:
    case ErrorCode::WeakPassphrase:
        code = EXIT_USAGE;
        break;
    case ErrorCode::WrongPassphrase:
    case ErrorCode::Unauthenticated:
        code = EXIT_AUTH;
        break;
    case ErrorCode::PermissionDenied:
    case ErrorCode::Conflict:
    case ErrorCode::Expired:
    case ErrorCode::Revoked:
        code = EXIT_REFUSED;
        break;
    case ErrorCode::NotEncrypted:
    case ErrorCode::UnsupportedSchema:
    case ErrorCode::AlreadyExists:
        code = EXIT_REFUSED;
        break;
    default:
        break;
    }
    const QByteArray bytes =
        json ? QJsonDocument(QJsonObject{{QStringLiteral("error"),
                                          QJsonObject{{QStringLiteral("code"), errorCodeName(error.code)},
                                                      {QStringLiteral("message"), error.message}}}})
                   .toJson(QJsonDocument::Compact)
             : (QStringLiteral("countersign-cli: ") + error.message).toUtf8();
    std::fwrite(bytes.constData(), 1, static_cast<std::size_t>(bytes.size()), stderr);
    std::fputc('\n', stderr);
    return code;
}

} // namespace countersign::cli
