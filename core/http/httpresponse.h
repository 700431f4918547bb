#pragma once

#include "transporterror.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>

namespace countersign::http {

/// A JSON response; serialize() adds the headers every response carries.
struct HttpResponse final {
    int status = 200;
    QJsonObject body;
    QByteArray rawBody; // already-serialized JSON; used instead of body when set
    QList<QPair<QByteArray, QByteArray>> extraHeaders;
    bool close = false;

    [[nodiscard]] static HttpResponse json(int status, const QJsonObject& body);
    /// Already-serialized JSON, sent as it is.
    [[nodiscard]] static HttpResponse raw(int status, QByteArray json);
    /// {"error": {"code": \a code, "message": \a message}}.
    [[nodiscard]] static HttpResponse error(int status, const QString& code, const QString& message);
    /// A refusal of the transport's own, with its code's name and status.
    [[nodiscard]] static HttpResponse refusal(TransportError error, const QString& message);
    /// Adds Retry-After (RFC 9110 10.2.3), at least one second.
    [[nodiscard]] HttpResponse withRetryAfter(int seconds) &&;
    [[nodiscard]] QByteArray serialize(bool keepAlive) const;
};

} // namespace countersign::http
