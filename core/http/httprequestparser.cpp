#include "httprequestparser.h"

#include <http_parser.h>

#include <utility>

namespace countersign::http {

struct HttpRequestParser::Callbacks {
    static HttpRequestParser& self(http_parser* parser) { return *static_cast<HttpRequestParser*>(parser->data); }

    static bool countHeaderBytes(HttpRequestParser& p, size_t length)
    {
        p.m_headerBytes += static_cast<qsizetype>(length);
        if (p.m_headerBytes > p.m_limits.maxHeaderBytes) {
            p.m_status = Status::HeadersTooLarge;
            return false;
        }
        return true;
    }

    // RFC 9110 5.6.2: a field name is a token (tchar only).
    static bool isToken(QByteArrayView name)
    {
        static constexpr QByteArrayView EXTRA = "!#$%&'*+-.^_`|~";
        if (name.isEmpty())
            return false;
        for (const char c : name) {
            const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alnum && !EXTRA.contains(c))
                return false;
        }
        return true;
    }

    /// Stores the field just read; false (a bad request) when its name is not a token. The
    /// lenient http_parser lets spaces into names, but RFC 9112 5.1 allows no whitespace
    /// between a field name and its colon: `Content-Length : 2` must not be taken for framing.
    static bool finishHeader(HttpRequestParser& p)
    {
        if (!p.m_field.isEmpty() || p.m_lastWasValue) {
            if (!isToken(p.m_field)) {
                p.m_status = Status::BadRequest;
                return false;
            }
            p.m_current.headers.append({p.m_field.toLower(), p.m_value.trimmed()});
        }
        p.m_field.clear();
        p.m_value.clear();
        return true;
    }

    static int onMessageBegin(http_parser* parser)
    {
        HttpRequestParser& p = self(parser);
        p.m_current = HttpRequest{};
        p.m_url.clear();
        p.m_field.clear();
        p.m_value.clear();
        p.m_lastWasValue = false;
        p.m_headerBytes = 0;
        p.m_inMessage = true;
        p.m_headersComplete = false;
        ++p.m_messagesBegun;
        return 0;
    }

    static int onUrl(http_parser* parser, const char* at, size_t length)
    {
        HttpRequestParser& p = self(parser);
        if (!countHeaderBytes(p, length))
            return 1;
        p.m_url.append(at, static_cast<qsizetype>(length));
        return 0;
    }

    static int onHeaderField(http_parser* parser, const char* at, size_t length)
    {
        HttpRequestParser& p = self(parser);
        if (!countHeaderBytes(p, length))
            return 1;
        if (p.m_lastWasValue && !finishHeader(p))
            return 1;
        p.m_field.append(at, static_cast<qsizetype>(length));
        p.m_lastWasValue = false;
        return 0;
    }

    static int onHeaderValue(http_parser* parser, const char* at, size_t length)
    {
        HttpRequestParser& p = self(parser);
        if (!countHeaderBytes(p, length))
            return 1;
        p.m_value.append(at, static_cast<qsizetype>(length));
        p.m_lastWasValue = true;
        return 0;
    }

    static int onHeadersComplete(http_parser* parser)
    {
        HttpRequestParser& p = self(parser);
        if (!finishHeader(p))
            return -1;
        p.m_headersComplete = true;
        p.m_current.method = http_method_str(static_cast<http_method>(parser->method));
        const qsizetype question = p.m_url.indexOf('?');
        p.m_current.path = question < 0 ? p.m_url : p.m_url.left(question);
        p.m_current.query = question < 0 ? QByteArray() : p.m_url.mid(question + 1);
        p.m_current.keepAlive = http_should_keep_alive(parser) != 0;
        // Refuse an announced oversized body before a single byte of it is read.
        if ((parser->flags & F_CONTENTLENGTH) &&
            parser->content_length > static_cast<uint64_t>(p.m_limits.maxBodyBytes)) {
            p.m_status = Status::PayloadTooLarge;
            return -1; // an error for http_parser: stop here
        }
        return 0;
    }

    static int onBody(http_parser* parser, const char* at, size_t length)
    {
        HttpRequestParser& p = self(parser);
        if (p.m_current.body.size() + static_cast<qsizetype>(length) > p.m_limits.maxBodyBytes) {
            p.m_status = Status::PayloadTooLarge; // chunked bodies stop as soon as they cross the limit
            return 1;
        }
        p.m_current.body.append(at, static_cast<qsizetype>(length));
        return 0;
    }

    static int onMessageComplete(http_parser* parser)
    {
        HttpRequestParser& p = self(parser);
        p.m_current.keepAlive = http_should_keep_alive(parser) != 0;
        p.m_queuedBodyBytes += p.m_current.body.size();
        p.m_ready.enqueue(std::move(p.m_current));
        p.m_current = HttpRequest{};
        p.m_inMessage = false;
        if (p.queueFull())
            http_parser_pause(parser, 1); // the rest waits in the backlog, unparsed
        return 0;
    }

    static const http_parser_settings& settings()
    {
        static const http_parser_settings instance = [] {
            http_parser_settings s{};
            http_parser_settings_init(&s);
            s.on_message_begin = &onMessageBegin;
            s.on_url = &onUrl;
            s.on_header_field = &onHeaderField;
            s.on_header_value = &onHeaderValue;
            s.on_headers_complete = &onHeadersComplete;
            s.on_body = &onBody;
            s.on_message_complete = &onMessageComplete;
            return s;
        }();
        return instance;
    }
};

HttpRequestParser::HttpRequestParser(Limits limits)
    : m_limits(limits)
    , m_parser(std::make_unique<http_parser>())
{
    http_parser_init(m_parser.get(), HTTP_REQUEST);
    m_parser->data = this;
}

HttpRequestParser::~HttpRequestParser() = default;

HttpRequestParser::Status HttpRequestParser::feed(QByteArrayView data)
{
    if (m_status != Status::Ok)
        return m_status;
    if (data.isEmpty())
        return m_status;
    if (!m_backlog.isEmpty()) {
        m_backlog.append(data);
        return resume();
    }
    if (HTTP_PARSER_ERRNO(m_parser.get()) == HPE_PAUSED) {
        if (queueFull()) {
            m_backlog = data.toByteArray();
            return m_status;
        }
        http_parser_pause(m_parser.get(), 0);
    }
    const size_t parsed =
        http_parser_execute(m_parser.get(), &Callbacks::settings(), data.data(), static_cast<size_t>(data.size()));
    if (m_status != Status::Ok)
        return m_status;
    if (HTTP_PARSER_ERRNO(m_parser.get()) == HPE_PAUSED) {
        m_backlog = data.sliced(static_cast<qsizetype>(parsed)).toByteArray();
        return m_status;
    }
    if (m_parser->upgrade || HTTP_PARSER_ERRNO(m_parser.get()) != HPE_OK || parsed != static_cast<size_t>(data.size()))
        m_status = Status::BadRequest;
    return m_status;
}

HttpRequest HttpRequestParser::takeRequest()
{
    HttpRequest request = m_ready.dequeue();
    m_queuedBodyBytes -= request.body.size();
    return request;
}

HttpRequestParser::Status HttpRequestParser::resume()
{
    if (m_status != Status::Ok || m_backlog.isEmpty() || queueFull())
        return m_status;
    http_parser_pause(m_parser.get(), 0);
    const QByteArray pending = std::exchange(m_backlog, QByteArray());
    return feed(pending);
}

} // namespace countersign::http
