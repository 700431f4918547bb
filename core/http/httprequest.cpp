#include "httprequest.h"

#include <QUrl>

namespace countersign::http {

QByteArray HttpRequest::header(QByteArrayView name, bool* found) const
{
    for (const auto& [key, value] : headers) {
        if (key == name) {
            if (found)
                *found = true;
            return value;
        }
    }
    if (found)
        *found = false;
    return {};
}

int HttpRequest::headerCount(QByteArrayView name) const
{
    int count = 0;
    for (const auto& header : headers)
        count += header.first == name ? 1 : 0;
    return count;
}

QByteArray HttpRequest::queryValue(QByteArrayView name, bool* found) const
{
    const QList<QByteArray> pairs = query.split('&');
    for (const QByteArray& pair : pairs) {
        const qsizetype equals = pair.indexOf('=');
        const QByteArray key = QByteArray::fromPercentEncoding(equals < 0 ? pair : pair.left(equals));
        if (key == name) {
            if (found)
                *found = true;
            return equals < 0 ? QByteArray() : QByteArray::fromPercentEncoding(pair.mid(equals + 1));
        }
    }
    if (found)
        *found = false;
    return {};
}

} // namespace countersign::http
