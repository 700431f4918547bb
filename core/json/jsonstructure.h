#pragma once

#include "error.h"

#include <QByteArrayView>

namespace countersign::json {

/// Checks what QJsonDocument lets through silently, before a body is parsed: an object that
/// names a key twice (Qt keeps one; a signer and a verifier could disagree on which), nesting
/// deeper than \a maxDepth, a number that an IEEE 754 double does not carry exactly (so two
/// texts would share a digest; the rule is at checkNumber in the source and in
/// docs/runtime-guide.md), and a string that is not valid Unicode (a lone surrogate escape, bad
/// UTF-8). InvalidArgument naming the problem; other syntax errors are left to the parser.
[[nodiscard]] Result<void> checkStructure(QByteArrayView json, int maxDepth = 64);

} // namespace countersign::json
