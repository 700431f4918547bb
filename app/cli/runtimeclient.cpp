#include "runtimeclient.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace countersign::cli {

RuntimeClient::RuntimeClient(QUrl baseUrl, QByteArray token)
    : m_baseUrl(std::move(baseUrl))
    , m_token(std::move(token))
{
}

Result<RuntimeClient> RuntimeClient::fromEnvironment()
{
    const QString url = qEnvironmentVariable("COUNTERSIGN_URL", QStringLiteral("http://127.0.0.1:7447"));
    const QUrl base(url);
    if (!base.isValid() || (base.scheme() != u"http" && base.scheme() != u"https"))
        return fail(ErrorCode::InvalidArgument, QStringLiteral("COUNTERSIGN_URL is not an http(s) URL: %1").arg(url));
    QByteArray token = qgetenv("COUNTERSIGN_TOKEN");
    const QString tokenFile = qEnvironmentVariable("COUNTERSIGN_TOKEN_FILE");
    if (token.isEmpty() && !tokenFile.isEmpty()) {
        QFile file(tokenFile);
        if (!file.open(QIODevice::ReadOnly))
            return fail(ErrorCode::Unauthenticated,
                        QStringLiteral("cannot read COUNTERSIGN_TOKEN_FILE %1: %2").arg(tokenFile, file.errorString()));
        token = file.readLine(4096).trimmed();
    }
    if (token.isEmpty())
        return fail(ErrorCode::Unauthenticated,
                    QStringLiteral("no token: set COUNTERSIGN_TOKEN or COUNTERSIGN_TOKEN_FILE"));
    return RuntimeClient(base, token);
}

RuntimeClient::Response RuntimeClient::get(const QString& path, int timeoutMs) const
{
    return send("GET", path, {}, {}, timeoutMs);
}

RuntimeClient::Response RuntimeClient::post(const QString& path, const QJsonObject& body,
                                            const QByteArray& idempotencyKey) const
{
    return send("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact), idempotencyKey, 30000);
}

RuntimeClient::Response RuntimeClient::send(const QByteArray& method, const QString& path, const QByteArray& body,
                                            const QByteArray& idempotencyKey, int timeoutMs) const
{
    QNetworkAccessManager manager;
    QUrl url = m_baseUrl;
    const qsizetype query = path.indexOf(u'?');
    url.setPath(url.path().chopped(url.path().endsWith(u'/') ? 1 : 0) + path.left(query));
    if (query >= 0)
        url.setQuery(path.mid(query + 1));
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_token);
    request.setRawHeader("Accept", "application/json");
    if (!idempotencyKey.isEmpty())
        request.setRawHeader("Idempotency-Key", idempotencyKey);
    if (method == "POST")
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setTransferTimeout(timeoutMs);
    QNetworkReply* reply = manager.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    Response response;
    response.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    response.body = QJsonDocument::fromJson(reply->readAll()).object();
    response.retryAfter = reply->rawHeader("Retry-After");
    if (response.status == 0)
        response.body = QJsonObject{
            {QStringLiteral("error"),
             QJsonObject{{QStringLiteral("code"), QStringLiteral("connection")},
                         {QStringLiteral("message"),
                          QStringLiteral("cannot reach %1: %2").arg(m_baseUrl.toString(), reply->errorString())}}}};
    reply->deleteLater();
    return response;
}

} // namespace countersign::cli
