#include "answeraftercommit.h"

#include "approvals/runtimeapi.h"
#include "http/httpconnection.h"
#include "statusmap.h"

#include <QPointer>

#include <memory>

namespace countersign::api {

AnswerAfterCommit::AnswerAfterCommit(approvals::RuntimeApi& api)
    : m_api(api)
{
}

std::optional<http::HttpResponse> AnswerAfterCommit::answerLater(http::HttpConnection& connection, Write write)
{
    struct Pending final {
        Answer answer;
        http::HttpResponse response;
        bool deferred = false;
        bool done = false;
    };
    auto pending = std::make_shared<Pending>();
    QPointer<http::HttpConnection> waiting(&connection);
    m_api.submitWrite([pending, write = std::move(write)] { pending->answer = write(); },
                      [pending, waiting](const Result<void>& committed) {
                          // After a failed commit nothing the write did remains: its answer is
                          // never built, the commit's error is sent instead.
                          pending->response = committed ? pending->answer() : errorResponse(committed.error());
                          pending->answer = nullptr;
                          pending->done = true;
                          if (pending->deferred && waiting)
                              waiting->complete(pending->response);
                      });
    if (pending->done)
        return pending->response;
    pending->deferred = true;
    return std::nullopt;
}

std::optional<http::HttpResponse> AnswerAfterCommit::answer(http::HttpConnection& connection,
                                                            std::function<http::HttpResponse()> write)
{
    return answerLater(connection, [write = std::move(write)]() -> Answer {
        return [response = write()] {
            return response;
        };
    });
}

} // namespace countersign::api
