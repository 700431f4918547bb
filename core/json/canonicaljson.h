#pragma once

#include <QByteArray>
#include <QJsonValue>

namespace countersign::json {

/// Canonical JSON text, the input of every digest and signature in the product: RFC 8785 (the
/// JSON Canonicalization Scheme), so that a runtime in any language can use an existing JCS
/// library. Object members sorted by key in UTF-16 code units, no insignificant whitespace,
/// strings escaped minimally, numbers as ECMAScript prints doubles. Its input must already be
/// what JSON carries exactly (see checkStructure); docs/audit-format.md describes the form.
[[nodiscard]] QByteArray canonicalJson(const QJsonValue& value);

/// Appends \a number as ECMA-262's Number::toString writes it (RFC 8785 3.2.2.3): 1, 0.1,
/// 1e+21, 1e-7, 5e-324; -0 as 0. A NaN or infinity, which JSON cannot hold, as null.
void appendNumber(QByteArray& out, double number);

} // namespace countersign::json
