#pragma once

#include "error.h"

#include <QByteArrayView>

namespace countersign::json {

/// Checks what QJsonDocument lets through silently, before a body is parsed: an object that
/// names a key twice (Qt keeps one; a signer and a verifier could disagree on which) and
/// nesting deeper than \a maxDepth. InvalidArgument naming the problem; other syntax errors
/// are left to the parser.
[[nodiscard]] Result<void> checkStructure(QByteArrayView json, int maxDepth = 64);

} // namespace countersign::json
