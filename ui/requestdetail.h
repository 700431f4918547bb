#pragma once

#include <QString>

namespace countersign::approvals {
struct Request;
}

namespace countersign::ui {

/// The plain-text record of a request for people: summary, runtime, capability, risk, policy,
/// details, context, the payload as an indented JSON tree with its digest, and the decisions.
/// Secret-looking payload fields are masked unless \a revealed. Never rendered as markup.
[[nodiscard]] QString describeRequest(const approvals::Request& request, bool revealed = false);

} // namespace countersign::ui
