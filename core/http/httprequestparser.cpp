#include "httprequestparser.h"

#include <http_parser.h>

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

    static void finishHeader(HttpRequestParser& p)
    {
        if (!p.m_field.isEmpty())
            p.m_current.headers.append({p.m_field.toLower(), p.m_value.trimmed()});
        p.m_field.clear();
        p.m_value.clear();
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
        if (p.m_lastWasValue)
            finishHeader(p);
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
        finishHeader(p);
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
        p.m_ready.enqueue(std::move(p.m_current));
        p.m_current = HttpRequest{};
        p.m_inMessage = false;
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
    const size_t parsed =
        http_parser_execute(m_parser.get(), &Callbacks::settings(), data.data(), static_cast<size_t>(data.size()));
    if (m_status != Status::Ok)
        return m_status;
    if (m_parser->upgrade || HTTP_PARSER_ERRNO(m_parser.get()) != HPE_OK || parsed != static_cast<size_t>(data.size()))
        m_status = Status::BadRequest;
    return m_status;
}

} // namespace countersign::http
