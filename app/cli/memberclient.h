#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace countersign::cli {

/// A team member's connection to an instance's team listener: HTTPS whose certificate must
/// have the SHA-256 fingerprint pinned from the invitation link. Any other certificate and the
/// client sends nothing (no request line, no token, no body) and reports a pin failure.
class MemberClient final {
public:
    struct Response {
        int status = 0; // 0: no exchange (connection failed or the certificate did not match)
        bool pinMismatch = false;
        QJsonObject body;
        [[nodiscard]] QString errorMessage() const;
    };

    MemberClient(QString host, quint16 port, QByteArray certificateSha256);

    void setToken(const QByteArray& token) { m_token = token; }
    [[nodiscard]] Response get(const QString& pathAndQuery, int timeoutMs = 30000) const;
    [[nodiscard]] Response post(const QString& path, const QJsonObject& body) const;

private:
    [[nodiscard]] Response send(const QByteArray& method, const QString& pathAndQuery, const QByteArray& body,
                                int timeoutMs) const;

    QString m_host;
    quint16 m_port;
    QByteArray m_certificateSha256;
    QByteArray m_token;
};

} // namespace countersign::cli
