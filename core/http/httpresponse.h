#pragma once

#include "error.h"

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
    /// {"error": {"code": ..., "message": ...}} with the status chosen by statusFor().
    [[nodiscard]] static HttpResponse error(const Error& error);
    [[nodiscard]] QByteArray serialize(bool keepAlive) const;
};

} // namespace countersign::http
