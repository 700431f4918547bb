#pragma once

#include "http/httpresponse.h"

#include <functional>
#include <optional>

namespace countersign::approvals {
class RuntimeApi;
}
namespace countersign::http {
class HttpConnection;
}

namespace countersign::api {

/// Hands writes to the group commit (approvals::RuntimeApi::submitWrite) and answers each one
/// only once the transaction holding it is on disk: an acknowledged write survives a crash, and
/// a failed commit answers with its error instead. Runtimes' and members' writes share it, so
/// creates, cancels, consumes and decisions arriving together commit together.
class AnswerAfterCommit final {
public:
    /// Builds the answer once the write committed (a receipt, whose checkpoint must include what
    /// the write added).
    using Answer = std::function<http::HttpResponse()>;
    /// The write itself, inside the shared transaction; returns how to answer after the commit.
    using Write = std::function<Answer()>;

    explicit AnswerAfterCommit(approvals::RuntimeApi& api);

    /// Runs \a write in the next group commit; the answer, or nothing when it comes later.
    [[nodiscard]] std::optional<http::HttpResponse> answerLater(http::HttpConnection& connection, Write write);
    /// The same for a write whose answer is known inside the transaction.
    [[nodiscard]] std::optional<http::HttpResponse> answer(http::HttpConnection& connection,
                                                           std::function<http::HttpResponse()> write);

private:
    approvals::RuntimeApi& m_api;
};

} // namespace countersign::api
