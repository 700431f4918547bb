#pragma once

#include "httprequest.h"

#include <QByteArrayView>
#include <QQueue>

#include <memory>

struct http_parser;

namespace countersign::http {

/// Incremental HTTP/1.1 request parsing over Debian's libhttp-parser, with hard limits checked
/// while bytes arrive: a body announced or growing past the limit is refused before it is
/// buffered, and so are oversized headers. Complete requests queue up in order (pipelining), at
/// most Limits::maxQueuedRequests of them: past that the parser pauses, keeps the rest of what it
/// was fed, and takes it up again in resume() once requests have been taken.
class HttpRequestParser final {
public:
    struct Limits {
        qsizetype maxHeaderBytes = qsizetype{16} * 1024;
        qsizetype maxBodyBytes = qsizetype{64} * 1024;
        qsizetype maxQueuedRequests = 8;
    };
    enum class Status { Ok, HeadersTooLarge, PayloadTooLarge, BadRequest };

    explicit HttpRequestParser(Limits limits);
    HttpRequestParser()
        : HttpRequestParser(Limits{})
    {
    }
    ~HttpRequestParser();
    HttpRequestParser(const HttpRequestParser&) = delete;
    HttpRequestParser& operator=(const HttpRequestParser&) = delete;

    /// Parses \a data (only while hasBacklog() is false). After a non-Ok status the stream is
    /// unusable; answer and close.
    [[nodiscard]] Status feed(QByteArrayView data);
    /// Parses what a pause left over, if the queue has room again.
    [[nodiscard]] Status resume();
    /// True while bytes fed earlier wait for room in the queue.
    [[nodiscard]] bool hasBacklog() const { return !m_backlog.isEmpty(); }
    [[nodiscard]] bool hasRequest() const { return !m_ready.isEmpty(); }
    /// Full at maxQueuedRequests requests, or once their bodies reach maxBodyBytes together.
    [[nodiscard]] bool queueFull() const
    {
        return m_ready.size() >= m_limits.maxQueuedRequests || m_queuedBodyBytes >= m_limits.maxBodyBytes;
    }
    [[nodiscard]] HttpRequest takeRequest();
    /// How many requests have begun so far (to time each one from its first byte).
    [[nodiscard]] quint64 messagesBegun() const { return m_messagesBegun; }
    /// True between the first byte of a request and its end (for the header timeout).
    [[nodiscard]] bool inMessage() const { return m_inMessage; }
    [[nodiscard]] bool headersComplete() const { return m_headersComplete; }

private:
    struct Callbacks;

    Limits m_limits;
    std::unique_ptr<http_parser> m_parser;
    Status m_status = Status::Ok;
    HttpRequest m_current;
    QByteArray m_url;
    QByteArray m_field;
    QByteArray m_value;
    bool m_lastWasValue = false;
    qsizetype m_headerBytes = 0;
    bool m_inMessage = false;
    bool m_headersComplete = false;
    QQueue<HttpRequest> m_ready;
    qsizetype m_queuedBodyBytes = 0;
    QByteArray m_backlog;
    quint64 m_messagesBegun = 0;
};

} // namespace countersign::http
