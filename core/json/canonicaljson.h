#pragma once

#include <QByteArray>
#include <QJsonValue>

namespace countersign::json {

/// Canonical JSON text, the input of every digest and signature in the product: object
/// members sorted by key (UTF-16 code units, as RFC 8785), no insignificant whitespace,
/// strings escaped minimally (RFC 8785 section 3.2.2.2), integers up to 2^53 written as
/// integers, other numbers in shortest round-trip form. See docs/audit-format.md.
[[nodiscard]] QByteArray canonicalJson(const QJsonValue& value);

} // namespace countersign::json
