#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

namespace countersign::http {

/// One parsed HTTP/1.1 request. Header names are lower-cased.
struct HttpRequest final {
    QByteArray method;
    QByteArray path;  // percent-encoded, as sent
    QByteArray query; // without '?'
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool keepAlive = true;

    /// The value of a header, or empty; \a found tells whether it was present at all.
    [[nodiscard]] QByteArray header(QByteArrayView name, bool* found = nullptr) const;
    [[nodiscard]] int headerCount(QByteArrayView name) const;
    /// A query parameter's decoded value.
    [[nodiscard]] QByteArray queryValue(QByteArrayView name, bool* found = nullptr) const;
};

} // namespace countersign::http
