#include "requestinput.h"

#include "http/httprequest.h"
#include "json/jsonstructure.h"
#include "statusmap.h"

#include <QJsonDocument>

namespace countersign::api {

Input jsonBody(const http::HttpRequest& request)
{
    const QByteArray type = request.header("content-type").toLower();
    const qsizetype semicolon = type.indexOf(';');
    const QByteArray mediaType = (semicolon < 0 ? type : type.left(semicolon)).trimmed();
    if (mediaType != "application/json")
        return std::unexpected(
            http::HttpResponse::refusal(http::TransportError::UnsupportedMediaType,
                                        QStringLiteral("send JSON with Content-Type: application/json")));
    if (auto structure = json::checkStructure(request.body); !structure)
        return std::unexpected(errorResponse(structure.error()));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &error);
    if (error.error != QJsonParseError::NoError)
        return std::unexpected(errorResponse(
            Error{ErrorCode::InvalidArgument, QStringLiteral("malformed JSON: %1").arg(error.errorString())}));
    if (!document.isObject())
        return std::unexpected(
            errorResponse(Error{ErrorCode::InvalidArgument, QStringLiteral("the body must be a JSON object")}));
    return document.object();
}

Result<std::pair<qint64, qint64>> auditRange(const http::HttpRequest& request, bool inclusion)
{
    const QByteArray first = inclusion ? QByteArrayLiteral("seq") : QByteArrayLiteral("from");
    const QByteArray second = inclusion ? QByteArrayLiteral("size") : QByteArrayLiteral("to");
    bool okFirst = false;
    bool okSecond = false;
    const qint64 a = request.queryValue(first).toLongLong(&okFirst);
    const qint64 b = request.queryValue(second).toLongLong(&okSecond);
    if (!okFirst || !okSecond)
        return fail(
            ErrorCode::InvalidArgument,
            QStringLiteral("%1 and %2 are whole numbers").arg(QString::fromLatin1(first), QString::fromLatin1(second)));
    return std::pair(a, b);
}

} // namespace countersign::api
