#include "httpclient.h"

#include "crypto/crypto.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslConfiguration>

namespace countersign::cli {

QString HttpClient::Response::errorCode() const
{
    return body.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString();
}

QString HttpClient::Response::errorMessage() const
{
    return body.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
}

HttpClient::HttpClient(QUrl baseUrl, QByteArray token, QByteArray certificateSha256)
    : m_baseUrl(std::move(baseUrl))
    , m_token(std::move(token))
    , m_certificateSha256(std::move(certificateSha256))
{
}

Result<HttpClient> HttpClient::runtimeFromEnvironment()
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
    return HttpClient(base, token);
}

HttpClient HttpClient::teamListener(const QString& host, quint16 port, QByteArray certificateSha256)
{
    QUrl url;
    url.setScheme(QStringLiteral("https"));
    url.setHost(host);
    url.setPort(port);
    return HttpClient(url, {}, std::move(certificateSha256));
}

HttpClient::Response HttpClient::get(const QString& pathAndQuery, int timeoutMs) const
{
    return send("GET", pathAndQuery, {}, {}, timeoutMs);
}

HttpClient::Response HttpClient::post(const QString& path, const QJsonObject& body,
                                      const QByteArray& idempotencyKey) const
{
    return send("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact), idempotencyKey, 30000);
}

HttpClient::Response HttpClient::send(const QByteArray& method, const QString& pathAndQuery, const QByteArray& body,
                                      const QByteArray& idempotencyKey, int timeoutMs) const
{
    QUrl url = m_baseUrl;
    const qsizetype query = pathAndQuery.indexOf(u'?');
    url.setPath(url.path().chopped(url.path().endsWith(u'/') ? 1 : 0) + pathAndQuery.left(query));
    if (query >= 0)
        url.setQuery(pathAndQuery.mid(query + 1));
    QNetworkRequest request(url);
    const bool pinned = !m_certificateSha256.isEmpty();
    if (pinned) {
        // The certificate is self-signed: it is trusted by its pinned fingerprint, checked below
        // before anything is sent, not by a CA.
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        tls.setProtocol(QSsl::TlsV1_2OrLater);
        request.setSslConfiguration(tls);
    }
    request.setRawHeader("Accept", "application/json");
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token);
    if (!idempotencyKey.isEmpty())
        request.setRawHeader("Idempotency-Key", idempotencyKey);
    if (method == "POST")
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setTransferTimeout(timeoutMs);
    QNetworkAccessManager manager;
    QNetworkReply* reply = manager.sendCustomRequest(request, method, body);
    bool mismatch = false;
    if (pinned) {
        // QNetworkReply::encrypted: the handshake is done and no user data has been sent yet.
        QObject::connect(reply, &QNetworkReply::encrypted, reply, [&] {
            const QByteArray der = reply->sslConfiguration().peerCertificate().toDer();
            if (der.isEmpty() || !crypto::constantTimeEqual(crypto::sha256(der), m_certificateSha256)) {
                mismatch = true;
                reply->abort();
            }
        });
    }
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    Response response;
    response.pinMismatch = mismatch;
    if (!mismatch) {
        response.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        response.body = QJsonDocument::fromJson(reply->readAll()).object();
        response.retryAfter = reply->rawHeader("Retry-After");
    }
    if (response.status == 0) {
        const QString where = m_baseUrl.toString(QUrl::RemoveUserInfo);
        const QString message =
            mismatch ? QStringLiteral("%1 presented a certificate other than the one pinned from the invitation "
                                      "link; nothing was sent")
                           .arg(where)
                     : QStringLiteral("cannot reach %1: %2").arg(where, reply->errorString());
        response.body = QJsonObject{
            {QStringLiteral("error"), QJsonObject{{QStringLiteral("code"), mismatch ? QStringLiteral("pin_mismatch")
                                                                                    : QStringLiteral("connection")},
                                                  {QStringLiteral("message"), message}}}};
    }
    reply->deleteLater();
    return response;
}

} // namespace countersign::cli
