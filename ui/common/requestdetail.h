#pragma once

#include <QString>
#include <QStringList>

namespace countersign::approvals {
struct Request;
}

namespace countersign::ui {

/// The plain-text record of a request for people: summary, runtime, capability, risk, policy,
/// details, context, the payload as an indented JSON tree with its digest, and the decisions.
/// Secret-looking payload fields are masked unless \a revealed. Never rendered as markup.
[[nodiscard]] QString describeRequest(const approvals::Request& request, bool revealed = false);

} // namespace countersign::ui

namespace countersign::ui {

/// What the runtime wrote about \a request beyond its summary (its details and context), as
/// plain lines with trailing spaces dropped and every run of blank lines collapsed to one, so
/// it cannot fill a screen with nothing to push what follows out of sight.
[[nodiscard]] QString runtimeWords(const approvals::Request& request);

/// The payload as an indented JSON tree, secret-looking fields masked except those at \a shown
/// (JSON Pointers, as secretFields() names them).
[[nodiscard]] QString payloadText(const approvals::Request& request, const QStringList& shown);

/// The secret-looking fields of \a request's payload, as JSON Pointers, in document order.
[[nodiscard]] QStringList secretFields(const approvals::Request& request);

/// How many secret-looking fields the payload of \a request holds.
[[nodiscard]] int secretCount(const approvals::Request& request);

} // namespace countersign::ui
