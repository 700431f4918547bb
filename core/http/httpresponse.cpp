#include "httpresponse.h"

#include "httpstatus.h"

#include <QJsonDocument>

#include <algorithm>

namespace countersign::http {

HttpResponse HttpResponse::json(int status, const QJsonObject& body)
{
    HttpResponse response;
    response.status = status;
    response.body = body;
    return response;
}

HttpResponse HttpResponse::raw(int status, QByteArray json)
{
    HttpResponse response;
    response.status = status;
    response.rawBody = std::move(json);
    return response;
}

HttpResponse HttpResponse::error(int status, const QString& code, const QString& message)
{
    return json(status, QJsonObject{{QStringLiteral("error"), QJsonObject{{QStringLiteral("code"), code},
                                                                          {QStringLiteral("message"), message}}}});
}

HttpResponse HttpResponse::refusal(TransportError error, const QString& message)
{
    return HttpResponse::error(transportErrorStatus(error), transportErrorName(error), message);
}

HttpResponse HttpResponse::withRetryAfter(int seconds) &&
{
    extraHeaders.append({QByteArrayLiteral("Retry-After"), QByteArray::number(std::max(1, seconds))});
    return std::move(*this);
}

QByteArray HttpResponse::serialize(bool keepAlive) const
{
    const QByteArray payload = rawBody.isNull() ? QJsonDocument(body).toJson(QJsonDocument::Compact) : rawBody;
    QByteArray out;
    out.reserve(payload.size() + 320);
    out += "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    out += "Content-Type: application/json\r\n";
    out += "Content-Length: " + QByteArray::number(payload.size()) + "\r\n";
    // Never cached, never sniffed, never rendered as a page (RFC 9111 5.2.2.5 no-store; the
    // Fetch standard's nosniff; CSP 3 default-src 'none'): docs/runtime-guide.md, "Limits".
    out += "Cache-Control: no-store\r\n";
    out += "X-Content-Type-Options: nosniff\r\n";
    out += "Content-Security-Policy: default-src 'none'\r\n";
    for (const auto& [name, value] : extraHeaders)
        out += name + ": " + value + "\r\n";
    out += (keepAlive && !close) ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
    out += "\r\n";
    out += payload;
    return out;
}

} // namespace countersign::http
