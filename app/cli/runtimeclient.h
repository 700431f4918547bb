#pragma once

#include "error.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QUrl>

namespace countersign::cli {

/// The endpoint as a runtime sees it: a thin, synchronous HTTP client for countersign-cli.
class RuntimeClient final {
public:
    struct Response {
        int status = 0; // 0: no connection
        QJsonObject body;
        QByteArray retryAfter;
    };

    RuntimeClient(QUrl baseUrl, QByteArray token);

    /// From COUNTERSIGN_URL (default http://127.0.0.1:7447) and COUNTERSIGN_TOKEN or
    /// COUNTERSIGN_TOKEN_FILE. Never from argv.
    [[nodiscard]] static Result<RuntimeClient> fromEnvironment();

    [[nodiscard]] Response get(const QString& path, int timeoutMs = 30000) const;
    [[nodiscard]] Response post(const QString& path, const QJsonObject& body,
                                const QByteArray& idempotencyKey = {}) const;

private:
    [[nodiscard]] Response send(const QByteArray& method, const QString& path, const QByteArray& body,
                                const QByteArray& idempotencyKey, int timeoutMs) const;

    QUrl m_baseUrl;
    QByteArray m_token;
};

} // namespace countersign::cli
