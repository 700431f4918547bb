#pragma once

#include "error.h"

#include <QByteArray>

namespace countersign::http {

/// The one place where an error code becomes an HTTP status (docs/architecture.md, "Errors").
[[nodiscard]] int statusFor(ErrorCode code);
[[nodiscard]] QByteArray reasonPhrase(int status);

} // namespace countersign::http
