#pragma once

#include "error.h"

#include <QString>

namespace countersign::approvals {
struct Request;
}

namespace countersign::ui {

/// What a person tried to do with a request.
enum class RequestAction { Approve, Deny, Reveal, Extend };

/// What the window knows around a refusal, to say it in the person's terms.
struct RefusalContext final {
    RequestAction action = RequestAction::Approve;
    QString memberId;                  // who tried
    QString reason;                    // the reason given with a decision
    const approvals::Request* request; // the request as it stands now; null if it cannot be read
    qint64 lifetimeSeconds = -1;       // the longest the request's policy lets it wait, if known
};

/// A sentence for a person about why core refused \a context's action with \a error, chosen by
/// the error's code (never by parsing its message, which is written for logs and programs and
/// names requests by id). Core's message is logged, not shown.
[[nodiscard]] QString refusalText(const Error& error, const RefusalContext& context);

} // namespace countersign::ui
