#include "memberclient.h"

#include "crypto/crypto.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSslConfiguration>
#include <QUrl>

namespace countersign::cli {

QString MemberClient::Response::errorMessage() const
{
    const QJsonObject error = body.value(QStringLiteral("error")).toObject();
    return error.value(QStringLiteral("message")).toString();
}

MemberClient::MemberClient(QString host, quint16 port, QByteArray certificateSha256)
    : m_host(std::move(host))
    , m_port(port)
    , m_certificateSha256(std::move(certificateSha256))
{
}

MemberClient::Response MemberClient::get(const QString& pathAndQuery, int timeoutMs) const
{
    return send("GET", pathAndQuery, {}, timeoutMs);
}

MemberClient::Response MemberClient::post(const QString& path, const QJsonObject& body) const
{
    return send("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact), 30000);
}

MemberClient::Response MemberClient::send(const QByteArray& method, const QString& pathAndQuery, const QByteArray& body,
                                          int timeoutMs) const
{
    QUrl url;
    url.setScheme(QStringLiteral("https"));
    url.setHost(m_host);
    url.setPort(m_port);
    const qsizetype query = pathAndQuery.indexOf(u'?');
    url.setPath(pathAndQuery.left(query));
    if (query >= 0)
        url.setQuery(pathAndQuery.mid(query + 1));
    QNetworkRequest request(url);
    // The certificate is self-signed: it is trusted by its pinned fingerprint, checked below
    // before anything is sent, not by a CA.
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    tls.setProtocol(QSsl::TlsV1_2OrLater);
    request.setSslConfiguration(tls);
    request.setRawHeader("Accept", "application/json");
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token);
    if (method == "POST")
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setTransferTimeout(timeoutMs);
    QNetworkAccessManager manager;
    QNetworkReply* reply = manager.sendCustomRequest(request, method, body);
    bool mismatch = false;
    // QNetworkReply::encrypted: the handshake is done and no user data has been sent yet.
    QObject::connect(reply, &QNetworkReply::encrypted, reply, [&] {
        const QByteArray der = reply->sslConfiguration().peerCertificate().toDer();
        if (der.isEmpty() || !crypto::constantTimeEqual(crypto::sha256(der), m_certificateSha256)) {
            mismatch = true;
            reply->abort();
        }
    });
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    Response response;
    response.pinMismatch = mismatch;
    response.status = mismatch ? 0 : reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (!mismatch)
        response.body = QJsonDocument::fromJson(reply->readAll()).object();
    if (response.status == 0) {
        const QString message =
            mismatch ? QStringLiteral("%1:%2 presented a certificate other than the one pinned from the invitation "
                                      "link; nothing was sent")
                           .arg(m_host)
                           .arg(m_port)
                     : QStringLiteral("cannot reach %1:%2: %3").arg(m_host).arg(m_port).arg(reply->errorString());
        response.body = QJsonObject{
            {QStringLiteral("error"), QJsonObject{{QStringLiteral("code"), mismatch ? QStringLiteral("pin_mismatch")
                                                                                    : QStringLiteral("connection")},
                                                  {QStringLiteral("message"), message}}}};
    }
    reply->deleteLater();
    return response;
}

} // namespace countersign::cli
