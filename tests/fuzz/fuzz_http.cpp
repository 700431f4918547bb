// Raw bytes into the HTTP request parser, then every complete request through the route table
// and the header and query accessors the server uses.
#include "api/router.h"
#include "http/httprequestparser.h"

#include <cstddef>
#include <cstdint>

using namespace countersign::http;
using namespace countersign::api;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    // The first byte picks how the stream is cut into reads, as a socket would deliver it.
    const std::size_t chunk = 1 + data[0] % 64;
    const QByteArrayView stream(reinterpret_cast<const char*>(data) + 1, static_cast<qsizetype>(size - 1));
    HttpRequestParser parser(HttpRequestParser::Limits{2048, 4096});
    for (qsizetype at = 0; at < stream.size(); at += static_cast<qsizetype>(chunk)) {
        const auto status =
            parser.feed(stream.sliced(at, std::min<qsizetype>(static_cast<qsizetype>(chunk), stream.size() - at)));
        while (parser.hasRequest()) {
            const HttpRequest request = parser.takeRequest();
            const RouteMatch match = Router::match(request.method, request.path);
            if (match.route)
                (void)audienceOf(*match.route);
            (void)request.header("host");
            (void)request.headerCount("authorization");
            (void)request.queryValue("wait");
        }
        if (status != HttpRequestParser::Status::Ok)
            break;
    }
    return 0;
}
