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

namespace {

/// A certificate's SHA-256 as hex, colons allowed between the bytes (as `openssl x509 -fingerprint`
/// prints it); empty when \a text is none.
QByteArray parsePin(QByteArrayView text)
{
    QByteArray hex = text.trimmed().toByteArray();
    hex.replace(':', QByteArray());
    const QByteArray pin = QByteArray::fromHex(hex);
    return hex.size() == 64 && pin.toHex() == hex.toLower() ? pin : QByteArray();
}

} // namespace

Result<HttpClient> HttpClient::runtimeFromEnvironment()
{
    const QString url = qEnvironmentVariable("COUNTERSIGN_URL", QStringLiteral("http://127.0.0.1:7447"));
    const QUrl base(url);
    if (!base.isValid() || (base.scheme() != u"http" && base.scheme() != u"https"))
        return fail(ErrorCode::InvalidArgument, QStringLiteral("COUNTERSIGN_URL is not an http(s) URL: %1").arg(url));
    QByteArray token = qgetenv("COUNTERSIGN_TOKEN");
    QByteArray pinText = qgetenv("COUNTERSIGN_PIN");
    QString pinSource = QStringLiteral("by COUNTERSIGN_PIN");
    const QString tokenFile = qEnvironmentVariable("COUNTERSIGN_TOKEN_FILE");
    if (token.isEmpty() && !tokenFile.isEmpty()) {
        // docs/runtime-guide.md, "The token file": the token on the first line, then optionally
        // `pin: <SHA-256 of the team's certificate>`.
        QFile file(tokenFile);
        if (!file.open(QIODevice::ReadOnly))
            return fail(ErrorCode::Unauthenticated,
                        QStringLiteral("cannot read COUNTERSIGN_TOKEN_FILE %1: %2").arg(tokenFile, file.errorString()));
        const QList<QByteArray> lines = file.read(16384).split('\n');
        token = lines.value(0).trimmed();
        for (const QByteArray& line : lines.mid(1)) {
            if (pinText.isEmpty() && line.trimmed().startsWith("pin:")) {
                pinText = line.trimmed().mid(4);
                pinSource = QStringLiteral("in COUNTERSIGN_TOKEN_FILE");
            }
        }
    }
    if (token.isEmpty())
        return fail(ErrorCode::Unauthenticated,
                    QStringLiteral("no token: set COUNTERSIGN_TOKEN or COUNTERSIGN_TOKEN_FILE"));
    if (base.scheme() != u"https")
        return HttpClient(base, token); // loopback: no certificate to pin
    // No CA vouches for a team's certificate and a first connection must not be trusted on its
    // word: the pin comes from whoever registered the runtime (docs/runtime-guide.md).
    if (pinText.isEmpty())
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("%1 is https but no certificate is pinned: set COUNTERSIGN_PIN (or a `pin:` line "
                                   "in the token file) to the team certificate's SHA-256 that `countersign-cli team "
                                   "init` and every node print")
                        .arg(url));
    const QByteArray pin = parsePin(pinText);
    if (pin.isEmpty())
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("the pin %1 is not a SHA-256 in hex (64 hex digits)").arg(pinSource));
    HttpClient client(base, token, pin);
    client.m_pinSource = pinSource;
    return client;
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
            mismatch ? QStringLiteral("%1 presented a certificate other than the one pinned %2; nothing was sent")
                           .arg(where, m_pinSource)
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
