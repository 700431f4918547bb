#pragma once

#include "error.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QUrl>

namespace countersign::cli {

/// countersign-cli's one HTTP client, thin and synchronous, for both audiences of an instance:
/// the runtime endpoint (http or https, a runtime's bearer token, idempotency keys) and the team
/// listener (https whose certificate must have the SHA-256 fingerprint pinned from the invitation
/// link: any other certificate and the client sends nothing, no request line, no token, no body,
/// and reports a pin failure).
class HttpClient final {
public:
    struct Response {
        int status = 0; // 0: no exchange (no connection, or the certificate did not match)
        bool pinMismatch = false;
        QJsonObject body; // for status 0, an error object saying why (code "connection" or "pin_mismatch")
        QByteArray retryAfter;
        [[nodiscard]] QString errorCode() const;
        [[nodiscard]] QString errorMessage() const;
    };

    /// Requests go below \a baseUrl; with \a certificateSha256, only to the server holding that certificate.
    explicit HttpClient(QUrl baseUrl, QByteArray token = {}, QByteArray certificateSha256 = {});

    /// The runtime endpoint from COUNTERSIGN_URL (default http://127.0.0.1:7447) and the token
    /// from COUNTERSIGN_TOKEN or COUNTERSIGN_TOKEN_FILE, never from argv. An https URL needs the
    /// certificate's SHA-256 pinned, in COUNTERSIGN_PIN or the token file's `pin:` line.
    [[nodiscard]] static Result<HttpClient> runtimeFromEnvironment();
    /// A team listener at \a host : \a port whose certificate's SHA-256 is \a certificateSha256.
    [[nodiscard]] static HttpClient teamListener(const QString& host, quint16 port, QByteArray certificateSha256);

    void setToken(const QByteArray& token) { m_token = token; }
    [[nodiscard]] Response get(const QString& pathAndQuery, int timeoutMs = 30000) const;
    [[nodiscard]] Response post(const QString& path, const QJsonObject& body,
                                const QByteArray& idempotencyKey = {}) const;

private:
    [[nodiscard]] Response send(const QByteArray& method, const QString& pathAndQuery, const QByteArray& body,
                                const QByteArray& idempotencyKey, int timeoutMs) const;

    QUrl m_baseUrl;
    QByteArray m_token;
    QByteArray m_certificateSha256;
    /// Where the pin came from, for the message when a server presents another certificate.
    QString m_pinSource = QStringLiteral("from the invitation link");
};

} // namespace countersign::cli
